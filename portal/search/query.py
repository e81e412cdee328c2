"""Global search over every public record type, through modelsearch's index.

modelsearch searches one model at a time, so a search runs one ranked query and one count per
record type, plus one facet query per type for countries and for years, then merges the hits by
score. The number of queries depends on the number of record types only, never on the data.
Scores are comparable across types because every type is searched in the same index (PostgreSQL:
ts_rank, higher is better; SQLite: FTS5 bm25, lower is better).
"""

import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import prefetch_related_objects
from modelsearch.backends import get_search_backend

from profiles.models import Country

from .suggest import suggest
from .text import clean_query, highlight, match_pattern, snippet
from .types import SEARCH_TYPES

PER_PAGE = 20
MAX_PAGES = 25  # deeper pages would fetch PER_PAGE * page rows from every type


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


def _better_first(score):
    # PostgreSQL ts_rank grows with relevance, SQLite bm25 falls.
    return -score if connection.vendor == "postgresql" else score


def _candidate_types(type_key, country, year):
    types = [t for t in SEARCH_TYPES if not type_key or t.key == type_key]
    if country is not None:
        types = [t for t in types if t.country_lookup]
    if year is not None:
        types = [t for t in types if t.year_lookup]
    return types


def _base_queryset(search_type, country, year):
    public = search_type.public()
    if country is not None:
        public = public.filter(**{search_type.country_lookup: country})
    if year is not None:
        public = public.filter(**{search_type.year_lookup: year})
    # modelsearch accepts only filters on declared filter fields: the public rules (which may
    # look at related records) go into a subquery on the primary key.
    queryset = search_type.model.objects.filter(pk__in=public.values("pk"))
    if search_type.select_related:
        queryset = queryset.select_related(*search_type.select_related)
    return queryset


def _search(queryset, query):
    return get_search_backend().search(query, queryset, operator="and").annotate_score("_score")


def _facet(search_type, results, lookup):
    attname = search_type.model._meta.get_field(lookup).attname  # "country" -> "country_id"
    counts = results.facet(attname)
    return {value: count for value, count in counts.items() if value is not None}


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


def _run(query, type_key, country, year, page):
    result = SearchPage(query=query)
    country_id = country.pk if country is not None else None
    per_type = {}
    for search_type in _candidate_types("", country_id, year):
        results = _search(_base_queryset(search_type, country_id, year), query)
        per_type[search_type.key] = (search_type, results, results.count())

    result.type_facets = [
        Facet(key, st.label, count, selected=key == type_key)
        for key, (st, _results, count) in per_type.items()
        if count
    ]
    chosen = {k: v for k, v in per_type.items() if not type_key or k == type_key}
    result.total = sum(count for _st, _results, count in chosen.values())
    result.num_pages = max(1, min(MAX_PAGES, math.ceil(result.total / PER_PAGE)))
    result.number = min(max(1, page), result.num_pages)

    country_counts, year_counts = {}, {}
    for search_type, results, count in chosen.values():
        if not count:
            continue
        if search_type.country_lookup and search_type.country_lookup != "id":
            for value, n in _facet(search_type, results, search_type.country_lookup).items():
                country_counts[value] = country_counts.get(value, 0) + n
        if search_type.year_lookup:
            for value, n in _facet(search_type, results, search_type.year_lookup).items():
                year_counts[value] = year_counts.get(value, 0) + n
    # A country is a hit of its own country facet.
    if "countries" in chosen and chosen["countries"][2]:
        for value, n in _facet(*chosen["countries"][:2], "id").items():
            country_counts[value] = country_counts.get(value, 0) + n
    if country_counts:
        names = {
            pk: (iso_code, name)
            for pk, iso_code, name in Country.objects.published()
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
        for y, n in sorted(year_counts.items(), reverse=True)
    ]

    wanted = result.number * PER_PAGE
    scored = []
    for search_type, results, count in chosen.values():
        if count:
            for obj in results[:wanted]:
                scored.append((_better_first(obj._score or 0.0), -obj.pk, search_type.key, obj))
    # Ties in the order modelsearch breaks them within a type (newest first), so every page
    # continues the one before.
    scored.sort(key=lambda item: item[:3])
    page_items = scored[wanted - PER_PAGE : wanted]

    for search_type in SEARCH_TYPES:
        if search_type.prefetch:
            objs = [obj for _s, _pk, key, obj in page_items if key == search_type.key]
            if objs:
                prefetch_related_objects(objs, *search_type.prefetch())

    pattern = match_pattern(query)
    for score, _pk, key, obj in page_items:
        search_type = chosen[key][0]
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
