import json

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from library.models import Report
from portal.models import Status
from portal.search_index import rebuild
from tests.profiles.factories import CountryFactory

from .factories import AuthorFactory, ReportFactory, TopicFactory, build_reports

pytestmark = pytest.mark.django_db
LIST = reverse("library:report-list")


def titles(response):
    return [r.title for r in response.context["reports"]]


@pytest.fixture
def sample(committed):
    with committed():
        return make_sample()


def make_sample():
    lt = CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")
    lv = CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
    sonia = AuthorFactory(family_name="Livingstone", given_names="Sonia", slug="livingstone-sonia")
    leslie = AuthorFactory(family_name="Haddon", given_names="Leslie", slug="haddon-leslie")
    hidden = AuthorFactory(family_name="Hidden", status=Status.DRAFT)
    risks = TopicFactory(name="Online risks", slug="online-risks")
    policy = TopicFactory(name="Policy", slug="policy")
    old = ReportFactory(
        title="Zero to Eight",
        year=2013,
        report_type="literature_review",
        summary="Younger children and online risks.",
        authors=[sonia, hidden],
        topics=[risks],
        countries=[lt],
    )
    new = ReportFactory(
        title="National perspectives",
        year=2015,
        report_type="survey",
        summary="Experiences of children in 33 countries.",
        authors=[leslie, sonia],
        topics=[risks, policy],
        countries=[lt, lv],
    )
    new.titles.create(title="EU Kids Online: National perspectives")
    oldest = ReportFactory(
        title="Advocacy for computer access", year=2010, report_type="other", countries=[lv]
    )
    draft = ReportFactory(
        title="Draft report", year=2016, status=Status.DRAFT, authors=[sonia], countries=[lt]
    )
    return locals()


def test_list_shows_published_reports_newest_first(client, sample):
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == [
        "National perspectives",
        "Zero to Eight",
        "Advocacy for computer access",
    ]
    assert b"Draft report" not in response.content
    assert b"Hidden" not in response.content  # a draft author is not shown


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "younger"}, ["Zero to Eight"]),
        ({"q": "EU Kids Online"}, ["National perspectives"]),  # alternative title
        ({"q": "haddon"}, ["National perspectives"]),  # author name
        ({"q": "hidden"}, []),  # a draft author's name is not searched
        ({"q": "children", "country": "LV"}, ["National perspectives"]),
        ({"q": "children", "year_max": 2014}, ["Zero to Eight"]),
        ({"q": "children", "sort": "oldest"}, ["Zero to Eight", "National perspectives"]),
        ({"year_min": 2011, "year_max": 2014}, ["Zero to Eight"]),
        ({"author": "haddon-leslie"}, ["National perspectives"]),
        ({"author": "livingstone-sonia"}, ["National perspectives", "Zero to Eight"]),
        ({"topic": "policy"}, ["National perspectives"]),
        ({"country": "LV"}, ["National perspectives", "Advocacy for computer access"]),
        ({"type": "literature_review"}, ["Zero to Eight"]),
        (
            {"sort": "title"},
            ["Advocacy for computer access", "National perspectives", "Zero to Eight"],
        ),
        (
            {"sort": "oldest"},
            ["Advocacy for computer access", "Zero to Eight", "National perspectives"],
        ),
    ],
)
def test_list_filters(client, sample, query, expected):
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"year_min": "abc"},
        {"year_max": "99999"},
        {"author": "nobody"},
        {"topic": "no-such-topic"},
        {"country": "XX"},
        {"type": "poem"},
        {"sort": "sideways"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "999999"},
    ],
)
def test_invalid_values_never_fail(client, sample, query):
    response = client.get(LIST, query)
    assert response.status_code == 200
    if "page" not in query:
        assert response.context["filter"].form.errors
        assert titles(response) == []


def test_an_unknown_format_is_a_bad_request(client, sample):
    response = client.get(LIST, {"country": "LT", "format": "exe"})
    assert response.status_code == 400
    assert b"csv, xlsx, json" in response.content


def test_facet_counts_follow_the_filtered_list(client, sample):
    facets = client.get(LIST).context["facets"]
    assert {r["topic__slug"]: r["n"] for r in facets["topics"]} == {"online-risks": 2, "policy": 1}
    assert {r["country__iso_code"]: r["n"] for r in facets["countries"]} == {"LT": 2, "LV": 2}
    assert {r["year"]: r["n"] for r in facets["years"]} == {2015: 1, 2013: 1, 2010: 1}
    assert {r["value"]: r["n"] for r in facets["types"]} == {
        "survey": 1,
        "literature_review": 1,
        "other": 1,
    }
    facets = client.get(LIST, {"country": "LT"}).context["facets"]
    assert {r["topic__slug"]: r["n"] for r in facets["topics"]} == {"online-risks": 2, "policy": 1}
    assert {r["year"]: r["n"] for r in facets["years"]} == {2015: 1, 2013: 1}


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("bibtex", "application/x-bibtex", "bib"),
        ("ris", "application/x-research-info-systems", "ris"),
        ("csljson", "application/vnd.citationstyles.csl+json", "json"),
    ],
)
def test_filtered_list_downloads(client, sample, fmt, content_type, extension):
    response = client.get(LIST, {"country": "LT", "format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="library.{extension}"'
    text = response.content.decode()
    if fmt == "bibtex":
        got = [e["title"].strip("{}") for e in bibtexparser.parse_string(text).entries]
    elif fmt == "ris":
        got = [r["title"] for r in rispy.loads(text)]
    else:
        got = [item["title"] for item in json.loads(text)]
    assert got == ["National perspectives", "Zero to Eight"]


def test_invalid_filter_downloads_an_empty_file(client, sample):
    response = client.get(LIST, {"year_min": "abc", "format": "csljson"})
    assert json.loads(response.content) == []


def test_report_detail(client, sample):
    report = sample["new"]
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>National perspectives</h1>" in content
    assert content.index("Leslie Haddon") < content.index("Sonia Livingstone")
    assert "EU Kids Online: National perspectives" in content
    assert "Cite this" in content
    assert "Haddon, L., &amp; Livingstone, S. (2015). National perspectives." in content
    for name in ("report-bibtex", "report-ris", "report-csljson"):
        assert reverse(f"library:{name}", args=[report.slug]) in content


def test_draft_report_and_author_are_not_found(client, sample):
    assert client.get(sample["draft"].get_absolute_url()).status_code == 404
    assert client.get(sample["hidden"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type", "extension"),
    [
        ("report-bibtex", "application/x-bibtex", "bib"),
        ("report-ris", "application/x-research-info-systems", "ris"),
        ("report-csljson", "application/vnd.citationstyles.csl+json", "json"),
    ],
)
def test_report_citation_downloads(client, sample, name, content_type, extension):
    report = sample["new"]
    response = client.get(reverse(f"library:{name}", args=[report.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == (f'attachment; filename="{report.slug}.{extension}"')
    assert client.get(reverse(f"library:{name}", args=["draft-report-x"])).status_code == 404


def test_author_page_lists_published_reports(client, sample):
    response = client.get(sample["sonia"].get_absolute_url())
    assert response.status_code == 200
    assert [r.title for r in response.context["author"].public_reports] == [
        "National perspectives",
        "Zero to Eight",
    ]
    assert b"Draft report" not in response.content


def test_country_section_lists_recent_reports_and_links_to_the_library(client, sample):
    response = client.get(reverse("profiles:country-detail", args=["lt"]))
    content = response.content.decode()
    assert 'id="research"' in content
    section = content[content.index('id="research"') :]
    assert section.index("National perspectives") < section.index("Zero to Eight")
    assert "Draft report" not in section
    assert "/library/?country=LT" in section


def test_country_section_is_limited_to_the_ten_most_recent(client):
    data = build_reports(15)
    country = data["country"]
    response = client.get(country.get_absolute_url())
    sections = {s.id: s for s in response.context["sections"]}
    research = sections["research"]
    assert research.order == 70 and research.title == "Research"
    years = [r.year for r in research.context["reports"]]
    assert len(years) == 10 and years == sorted(years, reverse=True)
    assert research.context["total"] == 15


# Query counts: fixed whatever the amount of data -------------------------------------------------


SIZES = [10, 500]


@pytest.fixture(params=SIZES)
def bulk(request, db):
    return build_reports(request.param)


def test_list_query_count(client, bulk, django_assert_num_queries):
    # count, page, authors, topics, countries, 4 facet aggregates, the author, topic and
    # country choices of the filter form and the country filter's own look-up
    with django_assert_num_queries(13):
        response = client.get(LIST, {"country": bulk["country"].iso_code})
    assert response.status_code == 200
    assert len(response.context["reports"]) == min(len(bulk["reports"]), 25)


def test_list_text_filter_query_count(client, bulk, django_assert_num_queries):
    rebuild()  # the bulk rows are written without signals
    # the same as above and the search index
    with django_assert_num_queries(14):
        response = client.get(LIST, {"country": bulk["country"].iso_code, "q": "bulk report"})
    assert response.status_code == 200
    assert len(response.context["reports"]) == min(len(bulk["reports"]), 25)


def test_list_download_query_count(client, bulk, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = client.get(LIST, {"format": "ris"})
    assert len(rispy.loads(response.content.decode())) == len(bulk["reports"])


def test_detail_query_count(client, bulk, django_assert_num_queries):
    report = bulk["reports"][0]
    with django_assert_num_queries(6):  # + the last history entry
        response = client.get(reverse("library:report-detail", args=[report.slug]))
    assert response.status_code == 200


def test_author_query_count(client, bulk, django_assert_num_queries):
    with django_assert_num_queries(6):  # + the last history entry
        response = client.get(bulk["author"].get_absolute_url())
    assert len(response.context["author"].public_reports) == len(bulk["reports"])


def test_country_section_query_count(bulk, django_assert_num_queries):
    from library.sections import country_section

    with django_assert_num_queries(5):
        section = country_section(bulk["country"])
    assert len(section.context["reports"]) == 10
    assert Report.objects.count() == len(bulk["reports"])
