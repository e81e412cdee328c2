"""A draft (or in-review, or withdrawn) record must not appear on any public surface."""

import pytest
from django.urls import NoReverseMatch, reverse

from portal.models import Status
from portal.search_index import index_records
from tests.laws.factories import (
    InstrumentFactory,
    LegalActFactory,
    PenaltyRowFactory,
    ProvisionFactory,
)
from tests.library.factories import AuthorFactory, ReportFactory
from tests.profiles.factories import (
    CountryFactory,
    InitiativeFactory,
    OrganisationFactory,
    ReportingChannelFactory,
)

pytestmark = pytest.mark.django_db

MARK = "Hiddenmarker"
HIDDEN = (Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN)


def public_surfaces():
    """Every public page that lists records, with the query strings that reach them."""
    surfaces = [
        "/",
        "/countries/",
        "/countries/lt/",
        "/countries/lt/legislation/",
        "/countries/lt/changes/",
        "/countries/lt/changes/feed/",
        "/initiatives/",
        "/organisations/",
        "/laws/",
        "/library/",
        "/library/?format=bibtex",
        "/library/?format=ris",
        "/library/?format=csljson",
    ]
    # Search for a word of the hidden titles other than the marker: the page repeats the query.
    for name, query in (("search", "?q=initiative"), ("compare", "?country=LT"), ("sitemap", "")):
        try:
            surfaces.append(reverse(name) + query)
        except NoReverseMatch:
            continue
    return surfaces


@pytest.fixture(params=HIDDEN)
def hidden_records(request):
    status = request.param
    lithuania = CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")
    CountryFactory(iso_code="HD", name=f"{MARK} country", slug="hidden-country", status=status)
    slug = MARK.lower()
    organisation = OrganisationFactory(
        name=f"{MARK} organisation", slug=f"{slug}-organisation", status=status
    )
    records = [
        InitiativeFactory(
            country=lithuania,
            title=f"{MARK} initiative",
            slug=f"{slug}-initiative",
            status=status,
        ),
        organisation,
        ReportingChannelFactory(
            country=lithuania, organisation=organisation, name=f"{MARK} channel", status=status
        ),
        InstrumentFactory(short_name=f"{MARK} instrument", status=status),
    ]
    act = LegalActFactory(country=lithuania, title=f"{MARK} act", status=status)
    provision = ProvisionFactory(act=act, number="999", title=f"{MARK} provision", status=status)
    PenaltyRowFactory(provision=provision, max_months=240)
    author = AuthorFactory(family_name=f"{MARK}author", status=status)
    report = ReportFactory(
        title=f"{MARK} report", slug=f"{slug}-report", countries=[lithuania], status=status
    )
    report.authorships.create(author=author, position=1)
    return records + [act, provision, author, report]


def test_hidden_records_appear_on_no_public_surface(client, hidden_records):
    for url in public_surfaces():
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARK.lower() not in response.content.decode().lower(), url


def test_hidden_records_have_no_public_page(client, hidden_records):
    for record in hidden_records:
        if hasattr(record, "get_absolute_url"):
            assert client.get(record.get_absolute_url()).status_code == 404, record
    assert client.get("/countries/hd/").status_code == 404


def test_the_same_records_once_published_do_appear(client, hidden_records):
    """Control: the surfaces above would show the records, so their absence means something."""
    for record in hidden_records:
        type(record).objects.filter(pk=record.pk).update(status=Status.PUBLISHED)
    # update() sends no signals: tell the search index, as every bulk writer does.
    for record in hidden_records:
        index_records(type(record), [record])
    seen = {
        url for url in public_surfaces() if MARK.lower() in client.get(url).content.decode().lower()
    }
    assert {"/initiatives/", "/organisations/", "/laws/", "/library/"} <= seen
    assert {reverse("search") + "?q=initiative", reverse("sitemap")} <= seen
    assert "/countries/lt/" in seen
