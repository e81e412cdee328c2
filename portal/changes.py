"""Public change log: what the public saw change in a country's records, read from
django-simple-history.

Each entry's kind comes from the record's status before and after it: "Published" when the record
became public (a first publication, a republication, a restore), "Changed" when a public record
changed, "Withdrawn" when it left the public site (withdrawn, back to draft, or deleted). Entries
of records that were not public before nor after (a draft's edits) are not listed. One query per
record type whatever the amount of history (the previous entry comes from a window function).
"""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Lag

from .models import RecordModel, Status
from .permissions import country_relation

PUBLISHED, CHANGED, WITHDRAWN = "Published", "Changed", "Withdrawn"


@dataclass
class Change:
    when: datetime
    kind: str
    record_type: str
    title: str
    url: str
    guid: str


def record_models():
    return [m for m in apps.get_models() if issubclass(m, RecordModel)]


def _entries(model):
    return model.history.model._default_manager.all()


def _history_for_country(model, country, history=None):
    name, many = country_relation(model)
    if history is None:
        history = _entries(model).filter(status=Status.PUBLISHED)
    if name == "self":
        return history.filter(id=country.pk) if model is type(country) else None
    if name and many:
        related = model._default_manager.filter(**{name: country}).values("pk")
        return history.filter(id__in=Subquery(related))
    if name:
        return history.filter(**{f"{name}_id": country.pk})
    return None


def _public_before(entry):
    return entry.previous_status == Status.PUBLISHED and entry.previous_type != "-"


def change_kind(entry):
    """Published / Changed / Withdrawn for a history entry, or None when the public saw none."""
    public_now = entry.status == Status.PUBLISHED and entry.history_type != "-"
    public_before = _public_before(entry)
    if public_now:
        return CHANGED if public_before else PUBLISHED
    if public_before or (entry.history_type == "-" and entry.status == Status.PUBLISHED):
        return WITHDRAWN
    return None


def _public_entries(model, country):
    """The country's entries of `model` that were public after or before them, each annotated
    with the status and type of the record's previous entry."""
    order = [F("history_date").asc(), F("history_id").asc()]
    if country is None:
        entries = _entries(model)
    else:
        entries = _history_for_country(model, country, _entries(model))
    if entries is None:
        return None
    for name in model.public_parents:
        # Shown under another record (an act's provisions): listed only while that one is public.
        parent = model._meta.get_field(name).related_model
        entries = entries.filter(parent.public_filter(name))
    entries = entries.annotate(
        previous_status=Window(Lag("status"), partition_by=[F("id")], order_by=order),
        previous_type=Window(Lag("history_type"), partition_by=[F("id")], order_by=order),
    )
    return entries.filter(Q(status=Status.PUBLISHED) | Q(previous_status=Status.PUBLISHED))


def country_changes(country, limit=50):
    """The newest changes the public saw to the country's records, newest first (with `country`
    None: to every record, the home page's latest changes)."""
    changes = []
    for model in record_models():
        history = _public_entries(model, country)
        if history is None:
            continue
        # Titles and URLs may read foreign keys (a provision names its act): join them here
        # instead of one query per entry.
        related = [
            f.name
            for f in history.model._meta.concrete_fields
            if f.many_to_one and f.name != "history_user"
        ]
        # A record the public may not read now keeps only its withdrawal (or deletion) in the log.
        now_public = Exists(model._default_manager.public().filter(pk=OuterRef("id")))
        entries = (
            history.select_related(*related)
            .annotate(now_public=now_public)
            .order_by("-history_date", "-history_id")
        )
        for entry in entries[: limit * 2]:
            kind = change_kind(entry)
            if kind is None or (kind != WITHDRAWN and not entry.now_public):
                continue
            record = entry.instance
            for name in related:
                setattr(record, name, getattr(entry, name))
            url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
            changes.append(
                Change(
                    when=entry.history_date,
                    kind=kind,
                    record_type=str(model._meta.verbose_name).capitalize(),
                    title=str(record),
                    url="" if kind == WITHDRAWN else url,
                    guid=f"{model._meta.label_lower}:{entry.history_id}",
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def latest_changes(limit=8):
    """The newest publications and changes anywhere on the site, newest first. Withdrawals are
    left out: outside a record's own change log, a withdrawn record's title is not shown."""
    changes = country_changes(None, limit * 4)
    return [change for change in changes if change.kind != WITHDRAWN][:limit]


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
