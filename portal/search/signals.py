"""Keep the search index right on single-record changes (admin edits, publishing, withdrawing,
deletes, history reverts, relation changes). Bulk writers call `portal.search_index` themselves.

A record's row depends on the record and on a few related ones: its parents' status (a
country, a legal act), names copied into its text (a report's authors, a channel's organisation,
an initiative's country) and its countries (many-to-many). Which ones is read from the search
documents the apps declare (portal/search/types.py), and each handler refreshes exactly the rows
concerned, in bulk, once the transaction commits (`refresh_on_commit`: every change of one
transaction makes one refresh per type; a rollback leaves the index as it was). Raw saves (loaddata)
are skipped: `load_demo_data` rebuilds the index.
"""

from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.search_index import refresh_on_commit

from .types import search_types


def _kinds():
    """Every searched model and its type key."""
    return {t.model: t.key for t in search_types()}


def _refresh_all(kind, queryset):
    # The ids are read now: after the commit the relation may be gone (a deleted act).
    refresh_on_commit(kind, list(queryset.values_list("pk", flat=True)))


def record_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    refresh_on_commit(_kinds()[sender], [instance.pk])


def record_deleted(sender, instance, **kwargs):
    refresh_on_commit(_kinds()[sender], [instance.pk])  # no longer found, so its row goes


def _fields_on(model, path):
    """The fields along an ORM path from `model` ("act__country" -> [act, country])."""
    fields = []
    for name in path.split("__"):
        field = model._meta.get_field(name)
        fields.append(field)
        model = field.related_model
    return fields


def dependency_paths(search_type):
    """ORM paths from the type's model to the records whose changes change its row: the parents
    of its public rule (transitively), the relations its title and body fields read through, and
    the document's own `depends_on`."""
    paths = []

    def parents(model, prefix):
        for name in model.public_parents:
            path = f"{prefix}{name}"
            paths.append(path)
            parents(model._meta.get_field(name).related_model, f"{path}__")

    parents(search_type.model, "")
    document = search_type.document
    for field_path in (*document.title, *document.body):
        if "__" in field_path:
            paths.append(field_path.rsplit("__", 1)[0])
    paths.extend(document.depends_on)
    return list(dict.fromkeys(paths))


@dataclass(frozen=True)
class Dependency:
    """Refresh the `kind` rows reached from a changed related record along `path`."""

    kind: str
    model: type
    path: str

    def __call__(self, sender, instance, raw=False, **kwargs):
        if raw:
            return
        fields = _fields_on(self.model, self.path)
        if len(fields) == 1 and fields[0].one_to_many:
            # A record's own child rows (a report's authorships): the child names its record,
            # also when it was just deleted.
            refresh_on_commit(self.kind, [getattr(instance, fields[0].remote_field.attname)])
        else:
            _refresh_all(self.kind, self.model._default_manager.filter(**{self.path: instance.pk}))


def _linked_ids(through, owner, instance):
    """Ids of the `owner` records linked to `instance` (the other side) through `through`."""
    columns = {f.related_model: f.attname for f in through._meta.fields if f.is_relation}
    mine, theirs = columns[type(instance)], columns[owner]
    return list(through.objects.filter(**{mine: instance.pk}).values_list(theirs, flat=True))


@dataclass(frozen=True)
class ManyToManyDependency:
    """A many-to-many relation of a searched model changed, from either side."""

    kind: str
    owner: type

    def __call__(self, sender, instance, action, reverse, model, pk_set, **kwargs):
        if action == "pre_clear" and reverse:
            # Cleared from the other side (`country.reports.clear()`): Django passes no ids, so
            # note the linked records before the links go.
            instance._search_cleared_ids = _linked_ids(sender, self.owner, instance)
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            refresh_on_commit(self.kind, [instance.pk])
        elif pk_set:
            refresh_on_commit(self.kind, pk_set)
        elif action == "post_clear":
            refresh_on_commit(self.kind, instance.__dict__.pop("_search_cleared_ids", ()))


def many_to_many_fields(search_type):
    """The many-to-many fields of the type's model whose changes change its row."""
    names = [search_type.document.countries_m2m] if search_type.document.countries_m2m else []
    names += [path.split("__")[0] for path in dependency_paths(search_type)]
    fields = [search_type.model._meta.get_field(name) for name in dict.fromkeys(names)]
    return [field for field in fields if field.many_to_many and not field.auto_created]


def connect():
    for search_type in search_types():
        model, kind = search_type.model, search_type.key
        uid = f"search_index_{model._meta.label_lower}"
        post_save.connect(record_saved, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(record_deleted, sender=model, dispatch_uid=f"{uid}_delete")
        for path in dependency_paths(search_type):
            related = _fields_on(model, path)[-1].related_model
            handler = Dependency(kind, model, path)
            for signal, name in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(
                    handler, sender=related, weak=False, dispatch_uid=f"{uid}_{path}_{name}"
                )
        for field in many_to_many_fields(search_type):
            through = field.remote_field.through
            m2m_changed.connect(
                ManyToManyDependency(kind, model),
                sender=through,
                weak=False,
                dispatch_uid=f"{uid}_m2m_{field.name}",
            )
