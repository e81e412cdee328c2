"""Record history: one entry per save, the inline rows kept with each entry, reverts and restores.

Tracked many-to-many fields (a model's `_history_m2m_fields`) are stored with every version by
django-simple-history. The rows an editor changes in a record's inlines (penalty rows, authors in
order, organisation roles, key figures, ...; a model's `history_children`) are stored as JSON in
the entry's `history_children` column, so the history page shows their changes and a revert puts
them back. Child rows also have histories of their own, so a deleted record comes back with the
children that were deleted with it.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .changes import record_models
from .models import RECORD_HISTORY, RecordModel

# Children deleted within this window of their parent's deletion went with it (one cascade).
CASCADE_WINDOW = timedelta(seconds=30)
REASON_LENGTH = 100  # django-simple-history's history_change_reason column


def tracked_m2m_fields(model):
    return tuple(getattr(model, "_history_m2m_fields", ()))


def m2m_ids_at(entry, field_name):
    """The ids the many-to-many field `field_name` held at the historical `entry`, of the
    related records that still exist (a theme deleted since cannot come back with a revert)."""
    model = entry.instance_type
    target = model._meta.get_field(field_name).related_model
    rows = getattr(entry, field_name).all()
    through_history = rows.model
    target_field = next(
        f.name
        for f in through_history._meta.fields
        if f.is_relation and f.related_model is target and f.name != "history"
    )
    ids = [getattr(row, f"{target_field}_id") for row in rows]
    existing = set(target._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk in existing]


def _copy_m2m(entry, record):
    for name in tracked_m2m_fields(type(record)):
        getattr(record, name).set(m2m_ids_at(entry, name))


def short_reason(text):
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


# --- one entry per save ------------------------------------------------------------------------


def write_entry(record, history_type="~", *, user=None, reason=None):
    """Write one history entry for `record` as it is stored now (fields, many-to-many values and
    inline rows)."""
    if user is not None:
        record._history_user = user
    if reason is not None:
        record._change_reason = short_reason(reason)
    RECORD_HISTORY.create_historical_record(record, history_type)
    record.__dict__.pop("_change_reason", None)


@contextmanager
def one_entry(record, *, user=None, reason=None):
    """Everything done to `record` inside the block (its save, its many-to-many fields, its
    inline rows) is recorded as one history entry when the block ends without an error."""
    adding = record._state.adding
    record.skip_history_when_saving = True
    try:
        yield record
    finally:
        del record.skip_history_when_saving
    write_entry(record, "+" if adding else "~", user=user, reason=reason)


@receiver(pre_save)
def _no_history_for_raw_saves(sender, instance, raw, **kwargs):
    """A raw save (loaddata) writes no history, neither for the record's fields nor for the
    many-to-many values the deserializer sets after it.

    django-simple-history already skips raw saves, but writes one entry for each many-to-many
    field set afterwards: a fixture's report with topics and countries got two entries, both
    "changed", a few milliseconds apart. The loader writes each record's one first entry itself
    (`write_first_entries`).
    """
    if raw and isinstance(instance, RecordModel):
        instance.skip_history_when_saving = True


def write_first_entries():
    """Give every record without a history its first entry ("added"), with its many-to-many
    values and inline rows, as a save in the admin would. Returns how many were written."""
    written = 0
    for model in record_models():
        history = model.history.model
        without = model._default_manager.exclude(
            pk__in=history._default_manager.values("id")
        ).order_by("pk")
        for record in without:
            write_entry(record, "+")
            written += 1
    return written


# --- inline rows -------------------------------------------------------------------------------


def child_relations(model):
    """(accessor, child model, foreign key to the record) of each of the model's inline rows."""
    relations = []
    for name in getattr(model, "history_children", ()):
        relation = model._meta.get_field(name)
        relations.append((name, relation.related_model, relation.field))
    return relations


def child_parent(child_model):
    """(record model, foreign key) that owns rows of `child_model`, or None."""
    for model in record_models():
        for _, child, fk in child_relations(model):
            if child is child_model:
                return model, fk
    return None


def _row_fields(child, fk):
    return [f for f in child._meta.concrete_fields if f is not fk]


def _encode(rows):
    # What the JSON column gives back, so stored and fresh snapshots compare equal.
    return DjangoJSONEncoder().encode(rows)


def children_of(model, record_ids):
    """{record id: {accessor: [row values, ...]}} for the records' inline rows (one query per
    kind of row)."""
    import json

    snapshots = {pk: {} for pk in record_ids}
    for name, child, fk in child_relations(model):
        for snapshot in snapshots.values():
            snapshot[name] = []
        attnames = [f.attname for f in _row_fields(child, fk)]
        rows = child._default_manager.filter(**{f"{fk.attname}__in": list(record_ids)})
        for values in rows.order_by(*child._meta.ordering, "pk").values(fk.attname, *attnames):
            snapshots[values.pop(fk.attname)][name].append(values)
    return {pk: json.loads(_encode(snapshot)) for pk, snapshot in snapshots.items()}


@receiver(pre_create_historical_record)
def _keep_children(sender, instance, history_instance, **kwargs):
    """Every entry of a record with inline rows keeps them (not a deletion: they are gone)."""
    if not isinstance(instance, RecordModel) or not child_relations(type(instance)):
        return
    if history_instance.history_type == "-":
        return
    history_instance.history_children = children_of(type(instance), [instance.pk])[instance.pk]


def store_children(model, entries, chunk=400):
    """Fill `history_children` of entries written in SQL (the spreadsheet import); `entries`
    are (history id, record id) pairs. One query per kind of row and one update per chunk."""
    if not child_relations(model) or not entries:
        return
    history = model.history.model
    entries = list(entries)
    for start in range(0, len(entries), chunk):
        pairs = entries[start : start + chunk]
        snapshots = children_of(model, {pk for _, pk in pairs})
        history._default_manager.bulk_update(
            [history(history_id=h, history_children=snapshots[pk]) for h, pk in pairs],
            ["history_children"],
        )


def _comparable(rows):
    return [{k: v for k, v in row.items() if k != "id"} for row in rows or ()]


def children_changes(model, old, new):
    """[(accessor, old rows, new rows)] for the kinds of inline rows that differ between two
    snapshots (ids aside: rows deleted and written again unchanged are no change)."""
    if old is None or new is None:
        return []
    return [
        (name, old.get(name, []), new.get(name, []))
        for name, _, _ in child_relations(model)
        if _comparable(old.get(name)) != _comparable(new.get(name))
    ]


def child_instance(child, fk, values):
    fields = {f.attname: f for f in _row_fields(child, fk)}
    data = {
        attname: field.to_python(values[attname])
        for attname, field in fields.items()
        if attname in values
    }
    return child(**data)


def _targets_exist(child, values):
    for field in child._meta.concrete_fields:
        if field.many_to_one and values.get(field.attname) is not None:
            related = field.related_model._default_manager
            if not related.filter(pk=values[field.attname]).exists():
                return False
    return True


def restore_children(record, snapshot, *, user=None):
    """Make the record's inline rows what `snapshot` holds. Rows equal to the snapshot's stay;
    the others are deleted and the snapshot's rows written again (each with a history entry of
    its own). Returns the number of rows that could not come back because a record they point to
    was deleted meanwhile."""
    if snapshot is None:
        return 0  # a version recorded before rows were kept: leave them as they are
    import json

    lost = 0
    for name, child, fk in child_relations(type(record)):
        if name not in snapshot:
            continue
        wanted = snapshot[name]
        current = {}
        for row in child._default_manager.filter(**{fk.attname: record.pk}):
            current[row.pk] = row
        current_values = children_of(type(record), [record.pk])[record.pk][name]
        by_id = {values["id"]: values for values in current_values}
        keep = {v["id"] for v in wanted if v.get("id") in by_id and by_id[v["id"]] == v}
        for pk, row in current.items():
            if pk not in keep:
                row._history_user = user
                row.delete()
        for values in wanted:
            if values.get("id") in keep:
                continue
            values = json.loads(_encode(values))
            row = child_instance(child, fk, values)
            setattr(row, fk.attname, record.pk)
            if not _targets_exist(child, {**values, fk.attname: record.pk}):
                lost += 1
                continue
            if child._default_manager.filter(pk=row.pk).exists():
                row.pk = None  # the id was taken by a row of another record meanwhile
            row._history_user = user
            row.save(force_insert=True)
    return lost


# --- revert and restore -------------------------------------------------------------------------


@transaction.atomic
def record_revert(*, record, history_id, user=None):
    """Make `record` what it was at the version `history_id`: every field, tracked relation and
    inline row, as a new version (one history entry)."""
    # Locked and read again: the revert is based on the stored version, and the caller's
    # instance is the reverted record afterwards.
    type(record)._default_manager.select_for_update().filter(pk=record.pk).exists()
    record.refresh_from_db()
    entry = record.history.get(history_id=history_id)
    old = entry.instance
    for field in type(record)._meta.concrete_fields:
        if field.primary_key or field.name in ("version", "created_at", "updated_at"):
            continue
        setattr(record, field.attname, getattr(old, field.attname))
    reason = f"Reverted to the version of {entry.history_date:%Y-%m-%d %H:%M}"
    with one_entry(record, user=user, reason=reason):
        record._history_user = user
        record.save()
        _copy_m2m(entry, record)
        restore_children(record, entry.history_children, user=user)
    return record


def deleted_entries(model):
    """The deletion entries of the model's records that do not exist any more, newest first."""
    history = model.history.model._default_manager
    existing = model._default_manager.values("pk")
    return history.filter(history_type="-").exclude(id__in=existing).order_by("-history_date")


def _children_relations(model):
    for relation in model._meta.related_objects:
        if (
            relation.one_to_many
            and relation.on_delete is models.CASCADE
            and hasattr(relation.related_model, "history")
        ):
            yield relation


def _restore_row(entry, user):
    """A deleted child row (no record of its own) back as it was."""
    row = entry.instance
    row._history_user = user
    row._change_reason = "Restored after deletion"
    row.save()
    return row


def _restore_record(entry, user):
    """A deleted record back as a new version, with its tracked relations, inline rows and the
    children deleted with it, in one history entry. Returns (record, child rows restored)."""
    record = entry.instance
    with one_entry(record, user=user, reason="Restored after deletion"):
        # A form opened before the deletion is based on an older version: it must conflict.
        record.version = entry.version + 1
        record._history_user = user
        record.save()
        _restore_m2m_before(entry, record)
        children = _restore_children(type(record), record.pk, entry.history_date, user)
    return record, children


def _restore_children(model, pk, deleted_at, user):
    restored = 0
    for relation in _children_relations(model):
        child_model = relation.related_model
        fk = relation.field.attname
        window = (deleted_at - CASCADE_WINDOW, deleted_at + CASCADE_WINDOW)
        entries = child_model.history.model._default_manager.filter(
            **{fk: pk}, history_type="-", history_date__range=window
        ).exclude(id__in=child_model._default_manager.values("pk"))
        seen = set()
        for entry in entries.order_by("-history_date"):
            if entry.id in seen:
                continue
            seen.add(entry.id)
            if issubclass(child_model, RecordModel):
                _, grandchildren = _restore_record(entry, user)
                restored += 1 + grandchildren
            else:
                _restore_row(entry, user)
                restored += 1
    return restored


def _restore_m2m_before(deletion, record):
    """Tracked many-to-many values from the last version before the deletion."""
    if not tracked_m2m_fields(type(record)):
        return
    before = (
        type(record)
        .history.filter(id=record.pk, history_date__lte=deletion.history_date)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if before is not None:
        _copy_m2m(before, record)


@transaction.atomic
def record_restore(*, model, pk, user=None):
    """Bring back a deleted record with its tracked relations and the children deleted with it,
    as a new version (one history entry for the record).

    Returns (record, number of child rows restored).
    """
    if model._default_manager.filter(pk=pk).exists():
        raise ValueError(f"{model._meta.verbose_name} {pk} exists; nothing to restore.")
    deletion = deleted_entries(model).filter(id=pk).first()
    if deletion is None:
        raise ObjectDoesNotExist(f"No deleted {model._meta.verbose_name} with id {pk}.")
    return _restore_record(deletion, user)


def restorable_models():
    return [model for model in record_models() if hasattr(model, "history")]
