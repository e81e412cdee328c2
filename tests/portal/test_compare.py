"""Compare countries at /compare/: form, side-by-side tables, invalid input, fixed query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laws.models import CountryInstrumentStatus, LegalAge
from portal.models import Status
from tests.laws.factories import (
    AssessmentFactory,
    CountryInstrumentStatusFactory,
    CriterionFactory,
    InstrumentFactory,
    LegalActFactory,
    LegalAgeFactory,
    PenaltyRowFactory,
    ProvisionFactory,
    TopicFactory,
)
from tests.profiles.factories import (
    CountryFactory,
    IndicatorDefinitionFactory,
    IndicatorValueFactory,
    iso_code,
)

pytestmark = pytest.mark.django_db

# Country choices (the widget), chosen countries (validation), indicator definitions and values,
# the legal comparison: ages, instruments, statuses, topics, heaviest penalties, and the
# benchmarks: criteria, assessments and their three kinds of evidence.
COMPARE_QUERIES = 14


def page(client, *codes, **extra):
    response = client.get("/compare/", {"country": list(codes), **extra})
    assert response.status_code == 200
    return response.content.decode()


def table(html, heading_id):
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</table>", start)]


def text(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


def grid(html, heading_id):
    """{country name: [cell texts]} of the table under the heading, whichever way it is laid out."""
    header, *body = [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table(html, heading_id), re.S)
    ]
    if header[0] == "Country":  # a row per country
        return {row[0]: row[1:] for row in body}
    return {name: [row[n] for row in body] for n, name in enumerate(header[1:], start=1)}


@pytest.fixture
def baltics():
    lt = CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")
    lv = CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
    users = IndicatorDefinitionFactory(name="Internet users", unit="people", order=1)
    IndicatorValueFactory(country=lt, definition=users, year=2010, value=1000)
    IndicatorValueFactory(country=lt, definition=users, year=2015, value=2500)
    IndicatorValueFactory(country=lv, definition=users, year=2019, value=9999, status=Status.DRAFT)
    LegalAgeFactory(country=lt, kind=LegalAge.Kind.SEXUAL_CONSENT, age=16)
    LegalAgeFactory(country=lv, kind=LegalAge.Kind.SEXUAL_CONSENT, age=16, lowered_age=14)
    lanzarote = InstrumentFactory(short_name="Lanzarote")
    CountryInstrumentStatusFactory(
        country=lt, instrument=lanzarote, status_kind=CountryInstrumentStatus.Step.SIGNED
    )
    grooming = TopicFactory(name="Grooming", slug="grooming")
    for months in (24, 96):
        provision = ProvisionFactory(act=LegalActFactory(country=lv), topics=[grooming])
        PenaltyRowFactory(provision=provision, max_months=months)
    return lt, lv


def test_form_is_get_with_a_label_for_every_country(client, baltics):
    html = page(client)
    assert 'method="get"' in html
    assert "<legend>Countries" in html
    for n, name in enumerate(["Latvia", "Lithuania"]):
        assert re.search(rf'<label for="id_country_{n}"><input [^>]*>\s*{name}</label>', html)
    assert "Choose at least two" not in html
    assert 'id="indicators"' not in html


def test_two_countries_side_by_side(client, baltics):
    html = page(client, "LT", "lv")
    assert grid(html, "indicators") == {
        "Latvia": [""],
        "Lithuania": ["2,500 (2015)"],
    }
    ages = grid(html, "legal-ages")
    consent = LegalAge.Kind.values.index(LegalAge.Kind.SEXUAL_CONSENT)
    assert ages["Lithuania"][consent] == "16"
    assert ages["Latvia"][consent] == "16 (14 by exception)"
    assert grid(html, "instruments") == {"Latvia": [""], "Lithuania": ["Signed"]}
    assert grid(html, "penalties") == {"Latvia": ["8 years"], "Lithuania": [""]}
    assert re.search(r'<input [^>]*value="LT"[^>]*checked', html)
    assert "<title>Compare Latvia, Lithuania" in html


def test_up_to_four_countries_are_columns_more_are_rows(client):
    countries = make_countries(5)
    few = page(client, *[c.iso_code for c in countries[:4]])
    head = re.search(r"<thead>(.*?)</thead>", table(few, "legal-ages"), re.S).group(1)
    assert [text(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)] == [
        "Legal age",
        *(c.name for c in countries[:4]),
    ]
    many = page(client, *[c.iso_code for c in countries])
    assert list(grid(many, "legal-ages")) == [c.name for c in countries]
    assert re.search(r"<thead><tr><th scope=\"col\">Country</th>", table(many, "legal-ages"))


def test_one_country_asks_for_two(client, baltics):
    html = page(client, "LT")
    assert "Choose at least two countries to compare." in html
    assert 'role="alert"' in html
    assert re.search(r'<input [^>]*value="LT"[^>]*checked', html)
    assert 'id="indicators"' not in html


def test_draft_countries_cannot_be_compared(client, baltics):
    CountryFactory(iso_code="EE", name="Estonia", status=Status.DRAFT)
    html = page(client, "LT", "EE")
    assert "No published country has the code EE." in html
    assert "Estonia" not in html


@pytest.mark.parametrize(
    "value",
    ["XX", "lt1", "<script>alert(1)</script>", "L" * 5000, "", "1", "ąž"],
)
def test_invalid_codes_give_a_form_error_never_a_500(client, baltics, value):
    html = page(client, "LT", value)
    assert 'role="alert"' in html
    assert "<script>alert" not in html
    assert 'id="indicators"' not in html


def test_too_many_values_are_refused(client, baltics):
    html = page(client, *(["LT"] * 301))
    assert "Choose at most 300 countries." in html


def make_countries(count):
    definitions = [IndicatorDefinitionFactory() for _ in range(3)]
    instruments = [InstrumentFactory() for _ in range(2)]
    topic = TopicFactory()
    criterion = CriterionFactory()
    countries = []
    for n in range(count):
        country = CountryFactory(iso_code=iso_code(26 * 3 + n), name=f"Generated {n:02d}")
        for definition in definitions:
            IndicatorValueFactory(country=country, definition=definition, year=2015, value=n)
        LegalAgeFactory(country=country)
        for instrument in instruments:
            CountryInstrumentStatusFactory(country=country, instrument=instrument)
        provision = ProvisionFactory(act=LegalActFactory(country=country), topics=[topic])
        PenaltyRowFactory(provision=provision, max_months=12 + n)
        AssessmentFactory(
            country=country, criterion=criterion, answer="meets", provisions=[provision]
        )
        countries.append(country)
    return countries


def test_query_count_is_the_same_for_2_and_20_countries(client):
    countries = make_countries(20)
    counts = []
    for chosen in (countries[:2], countries):
        with CaptureQueriesContext(connection) as queries:
            html = page(client, *[c.iso_code for c in chosen])
        counts.append(len(queries))
        assert len(grid(html, "indicators")) == len(chosen)
        assert len(grid(html, "penalties")) == len(chosen)
    assert counts == [COMPARE_QUERIES, COMPARE_QUERIES]


def test_country_page_and_country_list_link_here(client, baltics):
    country_page = client.get("/countries/lt/").content.decode()
    assert 'href="/compare/?country=LT"' in country_page
    assert 'href="/compare/"' in client.get("/countries/").content.decode()
    html = page(client, "LT")  # the link from the country page preselects it
    assert re.search(r'<input [^>]*value="LT"[^>]*checked', html)
