"""The PDF country brief, read back with pypdf as a reader's PDF viewer would."""

import io

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from portal.models import Status
from tests.profiles.factories import CountryFactory, InitiativeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_brief_is_a_pdf_of_the_published_profile(client):
    lithuania = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    titles = ["Safer Internet week", "Child Line helpline", "Hotline joins INHOPE"]
    for year, title in enumerate(titles, start=2005):
        InitiativeFactory(country=lithuania, title=title, year=year)
    InitiativeFactory(country=lithuania, title="A plan still in draft", status=Status.DRAFT)
    OrganisationFactory(name="Vaiku linija", countries=[lithuania])
    response = client.get("/countries/lt/brief.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for title in titles:
        assert title in text
    assert "A plan still in draft" not in text
    assert "Vaiku linija" in text
    assert "Lithuania" in text and "Initiatives per year in Lithuania, by theme" in text


def test_brief_is_for_published_countries_only(client):
    CountryFactory(name="Draftland", iso_code="DR", slug="draftland", status=Status.DRAFT)
    assert client.get("/countries/dr/brief.pdf").status_code == 404
    assert client.get("/countries/zz/brief.pdf").status_code == 404


def test_brief_refuses_parameters_before_drawing_anything(client, django_assert_num_queries):
    CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    with django_assert_num_queries(1):  # the country
        response = client.get("/countries/lt/brief.pdf?page=2")
    assert response.status_code == 400
    assert "takes no parameters" in response.content.decode()
    assert client.get("/countries/zz/brief.pdf?page=2").status_code == 404


def test_country_page_offers_the_brief(client):
    CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    body = client.get("/countries/lt/").content.decode()
    assert 'href="/countries/lt/brief.pdf" download="lithuania-brief.pdf"' in body


def test_brief_is_cached_like_the_country_page(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    lithuania = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    InitiativeFactory(country=lithuania, title="Safer Internet week")
    first = client.get("/countries/lt/brief.pdf")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = client.get("/countries/lt/brief.pdf")
    assert again["X-Page-Cache"] == "hit"
    assert again["Content-Type"] == "application/pdf"
    assert again.content == first.content
    InitiativeFactory(country=lithuania, title="Hotline joins INHOPE")  # any change: a new brief
    fresh = client.get("/countries/lt/brief.pdf")
    assert fresh["X-Page-Cache"] == "miss"
    assert "Hotline joins INHOPE" in pdf_text(fresh.content)
    cache.clear()
