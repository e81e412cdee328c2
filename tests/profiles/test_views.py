import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from portal.models import Status
from portal.search.query import search
from portal.search_index import rebuild
from profiles.models import Initiative, Organisation, Timeline
from profiles.sections import country_section

from .factories import (
    CountryFactory,
    IndicatorValueFactory,
    InitiativeFactory,
    InitiativeOrganisationFactory,
    MembershipFactory,
    OrganisationFactory,
    ReportingChannelFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# Queries of the profiles sections of the country page: indicators 1, initiatives 1 + themes,
# organisation roles and figures 3, organisations 1, channels 1 + figures and memberships 2.
PROFILE_SECTION_QUERIES = 9
INITIATIVE_LIST_QUERIES = 6  # count, page, themes, and the country, theme, organisation choices
FILTERED_LIST_QUERIES = 8  # the same, the lookup of the chosen country and the search index
ORGANISATION_TEXT_QUERIES = 4  # count, page, country choices, the search index
INITIATIVE_DETAIL_QUERIES = 5  # initiative + country, themes, roles, figures, last history entry
ORGANISATION_LIST_QUERIES = 3  # count, page, country choices
ORGANISATION_DETAIL_QUERIES = 8  # org, countries, roles, channels, figures, members x2, history


def body(response):
    assert response.status_code == 200
    return response.content.decode()


# Country page -----------------------------------------------------------------------------------


def test_country_page_shows_every_section_with_toc(client, lithuania):
    html = body(client.get("/countries/lt/"))
    for anchor in (
        "at-a-glance",
        "national-initiatives",
        "law-enforcement-reporting",
        "organisations",
        "where-to-report",
    ):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    assert html.count("<h1") == 1


def test_country_page_says_not_known_once_for_the_statistics_without_figures(client, lithuania):
    html = body(client.get("/countries/lt/"))
    start = html.index('id="at-a-glance"')
    section = html[start : html.index("<section id=", start)]
    assert html.lower().count("not known") == 1
    assert "<strong>Not known</strong>" in section
    for name in ("Population 0–14", "Internet users", "Facebook users", "Mobile subscribers"):
        assert f"<li>{name} " in section
    assert "<table" not in section  # no statistic has a figure: no table of empty cells
    assert "Internet World Stats; GSMA Intelligence" in section


def test_country_page_shows_known_indicator_with_source_and_year(client):
    value = IndicatorValueFactory(value=2500000, year=2014, source_name="Internet World Stats")
    html = body(client.get(value.country.get_absolute_url()))
    assert "2,500,000" in html and "2014" in html and "Internet World Stats" in html


def test_country_page_lists_every_initiative_grouped_by_year(client, lithuania):
    html = body(client.get("/countries/lt/"))
    national = html[html.index('id="national-initiatives"') : html.index('id="law-enforcement')]
    law = html[html.index('id="law-enforcement-reporting"') : html.index('id="organisations"')]
    for initiative in Initiative.objects.filter(country=lithuania):
        part = national if initiative.timeline == Timeline.NATIONAL else law
        assert f'id="initiative-{initiative.slug}"' in part
    assert re.findall(r'<h3 id="national-initiatives-(\d+)"', national) == [
        "2003", "2004", "2005", "2006", "2007", "2008", "2009", "2010", "2011", "2013", "2015",
        "2016",
    ]  # fmt: skip
    assert 'id="law-enforcement-reporting-1997"' in law
    assert "around 4,667" in law


def test_country_page_lists_organisations_and_channels(client, lithuania):
    html = body(client.get("/countries/lt/"))
    organisations = html[html.index('id="organisations"') : html.index('id="where-to-report"')]
    for organisation in Organisation.objects.all():
        assert organisation.get_absolute_url() in organisations
    report = html[html.index('id="where-to-report"') :]
    for name in ("Child Line", "Safer Internet LT hotline", "Lithuanian CERT reporting page"):
        assert name in report
    assert "member of INHOPE since 2008" in report


def test_country_page_hides_drafts(client):
    country = CountryFactory()
    InitiativeFactory(country=country, title="Published initiative")
    InitiativeFactory(country=country, title="Draft initiative", status=Status.DRAFT)
    draft_org = OrganisationFactory(name="Secret organisation", status=Status.DRAFT)
    draft_org.countries.add(country)
    InitiativeOrganisationFactory(
        initiative=InitiativeFactory(country=country, title="With draft partner"),
        organisation=draft_org,
    )
    ReportingChannelFactory(country=country, name="Draft channel", status=Status.DRAFT)
    IndicatorValueFactory(country=country, value=123456, status=Status.DRAFT)
    html = body(client.get(country.get_absolute_url()))
    assert "Published initiative" in html and "With draft partner" in html
    for hidden in ("Draft initiative", "Secret organisation", "Draft channel", "123,456"):
        assert hidden not in html


def test_country_page_escapes_text(client):
    initiative = InitiativeFactory(body="<script>alert(1)</script>")
    html = body(client.get(initiative.country.get_absolute_url()))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_profile_sections_run_a_fixed_number_of_queries(dataset, django_assert_num_queries):
    countries = [dataset["lithuania"], *dataset["generated"][:1]]
    for country in countries:
        with django_assert_num_queries(PROFILE_SECTION_QUERIES):
            sections = country_section(country)
            for section in sections:
                render_to_string(section.template, {"section": section, "country": country})


def test_country_page_query_count_is_the_same_with_large_data(client):
    """Other apps add their own sections: compare the whole page small vs large."""
    from .conftest import load_lithuania
    from .factories import build_large_dataset

    load_lithuania()
    with CaptureQueriesContext(connection) as small:
        body(client.get("/countries/lt/"))
    generated = build_large_dataset()
    with CaptureQueriesContext(connection) as large:
        body(client.get("/countries/lt/"))
    with CaptureQueriesContext(connection) as generated_page:
        html = body(client.get(generated[0].get_absolute_url()))
    assert html.count('class="initiative"') == 50
    assert len(small) == len(large) == len(generated_page)
    assert len(small) >= 1 + PROFILE_SECTION_QUERIES


# Initiatives ------------------------------------------------------------------------------------


def test_initiative_list_query_count(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(INITIATIVE_LIST_QUERIES):
        html = body(client.get("/initiatives/"))
    assert html.count('class="card"') == 25


def test_initiative_list_filtered_query_count(client, dataset, django_assert_num_queries):
    rebuild()  # the fixtures are loaded raw, without signals (as load_demo_data does)
    url = "/initiatives/?country=LT&timeline=national&year_min=2005&year_max=2012&q=internet"
    with django_assert_num_queries(FILTERED_LIST_QUERIES):
        html = body(client.get(url))
    found = search("internet", type_key="initiatives", country=dataset["lithuania"]).hits
    expected = [
        hit.obj for hit in found if hit.obj.timeline == "national" and 2005 <= hit.obj.year <= 2012
    ]
    assert 8 <= len(expected) <= 25 and html.count('class="card"') == len(expected)


def test_initiative_detail_query_count(client, dataset, django_assert_num_queries):
    initiative = Initiative.objects.get(title="Safer Internet (Saugesnis internetas) project")
    with django_assert_num_queries(INITIATIVE_DETAIL_QUERIES):
        html = body(client.get(initiative.get_absolute_url()))
    assert "Ministry of Education and Science" in html
    if dataset["generated"]:
        other = Initiative.objects.filter(country=dataset["generated"][0]).first()
        with django_assert_num_queries(INITIATIVE_DETAIL_QUERIES):
            body(client.get(other.get_absolute_url()))


def listed_titles(html):
    return re.findall(r'<h3><a href="/initiatives/[^"]+/">([^<]+)</a></h3>', html)


def test_initiative_filters(client, committed):
    with committed():
        make_filtered_initiatives()
    cases = {
        "": {"Alpha hotline", "Beta strategy", "Gamma school"},
        "?country=LT": {"Alpha hotline", "Beta strategy"},
        "?theme=law-enforcement": {"Alpha hotline"},
        "?timeline=law_enforcement": {"Beta strategy"},
        "?year_min=2008": {"Beta strategy", "Gamma school"},
        "?year_min=2008&year_max=2012": {"Beta strategy"},
        "?organisation=police": {"Alpha hotline"},
        "?q=SCHOOL": {"Gamma school"},
        "?q=schools&country=LV": {"Gamma school"},
        "?q=school&country=LT": set(),
    }
    for query, expected in cases.items():
        assert set(listed_titles(body(client.get("/initiatives/" + query)))) == expected, query


def make_filtered_initiatives():
    lt = CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")
    lv = CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
    theme = ThemeFactory(name="Law enforcement", slug="law-enforcement")
    police = OrganisationFactory(name="Police", slug="police")
    # Fixed bodies: random text could contain the searched word.
    a = InitiativeFactory(
        country=lt, title="Alpha hotline", body="First.", year=2007, themes=[theme]
    )
    InitiativeOrganisationFactory(initiative=a, organisation=police)
    InitiativeFactory(
        country=lt,
        title="Beta strategy",
        body="Second.",
        year=2011,
        timeline=Timeline.LAW_ENFORCEMENT,
    )
    InitiativeFactory(country=lv, title="Gamma school", body="Third.", year=2015)


@pytest.mark.parametrize(
    "query",
    [
        "year_min=abc",
        "year_max=20155",
        "theme=no-such-theme",
        "country=XX",
        "timeline=bogus",
        "organisation=nobody",
        "year_min=1e400",
        "page=abc",
        "page=-1",
        "page=99999999999999999999",
    ],
)
def test_invalid_initiative_filters_never_fail(client, query):
    InitiativeFactory(title="Only one")
    html = body(client.get(f"/initiatives/?{query}"))
    if query.startswith("page"):
        assert listed_titles(html) == ["Only one"]
    else:
        assert listed_titles(html) == []
        assert 'class="errorlist' in html


def test_initiative_list_pagination_keeps_filters(client):
    country = CountryFactory(iso_code="LT")
    for n in range(30):
        InitiativeFactory(country=country, title=f"Item {n:02}")
    html = body(client.get("/initiatives/?country=LT"))
    assert "?country=LT&amp;page=2" in html
    assert len(listed_titles(body(client.get("/initiatives/?country=LT&page=2")))) == 5


def test_initiative_list_and_detail_hide_drafts(client):
    draft = InitiativeFactory(title="Draft thing", status=Status.DRAFT)
    hidden_country = InitiativeFactory(
        title="In draft country", country=CountryFactory(status=Status.DRAFT)
    )
    assert listed_titles(body(client.get("/initiatives/"))) == []
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(hidden_country.get_absolute_url()).status_code == 404


def test_initiative_detail_shows_roles_figures_themes_source(client, lithuania):
    initiative = Initiative.objects.get(title="Modern Ways of acquiring ICT Knowledge")
    html = body(client.get(initiative.get_absolute_url()))
    assert "LIA</a> — lead" in html and "Microsoft</a> — partner" in html
    assert "1,500" in html and "people took the online courses" in html
    assert "?theme=education-awareness" in html
    assert "Lithuania country page" in html


# Organisations ----------------------------------------------------------------------------------


def test_organisation_list_query_count(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(ORGANISATION_LIST_QUERIES):
        html = body(client.get("/organisations/"))
    assert html.count('class="card"') == 25


def test_organisation_detail_query_count(client, dataset, django_assert_num_queries):
    hotline = Organisation.objects.get(name="Safer Internet LT hotline")
    with django_assert_num_queries(ORGANISATION_DETAIL_QUERIES):
        html = body(client.get(hotline.get_absolute_url()))
    assert "INHOPE" in html
    if dataset["generated"]:
        other = Organisation.objects.get(name="Large organisation 0-1")
        with django_assert_num_queries(ORGANISATION_DETAIL_QUERIES):
            body(client.get(other.get_absolute_url()))


def organisation_names(html):
    return re.findall(r'<h3><a href="/organisations/[^"]+/">([^<]+)</a>', html)


def test_organisation_list_text_filter_query_count(client, dataset, django_assert_num_queries):
    rebuild()  # the fixtures are loaded raw, without signals (as load_demo_data does)
    with django_assert_num_queries(ORGANISATION_TEXT_QUERIES):
        html = body(client.get("/organisations/?q=hotline"))
    assert "Safer Internet LT hotline" in html


def test_organisation_filters(client, committed):
    with committed():
        lt = CountryFactory(iso_code="LT")
        OrganisationFactory(name="Hotline LT", kind="hotline", countries=[lt])
        OrganisationFactory(name="World body", kind="international", scope="international")
        OrganisationFactory(name="Kids NGO", acronym="KN", countries=[lt])
    cases = {
        "?country=LT": {"Hotline LT", "Kids NGO"},
        "?kind=hotline": {"Hotline LT"},
        "?scope=international": {"World body"},
        "?q=kn": {"Kids NGO"},
    }
    for query, expected in cases.items():
        assert set(organisation_names(body(client.get("/organisations/" + query)))) == expected


@pytest.mark.parametrize("query", ["kind=zzz", "scope=galactic", "country=lt1", "page=x"])
def test_invalid_organisation_filters_never_fail(client, query):
    OrganisationFactory(name="Only org")
    names = organisation_names(body(client.get(f"/organisations/?{query}")))
    assert names == (["Only org"] if query.startswith("page") else [])


def test_organisation_detail_shows_memberships_members_initiatives_channels(client, lithuania):
    html = body(client.get("/organisations/safer-internet-lt-hotline/"))
    assert 'Member of <a href="/organisations/inhope/">INHOPE</a> since 2008' in html
    assert "Lithuanian CERT" not in html
    assert "Safer Internet LT hotline</h3>" in html  # its reporting channel
    inhope = body(client.get("/organisations/inhope/"))
    assert 'href="/organisations/safer-internet-lt-hotline/"' in inhope  # its members
    lia = body(client.get("/organisations/lia/"))
    assert "Computer Literacy Basics for a Lithuanian E-Citizen" in lia
    assert "Website:" not in lia  # no website given: the field is left out


def test_organisation_detail_hides_drafts(client):
    org = OrganisationFactory()
    MembershipFactory(
        member=org, organisation=OrganisationFactory(name="Hidden network", status=Status.DRAFT)
    )
    InitiativeOrganisationFactory(
        organisation=org, initiative=InitiativeFactory(title="Hidden work", status=Status.DRAFT)
    )
    html = body(client.get(org.get_absolute_url()))
    assert "Hidden network" not in html and "Hidden work" not in html
    draft = OrganisationFactory(status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_nav_links_to_the_lists(client, lithuania):
    html = body(client.get("/"))
    assert 'href="/initiatives/"' in html and 'href="/organisations/"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/countries/lt/",
        "/initiatives/",
        "/initiatives/?year_min=abc",
        "/initiatives/lt-2008-modern-ways-of-acquiring-ict-knowledge/",
        "/organisations/",
        "/organisations/safer-internet-lt-hotline/",
    ],
)
def test_pages_have_one_h1_headings_in_order_and_labelled_fields(client, lithuania, url):
    html = body(client.get(url))
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    for field_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html):
        assert f'for="{field_id}"' in html
