import datetime

import pytest
from django.urls import reverse

from laws.models import LegalAge, PenaltyRow
from laws.sections import country_section
from portal.models import Status
from tests.profiles.factories import CountryFactory

from .factories import (
    AssessmentFactory,
    ChildDefinitionFactory,
    CountryInstrumentStatusFactory,
    CriterionFactory,
    InstrumentFactory,
    LegalActFactory,
    LegalAgeFactory,
    PenaltyRowFactory,
    ProvisionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 1, 30


def provision_with_penalties(act, topics, max_years=5, child=False):
    provision = ProvisionFactory(act=act, topics=topics)
    PenaltyRowFactory(provision=provision, sanction="fine", max_months=None)
    PenaltyRowFactory(provision=provision, max_months=max_years * 12)
    if child:
        PenaltyRowFactory(
            provision=provision,
            option_set=2,
            condition="victim_child",
            max_months=(max_years + 5) * 12,
        )
    return provision


def country_with_laws(n, country=None):
    """A country with n provisions (each with penalties and topics), n instruments, n terms,
    and n benchmark assessments backed by them."""
    country = country or CountryFactory()
    for kind in LegalAge.Kind.values:
        LegalAgeFactory(country=country, kind=kind, age=16)
    topics = [TopicFactory(), TopicFactory()]
    act = LegalActFactory(country=country)
    for i in range(n):
        provision = provision_with_penalties(act, topics, max_years=i % 12 + 1, child=i % 2 == 0)
        definition = ChildDefinitionFactory(country=country, act=act)
        status = CountryInstrumentStatusFactory(
            country=country,
            instrument=InstrumentFactory(),
            date=datetime.date(2004, 7, 1),
            date_precision="month",
        )
        AssessmentFactory(
            country=country,
            answer="meets",
            provisions=[provision],
            definitions=[definition],
            instrument_statuses=[status],
        )
    return country, act


# --- country legislation overview ------------------------------------------------------------


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_country_legislation_query_count(client, django_assert_num_queries, n):
    country, _ = country_with_laws(n)
    url = reverse("laws:country-legislation", kwargs={"iso_code": country.iso_code.lower()})
    with django_assert_num_queries(12):  # + assessments and their three kinds of evidence
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["acts"][0].provisions.all()) == n


def test_country_legislation_shows_published_only(client):
    country, act = country_with_laws(1)
    provision = act.provisions.get()
    draft = ProvisionFactory(act=act, title="Secret draft offence", status=Status.DRAFT)
    LegalActFactory(country=country, title="Draft act", status=Status.DRAFT)
    draft_topic = TopicFactory(name="Hidden topic", status=Status.DRAFT)
    provision.topics.add(draft_topic)
    ChildDefinitionFactory(country=country, term="draft term", status=Status.DRAFT)
    CountryInstrumentStatusFactory(
        country=country, instrument__short_name="Draft treaty", instrument__status=Status.DRAFT
    )
    response = client.get(f"/countries/{country.iso_code.lower()}/legislation/")
    html = response.content.decode()
    assert provision.title in html
    assert "July 2004" in html
    for hidden in (draft.title, "Draft act", "Hidden topic", "draft term", "Draft treaty"):
        assert hidden not in html


def test_country_legislation_of_lithuania_from_fixture(client):
    from django.core.management import call_command

    from .test_fixtures import FIXTURES

    call_command("loaddata", *FIXTURES, verbosity=0)
    html = client.get("/countries/lt/legislation/").content.decode()
    for text in (
        "Age of majority",
        "18 (15 by exception)",
        "pregnant",
        "young child",
        "under 10",
        "14 to under 18",
        "Convention on Cybercrime",
        "July 2004",
        "Transposed",
        "Article 151.1",
        "Chapter 30",
        "15 years",
        "Victim a child",
        "Minor Protection Law",
    ):
        assert text in html, text


def test_country_legislation_404_for_unpublished_country(client):
    country = CountryFactory(status=Status.DRAFT)
    assert client.get(f"/countries/{country.iso_code.lower()}/legislation/").status_code == 404


# --- country page section -----------------------------------------------------------------


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_country_section_query_count(django_assert_num_queries, n):
    country, act = country_with_laws(n)
    with django_assert_num_queries(3):
        section = country_section(country)
    assert (section.id, section.title, section.order) == ("legislation", "Legislation", 60)
    assert section.context["acts"][0].provision_count == n


def test_country_section_on_the_country_page(client):
    country, _ = country_with_laws(2)
    ProvisionFactory(act=country.legal_acts.get(), status=Status.DRAFT)
    response = client.get(country.get_absolute_url())
    html = response.content.decode()
    assert 'id="legislation"' in html
    assert ": 2 provisions" in html  # the draft is not counted
    assert (
        reverse("laws:country-legislation", kwargs={"iso_code": country.iso_code.lower()}) in html
    )


def test_country_section_absent_without_data():
    assert country_section(CountryFactory()) is None


# --- provision list ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [SMALL, LARGE])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {
            "country": "NA",
            "topic": "topic-x",
            "sanction": "fine",
            "min_imprisonment": "2",
            "child_victim": "true",
            "q": "Offence",
            "act": "act-x",
        },
    ],
)
def test_provision_list_query_count(client, committed, django_assert_num_queries, n, params):
    with committed():
        country, act = country_with_laws(n, CountryFactory(iso_code="NA"))
        act.slug = "act-x"
        act.save()
        TopicFactory(slug="topic-x").provisions.set(act.provisions.all())
    # + the three choice look-ups the form validates and the search index
    expected = 6 if not params else 10
    with django_assert_num_queries(expected):
        response = client.get("/laws/", params)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == (
        n if not params else len([p for i, p in enumerate(act.provisions.all()) if i % 2 == 0])
    )


def test_provision_list_filters(client, committed):
    with committed():
        lt = CountryFactory(iso_code="LT", name="Lithuania")
        lv = CountryFactory(iso_code="LV", name="Latvia")
        violence = TopicFactory(slug="sexual-violence")
        cyber = TopicFactory(slug="cybercrime")
        lt_act = LegalActFactory(country=lt, slug="lt-code")
        rape = provision_with_penalties(lt_act, [violence], max_years=10, child=True)
        libel = provision_with_penalties(lt_act, [], max_years=1)
        hacking = provision_with_penalties(LegalActFactory(country=lv), [cyber], max_years=6)

    def numbers(**params):
        response = client.get("/laws/", params)
        assert response.status_code == 200
        return {p.pk for p in response.context["provisions"]}

    assert numbers() == {rape.pk, libel.pk, hacking.pk}
    assert numbers(country="LT") == {rape.pk, libel.pk}
    assert numbers(act="lt-code") == {rape.pk, libel.pk}
    assert numbers(topic="cybercrime") == {hacking.pk}
    assert numbers(min_imprisonment="10") == {rape.pk}
    assert numbers(min_imprisonment="6") == {rape.pk, hacking.pk}
    assert numbers(min_imprisonment="0.5") == {rape.pk, libel.pk, hacking.pk}
    assert numbers(child_victim="true") == {rape.pk}
    assert numbers(child_victim="false") == {libel.pk, hacking.pk}
    assert numbers(sanction="arrest") == set()
    assert numbers(sanction="fine") == {rape.pk, libel.pk, hacking.pk}
    assert numbers(q=rape.title) == {rape.pk}
    assert numbers(q=rape.number) == {rape.pk}
    assert numbers(q="offences", country="LV") == {hacking.pk}  # stemmed, and the country kept


def test_provision_list_published_only(client):
    visible = ProvisionFactory()
    ProvisionFactory(status=Status.DRAFT)
    ProvisionFactory(act__status=Status.IN_REVIEW)
    ProvisionFactory(act__country__status=Status.DRAFT)
    response = client.get("/laws/")
    assert list(response.context["provisions"]) == [visible]


@pytest.mark.parametrize(
    "params",
    [
        {"min_imprisonment": "abc"},
        {"min_imprisonment": "-3"},
        {"min_imprisonment": "1e400"},
        {"country": "ZZ"},
        {"act": "<script>"},
        {"topic": "nope"},
        {"sanction": "death"},
        {"child_victim": "perhaps"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"country": ["LT", "LV"], "page": "0"},
    ],
)
def test_provision_list_invalid_values_never_500(client, params):
    ProvisionFactory()
    response = client.get("/laws/", params)
    assert response.status_code == 200


def test_provision_list_invalid_filter_shows_error_and_empty_result(client):
    ProvisionFactory()
    response = client.get("/laws/", {"min_imprisonment": "abc"})
    assert response.context["filter"].form.errors
    assert response.context["page_obj"].paginator.count == 0
    assert 'role="alert"' in response.content.decode()


def test_provision_list_bad_page_shows_nearest_page(client):
    act = LegalActFactory()
    for _ in range(30):
        ProvisionFactory(act=act)
    response = client.get("/laws/", {"page": "999"})
    assert response.context["page_obj"].number == 2


def test_provision_list_form_has_labels(client):
    html = client.get("/laws/").content.decode()
    for name in ("country", "act", "topic", "sanction", "min_imprisonment", "child_victim", "q"):
        assert f'<label for="id_{name}">' in html


# --- provision detail --------------------------------------------------------------------


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_provision_detail_query_count(client, django_assert_num_queries, n):
    provision = ProvisionFactory(number="151.1", topics=[TopicFactory() for _ in range(n)])
    for i in range(n):
        PenaltyRowFactory(provision=provision, option_set=i + 1, max_months=12 * (i + 1))
    with django_assert_num_queries(4):  # + the last history entry
        response = client.get(provision.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["penalty_groups"]) == n


def test_provision_detail_penalty_table(client):
    provision = ProvisionFactory(number="149", title="Rape", act__slug="lt-criminal-code")
    PenaltyRowFactory(provision=provision, max_months=84)
    PenaltyRowFactory(
        provision=provision, option_set=2, condition="victim_minor", min_months=36, max_months=120
    )
    PenaltyRowFactory(provision=provision, option_set=3, condition="victim_child", max_months=180)
    response = client.get("/laws/lt-criminal-code/149/")
    html = response.content.decode()
    assert "<h1>Article 149: Rape</h1>" in html
    assert "<caption>" in html and 'scope="rowgroup"' in html
    assert "Victim a minor" in html and "3 years" in html and "10 years" in html
    assert "Maximum imprisonment: <strong>15 years</strong>" in html


def test_provision_detail_404s(client):
    draft = ProvisionFactory(status=Status.DRAFT)
    in_draft_act = ProvisionFactory(act__status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(in_draft_act.get_absolute_url()).status_code == 404
    assert client.get("/laws/no-act/149/").status_code == 404


# --- comparison (the legal tables of /compare/) ----------------------------------------------

# Country choices, chosen countries, indicator definitions and values, and the legal comparison:
# ages, instruments, statuses, topics, heaviest penalties; benchmark criteria, assessments and
# their three kinds of evidence.
COMPARE_QUERIES = 14


def legal_tables(response):
    """{table id: {iso code: cells}} of the legal tables on a compare page."""
    tables = {t.id: t for t in response.context["tables"]}
    return {
        key: {country.iso_code: cells for country, cells in tables[key].rows}
        for key in ("legal-ages", "instruments", "penalties")
    }


@pytest.mark.parametrize("n", [2, 50])
def test_compare_query_count_does_not_grow_with_the_countries(client, django_assert_num_queries, n):
    instruments = [InstrumentFactory() for _ in range(3)]
    topic = TopicFactory()
    criterion = CriterionFactory()
    countries = []
    for _ in range(n):
        country = CountryFactory()
        LegalAgeFactory(country=country)
        CountryInstrumentStatusFactory(country=country, instrument=instruments[0])
        provision = provision_with_penalties(LegalActFactory(country=country), [topic], 4)
        AssessmentFactory(country=country, criterion=criterion, provisions=[provision])
        countries.append(country)
    with django_assert_num_queries(COMPARE_QUERIES):
        response = client.get("/compare/", {"country": [c.iso_code for c in countries]})
    assert response.status_code == 200
    penalties = legal_tables(response)["penalties"]
    assert len(penalties) == n
    assert penalties[countries[-1].iso_code] == ["4 years"]


@pytest.mark.parametrize("n", [2, 50])
def test_compare_query_count_with_full_laws(client, django_assert_num_queries, n):
    countries = [CountryFactory() for _ in range(n)]
    for country in countries:
        country_with_laws(2, country)
    with django_assert_num_queries(COMPARE_QUERIES):
        response = client.get("/compare/", {"country": [c.iso_code for c in countries]})
    assert len(legal_tables(response)["legal-ages"]) == n


def test_compare_tables():
    from django.test import Client

    client = Client()
    lt = CountryFactory(iso_code="LT", name="Lithuania")
    lv = CountryFactory(iso_code="LV", name="Latvia")
    CountryFactory(iso_code="EE", name="Estonia")
    CountryFactory(iso_code="FI", name="Finland", status=Status.DRAFT)
    LegalAgeFactory(country=lt, kind="marriage", age=18, lowered_age=15)
    LegalAgeFactory(country=lv, kind="sexual_consent", age=16)
    cyber = InstrumentFactory(short_name="Convention on Cybercrime")
    CountryInstrumentStatusFactory(
        country=lt,
        instrument=cyber,
        status_kind="in_force",
        date=datetime.date(2004, 7, 1),
        date_precision="month",
    )
    CountryInstrumentStatusFactory(country=lt, instrument=cyber, status_kind="signed")
    violence = TopicFactory(name="Sexual violence")
    act = LegalActFactory(country=lt)
    provision_with_penalties(act, [violence], max_years=7)
    provision_with_penalties(act, [violence], max_years=10, child=True)  # 15 with child victim
    hidden = provision_with_penalties(act, [violence], max_years=30)
    hidden.status = Status.DRAFT
    hidden.save()

    response = client.get("/compare/", {"country": ["lt", "LV"]})
    tables = legal_tables(response)
    assert set(tables["legal-ages"]) == {"LT", "LV"}
    kinds = LegalAge.Kind.values
    assert tables["legal-ages"]["LT"][kinds.index("marriage")].lowered_age == 15
    assert tables["legal-ages"]["LV"][kinds.index("sexual_consent")].age == 16
    assert [s.status_kind for s in tables["instruments"]["LT"][0]] == ["signed", "in_force"]
    assert tables["instruments"]["LV"][0] == []
    assert tables["penalties"]["LT"] == ["15 years"]
    assert tables["penalties"]["LV"] == [""]
    html = response.content.decode()
    assert "July 2004" in html and "15 years" in html

    every = client.get("/compare/", {"country": ["LT", "EE", "LV"]})
    assert [c.iso_code for c, _ in every.context["tables"][0].rows] == ["EE", "LV", "LT"]


@pytest.mark.parametrize("value", ["ZZ", "<b>", "FI", ""])
def test_compare_unknown_country_shows_error_not_500(client, value):
    CountryFactory(iso_code="FI", status=Status.DRAFT)
    CountryFactory(iso_code="LT")
    CountryFactory(iso_code="LV")
    response = client.get("/compare/", {"country": [value, "LT", "LV"]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "tables" not in response.context
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize(
    "query", ["", "?country=LT&country=lv", "?country=%3Cb%3E&country=LT", "?country="]
)
def test_old_legal_comparison_redirects_to_the_compare_page(client, query):
    response = client.get(f"/laws/compare/{query}")
    assert response.status_code == 301
    assert response["Location"] == f"/compare/{query}"


def test_legislation_pages_link_to_the_compare_page(client):
    country = CountryFactory(iso_code="LT")
    overview = client.get(f"/countries/{country.iso_code.lower()}/legislation/").content.decode()
    assert 'href="/compare/?country=LT"' in overview
    assert 'href="/compare/"' in client.get("/laws/").content.decode()


def test_nav_links_to_laws(client):
    assert 'href="/laws/"' in client.get("/").content.decode()


def test_penalty_row_str():
    row = PenaltyRow(
        condition="victim_minor", sanction="imprisonment", min_months=24, max_months=120
    )
    assert str(row) == "Victim a minor: imprisonment for 2 to 10 years"
