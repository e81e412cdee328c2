"""The SQLite backend (`make run`, development volumes): an FTS5 table next to `search_entry`.

`search_entry_fts(title, body)` uses `tokenize='porter unicode61 remove_diacritics 2'` (stemmed,
accents off); its rowid is the entry's id and a trigger deletes it with the entry (search
migration 0001). Counts are exact (read in one query, added up in Python); ranking is FTS5's
`bm25` with the title weighted 10 to 1, ties newest first.
"""

from django.db import connection

from portal.search.models import SearchEntry

from .base import Matches
from .database import DatabaseBackend, fetchall

SOURCE = "search_entry_fts JOIN search_entry e ON e.id = search_entry_fts.rowid"
SCORE = "bm25(search_entry_fts, 10.0, 1.0)"


def fts_query(query):
    """FTS5 MATCH text: every word a quoted string (all required); no operator gets through."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


class SqliteBackend(DatabaseBackend):
    def insert(self, kind, rows):
        if not rows:
            return
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

    def where(self, query, filters, *, with_kind=True):
        conditions = ["search_entry_fts MATCH %s"]
        params = [fts_query(query)]
        if filters.country_id is not None:
            conditions.append("(' ' || e.country_ids || ' ') LIKE %s")
            params.append(f"% {int(filters.country_id)} %")
        more, more_params = self.common_conditions(filters, with_kind=with_kind)
        return " AND ".join(conditions + more), params + more_params

    def counts(self, query, filters):
        where, params = self.where(query, filters, with_kind=False)
        matches = Matches()
        rows = fetchall(f"SELECT e.kind, e.country_ids, e.year FROM {SOURCE} WHERE {where}", params)  # noqa: S608
        for kind, country_ids, row_year in rows:
            matches.kinds[kind] = matches.kinds.get(kind, 0) + 1
            for country in {int(c) for c in country_ids.split()}:
                per_kind = matches.countries.setdefault(kind, {})
                per_kind[country] = per_kind.get(country, 0) + 1
            if row_year is not None:
                per_kind = matches.years.setdefault(kind, {})
                per_kind[row_year] = per_kind.get(row_year, 0) + 1
        return matches

    def page(self, query, filters, matches, offset, limit):
        where, params = self.where(query, filters)
        return fetchall(
            f"SELECT e.kind, e.object_id, {SCORE} AS score FROM {SOURCE} "  # noqa: S608
            f"WHERE {where} ORDER BY score, e.object_id DESC, e.kind LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )

    def ranked_ids(self, query, filters, limit):
        return [object_id for _kind, object_id, _score in self.page(query, filters, None, 0, limit)]
