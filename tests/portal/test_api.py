"""The read-only API at /api/v1/ (portal/api), through the test client on the demo data and on
factories: every record type's list and detail, the same filters as the public list pages, 400s
for bad input, public records only (also as related records), the rate limit, CORS, conditional
GET and a constant number of SQL queries per page."""

import base64
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import page_cache
from portal.api.routes import detail_url, endpoints
from portal.management.commands.load_demo_data import demo_fixture_files
from portal.models import Status
from portal.records import record_types
from tests.laws.factories import ProvisionFactory, TopicFactory
from tests.library.factories import AuthorFactory, ReportFactory
from tests.library.factories import TopicFactory as LibraryTopicFactory
from tests.profiles.factories import (
    CountryFactory,
    OrganisationFactory,
    ReportingChannelFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
# Query strings of the public list pages, sent as they are to the API's list of the same type.
PAGE_QUERIES = {
    "initiatives": [
        "",
        "country=LT",
        "theme=education-awareness",
        "timeline=national",
        "year_min=2005&year_max=2012",
        "q=internet",
        "q=internet&year_min=2010",
        "organisation=child-line",
    ],
    "organisations": ["", "country=LT", "scope=national", "q=child"],
    "reports": [
        "",
        "country=LT",
        "year_min=2015",
        "type=legal_review",
        "topic=legislation",
        "author=livingstone-sonia",
        "q=internet",
        "sort=title",
    ],
    "provisions": [
        "",
        "country=LT",
        "act=lt-criminal-code",
        "topic=sexual-violence",
        "sanction=imprisonment",
        "min_imprisonment=5",
        "child_victim=true",
        "child_victim=false",
        "q=minor",
    ],
}
BAD_FILTERS = {
    "reports": {"year_min": "abc", "type": "nonsense", "country": "ZZ", "q": "x" * 201},
    "initiatives": {"year_max": "20155", "theme": "no-such-theme"},
    "organisations": {"kind": "nonsense"},
    "provisions": {"min_imprisonment": "abc", "sanction": "nonsense", "act": "no-such-act"},
}


@pytest.fixture
def demo(db):
    call_command("loaddata", *[str(f) for f in demo_fixture_files()], verbosity=0)
    call_command("rebuild_search_index", verbosity=0)


@pytest.fixture
def records(lt):
    """A few public records of a few types, for the tests that need some but not the demo."""
    make_reports(3, lt)
    return lt


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def every_page(client, url, query=""):
    """The api_url of every record of a list, following `next` to the end."""
    found = []
    url = f"{url}?{query}&page_size=500" if query else f"{url}?page_size=500"
    while url:
        page = get_json(client, url)
        found += [urlsplit(r["api_url"]).path for r in page["results"]]
        url = page["next"]
    return found


def list_url(declared):
    return reverse(f"api:{declared.api.path}-list")


def test_every_record_type_is_served(demo, client):
    served = {t.model for t in endpoints()}
    assert served == {t.model for t in record_types()}, "declare an ApiEndpoint for every type"
    index = get_json(client, API)
    assert set(index["collections"]) == {t.api.path for t in endpoints()}
    for declared in endpoints():
        public = declared.public()
        listed = every_page(client, list_url(declared))
        assert listed, declared.label
        assert len(listed) == len(set(listed)) == public.count(), declared.label
        assert set(listed) == {detail_url(r) for r in public}, declared.label
        first = get_json(client, list_url(declared))["results"][0]
        detail = get_json(client, first["api_url"])
        assert detail == first, declared.label
        assert "status" not in detail and "version" not in detail
        for private in declared.api.private:
            assert private not in detail
    check_related_records_are_identifiers_and_links(client)
    check_detail_addresses_are_natural_identifiers(client)


def check_related_records_are_identifiers_and_links(client):
    provision = get_json(client, reverse("api:provisions-list"), act="lt-criminal-code")
    first = provision["results"][0]
    assert first["country"]["id"] == "LT"
    assert get_json(client, first["country"]["api_url"])["iso_code"] == "LT"
    assert first["act"] == {
        "id": "lt-criminal-code",
        "api_url": "http://testserver/api/v1/legal-acts/lt-criminal-code/",
    }
    for topic in first["topics"]:
        assert get_json(client, topic["api_url"])["slug"] == topic["id"]
    report = get_json(client, reverse("api:reports-list"))["results"][0]
    assert all(isinstance(slug, str) for slug in report["topics"])  # a plain model: its slug
    assert "url" in report  # the report's own web address, beside its api_url


def check_detail_addresses_are_natural_identifiers(client):
    assert get_json(client, f"{API}countries/lt/")["name"] == "Lithuania"
    assert client.get(f"{API}countries/LT/").status_code == 301  # one address per record
    age = get_json(client, f"{API}legal-ages/lt/majority/")
    assert (age["kind"], age["country"]["id"]) == ("majority", "LT")
    status = get_json(client, f"{API}instrument-statuses/")["results"][0]
    assert status["api_url"].startswith(
        f"http://testserver{API}instrument-statuses/lt/{status['instrument']['id']}/".replace(
            " ", "%20"
        )
    )
    assert get_json(client, status["instrument"]["api_url"])["short_name"]
    for missing in ("countries/zz/", "reports/no-such-report/", "provisions/a/b/", "nothing/"):
        response = client.get(f"{API}{missing}")
        assert response.status_code == 404, missing
        assert response["Content-Type"] == "application/json"


def test_filters_give_the_records_of_the_public_page(demo, client):
    filtered = [t for t in endpoints() if t.api.filterset]
    assert {t.api.path for t in filtered} == set(PAGE_QUERIES)
    for declared in filtered:
        page_url = reverse(declared.list_page.url_name)
        for query in PAGE_QUERIES[declared.api.path]:
            page = client.get(f"{page_url}?{query}")
            assert page.status_code == 200, query
            assert type(page.context["filter"]) is declared.api.filterset
            expected = {detail_url(r) for r in page.context["paginator"].object_list}
            found = every_page(client, list_url(declared), query)
            assert len(found) == len(set(found)), query
            assert set(found) == expected, query
        assert expected, f"the last query of {declared.api.path} finds nothing: choose another"


def test_an_invalid_filter_value_is_a_400_with_the_field_message(client, lt):
    for path, values in BAD_FILTERS.items():
        declared = next(t for t in endpoints() if t.api.path == path)
        page_url = reverse(declared.list_page.url_name)
        for name, value in values.items():
            response = client.get(list_url(declared), {name: value})
            assert response.status_code == 400, (name, value)
            form = client.get(page_url, {name: value}).context["filter"].form
            assert response.json() == {name: form.errors[name]}, (name, value)


def test_a_bad_cursor_or_page_size_is_a_400_or_ignored(records, client):
    url = reverse("api:reports-list")
    forged = base64.b64encode(b"p=abc").decode()
    for cursor in ("zzz", forged, base64.b64encode(b"o=-1").decode()):
        response = client.get(url, {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert list(response.json()) == ["cursor"]
    # A page size out of bounds gives the default or the largest one, as DRF does.
    assert len(get_json(client, url, page_size="abc")["results"]) <= 50
    assert get_json(client, url, page_size="2")["next"]


def test_pages_follow_each_other_in_a_stable_order(client, lt):
    make_reports(7, lt)
    url = reverse("api:reports-list")
    first = get_json(client, url, page_size=3)
    second = get_json(client, first["next"])
    assert second["previous"]
    back = get_json(client, second["previous"])
    assert back["results"] == first["results"]
    ids = [r["api_url"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 6


def test_drafts_never_reach_the_api_as_related_records(client, lt):
    draft_country = type(lt).objects.create(
        iso_code="ZY", name="Draftland", slug="draftland", status=Status.DRAFT
    )
    draft_org = OrganisationFactory(slug="draft-org", status=Status.DRAFT)
    channel = ReportingChannelFactory(country=lt, organisation=draft_org, status=Status.PUBLISHED)
    organisation = OrganisationFactory(countries=[lt, draft_country], status=Status.PUBLISHED)
    organisation.memberships.add(draft_org)
    draft_author = AuthorFactory(slug="draft-author", status=Status.DRAFT)
    author = AuthorFactory(slug="public-author", status=Status.PUBLISHED)
    report = ReportFactory(countries=[lt, draft_country], status=Status.PUBLISHED)
    report.authors.add(draft_author, author, through_defaults={"position": 1})
    provision = ProvisionFactory(act__country=lt, act__status=Status.PUBLISHED)
    provision.topics.add(TopicFactory(slug="draft-topic", status=Status.DRAFT))

    text = json.dumps(
        [
            get_json(client, detail_url(channel)),
            get_json(client, detail_url(organisation)),
            get_json(client, detail_url(report)),
            get_json(client, detail_url(provision)),
        ]
    )
    for hidden in ("draft-org", "ZY", "zy/", "draft-author", "draft-topic"):
        assert hidden not in text, hidden
    assert get_json(client, detail_url(channel))["organisation"] is None
    assert [a["id"] for a in get_json(client, detail_url(report))["authors"]] == ["public-author"]


def make_reports(count, country, offset=0):
    topic = LibraryTopicFactory()
    for n in range(count):
        report = ReportFactory(
            slug=f"api-report-{offset + n}", countries=[country], status=Status.PUBLISHED
        )
        report.topics.add(topic)
        report.authors.add(AuthorFactory(status=Status.PUBLISHED), through_defaults={"position": 1})


def page_queries(client, url):
    client.get(url)  # content types and the like, cached by any earlier request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.json()["results"])


def test_queries_per_page_do_not_grow_with_the_records(client, lt):
    make_reports(1, lt)
    url = f"{reverse('api:reports-list')}?country=LT&page_size=100"
    one = page_queries(client, url)
    make_reports(30, lt, offset=1)
    many = page_queries(client, url)
    assert (one[1], many[1]) == (1, 31)
    assert one[0] == many[0], (one, many)
    deep = get_json(client, reverse("api:reports-list"), page_size=10)["next"]
    deep_page = get_json(client, deep)["next"]
    assert page_queries(client, deep_page)[0] <= many[0]


@pytest.mark.parametrize("declared", endpoints(), ids=lambda t: t.api.path)
def test_queries_per_page_are_constant_for_every_type(client, declared):
    from tests.portal.test_visibility import make

    def sample(n):  # each in a country of its own: some types allow one record per country
        mark = f"Qmark{n} {declared.model._meta.model_name}"
        make(declared, status=Status.PUBLISHED, country=CountryFactory(), mark=mark)

    sample(0)
    url = f"{list_url(declared)}?page_size=100"
    one = page_queries(client, url)
    for n in range(1, 4):
        sample(n)
    many = page_queries(client, url)
    assert many[1] > one[1]
    assert one[0] == many[0], declared.label


@pytest.fixture
def fresh_limits(settings, monkeypatch):
    cache.clear()
    monkeypatch.setattr(page_cache, "health", page_cache.CacheHealth())
    settings.PORTAL_API_RATE = "3/minute"
    yield
    cache.clear()


def test_anonymous_readers_are_rate_limited(records, client, fresh_limits):
    url = reverse("api:countries-list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "detail" in refused.json()
    # Another address has its own allowance.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_failing_cache_lets_requests_through(records, client, fresh_limits, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    url = reverse("api:countries-list")
    assert [client.get(url).status_code for _ in range(5)] == [200] * 5
    assert not page_cache.health.trusted


def test_cross_origin_reads_are_allowed_on_the_api_only(records, client):
    origin = {"HTTP_ORIGIN": "https://research.example.org"}
    response = client.get(reverse("api:reports-list"), **origin)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        reverse("api:reports-list"), HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert not client.get("/library/", **origin).has_header("Access-Control-Allow-Origin")


def test_the_api_is_read_only(records, client):
    url = reverse("api:reports-list")
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(url, {}).status_code == 405


def test_revalidation_is_a_304_without_queries(records, client):
    url = f"{reverse('api:reports-list')}?country=LT&page_size=2"
    first = client.get(url)
    assert first["Cache-Control"] == "public, no-cache"
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert (again.status_code, len(captured.captured_queries)) == (304, 0)
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(f"{reverse('api:reports-list')}?country=LT&page_size=3")
    assert other["ETag"] != first["ETag"]


def test_markup_in_a_reflected_value_is_escaped(records, client):
    response = client.get(reverse("api:organisations-list"), {"kind": "<b>x</b>"})
    assert response.status_code == 400
    assert b"<b>" not in response.content
    assert "<b>x</b>" in response.json()["kind"][0]  # the same text for a JSON reader


def test_the_schema_describes_every_collection(records, client):
    response = client.get(
        reverse("api:schema"), headers={"accept": "application/vnd.oai.openapi+json"}
    )
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for declared in endpoints():
        path = list_url(declared)
        assert path in schema["paths"], path
        assert "400" in schema["paths"][path]["get"]["responses"] or not declared.api.filterset
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"cursor", "page_size"} <= names
        if declared.api.filterset:
            assert set(declared.api.filterset.base_filters) <= names, path


def test_the_docs_page_is_served_from_our_static_files(records, client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"' in html
    assert "http://" not in html.split("<main", 1)[1].split("</main>")[0].replace(
        "http://testserver", ""
    )
    policy = response["Content-Security-Policy"]
    style = next(d for d in policy.split(";") if d.strip().startswith("style-src"))
    nonce = style.split("'nonce-")[1].split("'")[0]
    assert f'data-nonce="{nonce}"' in html
    assert "unsafe-inline" not in policy
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'"
    # Other pages keep the site's policy: no nonce for styles.
    assert "nonce-" not in client.get("/library/")["Content-Security-Policy"]


def test_decimal_values_keep_their_precision(client, lt):
    from tests.profiles.factories import IndicatorValueFactory

    value = IndicatorValueFactory(country=lt, value=Decimal("1234567.89"), status=Status.PUBLISHED)
    assert get_json(client, detail_url(value))["value"] == "1234567.89"
