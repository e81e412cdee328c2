"""Public change log: published changes of a country's records, read from django-simple-history.

Which entries the public may read is the history's own `.public()` (portal/models.py). One query
per record type tied to countries whatever the amount of history.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Subquery

from .permissions import country_relation
from .records import record_models

CHANGE_TYPES = {"+": "Added", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    when: datetime
    kind: str
    record_type: str
    title: str
    url: str
    guid: str


def _history_for_country(model, country):
    name, many = country_relation(model)
    history = model.history.public()
    if name == "self":
        return history.filter(id=country.pk) if model is type(country) else None
    if name and many:
        related = model._default_manager.filter(**{name: country}).values("pk")
        return history.filter(id__in=Subquery(related))
    if name:
        return history.filter(**{f"{name}_id": country.pk})
    return None


def country_changes(country, limit=50):
    """The newest published changes to the country's records, newest first."""
    changes = []
    for model in record_models():
        history = _history_for_country(model, country)
        if history is None:
            continue
        # Titles and URLs may read foreign keys (a provision names its act): join them here
        # instead of one query per entry.
        related = [
            f.name
            for f in history.model._meta.concrete_fields
            if f.many_to_one and f.name != "history_user"
        ]
        for entry in history.select_related(*related).order_by("-history_date")[:limit]:
            record = entry.instance
            for name in related:
                setattr(record, name, getattr(entry, name))
            url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
            changes.append(
                Change(
                    when=entry.history_date,
                    kind=CHANGE_TYPES.get(entry.history_type, "Changed"),
                    record_type=str(model._meta.verbose_name).capitalize(),
                    title=str(record),
                    url="" if entry.history_type == "-" else url,
                    guid=f"{model._meta.label_lower}:{entry.history_id}",
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def country_last_updated(country):
    """When the newest published change to the country or its records happened (or None).

    One UNION query over the history tables, whatever the number of record types.
    """
    histories = [
        history.order_by().values_list("history_date", flat=True)
        for model in record_models()
        if (history := _history_for_country(model, country)) is not None
    ]
    if not histories:
        return None
    newest = histories[0].union(*histories[1:], all=True).order_by("-history_date")[:1]
    return next(iter(newest), None)
