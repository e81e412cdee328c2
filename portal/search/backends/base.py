"""What the portal asks of a search engine: the interface every search backend implements.

The search page (`portal/search/query.py`), "did you mean" (`suggest.py`), the list pages' `q`
filter (`lists.py`) and the index upkeep (`portal/search_index.py`) talk to the backend chosen by
the `PORTAL_SEARCH_BACKEND` setting only; none of them holds engine-specific code. A backend
receives plain values (type keys, primary keys, cleaned query text, `Filters`) and answers with
plain values (`Matches`, lists of ids, words); the record types, their public querysets and their
documents stay with `portal.search_index` (`documents()`), so a new backend writes no per-type code.
"""

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class About(int):
    """An estimated count: an int that reads "about 5,100" (two significant figures)."""

    approximate = True

    def __str__(self):
        digits = max(0, len(str(int(self))) - 2)
        return f"about {round(int(self), -digits):,}"


def about(value):
    return About(round(value))


@dataclass(frozen=True)
class Filters:
    """Which index entries a search considers (every field optional)."""

    kind: str = ""  # one type key ("reports"); "" for every type
    country_id: int | None = None  # entries of this country (types without a country drop out)
    year: int | None = None
    year_min: int | None = None
    year_max: int | None = None


@dataclass
class Matches:
    """One page of a search: the counts and facets of every match, and the page's entries.

    Counts are per type so the caller can add up the types it shows; a count may be an `About`.
    """

    kinds: dict = field(default_factory=dict)  # {kind: n}
    countries: dict = field(default_factory=dict)  # {kind: {country_id: n}}
    years: dict = field(default_factory=dict)  # {kind: {year: n}}
    estimated: bool = False  # the total of the chosen type(s) is an estimate
    number: int = 1  # the page served: the one asked for, kept within the pages there are
    rows: list = field(default_factory=list)  # [(kind, object_id, score)], best first

    def total(self, kind=""):
        return self.kinds.get(kind, 0) if kind else sum(self.kinds.values())


def page_count(total, per_page, max_pages):
    """The number of pages a search shows for `total` matches (at least one)."""
    return max(1, min(max_pages, math.ceil(total / per_page)))


class SearchBackend(ABC):
    """A search engine holding one entry per public record.

    Upkeep calls come with a type key (`portal.search.types`) and primary keys; the backend reads
    what to store with `portal.search_index.documents(kind, queryset)` (title, body, year,
    countries per record) and `portal.search_index.types()`.
    """

    # --- upkeep ---------------------------------------------------------------------------------

    @abstractmethod
    def index(self, kind, ids):
        """Make the entries of the `kind` records `ids` match what the public may read now: add or
        refresh the public ones, drop the others (withdrawn, deleted, parent not published)."""

    @abstractmethod
    def unindex(self, kind, ids):
        """Drop the entries of the `kind` records `ids`."""

    @abstractmethod
    def rebuild(self, stdout=None):
        """Empty the index and write every public record again; returns how many were written."""

    # --- queries --------------------------------------------------------------------------------

    @abstractmethod
    def search(self, query, filters, *, page, per_page, max_pages):
        """`Matches` of `query` (cleaned text: words separated by spaces, all required) under
        `filters`: counts per type, country and year of every match, and the entries of page
        `page` (kept between 1 and `page_count(total, per_page, max_pages)`), best first. Accents
        and case are ignored, words are stemmed."""

    @abstractmethod
    def ranked_ids(self, query, filters, limit):
        """The ids of the best `limit` matches of type `filters.kind`, best first, in the order
        `search()` gives them with the same query and filters."""

    @abstractmethod
    def similar_words(self, folded_words):
        """{folded word: spelling} of indexed words close to any of `folded_words` (lower case,
        accents off), for "did you mean"; the caller picks the closest."""
