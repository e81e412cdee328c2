"""Keeping the search index (`portal.search.models.SearchEntry`) right.

The index holds one row per public record: the records each type's `public()` queryset returns
(published, with published parents). A record that is not public has no row. What a row holds
is the type's SearchDocument, declared by its app (portal/search/types.py).

- `index_records(model, objects)`: add, refresh or drop the rows of `objects` after they were
  written (bulk writers call it per chunk; signals call it for single saves). A handful of queries
  per call, whatever the number of objects: delete the old rows, read the public ones among them
  (one query, plus one for many-to-many countries and one for related text such as a report's
  authors), insert the new
  rows (one statement), add new words to the "did you mean" vocabulary (one statement).
- `unindex_records(objects)`: drop their rows (one query per model).
- `refresh(kind, ids)`: the same as `index_records` by type key and primary keys.
- `rebuild()`: the whole index, in chunks of CHUNK records (`manage.py rebuild_search_index`).

PostgreSQL rows carry tsvectors computed by the database with the `portal_english`
configuration (named explicitly, never the database default); SQLite rows get an FTS5 row.
"""

import re
from collections import defaultdict

from django.db import connection, transaction

from portal.search.models import SearchEntry, SearchWord
from portal.search.types import types_by_key

CHUNK = 5000
SEARCH_CONFIG = "public.portal_english"
_WORDS = re.compile(r"[^\W\d_]{3,64}")
# The full-text indexes (as in search migration 0001), dropped and recreated around a rebuild.
VECTOR_INDEXES = {
    "search_entry_vector_gin": "vector",
    "search_entry_title_vector_gin": "title_vector",
}


def _types_by_key():
    return types_by_key()


def kind_of(model):
    """The search type key of `model`, or None when it is not searched."""
    return next((key for key, t in _types_by_key().items() if t.model is model), None)


def _join(values):
    return " ".join(str(v) for v in values if v not in (None, ""))


def _rows(kind, queryset):
    """(object_id, title, body, year, "country ids") of every record of `queryset`, from the
    fields its type's SearchDocument names."""
    source = _types_by_key()[kind].document
    fields = ["pk", *source.title, *source.body]
    if source.year:
        fields.append(source.year)
    if source.country:
        fields.append(source.country)
    records = list(queryset.order_by().values_list(*fields))
    if not records:
        return []
    ids = [r[0] for r in records]
    countries = defaultdict(list)
    if source.countries_m2m:
        field = queryset.model._meta.get_field(source.countries_m2m)
        through = field.remote_field.through
        own = field.m2m_field_name() + "_id"
        pairs = through.objects.filter(**{f"{own}__in": ids}).values_list(own, "country_id")
        for object_id, country_id in pairs:
            countries[object_id].append(country_id)
    related = source.related_text(ids) if source.related_text else {}
    n_title, n_body = len(source.title), len(source.body)
    rows = []
    for record in records:
        object_id = record[0]
        title = _join(record[1 : 1 + n_title])
        body = _join(record[1 + n_title : 1 + n_title + n_body])
        rest = list(record[1 + n_title + n_body :])
        year = rest.pop(0) if source.year else None
        country_ids = [rest.pop(0)] if source.country else countries[object_id]
        if related.get(object_id):
            body = _join((body, related[object_id]))
        country_text = " ".join(str(c) for c in sorted(set(country_ids)) if c is not None)
        rows.append((object_id, title, body, year, country_text))
    return rows


def _insert(kind, rows):
    if not rows:
        return
    if connection.vendor == "postgresql":
        sql = f"""
            INSERT INTO search_entry
                (kind, object_id, title, year, country_ids, countries, title_vector, vector)
            SELECT %s, r.object_id, left(r.title, 600), r.year, r.country_ids,
                   string_to_array(NULLIF(r.country_ids, ''), ' ')::integer[],
                   t.v,
                   setweight(t.v, 'A') || setweight(to_tsvector('{SEARCH_CONFIG}', r.body), 'B')
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::smallint[], %s::text[])
                 AS r(object_id, title, body, year, country_ids)
            CROSS JOIN LATERAL (SELECT to_tsvector('{SEARCH_CONFIG}', r.title) AS v) t
            ON CONFLICT (kind, object_id) DO UPDATE SET
                title = EXCLUDED.title, year = EXCLUDED.year, country_ids = EXCLUDED.country_ids,
                countries = EXCLUDED.countries, title_vector = EXCLUDED.title_vector,
                vector = EXCLUDED.vector
        """  # noqa: S608 - SEARCH_CONFIG is a constant
        with connection.cursor() as cursor:
            cursor.execute(sql, [kind, *(list(column) for column in zip(*rows, strict=True))])
    else:
        entries = SearchEntry.objects.bulk_create(
            SearchEntry(
                kind=kind,
                object_id=object_id,
                title=title[:600],
                year=year,
                country_ids=country_text,
            )
            for object_id, title, _body, year, country_text in rows
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_entry_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [(e.pk, row[1], row[2]) for e, row in zip(entries, rows, strict=True)],
            )


def _add_words(rows):
    from portal.search.text import fold

    words = {}
    for _id, title, body, _year, _countries in rows:
        for word in _WORDS.findall(f"{title} {body}"):
            words.setdefault(fold(word), word)
    if words:
        SearchWord.objects.bulk_create(
            (SearchWord(folded=f, word=w) for f, w in words.items()),
            batch_size=CHUNK,
            ignore_conflicts=True,
        )


def refresh(kind, ids):
    """Make the rows of the `kind` records `ids` match what the public may read now, CHUNK
    records at a time."""
    ids = list(ids)
    public = _types_by_key()[kind].public()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            SearchEntry.objects.filter(kind=kind, object_id__in=chunk).delete()
            rows = _rows(kind, public.filter(pk__in=chunk))
            _insert(kind, rows)
            _add_words(rows)


def index_records(model, objects):
    """Add, refresh or remove (when no longer public) `objects`, instances of `model`."""
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
        SearchEntry.objects.filter(kind=kind, object_id__in=ids).delete()


def rebuild(stdout=None):
    """Empty the index and write every public record again, CHUNK records at a time."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE search_entry, search_word")
            # Filling first and indexing once is several times faster than a GIN per insert.
            for name in VECTOR_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        else:
            SearchEntry.objects.all().delete()
            SearchWord.objects.all().delete()
    total = 0
    try:
        for search_type in _types_by_key().values():
            public = search_type.public().order_by("pk")
            last = 0
            while True:
                ids = list(public.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK])
                if not ids:
                    break
                last = ids[-1]
                rows = _rows(search_type.key, search_type.model.objects.filter(pk__in=ids))
                with transaction.atomic():
                    _insert(search_type.key, rows)
                    _add_words(rows)
                total += len(rows)
            if stdout is not None:
                stdout.write(f"{search_type.key}: indexed\n")
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for name, column in VECTOR_INDEXES.items():
                    cursor.execute(
                        f"CREATE INDEX IF NOT EXISTS {name} ON search_entry "
                        f"USING gin ({column}) WITH (fastupdate = off)"
                    )
                cursor.execute("ANALYZE search_entry")
                cursor.execute("ANALYZE search_word")
    return total
