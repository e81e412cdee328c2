"""The PostgreSQL backend: tsvectors in `search_entry`, GIN indexes, pg_trgm for "did you mean".

Rows carry `countries integer[]`, `title_vector` (the title alone) and `vector` (title weight A,
text weight B), computed by the database with the `portal_english` configuration (portal
migration 0002), always named explicitly, never the database default.

A search runs a small fixed number of queries, whatever the data and the number of hits:

1. how many match, counted up to EXACT_LIMIT + 1 (stops there); nothing matches: done;
2. counts and facets: one aggregate grouped by (type), (type, country) and (type, year) over the
   matches (exact, up to EXACT_LIMIT matches) or over the matches in a SAMPLE_PERCENT block sample
   of the index (more matches: every count is an estimate, `About`); with a type filter and an
   estimate, the chosen type is counted on its own (queries 1-2 again);
3. the ranked (type, id) pairs of the requested page.

Ranking, never a rank computed over tens of thousands of rows:
- up to FULL_RANK_LIMIT matches: `ts_rank` over the weighted vector (title A, text B);
- up to EXACT_LIMIT: `ts_rank` over the short title vector (records whose title has the words
  first, more title matches higher, body-only matches after);
- more: the records whose title has every word (found through the title vector's GIN index),
  newest first, then the other matches, newest first (a page past the title matches costs one
  more query).
Ties newest first.
"""

from django.db import connection

from .base import Matches, about
from .database import DatabaseBackend, fetchall

SEARCH_CONFIG = "public.portal_english"
FULL_RANK_LIMIT = 2000  # up to this many matches: ts_rank over the whole weighted vector
EXACT_LIMIT = 5000  # up to this many matches: exact counts and facets
SAMPLE_PERCENT = 5  # above: counts estimated from this share of the index's pages
SAMPLE_SEED = 8  # the same sample for every page of a search
# The full-text indexes (as in search migration 0001), dropped and recreated around a rebuild.
VECTOR_INDEXES = {
    "search_entry_vector_gin": "vector",
    "search_entry_title_vector_gin": "title_vector",
}
CANDIDATES_PER_WORD = 10  # "did you mean": known words read per word of the query
TSQUERY = f"plainto_tsquery('{SEARCH_CONFIG}', %s)"


class PostgresBackend(DatabaseBackend):
    # --- upkeep ---------------------------------------------------------------------------------

    def insert(self, kind, rows):
        if not rows:
            return
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

    def empty(self):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_entry, search_word")
            # Filling first and indexing once is several times faster than a GIN per insert.
            for name in VECTOR_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")

    def filled(self):
        with connection.cursor() as cursor:
            for name, column in VECTOR_INDEXES.items():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON search_entry "
                    f"USING gin ({column}) WITH (fastupdate = off)"
                )
            cursor.execute("ANALYZE search_entry")
            cursor.execute("ANALYZE search_word")

    # --- queries --------------------------------------------------------------------------------

    def where(self, query, filters, *, with_kind=True, vector="e.vector"):
        """(SQL condition on `e`, params) for the matching rows under `filters`."""
        conditions = [f"{vector} @@ {TSQUERY}"]
        params = [query]
        if filters.country_id is not None:
            conditions.append("e.countries @> ARRAY[%s]::integer[]")
            params.append(filters.country_id)
        more, more_params = self.common_conditions(filters, with_kind=with_kind)
        return " AND ".join(conditions + more), params + more_params

    def counts(self, query, filters):
        matches = self._counts(query, filters, with_kind=False)
        kind = filters.kind
        if matches.estimated and kind:
            # The sample may miss a rare type: count the chosen one on its own (exact if it can be).
            own = self._counts(query, filters, with_kind=True)
            for mine, its in (
                (matches.kinds, own.kinds),
                (matches.countries, own.countries),
                (matches.years, own.years),
            ):
                mine.pop(kind, None)
                if kind in its:
                    mine[kind] = its[kind]
            matches.estimated = own.estimated
        return matches

    def _counts(self, query, filters, *, with_kind):
        """Exact up to EXACT_LIMIT matches (one query reading at most EXACT_LIMIT + 1 of them);
        beyond, every count is estimated from a SAMPLE_PERCENT block sample of the index (one
        more query) and marked estimated."""
        where, params = self.where(query, filters, with_kind=with_kind)
        matches = Matches()
        kinds, countries, years = matches.kinds, matches.countries, matches.years
        found = fetchall(
            f"SELECT count(*) FROM (SELECT 1 FROM search_entry e WHERE {where} "  # noqa: S608
            f"LIMIT {EXACT_LIMIT + 1}) s",
            params,
        )[0][0]
        if not found:
            return matches
        scale, source = None, "search_entry e"
        if found > EXACT_LIMIT:
            scale = 100 / SAMPLE_PERCENT
            source += f" TABLESAMPLE SYSTEM ({SAMPLE_PERCENT}) REPEATABLE ({SAMPLE_SEED})"
        for kind, country, row_year, grouping, records, pairs in self._aggregate(
            source, where, params
        ):
            if scale:
                records, pairs = about(records * scale), about(pairs * scale)
            if grouping == 3:
                kinds[kind] = records
            elif grouping == 1 and country is not None:
                countries.setdefault(kind, {})[country] = pairs
            elif grouping == 2 and row_year is not None:
                years.setdefault(kind, {})[row_year] = records
        if scale:
            # More than EXACT_LIMIT match for sure, whatever the sample says.
            total = sum(kinds.values())
            if total <= EXACT_LIMIT and kinds:
                biggest = max(kinds, key=kinds.get)
                kinds[biggest] = about(kinds[biggest] + EXACT_LIMIT + 1 - total)
            matches.estimated = True
        return matches

    @staticmethod
    def _aggregate(source, where, params):
        """Rows of the facet aggregate over `source` (an SQL FROM item aliased e)."""
        # A row per (record, country); `n = 1` counts each record once for its type and year.
        return fetchall(
            f"""
            SELECT e.kind, u.c, e.year, GROUPING(u.c, e.year), count(*) FILTER (WHERE u.n = 1),
                   count(*)
            FROM {source}
            CROSS JOIN LATERAL unnest(coalesce(e.countries, '{{NULL}}'::integer[]))
                 WITH ORDINALITY AS u(c, n)
            WHERE {where}
            GROUP BY GROUPING SETS ((e.kind), (e.kind, u.c), (e.kind, e.year))
            """,  # noqa: S608 - only constant SQL pieces; values are parameters
            params,
        )

    def page(self, query, filters, matches, offset, limit):
        where, params = self.where(query, filters)
        total = matches.total(filters.kind)
        if not matches.estimated:
            vector = "e.vector" if total <= FULL_RANK_LIMIT else "e.title_vector"
            return fetchall(
                f"SELECT e.kind, e.object_id, ts_rank({vector}, {TSQUERY}) AS score "  # noqa: S608
                f"FROM search_entry e WHERE {where} "
                "ORDER BY score DESC, e.object_id DESC, e.kind LIMIT %s OFFSET %s",
                [query, *params, limit, offset],
            )
        # Many matches: the records whose title has every word (found through the title vector's
        # own GIN index; no rank computed), newest first, then the others, newest first.
        in_title, title_params = self.where(query, filters, vector="e.title_vector")
        rows = fetchall(
            "SELECT e.kind, e.object_id, 1.0, count(*) OVER () FROM search_entry e "  # noqa: S608
            f"WHERE {in_title} ORDER BY e.object_id DESC, e.kind LIMIT %s OFFSET %s",
            [*title_params, limit, offset],
        )
        page = [row[:3] for row in rows]
        if len(page) == limit:
            return page
        if rows:
            title_matches = rows[0][3]
        else:
            title_matches = fetchall(
                f"SELECT count(*) FROM search_entry e WHERE {in_title}",  # noqa: S608
                title_params,
            )[0][0]
        return page + fetchall(
            f"SELECT e.kind, e.object_id, 0.0 FROM search_entry e WHERE {where} "  # noqa: S608
            f"AND NOT e.title_vector @@ {TSQUERY} ORDER BY e.object_id DESC, e.kind "
            "LIMIT %s OFFSET %s",
            [*params, query, limit - len(page), max(0, offset - title_matches)],
        )

    def ranked_ids(self, query, filters, limit):
        # One statement, the ranking rule of `page()` chosen by the same capped count.
        where, params = self.where(query, filters)
        rows = fetchall(
            f"""
            WITH n AS (
                SELECT count(*) AS matches
                FROM (SELECT 1 FROM search_entry e WHERE {where} LIMIT {EXACT_LIMIT + 1}) s
            )
            SELECT e.object_id FROM search_entry e CROSS JOIN n
            WHERE {where}
            ORDER BY CASE
                WHEN n.matches <= {FULL_RANK_LIMIT} THEN ts_rank(e.vector, {TSQUERY})
                WHEN n.matches <= {EXACT_LIMIT} THEN ts_rank(e.title_vector, {TSQUERY})
                ELSE (e.title_vector @@ {TSQUERY})::integer
            END DESC, e.object_id DESC
            LIMIT %s
            """,  # noqa: S608 - only constant SQL pieces; values are parameters
            [*params, *params, query, query, query, limit],
        )
        return [object_id for (object_id,) in rows]

    def similar_words(self, folded_words):
        # The most similar known words of each word (pg_trgm, served by the trigram index).
        return dict(
            fetchall(
                """
                SELECT c.folded, c.word
                FROM unnest(%s::text[]) AS q(w)
                CROSS JOIN LATERAL (
                    SELECT folded, word FROM search_word
                    WHERE folded %% q.w
                    ORDER BY similarity(folded, q.w) DESC, folded
                    LIMIT %s
                ) c
                """,
                [folded_words, CANDIDATES_PER_WORD],
            )
        )
