"""Public change log: what the public saw change in a country's records, read from
django-simple-history.

Each entry's kind comes from the record's status before and after it: "Published" when the record
became public (a first publication, a republication, a restore), "Changed" when a public record
changed, "Withdrawn" when it left the public site (withdrawn, back to draft, or deleted). Entries
of records that were not public before nor after (a draft's edits) are not listed.

`ChangeLog` is the whole log of a country, newest first, as a sequence Django's Paginator pages:
one light query per record type reads every entry's date and kind (the previous entry comes from a
window function), and a page reads the records of its own entries only (one query per record type
on the page), so every change is reachable whatever the length of the history.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.apps import apps
from django.db import connections, router
from django.db.models import Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Lag
from django.urls import reverse
from django.utils import timezone

from .models import RecordModel, Status
from .permissions import country_relation
from .records import record_type as declaration

PUBLISHED, CHANGED, WITHDRAWN = "Published", "Changed", "Withdrawn"


@dataclass
class Change:
    when: datetime
    kind: str
    record_type: str
    title: str
    url: str  # the page (and anchor) showing the record; "" once it is withdrawn
    guid: str
    log_url: str = ""  # the change log page listing the entry

    @property
    def day(self) -> date:
        return timezone.localtime(self.when).date()

    @property
    def link(self):
        """Where a feed entry points: the record, or the change log for a withdrawal."""
        return self.url or self.log_url


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


def change_kind(status, history_type, previous_status, previous_type):
    """Published / Changed / Withdrawn for a history entry, or None when the public saw none."""
    public_now = status == Status.PUBLISHED and history_type != "-"
    public_before = previous_status == Status.PUBLISHED and previous_type != "-"
    if public_now:
        return CHANGED if public_before else PUBLISHED
    if public_before or (history_type == "-" and status == Status.PUBLISHED):
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


@dataclass(frozen=True)
class _Key:
    when: datetime
    history_id: int
    model: type
    kind: str


def _keys(model, country):
    """(date, id, kind) of every entry of `model` the country's log lists (one query)."""
    history = _public_entries(model, country)
    if history is None:
        return []
    # A record the public may not read now keeps only its withdrawal (or deletion) in the log.
    now_public = Exists(model._default_manager.public().filter(pk=OuterRef("id")))
    rows = history.annotate(now_public=now_public).values_list(
        "history_date",
        "history_id",
        "status",
        "history_type",
        "previous_status",
        "previous_type",
        "now_public",
    )
    keys = []
    for when, history_id, status, history_type, previous_status, previous_type, public in rows:
        kind = change_kind(status, history_type, previous_status, previous_type)
        if kind is None or (kind != WITHDRAWN and not public):
            continue
        keys.append(_Key(when, history_id, model, kind))
    return keys


def _changes(keys, log_url):
    """The Change of each key, in the keys' order: one query per record type among them."""
    ids = defaultdict(list)
    for key in keys:
        ids[key.model].append(key.history_id)
    entries = {}
    for model, history_ids in ids.items():
        history = model.history.model
        # Titles and URLs may read foreign keys (a provision names its act, a legal age its
        # country): join them here instead of one query per entry.
        related = [
            f.name
            for f in history._meta.concrete_fields
            if f.many_to_one and f.name != "history_user"
        ]
        for entry in history._default_manager.filter(history_id__in=history_ids).select_related(
            *related
        ):
            record = entry.instance
            for name in related:
                setattr(record, name, getattr(entry, name))
            entries[model, entry.history_id] = record
    declared = {model: declaration(model) for model in ids}
    changes = []
    for key in keys:
        record = entries[key.model, key.history_id]
        record_type = declared[key.model]
        url = record_type.url_of(record) if record_type and key.kind != WITHDRAWN else ""
        changes.append(
            Change(
                when=key.when,
                kind=key.kind,
                record_type=str(key.model._meta.verbose_name).capitalize(),
                title=str(record),
                url=url,
                guid=f"{key.model._meta.label_lower}:{key.history_id}",
                log_url=log_url,
            )
        )
    return changes


class ChangeLog(Sequence):
    """Every change the public saw to the country's records, newest first.

    Its length and order are read when it is made (one query per record type tied to
    countries); a slice reads the records of the entries it holds.
    """

    def __init__(self, country):
        self.country = country
        self.url = reverse("country-changes", kwargs={"iso_code": country.iso_code})
        keys = [key for model in record_models() for key in _keys(model, country)]
        keys.sort(key=lambda key: (key.when, key.history_id), reverse=True)
        self._keys = keys

    def __len__(self):
        return len(self._keys)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _changes(self._keys[index], self.url)
        return _changes([self._keys[index]], self.url)[0]

    @property
    def last_updated(self):
        """When the newest change the public saw happened, or None."""
        return self._keys[0].when if self._keys else None


def country_changes(country, limit=50):
    """The newest `limit` changes the public saw to the country's records, newest first."""
    return ChangeLog(country)[:limit]


def latest_changes(limit=8):
    """The newest publications and changes anywhere on the site, newest first: one query per
    record type whatever the amount of history. Withdrawals are left out: outside a record's own
    change log, a withdrawn record's title is not shown."""
    changes = []
    for model in record_models():
        history = _public_entries(model, None)
        # Titles and URLs may read foreign keys (a provision names its act): joined here.
        related = [
            f.name
            for f in history.model._meta.concrete_fields
            if f.many_to_one and f.name != "history_user"
        ]
        now_public = Exists(model._default_manager.public().filter(pk=OuterRef("id")))
        entries = (
            history.select_related(*related)
            .annotate(now_public=now_public)
            .order_by("-history_date", "-history_id")
        )
        record_type = declaration(model)
        for entry in entries[: limit * 2]:
            kind = change_kind(
                entry.status, entry.history_type, entry.previous_status, entry.previous_type
            )
            if kind in (None, WITHDRAWN) or not entry.now_public:
                continue
            record = entry.instance
            for name in related:
                setattr(record, name, getattr(entry, name))
            changes.append(
                Change(
                    when=entry.history_date,
                    kind=kind,
                    record_type=str(model._meta.verbose_name).capitalize(),
                    title=str(record),
                    url=record_type.url_of(record) if record_type else "",
                    guid=f"{model._meta.label_lower}:{entry.history_id}",
                    log_url="",
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


# Stands for the country's id while the "last updated" statement is made once per process.
_ANY_COUNTRY = -7_318_245_906


def _last_updated_histories(country):
    return [
        history.order_by().values_list("history_date", flat=True)
        for model in record_models()
        if (history := _history_for_country(model, country)) is not None
    ]


@cache
def _last_updated_statement(country_model, vendor, alias):
    """(SQL, parameters) of the "last updated" query, with `_ANY_COUNTRY` for the country's id.

    Made once per process and database: building the union of every type's history query costs
    more than running it."""
    stand_in = country_model(pk=_ANY_COUNTRY)
    stand_in._state.adding = False  # related filters accept stored records only
    histories = _last_updated_histories(stand_in)
    if not histories:
        return None
    newest = histories[0].union(*histories[1:], all=True).order_by("-history_date")[:1]
    return newest.query.get_compiler(using=alias).as_sql()


def country_last_updated(country):
    """When the newest published change to the country or its records happened (or None).

    One UNION query over the history tables, whatever the number of record types; its SQL is
    made once (`_last_updated_statement`) and run with the country's id.
    """
    model = type(country)
    alias = router.db_for_read(model.history.model)
    connection = connections[alias]
    statement = _last_updated_statement(model, connection.vendor, alias)
    if statement is None:
        return None
    sql, params = statement
    params = [country.pk if value == _ANY_COUNTRY else value for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    field = model.history.model._meta.get_field("history_date")
    value = row[0]
    for converter in connection.ops.get_db_converters(field.get_col(field.model._meta.db_table)):
        value = converter(value, field, connection)
    return value
