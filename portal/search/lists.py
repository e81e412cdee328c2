"""The `q` filter of the public list pages, served by the search index.

A list's text search finds what the search page finds for that record type (the same words,
accents, stems and ranking) and keeps the list's other filters: the backend returns the ids of
the best LIST_LIMIT matches of the type (restricted to the list's country and years, which the
index knows), and the list's queryset is narrowed to them and ordered as ranked. One index query
whatever the data; the list's own queries stay as they were.
"""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, StrIndex

from portal.search_index import kind_of

from .backends import get_backend
from .backends.base import Filters
from .text import clean_query

LIST_LIMIT = 1000  # the best matches a list shows (40 pages of 25)


def filter_by_search(queryset, raw_query, *, country=None, year_min=None, year_max=None):
    """`queryset` narrowed to the records matching `raw_query`, best match first.

    `country` (a Country) and the years narrow the matches in the index first, so the limit
    applies to what the list can show. A query without words leaves `queryset` as it is.
    """
    query = clean_query(raw_query)
    if not query:
        return queryset
    filters = Filters(
        kind=kind_of(queryset.model),
        country_id=country.pk if country is not None else None,
        year_min=year_min,
        year_max=year_max,
    )
    ids = get_backend().ranked_ids(query, filters, LIST_LIMIT)
    if not ids:
        return queryset.none()
    # The ranked ids as one string (",7,3,12,"): a record's rank is where ",its id," starts in
    # it. One parameter and one portable expression, however many ids.
    ranking = Value("," + ",".join(str(pk) for pk in ids) + ",")
    rank = StrIndex(ranking, Concat(Value(","), Cast("pk", CharField()), Value(",")))
    return queryset.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank")


class IndexSearchMixin:
    """A FilterSet whose `q` filter (`method="search"`) asks the search index.

    `search_country` and `search_years` name the FilterSet's own filters whose values also
    narrow the index query (a country filter, and year_min / year_max filters).
    """

    search_country = None
    search_years = None

    def search(self, queryset, name, value):
        data = self.form.cleaned_data
        years = {}
        if self.search_years:
            low, high = self.search_years
            years = {"year_min": data.get(low), "year_max": data.get(high)}
        country = data.get(self.search_country) if self.search_country else None
        return filter_by_search(queryset, value, country=country, **years)
