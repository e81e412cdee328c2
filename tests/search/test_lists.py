"""The lists' text filter (`q`) is served by the search index: what /search/ finds for the list's
record type (accents, stems, ranking), with the list's other filters, at one more query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import Status
from portal.search.query import search
from tests.laws.factories import LegalActFactory, ProvisionFactory
from tests.library.factories import ReportFactory
from tests.profiles.factories import CountryFactory, InitiativeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def make_initiative(title, body, country, **extra):
    return InitiativeFactory(title=title, body=body, country=country, **extra)


def make_organisation(title, body, country, **extra):
    return OrganisationFactory(name=title, description=body, countries=[country], **extra)


def make_report(title, body, country, **extra):
    return ReportFactory(title=title, summary=body, countries=[country], **extra)


def make_provision(title, body, country, **extra):
    return ProvisionFactory(
        title=title, summary=body, act=LegalActFactory(country=country), **extra
    )


# (list URL, search type key, how to make a public record with a title and a text)
LISTS = {
    "initiatives": ("/initiatives/", make_initiative),
    "organisations": ("/organisations/", make_organisation),
    "reports": ("/library/", make_report),
    "provisions": ("/laws/", make_provision),
}


@pytest.fixture(params=list(LISTS))
def listing(request, committed):
    """(url, kind, make) of one list; `make` writes and commits a record."""
    url, make = LISTS[request.param]

    def make_committed(title, body="Nothing to see.", country=None, **extra):
        with committed():
            return make(title, body, country or CountryFactory(), **extra)

    return url, request.param, make_committed


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["object_list"])


def test_accents_are_ignored(client, listing):
    url, _kind, make = listing
    record = make("Vaikų linija")
    make("Another line")
    assert listed(client, url, q="Vaiku") == [record]
    assert listed(client, url, q="VAIKŲ linija") == [record]


def test_words_are_stemmed(client, listing):
    url, _kind, make = listing
    record = make("A national policy on screens")
    assert listed(client, url, q="policies") == [record]


def test_same_records_in_the_same_order_as_the_search_page(client, listing):
    url, kind, make = listing
    body_only = [make(f"Awareness week {i}", "Mentions the pangolin once.") for i in range(2)]
    once = make("Pangolin helpline")
    twice = make("Pangolin pangolin watch", "About the pangolin.")
    make("Unrelated record")
    expected = [hit.obj for hit in search("pangolin", type_key=kind).hits]
    assert set(expected) == {*body_only, once, twice}
    assert listed(client, url, q="pangolin") == expected
    assert expected.index(twice) < expected.index(body_only[0])  # title matches first


def test_the_other_filters_still_apply(client, listing):
    url, _kind, make = listing
    here = CountryFactory(iso_code="FD", name="Freedonia")
    mine = make("Capybara care", country=here)
    make("Capybara club")  # another country
    make("Capybara draft", country=here, status=Status.DRAFT)
    assert listed(client, url, q="capybara", country="FD") == [mine]


def test_year_filters_narrow_the_matches(client, committed):
    with_years = {"/initiatives/": make_initiative, "/library/": make_report}
    for url, make in with_years.items():
        with committed():
            country = CountryFactory()
            old = make("Tapir study", "", country, year=2005)
            new = make("Tapir study", "", country, year=2015)
        assert listed(client, url, q="tapir", year_min=2010) == [new], url
        assert listed(client, url, q="tapir", year_max=2010) == [old], url


def test_an_explicit_sort_wins_over_the_ranking(client, committed):
    with committed():
        second = ReportFactory(title="Okapi okapi survey", year=2001)
        first = ReportFactory(title="Another okapi", year=2020)
    assert listed(client, "/library/", q="okapi") == [second, first]
    assert listed(client, "/library/", q="okapi", sort="newest") == [first, second]


def test_no_match_and_no_words(client, listing):
    url, _kind, make = listing
    record = make("Quokka report")
    assert listed(client, url, q="zzqqxx") == []
    assert record in listed(client, url, q="!!! ...")  # no words: the list is not narrowed


# --- SQL queries: one more for the index, whatever the data ------------------------------------


def queries(client, url, params):
    client.get(url, params)  # fills Django's content-type cache, as any earlier request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_text_filter_adds_one_query_whatever_the_data(client, listing):
    url, _kind, make = listing
    country = CountryFactory(iso_code="FD")
    counts, made = [], 0
    for size in (2, 60):
        for i in range(made, size):
            make(f"Manatee record {i}", country=country)
        made = size
        plain = queries(client, url, {"country": "FD"})
        counts.append((plain, queries(client, url, {"country": "FD", "q": "manatee"})))
    (small_plain, small_q), (large_plain, large_q) = counts
    assert small_q == small_plain + 1
    assert large_q == large_plain + 1
    assert large_q == small_q
