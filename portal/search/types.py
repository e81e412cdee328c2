"""The record types global search covers, built from the apps' declarations.

An app declares what one of its record types contributes to search with a `SearchDocument` in
its `records.py` (`RecordType(..., search=SearchDocument(...))`): the fields of its index row,
how a hit links and reads, and the related records whose changes change its row. This module
binds each document to its model as a `SearchType`, the object the index and the queries use.
What is public is the record type's own `.public()`: a search document never restates it.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from portal.records import record_types


@dataclass(frozen=True)
class SearchDocument:
    """What one record type puts in the search index and how its hits read.

    Index row (ORM paths, read with one values_list query per chunk): `title` and `body` fields
    joined with spaces, an optional `year`, the facet countries from `country` (a single country
    id path: "country_id", or "pk" for countries themselves) or `countries_m2m` (a many-to-many
    field to Country), `also_titles` ("relation__field": more titles, joined to the title), and
    `related_text(ids) -> {id: text}` for text read from related records
    (a report's authors), added to the body.

    Upkeep: the row is refreshed when the record changes, when a parent in its public rule or a
    record named in its text (an "a__b" path in title or body) changes, and when a record on a
    path in `depends_on` changes (paths whose first step is a many-to-many field also on
    m2m_changed; `countries_m2m` changes too).

    Hits: `texts(record) -> (title, snippet text)`, `url(record)` (default get_absolute_url()),
    `select_related` and `prefetch() -> [Prefetch]` for the records on one page.
    """

    key: str  # in the URL (?type=reports) and the index row's kind
    label: str  # plural, for facets and headings
    singular: str  # on each hit
    texts: Any
    title: tuple
    body: tuple = ()
    year: str | None = None
    country: str | None = None
    also_titles: str | None = None  # "relation__field": more titles (reports: alternative ones)
    countries_m2m: str | None = None
    related_text: Any = None
    depends_on: tuple = ()
    url: Any = None
    select_related: tuple = ()
    prefetch: Any = None
    order: int = 100  # position among the type facets (lower first)


@dataclass(frozen=True)
class SearchType:
    """A SearchDocument bound to its record type."""

    document: SearchDocument
    model: Any
    record_type: Any

    @property
    def key(self):
        return self.document.key

    @property
    def label(self):
        return self.document.label

    @property
    def singular(self):
        return self.document.singular

    @property
    def select_related(self):
        return self.document.select_related

    @property
    def prefetch(self):
        return self.document.prefetch

    def public(self):
        """The records the public may read: the only ones with an index row."""
        return self.record_type.public()

    def url(self, obj):
        if self.document.url is not None:
            return self.document.url(obj)
        return obj.get_absolute_url()

    def texts(self, obj):
        """(title, text for the snippet) of one hit."""
        return self.document.texts(obj)

    def year(self, obj):
        return getattr(obj, self.document.year) if self.document.year else None


@cache
def search_types():
    declared = [t for t in record_types() if t.search is not None]
    types = [SearchType(t.search, t.model, t) for t in declared]
    types.sort(key=lambda t: t.document.order)  # stable: registration order within an order
    keys = [t.key for t in types]
    assert len(keys) == len(set(keys)), "search type keys must be unique"
    return tuple(types)


@cache
def types_by_key():
    return {t.key: t for t in search_types()}


def __getattr__(name):
    # SEARCH_TYPES and TYPES_BY_KEY are read from the registry on first use, after the apps
    # declared their types, not when this module is imported.
    if name == "SEARCH_TYPES":
        return list(search_types())
    if name == "TYPES_BY_KEY":
        return types_by_key()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
