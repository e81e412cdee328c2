"""Global search: one page of hits for the search page, from the search backend.

The backend (`portal/search/backends/`, chosen by `PORTAL_SEARCH_BACKEND`) finds and counts the
matches and ranks the page; this module turns its answer into facets with labels and hits with
their records, links and highlighted snippets. Reading the records costs one query per record
type on the page (plus one for report authors) and one for the names of the facet countries.

"Did you mean" (portal/search/suggest.py) adds one backend call and a second search only when the
first finds nothing.
"""

from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from portal.records import country_model

from .backends import get_backend
from .backends.base import About, Filters, about, page_count
from .suggest import suggest
from .text import clean_query, highlight, match_pattern, snippet
from .types import SEARCH_TYPES, TYPES_BY_KEY

PER_PAGE = 20
MAX_PAGES = 25  # deeper pages are not worth an OFFSET over tens of thousands of rows


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


# --- one search -----------------------------------------------------------------------------------


def _sum(per_kind, chosen):
    total = {}
    for kind in chosen:
        for value, n in per_kind.get(kind, {}).items():
            total[value] = total.get(value, 0) + n
    if any(isinstance(n, About) for n in total.values()):
        return {value: about(n) for value, n in total.items()}
    return total


def _run(query, type_key, country, year, page):
    result = SearchPage(query=query)
    country_id = country.pk if country is not None else None
    filters = Filters(kind=type_key, country_id=country_id, year=year)
    matches = get_backend().search(
        query, filters, page=page, per_page=PER_PAGE, max_pages=MAX_PAGES
    )
    kinds, countries, years = matches.kinds, matches.countries, matches.years
    result.type_facets = [
        Facet(t.key, t.label, kinds[t.key], selected=t.key == type_key)
        for t in SEARCH_TYPES
        if kinds.get(t.key)
    ]
    chosen = [type_key] if type_key else list(kinds)
    result.total = matches.total(type_key)
    if matches.estimated:
        result.total = about(result.total)
    result.num_pages = page_count(result.total, PER_PAGE, MAX_PAGES)
    result.number = matches.number

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

    rows = matches.rows
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
