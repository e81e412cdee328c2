"""sitemap.xml, robots.txt, page metadata (title, description, canonical, OpenGraph), errors."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from portal.management.commands.load_demo_data import demo_fixture_files
from portal.models import Status
from tests.laws.factories import LegalActFactory, ProvisionFactory
from tests.library.factories import AuthorFactory, ReportFactory
from tests.portal.test_hostile_input import public_urls
from tests.profiles.factories import CountryFactory, InitiativeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_paths(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [re.sub(r"^https?://[^/]+", "", loc.text) for loc in root.findall("sm:url/sm:loc", NS)]


def make_records(status, country=None):
    country = country or CountryFactory(status=status)
    return [
        country,
        InitiativeFactory(country=country, status=status),
        OrganisationFactory(status=status),
        ReportFactory(status=status),
        AuthorFactory(status=status),
        ProvisionFactory(act=LegalActFactory(country=country), status=status),
    ]


def test_sitemap_lists_published_records_only(client):
    published = make_records(Status.PUBLISHED)
    drafts = make_records(Status.DRAFT)
    # A published initiative of a draft country, a published provision of a draft act.
    hidden_parent = [
        InitiativeFactory(country=drafts[0]),
        ProvisionFactory(act=LegalActFactory(status=Status.DRAFT)),
    ]
    paths = sitemap_paths(client)
    for record in published:
        assert record.get_absolute_url() in paths
    for record in drafts + hidden_parent:
        assert record.get_absolute_url() not in paths
    country = published[0]
    legislation = reverse("laws:country-legislation", kwargs={"iso_code": country.iso_code.lower()})
    assert legislation in paths
    assert reverse("home") in paths and reverse("library:report-list") in paths
    assert len(paths) == len(set(paths))


def test_sitemap_query_count_does_not_grow(client):
    make_records(Status.PUBLISHED)
    with CaptureQueriesContext(connection) as small:
        sitemap_paths(client)
    for _ in range(15):
        make_records(Status.PUBLISHED)
    with CaptureQueriesContext(connection) as large:
        paths = sitemap_paths(client)
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(paths) > 15 * 6


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# --- metadata on every public page --------------------------------------------------------------


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{name}" content="([^"]*)"', html)
    return match.group(1).strip() if match else None


def test_every_public_page_has_title_description_canonical_and_opengraph(client):
    call_command("loaddata", *[str(f) for f in demo_fixture_files()], verbosity=0)
    site_name = "Child Online Safety Portal"
    checked = 0
    for name, url in public_urls().items():
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        assert title and title != site_name or name == "home", f"{url}: generic title"
        assert meta(html, "name", "description"), f"{url}: no description"
        assert meta(html, "property", "og:description") == meta(html, "name", "description")
        assert meta(html, "property", "og:title"), f"{url}: no og:title"
        assert meta(html, "property", "og:url").endswith(url.split("?")[0])
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
        assert canonical == f"http://testserver{url.split('?')[0]}"
        if name != "home":
            assert meta(html, "property", "og:title") != site_name, f"{url}: generic og:title"
        checked += 1
    assert checked >= 15


def test_the_description_is_escaped_once_in_both_meta_tags(client):
    provision = ProvisionFactory(summary='Images of "children" & <b>grooming</b>')
    html = client.get(provision.get_absolute_url()).content.decode()
    expected = "Images of &quot;children&quot; &amp; &lt;b&gt;grooming&lt;/b&gt;"
    assert meta(html, "name", "description") == expected
    assert meta(html, "property", "og:description") == expected
    assert "<b>grooming" not in html.split("</head>")[0]


# --- error pages --------------------------------------------------------------------------------


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view), path("", include("portal.urls"))]


def test_404_page_uses_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_page_renders_with_debug_off(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'class="site-header"' in html
    assert "boom" not in html
