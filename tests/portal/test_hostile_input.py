"""Every URL against hostile query strings and paths: never a 500, never markup reflected
unescaped.

The URLs come from the URL resolver (everything outside /admin/); the parameters of detail
pages come from the Lithuania fixtures (any published record's own address that resolves to the
same kind of pattern). The query-string names come from the forms each page shows, plus the
common ones (q, page, year, format, ...).
"""

import re
from urllib.parse import quote, unquote

import pytest
from django.core.management import call_command
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern

from laws.models import Framework, Provision
from library.models import Author, Report
from portal.api.routes import detail_url, endpoints
from portal.converters import CountryCodeConverter, OptionalNumberConverter
from portal.health import HEALTH_PATH
from portal.management.commands.load_demo_data import demo_fixture_files
from portal.models import Status
from profiles.models import Country, Initiative, Organisation
from tests.profiles.factories import CountryFactory

MARKUP = "<script>alert(1)</script>"
COMMON_NAMES = (
    "q",
    "page",
    "year",
    "year_min",
    "year_max",
    "country",
    "type",
    "kind",
    "topic",
    "theme",
    "format",
    "sort",
    "status",
)
HOSTILE_VALUES = {
    "negative": "-1",
    "huge": "99999999999999999999",
    "text": "abc",
    "five digit year": "20155",
    "markup": MARKUP,
    "nul byte": "a\x00b",
    "5000 characters": "x" * 5000,
    "unknown choice": "no-such-choice",
    "quotes and operators": '"unbalanced AND * NEAR(',
}
ALLOWED = {200, 400}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or str(entry.pattern).startswith("admin/"):
                continue  # the admin and its help pages are for signed-in staff
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def public_url_names():
    """Every named public pattern, and the health check (a middleware's address)."""
    return sorted({name for name, _pattern in _walk(get_resolver().url_patterns)} | {"healthz"})


def _record_urls():
    """Addresses of published fixture records, as resolver matches."""
    urls = [c.get_absolute_url() for c in Country.objects.published()]
    for model in (Initiative, Organisation, Report, Author):
        urls += [obj.get_absolute_url() for obj in model.objects.published()[:3]]
    urls += [p.get_absolute_url() for p in Provision.objects.public().select_related("act")[:3]]
    urls += [f.get_absolute_url() for f in Framework.objects.public()[:3]]
    # The API's record addresses: one public record of every type it serves.
    for declared in endpoints():
        record = declared.public().order_by("pk").first()
        assert record is not None, f"no public {declared.label} in the fixtures"
        urls.append(unquote(detail_url(record)))  # resolve() takes the path as Django sees it
    return [resolve(url) for url in urls]


def public_urls():
    """One URL for every named public pattern, with parameters from the fixtures."""
    matches = _record_urls()
    urls = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        keys = set(pattern.pattern.converters)
        if not keys:
            urls[name] = reverse(name)
            continue
        # The record's own page, else a sibling (report-bibtex: report-detail), else any page
        # with the same parameters (country-changes: country-detail).
        same_kind = [m for m in matches if set(m.kwargs) == keys]
        sibling = name.split("-")[0] + "-"
        best = (
            [m for m in same_kind if m.view_name == name]
            or [m for m in same_kind if m.view_name.startswith(sibling)]
            or same_kind
        )
        assert best, f"no fixture record gives the parameters {keys} of {name}"
        urls[name] = reverse(name, kwargs=best[0].kwargs)
    urls["healthz"] = HEALTH_PATH  # answered by a middleware, not a URL pattern
    return urls


def form_field_names(html):
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))


@pytest.fixture
def site(db, client):
    call_command("loaddata", *[str(f) for f in demo_fixture_files()], verbosity=0)
    call_command("rebuild_search_index", verbosity=0)
    urls = public_urls()
    names = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response) if response.streaming else response.content
        names[name] = set(COMMON_NAMES) | form_field_names(content.decode(errors="replace"))
    return {"urls": urls, "names": names}


def check(response, url):
    assert response.status_code in ALLOWED, f"{url} answered {response.status_code}"
    content = b"".join(response) if response.streaming else response.content
    assert MARKUP.encode() not in content, f"{url} reflects markup unescaped"


def test_every_public_url_is_covered(site):
    assert set(site["urls"]) == set(public_url_names())
    for name in ("search", "profiles:country-detail", "laws:provision-detail", "sitemap"):
        assert name in site["urls"]


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_hostile_values_in_every_parameter(site, client, value):
    for name, url in site["urls"].items():
        params = dict.fromkeys(site["names"][name], value)
        check(client.get(url, params), url)


def test_repeated_parameters(site, client):
    for name, url in site["urls"].items():
        query = "&".join(f"{field}=1&{field}=abc" for field in site["names"][name])
        check(client.get(f"{url}?{query}&country=LT&country=LV&page=1&page=2"), url)


def test_one_hostile_parameter_at_a_time(site, client):
    """Pages that validate the whole form at once might hide a field that fails on its own."""
    for name, url in site["urls"].items():
        for field in site["names"][name]:
            for value in (MARKUP, "a\x00b"):
                check(client.get(url, {field: value}), f"{url}?{field}={quote(value)}")


def test_unknown_format(site, client):
    for url in site["urls"].values():
        check(client.get(url, {"format": "unknown"}), url)


def test_unknown_slugs_are_404(site, client):
    for name, pattern in _walk(get_resolver().url_patterns):
        converters = pattern.pattern.converters
        if not converters:
            continue
        unknown = {
            key: "zz"
            if isinstance(converter, CountryCodeConverter)
            else "9999"
            if isinstance(converter, OptionalNumberConverter | IntConverter)
            else "no-such-record"
            for key, converter in converters.items()
        }
        url = reverse(name, kwargs=unknown)
        response = client.get(url, {"q": MARKUP})
        assert response.status_code == 404, url
        assert MARKUP.encode() not in response.content


# --- hostile paths ----------------------------------------------------------------------------


def _sample(key, converter):
    if key == "iso_code":
        return "lt"
    return "1" if isinstance(converter, IntConverter | OptionalNumberConverter) else "x1"


def _sample_routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _sample_routes(entry.url_patterns, prefix + _sample_route(entry.pattern))
        else:
            yield prefix + _sample_route(entry.pattern)


def _sample_route(pattern):
    route = str(pattern)
    if isinstance(pattern, RoutePattern):
        for key, converter in pattern.converters.items():
            route = re.sub(rf"<(\w+:)?{key}>", _sample(key, converter), route)
        return route

    # A regular expression (the admin's app pages and catch-all, django-simple-history's version
    # page): a group of alternatives gives its first, any other group "1".
    def group(match):
        body = match.group(1)
        return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "1"

    return re.sub(r"\((?:\?P<\w+>)?([^)]*)\)", group, route.lstrip("^").rstrip("$"))


def sample_urls():
    """One address for every URL pattern, admin included, with sample values for its parameters
    (whether such a record exists does not matter: only the answers to hostile variants are
    checked)."""
    return sorted({"/" + route for route in _sample_routes(get_resolver().url_patterns)})


def nul_variants(url):
    """The path of `url` with a NUL byte put into each segment in turn: appended, and alone."""
    path = url.partition("?")[0]
    segments = path.strip("/").split("/")
    trailing = "/" if path.endswith("/") and path != "/" else ""
    for n, segment in enumerate(segments):
        for hostile in sorted({f"{segment}%00", "%00"}):
            yield "/" + "/".join([*segments[:n], hostile, *segments[n + 1 :]]) + trailing


def test_sample_urls_cover_every_pattern():
    urls = sample_urls()
    for url in (
        "/",
        "/countries/lt/changes/feed/",
        "/laws/x1/x1/",
        "/admin/profiles/initiative/x1/change/",
        "/admin/profiles/initiative/1/history/1/",
        "/admin/profiles/initiative/deleted/1/restore/",
    ):
        assert url in urls
    assert len(urls) > 200


@pytest.mark.django_db
def test_nul_byte_in_any_path_segment_is_404(client, admin_client):
    for url in sample_urls():
        each = admin_client if url.startswith("/admin/") else client
        for hostile in nul_variants(url):
            assert each.get(hostile).status_code == 404, hostile


@pytest.mark.django_db
def test_path_converters_alone_keep_nul_bytes_from_the_views(client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "request_guard" not in m]
    CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania", status=Status.PUBLISHED)
    for url in sample_urls():
        if url.startswith("/admin/"):
            continue
        for hostile in nul_variants(url):
            assert client.get(hostile).status_code == 404, hostile
    with pytest.raises(Resolver404):
        resolve("/countries/\x00/")


ADMIN_QUERY_NAMES = ("q", "o", "p", "e", "status", "country", "_changelist_filters", "_popup")


def test_nul_byte_in_any_query_parameter_is_400(site, client, admin_client):
    for name, url in site["urls"].items():
        for field in sorted(site["names"][name]):
            response = client.get(url, {field: "a\x00b"})
            assert response.status_code == 400, f"{url}?{field}=a%00b"
            response = client.get(f"{url}?a%00b={field}")
            assert response.status_code == 400, f"{url}?a%00b={field}"
    for url in sample_urls():
        if url.startswith("/admin/"):
            for field in ADMIN_QUERY_NAMES:
                response = admin_client.get(url, {field: "\x00"})
                assert response.status_code == 400, f"{url}?{field}=%00"
    # Tabs and line breaks are not refused: a pasted search may hold them.
    assert client.get("/search/", {"q": "child\tsafety\r\nonline"}).status_code == 200


# --- one address per page, and only the methods the site serves ---------------------------------


@pytest.mark.django_db
def test_country_code_in_another_case_redirects_to_the_canonical_address(client):
    CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania", status=Status.PUBLISHED)
    for url in ("/countries/lt/", "/countries/lt/legislation/", "/countries/lt/changes/"):
        for variant in (url.replace("lt", "LT"), url.replace("lt", "Lt"), url.replace("lt", "lT")):
            response = client.get(variant, {"page": "2"})
            assert response.status_code == 301, variant
            assert response["Location"] == f"{url}?page=2"
        assert client.get(url).status_code == 200
    response = client.get("/countries/LT/changes/feed/")
    assert (response.status_code, response["Location"]) == (301, "/countries/lt/changes/feed/")
    page = client.get("/countries/lt/").content.decode()
    assert '<link rel="canonical" href="http://testserver/countries/lt/">' in page


@pytest.mark.django_db
def test_no_public_page_answers_200_under_an_address_in_capitals(client):
    """Identifiers in capitals: a redirect to the lower-case address, or a 404 (slugs are
    case-sensitive, so no second page exists there)."""
    CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania", status=Status.PUBLISHED)
    shouted = 0
    for url in sample_urls():
        capitals = re.sub(r"(?<=/)(lt|x1)(?=/|$)", lambda m: m.group().upper(), url)
        if url.startswith("/admin/") or capitals == url:
            continue
        shouted += 1
        response = client.get(capitals)
        if "/lt/" in url:
            assert (response.status_code, response["Location"]) == (301, url), capitals
        else:
            assert response.status_code == 404, capitals
    assert shouted >= 10


@pytest.mark.django_db
def test_trace_and_other_unserved_methods_are_405_everywhere(client, admin_client):
    for url in sample_urls():
        each = admin_client if url.startswith("/admin/") else client
        for method in ("TRACE", "PUT", "DELETE", "PATCH", "CONNECT"):
            response = each.generic(method, url)
            assert response.status_code == 405, f"{method} {url}"
            assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert client.generic("TRACE", "/admin/").status_code == 405
