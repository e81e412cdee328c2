"""What deleting a record does to other records, and who may do it (docs/editorial-workflow.md).

Deleting shared reference data (a theme, a topic, an organisation, an instrument, an author, ...)
can delete or change records of other countries: the cascade removes an organisation's roles on
initiatives, a theme's links to initiatives, an instrument's ratification records. The rule:

- such a deletion is refused, with the list of the records it would change or delete, unless the
  user may change every one of them (the same rights as editing them one by one);
- when it goes ahead, every record that survives but lost a link gets a history entry of its own
  (a new version, so a form opened before the deletion conflicts instead of bringing the link
  back); records deleted with it get their own deletion entries as usual.
"""

from dataclasses import dataclass, field

from django.db import router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.text import capfirst

from .changes import record_models
from .history import child_parent, one_entry, short_reason
from .models import RecordModel
from .permissions import assigned_country_ids, can_edit_record, record_country_ids
from .records import country_model


@dataclass
class Effects:
    deleted: list = field(default_factory=list)  # records deleted along (cascade)
    changed: dict = field(default_factory=dict)  # (model, pk) -> (record, what it loses)

    def records(self):
        return self.deleted + [record for record, _ in self.changed.values()]


def _m2m_fields_through(through):
    for model in record_models():
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through is through:
                yield model, m2m


def deletion_effects(objs):
    """The other records that deleting `objs` deletes or changes (None when Django's own
    protection refuses the deletion anyway)."""
    objs = list(objs)
    if not objs:
        return Effects()
    using = router.db_for_write(type(objs[0]))
    collector = Collector(using=using, origin=objs)
    try:
        collector.collect(objs)
    except (ProtectedError, RestrictedError):
        return None
    gone = {(model, obj.pk) for model, instances in collector.data.items() for obj in instances}
    origin = {(type(obj)._meta.concrete_model, obj.pk) for obj in objs}
    effects = Effects()
    what = {id(obj): f"{obj._meta.verbose_name} “{obj}”" for obj in objs}
    label = next(iter(what.values())) if len(what) == 1 else "the deleted records"

    def lose(model, pk, description):
        if (model, pk) in gone or pk is None:
            return
        key = (model, pk)
        if key not in effects.changed:
            record = model._default_manager.filter(pk=pk).first()
            if record is None:
                return
            effects.changed[key] = (record, [])
        if description not in effects.changed[key][1]:
            effects.changed[key][1].append(description)

    for model, instances in collector.data.items():
        for obj in instances:
            if (model, obj.pk) in origin:
                continue
            if issubclass(model, RecordModel):
                effects.deleted.append(obj)
                continue
            owner = child_parent(model)
            if owner is not None:
                owner_model, fk = owner
                lose(owner_model, getattr(obj, fk.attname), f"{model._meta.verbose_name} {obj}")
            for owner_model, m2m in _m2m_fields_through(model):
                source = m2m.m2m_field_name()
                lose(owner_model, getattr(obj, f"{source}_id"), f"{m2m.verbose_name}: {label}")
    for rows in collector.fast_deletes:  # rows of models nothing listens to, as querysets
        for owner_model, m2m in _m2m_fields_through(rows.model):
            source = m2m.m2m_field_name()
            for pk in rows.values_list(f"{source}_id", flat=True):
                lose(owner_model, pk, f"{m2m.verbose_name}: {label}")
    for (fk, _value), batches in collector.field_updates.items():
        if issubclass(fk.model, RecordModel):
            for batch in batches:
                for obj in batch:
                    lose(fk.model._meta.concrete_model, obj.pk, f"{fk.verbose_name}: {label}")
    return effects


def _country_names(ids):
    Country = country_model()
    return ", ".join(Country.objects.filter(pk__in=ids).values_list("name", flat=True))


def refusals(user, effects):
    """What the user may not delete or change, as sentences naming the record and countries."""
    if effects is None:
        return []
    allowed = assigned_country_ids(user)
    lines = []

    def missing(record):
        ids = record_country_ids(record)
        return ids - allowed if allowed is not None else set()

    for record in effects.deleted:
        if not can_edit_record(user, record):
            countries = _country_names(missing(record))
            lines.append(
                f"{capfirst(record._meta.verbose_name)} “{record}” ({countries}) would be "
                f"deleted with it, and you are not assigned to {countries}."
            )
    for record, losses in effects.changed.values():
        if not can_edit_record(user, record):
            countries = _country_names(missing(record))
            lines.append(
                f"{capfirst(record._meta.verbose_name)} “{record}” ({countries}) still uses it "
                f"({'; '.join(losses)}), and you are not assigned to {countries}."
            )
    return lines


def record_effects(effects, deleted, user):
    """A history entry (and a new version) on each record that lost a link to `deleted`."""
    if not effects:
        return []
    updated = []
    names = ", ".join(str(obj) for obj in deleted)
    for (model, pk), (_record, _losses) in effects.changed.items():
        with transaction.atomic():
            record = model._default_manager.select_for_update().filter(pk=pk).first()
            if record is None:
                continue
            reason = short_reason(f"Link removed: {deleted[0]._meta.verbose_name} {names} deleted")
            with one_entry(record, user=user, reason=reason):
                record._history_user = user
                record.save()
        updated.append(record)
    return updated
