"""Reverting and restoring records from their django-simple-history entries.

Tracked many-to-many fields (a model's `_history_m2m_fields`) are stored with every version; child
rows (penalty rows, ordered authorships, organisation roles, ...) have histories of their own, so a
deleted record comes back with the children that were deleted with it.
"""

from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction

from .changes import record_models

# Children deleted within this window of their parent's deletion went with it (one cascade).
CASCADE_WINDOW = timedelta(seconds=30)


def tracked_m2m_fields(model):
    return tuple(getattr(model, "_history_m2m_fields", ()))


def m2m_ids_at(entry, field_name):
    """The ids the many-to-many field `field_name` held at the historical `entry`."""
    model = entry.instance_type
    target = model._meta.get_field(field_name).related_model
    rows = getattr(entry, field_name).all()
    through_history = rows.model
    target_field = next(
        f.name
        for f in through_history._meta.fields
        if f.is_relation and f.related_model is target and f.name != "history"
    )
    return [getattr(row, f"{target_field}_id") for row in rows]


def _copy_m2m(entry, record):
    for name in tracked_m2m_fields(type(record)):
        getattr(record, name).set(m2m_ids_at(entry, name))


@transaction.atomic
def record_revert(*, record, history_id, user=None):
    """Make `record` what it was at the version `history_id`: every field and tracked relation."""
    entry = record.history.get(history_id=history_id)
    old = entry.instance
    for field in type(record)._meta.concrete_fields:
        if field.primary_key or field.name in ("version", "created_at", "updated_at"):
            continue
        setattr(record, field.attname, getattr(old, field.attname))
    record._history_user = user
    record._change_reason = f"Reverted to the version of {entry.history_date:%Y-%m-%d %H:%M}"
    record.save()
    _copy_m2m(entry, record)
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


def _restore_from_entry(entry, user):
    record = entry.instance
    record._history_user = user
    record._change_reason = "Restored after deletion"
    record.save()
    return record


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
            child = _restore_from_entry(entry, user)
            _restore_m2m_before(entry, child)
            restored += 1 + _restore_children(child_model, child.pk, entry.history_date, user)
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
    """Bring back a deleted record with its tracked relations and the children deleted with it.

    Returns (record, number of child rows restored).
    """
    if model._default_manager.filter(pk=pk).exists():
        raise ValueError(f"{model._meta.verbose_name} {pk} exists; nothing to restore.")
    deletion = deleted_entries(model).filter(id=pk).first()
    if deletion is None:
        raise ObjectDoesNotExist(f"No deleted {model._meta.verbose_name} with id {pk}.")
    record = _restore_from_entry(deletion, user)
    _restore_m2m_before(deletion, record)
    children = _restore_children(model, pk, deletion.history_date, user)
    return record, children


def restorable_models():
    return [model for model in record_models() if hasattr(model, "history")]
