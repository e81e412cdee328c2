"""Global search over the index table `search_entry` (portal/search/models.py).

A search runs a small fixed number of queries, whatever the data and the number of hits
(PostgreSQL; SQLite runs the same plan, counting in Python):

1. how many match, counted up to EXACT_LIMIT + 1 (stops there); nothing matches: done;
2. counts and facets: one aggregate grouped by (type), (type, country) and (type, year) over the
   matches (exact, up to EXACT_LIMIT matches) or over the matches in a SAMPLE_PERCENT block sample
   of the index (more matches: every count is an estimate, `About`, shown as "about 5,100");
   with a type filter and an estimate, the chosen type is counted on its own (queries 1-2 again);
3. the ranked (type, id) pairs of the requested page;
4. the records on the page: one query per record type present on the page (plus one for report
   authors), and one for the names of the facet countries.

"Did you mean" (portal/search/suggest.py) adds one query and a second search only when the first
finds nothing.

Ranking (PostgreSQL), never a rank computed over tens of thousands of rows:
- up to FULL_RANK_LIMIT matches: `ts_rank` over the weighted vector (title A, text B);
- up to EXACT_LIMIT: `ts_rank` over the short title vector (records whose title has the words
  first, more title matches higher, body-only matches after);
- more: the records whose title has every word (found through the title vector's GIN index),
  newest first, then the other matches, newest first (a page past the title matches costs one
  more query).
Ties newest first. SQLite: FTS5 `bm25` with the title weighted 10 to 1.
"""

import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import prefetch_related_objects

from portal.records import country_model
from portal.search_index import SEARCH_CONFIG

from .suggest import suggest
from .text import clean_query, highlight, match_pattern, snippet
from .types import SEARCH_TYPES, TYPES_BY_KEY

PER_PAGE = 20
MAX_PAGES = 25  # deeper pages are not worth an OFFSET over tens of thousands of rows
FULL_RANK_LIMIT = 2000  # up to this many matches: ts_rank over the whole weighted vector
EXACT_LIMIT = 5000  # up to this many matches: exact counts and facets
SAMPLE_PERCENT = 5  # above: counts estimated from this share of the index's pages
SAMPLE_SEED = 8  # the same sample for every page of a search


class About(int):
    """An estimated count: an int that reads "about 5,100" (two significant figures)."""

    approximate = True

    def __str__(self):
        digits = max(0, len(str(int(self))) - 2)
        return f"about {round(int(self), -digits):,}"


def _about(value):
    return About(round(value))


@dataclass
class Hit:
    type: object
    obj: object
    score: float
    url: str
    title: str
    snippet: str
    year: int | None


@dataclass
class Facet:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchPage:
    query: str
    hits: list = field(default_factory=list)
    total: int = 0
    number: int = 1
    num_pages: int = 1
    type_facets: list = field(default_factory=list)
    country_facets: list = field(default_factory=list)
    year_facets: list = field(default_factory=list)
    corrected_from: str = ""  # the query as typed, when the hits are for a suggested spelling

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def truncated(self):
        return self.total > MAX_PAGES * PER_PAGE


def search(raw_query, *, type_key="", country=None, year=None, page=1):
    """One page of hits for `raw_query`; `country` is a Country, `year` an int, or None."""
    query = clean_query(raw_query)
    result = SearchPage(query=query)
    if not query:
        return result
    result = _run(query, type_key, country, year, page)
    if result.total == 0:
        better = suggest(query)
        if better and better != query:
            corrected = _run(better, type_key, country, year, page)
            if corrected.total:
                corrected.corrected_from = query
                return corrected
    return result


# --- the two index queries, per database ----------------------------------------------------------


def _fts_query(query):
    """FTS5 MATCH text: every word a quoted string (all required); no operator gets through."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


def _where(query, country_id, year, vector="e.vector"):
    """(SQL condition on `e`, params) for the matching rows with the country and year filters."""
    if connection.vendor == "postgresql":
        conditions = [f"{vector} @@ plainto_tsquery('{SEARCH_CONFIG}', %s)"]
        params = [query]
        if country_id is not None:
            conditions.append("e.countries @> ARRAY[%s]::integer[]")
            params.append(country_id)
    else:
        conditions = ["search_entry_fts MATCH %s"]
        params = [_fts_query(query)]
        if country_id is not None:
            conditions.append("(' ' || e.country_ids || ' ') LIKE %s")
            params.append(f"% {int(country_id)} %")
    if year is not None:
        conditions.append("e.year = %s")
        params.append(year)
    return " AND ".join(conditions), params


def _from():
    if connection.vendor == "postgresql":
        return "search_entry e"
    return "search_entry_fts JOIN search_entry e ON e.id = search_entry_fts.rowid"


def _aggregate(cursor, source, where, params):
    """Rows of the facet aggregate over `source` (an SQL FROM item aliased e) matching `where`."""
    # A row per (record, country); `n = 1` counts each record once for its type and year.
    cursor.execute(
        f"""
        SELECT e.kind, u.c, e.year, GROUPING(u.c, e.year), count(*) FILTER (WHERE u.n = 1), count(*)
        FROM {source}
        CROSS JOIN LATERAL unnest(coalesce(e.countries, '{{NULL}}'::integer[]))
             WITH ORDINALITY AS u(c, n)
        WHERE {where}
        GROUP BY GROUPING SETS ((e.kind), (e.kind, u.c), (e.kind, e.year))
        """,  # noqa: S608 - only constant SQL pieces; values are parameters
        params,
    )
    return cursor.fetchall()


def _counts(query, country_id, year, kind=None):
    """({kind: n}, {kind: {country_id: n}}, {kind: {year: n}}, approximate) of the matches.

    PostgreSQL: exact up to EXACT_LIMIT matches (one query reading at most EXACT_LIMIT + 1 of
    them); beyond, every count is estimated from a SAMPLE_PERCENT block sample of the index (one
    more query) and marked approximate.
    """
    where, params = _where(query, country_id, year)
    if kind:
        where += " AND e.kind = %s"
        params.append(kind)
    kinds, countries, years = {}, {}, {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM search_entry e WHERE {where} "  # noqa: S608
                f"LIMIT {EXACT_LIMIT + 1}) s",
                params,
            )
            matches = cursor.fetchone()[0]
            if not matches:
                return kinds, countries, years, False
            scale = None
            if matches <= EXACT_LIMIT:
                rows = _aggregate(cursor, "search_entry e", where, params)
            else:
                sample = (
                    f"search_entry e TABLESAMPLE SYSTEM ({SAMPLE_PERCENT}) "
                    f"REPEATABLE ({SAMPLE_SEED})"
                )
                rows = _aggregate(cursor, sample, where, params)
                scale = 100 / SAMPLE_PERCENT
            for kind, country, row_year, grouping, records, pairs in rows:
                if scale:
                    records, pairs = _about(records * scale), _about(pairs * scale)
                if grouping == 3:
                    kinds[kind] = records
                elif grouping == 1 and country is not None:
                    countries.setdefault(kind, {})[country] = pairs
                elif grouping == 2 and row_year is not None:
                    years.setdefault(kind, {})[row_year] = records
            if scale:
                # More than EXACT_LIMIT match for sure, whatever the sample says.
                total = sum(kinds.values())
                if total <= EXACT_LIMIT:
                    biggest = max(kinds, key=kinds.get) if kinds else None
                    if biggest is not None:
                        kinds[biggest] = _about(kinds[biggest] + EXACT_LIMIT + 1 - total)
            return kinds, countries, years, bool(scale)
        cursor.execute(f"SELECT e.kind, e.country_ids, e.year FROM {_from()} WHERE {where}", params)  # noqa: S608, E501
        for kind, country_ids, row_year in cursor.fetchall():
            kinds[kind] = kinds.get(kind, 0) + 1
            for country in {int(c) for c in country_ids.split()}:
                per_kind = countries.setdefault(kind, {})
                per_kind[country] = per_kind.get(country, 0) + 1
            if row_year is not None:
                per_kind = years.setdefault(kind, {})
                per_kind[row_year] = per_kind.get(row_year, 0) + 1
    return kinds, countries, years, False


def _page(query, type_key, country_id, year, offset, total, approximate):
    """[(kind, object_id, score)] of one page, best first (the rule: module docstring)."""
    where, params = _where(query, country_id, year)
    if type_key:
        where += " AND e.kind = %s"
        params.append(type_key)
    if connection.vendor != "postgresql":
        return _fetchall(
            f"SELECT e.kind, e.object_id, bm25(search_entry_fts, 10.0, 1.0) AS score "  # noqa: S608
            f"FROM {_from()} WHERE {where} ORDER BY score, e.object_id DESC, e.kind "
            "LIMIT %s OFFSET %s",
            [*params, PER_PAGE, offset],
        )
    tsquery = f"plainto_tsquery('{SEARCH_CONFIG}', %s)"
    if not approximate:
        vector = "e.vector" if total <= FULL_RANK_LIMIT else "e.title_vector"
        return _fetchall(
            f"SELECT e.kind, e.object_id, ts_rank({vector}, {tsquery}) AS score "  # noqa: S608
            f"FROM search_entry e WHERE {where} "
            "ORDER BY score DESC, e.object_id DESC, e.kind LIMIT %s OFFSET %s",
            [query, *params, PER_PAGE, offset],
        )
    # Many matches: the records whose title has every word (found through the title vector's
    # own GIN index; no rank computed), newest first, then the others, newest first.
    in_title, title_params = _where(query, country_id, year, vector="e.title_vector")
    if type_key:
        in_title += " AND e.kind = %s"
        title_params.append(type_key)
    rows = _fetchall(
        "SELECT e.kind, e.object_id, 1.0, count(*) OVER () FROM search_entry e "  # noqa: S608
        f"WHERE {in_title} ORDER BY e.object_id DESC, e.kind LIMIT %s OFFSET %s",
        [*title_params, PER_PAGE, offset],
    )
    page = [row[:3] for row in rows]
    if len(page) == PER_PAGE:
        return page
    if rows:
        title_matches = rows[0][3]
    else:
        title_matches = _fetchall(
            f"SELECT count(*) FROM search_entry e WHERE {in_title}",  # noqa: S608
            title_params,
        )[0][0]
    return page + _fetchall(
        f"SELECT e.kind, e.object_id, 0.0 FROM search_entry e WHERE {where} "  # noqa: S608
        f"AND NOT e.title_vector @@ {tsquery} ORDER BY e.object_id DESC, e.kind "
        "LIMIT %s OFFSET %s",
        [*params, query, PER_PAGE - len(page), max(0, offset - title_matches)],
    )


def _fetchall(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- one search -----------------------------------------------------------------------------------


def _sum(per_kind, chosen):
    total = {}
    for kind in chosen:
        for value, n in per_kind.get(kind, {}).items():
            total[value] = total.get(value, 0) + n
    if any(isinstance(n, About) for n in total.values()):
        return {value: _about(n) for value, n in total.items()}
    return total


def _run(query, type_key, country, year, page):
    result = SearchPage(query=query)
    country_id = country.pk if country is not None else None
    kinds, countries, years, approximate = _counts(query, country_id, year)
    if approximate and type_key:
        # The sample may miss a rare type: count the chosen one on its own (exact if it can be).
        one = _counts(query, country_id, year, kind=type_key)
        for mine, its in zip((kinds, countries, years), one[:3], strict=True):
            mine.pop(type_key, None)
            if type_key in its:
                mine[type_key] = its[type_key]
        approximate = one[3]
    result.type_facets = [
        Facet(t.key, t.label, kinds[t.key], selected=t.key == type_key)
        for t in SEARCH_TYPES
        if kinds.get(t.key)
    ]
    chosen = [type_key] if type_key else list(kinds)
    result.total = sum(kinds.get(kind, 0) for kind in chosen)
    if approximate:
        result.total = _about(result.total)
    result.num_pages = max(1, min(MAX_PAGES, math.ceil(result.total / PER_PAGE)))
    result.number = min(max(1, page), result.num_pages)

    country_counts = _sum(countries, chosen)
    if country_counts:
        names = {
            pk: (iso_code, name)
            for pk, iso_code, name in country_model()
            .objects.public()
            .filter(pk__in=country_counts)
            .values_list("pk", "iso_code", "name")
        }
        result.country_facets = sorted(
            (
                Facet(names[pk][0], names[pk][1], n, selected=pk == country_id)
                for pk, n in country_counts.items()
                if pk in names
            ),
            key=lambda f: (-f.count, f.label),
        )
    result.year_facets = [
        Facet(str(y), str(y), n, selected=y == year)
        for y, n in sorted(_sum(years, chosen).items(), reverse=True)
    ]
    if not result.total:
        return result

    offset = (result.number - 1) * PER_PAGE
    rows = _page(query, type_key, country_id, year, offset, result.total, approximate)
    objects = _fetch(rows)
    pattern = match_pattern(query)
    for kind, object_id, score in rows:
        obj = objects.get((kind, object_id))
        if obj is None:  # deleted without a signal since it was indexed
            continue
        search_type = TYPES_BY_KEY[kind]
        title, text = search_type.texts(obj)
        result.hits.append(
            Hit(
                type=search_type,
                obj=obj,
                score=score,
                url=search_type.url(obj),
                title=highlight(title, pattern),
                snippet=snippet(text, pattern),
                year=search_type.year(obj),
            )
        )
    return result


def _fetch(rows):
    """{(kind, id): record} for the rows of a page: one query per type (and its prefetches)."""
    ids_by_kind = {}
    for kind, object_id, _score in rows:
        ids_by_kind.setdefault(kind, []).append(object_id)
    objects = {}
    for kind, ids in ids_by_kind.items():
        search_type = TYPES_BY_KEY.get(kind)
        if search_type is None:
            continue
        queryset = search_type.model.objects.filter(pk__in=ids)
        if search_type.select_related:
            queryset = queryset.select_related(*search_type.select_related)
        found = list(queryset)
        if search_type.prefetch and found:
            prefetch_related_objects(found, *search_type.prefetch())
        objects.update({(kind, obj.pk): obj for obj in found})
    return objects
