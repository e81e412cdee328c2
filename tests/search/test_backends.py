"""The search backend is chosen in settings, and the search page, the lists and the index upkeep
talk to it alone: a backend outside the database (as an OpenSearch one would be) serves them all
without other code."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.search.backends import get_backend
from portal.search.backends.base import Matches, SearchBackend, page_count
from portal.search.models import SearchEntry, SearchWord
from portal.search.query import search
from portal.search.text import fold, stem
from portal.search_index import documents, types
from tests.profiles.factories import CountryFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


class MemoryBackend(SearchBackend):
    """Entries in a dict; every word of the query must start a word of the entry (crude stems)."""

    def __init__(self):
        self.entries = {}  # (kind, id): (title words, body words, year, {country ids})

    def index(self, kind, ids):
        ids = list(ids)
        for pk in ids:
            self.entries.pop((kind, pk), None)
        public = types()[kind].public().filter(pk__in=ids)
        for object_id, title, body, year, countries in documents(kind, public):
            self.entries[(kind, object_id)] = (
                fold(title).split(),
                fold(body).split(),
                year,
                {int(c) for c in countries.split()},
            )

    def unindex(self, kind, ids):
        for pk in ids:
            self.entries.pop((kind, pk), None)

    def rebuild(self, stdout=None):
        self.entries.clear()
        for kind, search_type in types().items():
            self.index(kind, search_type.public().values_list("pk", flat=True))
        return len(self.entries)

    def _ranked(self, query, filters, *, with_kind=True):
        stems = [stem(word) for word in query.split()]
        ranked = []
        for (kind, pk), (title, body, year, countries) in self.entries.items():
            if with_kind and filters.kind and kind != filters.kind:
                continue
            if filters.country_id is not None and filters.country_id not in countries:
                continue
            low, high = filters.year_min, filters.year_max
            if filters.year is not None and year != filters.year:
                continue
            if (low is not None or high is not None) and year is None:
                continue
            if (low is not None and year < low) or (high is not None and year > high):
                continue
            in_title = sum(any(w.startswith(s) for w in title) for s in stems)
            if all(any(w.startswith(s) for w in title + body) for s in stems):
                ranked.append((-in_title, -pk, kind, year, countries))
        # Best first: more words in the title, then newest.
        return [(kind, -neg_pk, -score, year, c) for score, neg_pk, kind, year, c in sorted(ranked)]

    def search(self, query, filters, *, page, per_page, max_pages):
        matches = Matches()
        for kind, _pk, _score, year, countries in self._ranked(query, filters, with_kind=False):
            matches.kinds[kind] = matches.kinds.get(kind, 0) + 1
            for country in countries:
                per_kind = matches.countries.setdefault(kind, {})
                per_kind[country] = per_kind.get(country, 0) + 1
            if year is not None:
                per_kind = matches.years.setdefault(kind, {})
                per_kind[year] = per_kind.get(year, 0) + 1
        total = matches.total(filters.kind)
        matches.number = min(max(1, page), page_count(total, per_page, max_pages))
        start = (matches.number - 1) * per_page
        ranked = self._ranked(query, filters)[start : start + per_page]
        matches.rows = [(kind, pk, score) for kind, pk, score, _year, _countries in ranked]
        return matches

    def ranked_ids(self, query, filters, limit):
        return [pk for _kind, pk, *_rest in self._ranked(query, filters)[:limit]]

    def similar_words(self, folded_words):
        words = {w for title, body, _y, _c in self.entries.values() for w in title + body}
        return {w: w for w in words}


@pytest.fixture
def memory_backend(settings):
    settings.PORTAL_SEARCH_BACKEND = f"{__name__}.MemoryBackend"
    return get_backend()


def test_the_default_backend_is_the_databases():
    expected = {"postgresql": "PostgresBackend", "sqlite": "SqliteBackend"}[connection.vendor]
    assert type(get_backend()).__name__ == expected


def test_a_backend_named_in_settings_serves_search_lists_and_upkeep(
    client, committed, memory_backend
):
    assert isinstance(memory_backend, MemoryBackend)
    with committed():
        country = CountryFactory(iso_code="FD", name="Freedonia")
        organisation = OrganisationFactory(
            name="Child Line", national_name="Vaikų linija", countries=[country]
        )
        OrganisationFactory(name="Vaikų draft", status="draft")
    assert ("organisations", organisation.pk) in memory_backend.entries

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/search/", {"q": "vaiku", "country": "FD"})
    assert page.status_code == 200
    assert [hit.obj for hit in page.context["results"].hits] == [organisation]
    assert not any("search_entry" in q["sql"] for q in captured.captured_queries)
    listed = client.get("/organisations/", {"q": "vaiku"}).context["object_list"]
    assert list(listed) == [organisation]
    assert search("Vaikx linija").corrected_from == "Vaikx linija"  # "did you mean"

    with committed():
        organisation.delete()
    assert memory_backend.entries.keys() == {("countries", country.pk)}
    assert search("vaiku").total == 0
    # The database's own index tables were never written.
    assert not SearchEntry.objects.exists() and not SearchWord.objects.exists()
