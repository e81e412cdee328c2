"""Keeping the search index right: what goes into it, and the entry points that update it.

The index holds one entry per public record: the records each type's `public()` queryset returns
(published, with published parents). A record that is not public has no entry. Storing and
querying are the search backend's (`portal/search/backends/`, chosen by `PORTAL_SEARCH_BACKEND`);
what an entry holds is declared here once for every backend (`SOURCES`, read by `documents()`).

- `index_records(model, objects)`: add, refresh or drop the entries of `objects` after they were
  written (the bulk importer calls it per chunk, on commit). A handful of queries per call,
  whatever the number of objects: delete the old entries, read the public ones among them (one
  query, plus one per many-valued part: many-to-many countries, alternative titles, report
  authors), insert the new entries (one statement), add new words to the "did you mean"
  vocabulary (one statement).
- `unindex_records(objects)`: drop their entries (one query per model).
- `refresh(kind, ids)`: the same as `index_records` by type key and primary keys.
- `refresh_on_commit(kind, ids)`: the same once the current transaction commits, one refresh per
  transaction (`portal/search/signals.py` uses it for single-record changes).
- `rebuild()`: the whole index, in chunks of CHUNK records (`manage.py rebuild_search_index`).
"""

from collections import defaultdict

from django.db import transaction

from portal.page_cache import search_index_changed
from portal.search.backends import get_backend
from portal.search.types import types_by_key

CHUNK = 5000


def types():
    """{key: SearchType} of every searched record type, as the apps declare them."""
    return types_by_key()


def kind_of(model):
    """The search type key of `model`, or None when it is not searched."""
    return next((key for key, t in types().items() if t.model is model), None)


def _join(values):
    return " ".join(str(v) for v in values if v not in (None, ""))


def documents(kind, queryset):
    """(object_id, title, body, year, "country ids") of every record of `queryset`: what a
    backend stores for a `kind` record, from the fields its type's SearchDocument names."""
    source = types()[kind].document
    fields = ["pk", *source.title, *source.body]
    if source.year:
        fields.append(source.year)
    if source.country:
        fields.append(source.country)
    records = list(queryset.order_by().values_list(*fields))
    if not records:
        return []
    ids = [r[0] for r in records]
    countries, titles = defaultdict(list), defaultdict(list)
    if source.countries_m2m:
        field = queryset.model._meta.get_field(source.countries_m2m)
        through = field.remote_field.through
        own = field.m2m_field_name() + "_id"
        pairs = through.objects.filter(**{f"{own}__in": ids}).values_list(own, "country_id")
        for object_id, country_id in pairs:
            countries[object_id].append(country_id)
    if source.also_titles:
        relation_name, field_name = source.also_titles.split("__")
        relation = queryset.model._meta.get_field(relation_name)
        own = relation.field.attname
        texts = (
            relation.related_model.objects.filter(**{f"{own}__in": ids})
            .order_by("pk")
            .values_list(own, field_name)
        )
        for object_id, text in texts:
            titles[object_id].append(text)
    related = source.related_text(ids) if source.related_text else {}
    n_title, n_body = len(source.title), len(source.body)
    rows = []
    for record in records:
        object_id = record[0]
        title = _join((*record[1 : 1 + n_title], *titles[object_id]))
        body = _join(record[1 + n_title : 1 + n_title + n_body])
        rest = list(record[1 + n_title + n_body :])
        year = rest.pop(0) if source.year else None
        country_ids = [rest.pop(0)] if source.country else countries[object_id]
        if related.get(object_id):
            body = _join((body, related[object_id]))
        country_text = " ".join(str(c) for c in sorted(set(country_ids)) if c is not None)
        rows.append((object_id, title, body, year, country_text))
    return rows


def refresh(kind, ids):
    """Make the rows of the `kind` records `ids` match what the public may read now, CHUNK
    records at a time, in the caller's transaction."""
    get_backend().index(kind, ids)
    # Cached search pages read the index: refreshed after the index is, not only at the commit.
    transaction.on_commit(search_index_changed)


class _Pending:
    """The rows to refresh when the current transaction commits, by type key."""

    def __init__(self):
        self.ids = defaultdict(set)
        self.done = False

    def run(self):
        self.done = True
        for kind, ids in self.ids.items():
            refresh(kind, sorted(ids))


def _pending(connection):
    """The refresh already waiting for this transaction's commit, or None."""
    if not connection.in_atomic_block:
        return None
    # Django keeps a callback until the transaction commits and drops it with a rolled-back
    # savepoint it was registered in; a callback still listed is one that will run.
    for _savepoints, callback, *_robust in connection.run_on_commit:
        pending = getattr(callback, "__self__", None)
        if isinstance(pending, _Pending) and not pending.done:
            return pending
    return None


def refresh_on_commit(kind, ids, using=None):
    """Refresh the rows of the `kind` records `ids` once the current transaction commits (at
    once outside a transaction). All calls in one transaction make one refresh per type, each
    record once; a rollback drops it, so the index never shows a write that did not happen.

    A refresh reads the records as committed, so ids of a rolled-back savepoint in the batch
    only cost time. A failing refresh is logged and does not undo the committed write;
    `rebuild_search_index` repairs the index.
    """
    ids = set(ids)
    if not ids:
        return
    pending = _pending(transaction.get_connection(using))
    if pending is not None:
        pending.ids[kind].update(ids)
        return
    pending = _Pending()
    pending.ids[kind].update(ids)
    transaction.on_commit(pending.run, using=using, robust=True)


def index_records(model, objects):
    """Add, refresh or remove (when no longer public) `objects`, instances of `model`, now (in
    the caller's transaction; the bulk importer calls it on commit)."""
    kind = kind_of(model)
    if kind is not None:
        refresh(kind, [obj.pk for obj in objects])


def unindex_records(objects):
    """Remove `objects` (of any indexed models) from the index."""
    by_kind = defaultdict(list)
    for obj in objects:
        kind = kind_of(type(obj))
        if kind is not None:
            by_kind[kind].append(obj.pk)
    for kind, ids in by_kind.items():
        get_backend().unindex(kind, ids)


def rebuild(stdout=None):
    """Empty the index and write every public record again, CHUNK records at a time."""
    return get_backend().rebuild(stdout=stdout)
