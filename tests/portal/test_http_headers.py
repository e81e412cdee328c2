"""Response headers: Content-Security-Policy and Permissions-Policy everywhere; on public pages
Cache-Control, ETag and Last-Modified, so that a conditional GET for a current copy is a 304 that
runs no query and renders no template, and an edit gives fresh content at once; personal pages
(admin, signed-in) are never stored."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from portal.management.commands.load_demo_data import demo_fixture_files
from profiles.models import Initiative
from tests.portal.admin_forms import change_form_data
from tests.portal.factories import UserFactory
from tests.portal.test_hostile_input import public_urls
from tests.portal.test_settings import PROD_ENV, run_python

pytestmark = pytest.mark.django_db

# A script element with a src, or a JSON-LD data block (never run, so outside script-src), is
# not an inline script.
INLINE = re.compile(
    r'<script(?![^>]*\b(?:src=|type="application/ld\+json"))[^>]*>|<style\b|\sstyle\s*=|'
    r"\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


@pytest.fixture
def demo(db):
    call_command("loaddata", *[str(f) for f in demo_fixture_files()], verbosity=0)
    call_command("rebuild_search_index", verbosity=0)
    return public_urls()


class Rendering:
    """Counts the queries and the templates rendered while it is open."""

    def __enter__(self):
        self.templates = []
        template_rendered.connect(self._rendered)
        self.queries = CaptureQueriesContext(connection).__enter__()
        return self

    def _rendered(self, sender, template, **kwargs):
        self.templates.append(template.name)

    def __exit__(self, *exc):
        self.queries.__exit__(*exc)
        template_rendered.disconnect(self._rendered)


def conditional_get(client, url, **headers):
    with Rendering() as rendering:
        response = client.get(url, headers=headers)
    return response, len(rendering.queries), rendering.templates


def assert_security_headers(response, url):
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
        assert directive in policy, url
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy, url
    assert "camera=()" in response["Permissions-Policy"], url
    assert "geolocation=()" in response["Permissions-Policy"], url


def test_every_public_page_can_be_revalidated_without_rendering(demo, client):
    for name, url in demo.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response, url)
        # A load balancer's probe, and the correction form (a CSRF token): never stored.
        if name in ("healthz", "suggest"):
            assert "no-store" in response["Cache-Control"] and not response.has_header("ETag")
            continue
        assert response["Cache-Control"] == "public, no-cache", url
        assert "Cookie" in response["Vary"], url
        etag, last_modified = response["ETag"], response["Last-Modified"]
        assert etag.startswith('W/"'), url
        content = b"".join(response) if response.streaming else response.content
        if response["Content-Type"].startswith("text/html"):
            assert not INLINE.search(content.decode()), f"inline script or style on {url}"

        again, queries, templates = conditional_get(client, url, if_none_match=etag)
        assert (again.status_code, queries, templates) == (304, 0, []), f"{name}: {url}"
        assert again["ETag"] == etag and again.content == b""
        again, queries, templates = conditional_get(client, url, if_modified_since=last_modified)
        assert (again.status_code, queries, templates) == (304, 0, []), f"{name}: {url}"
        other = client.get(url, headers={"if-none-match": 'W/"some-other-version"'})
        assert other.status_code == 200, url


def test_an_edit_in_the_admin_gives_fresh_content_not_a_304(demo, client):
    url = "/countries/lt/"
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    initiative = Initiative.objects.filter(country__iso_code="LT").published().first()
    assert initiative.title.encode() in first.content

    chief = UserFactory(username="chief", is_superuser=True)
    chief.save()
    editor = Client(enforce_csrf_checks=True)
    editor.force_login(chief)
    change = f"/admin/profiles/initiative/{initiative.pk}/change/"
    form = editor.get(change)
    data = change_form_data(form)
    data.update(title="A title written just now", csrfmiddlewaretoken=form.context["csrf_token"])
    assert editor.post(change, data).status_code == 302

    # Within the same second as the first answer: both validators still tell the change.
    by_etag = client.get(url, headers={"if-none-match": etag})
    by_date = client.get(url, headers={"if-modified-since": last_modified})
    for response in (by_etag, by_date):
        assert response.status_code == 200
        assert b"A title written just now" in response.content
    assert by_etag["ETag"] != etag
    assert by_etag["Last-Modified"] != last_modified
    assert client.get(url, headers={"if-none-match": by_etag["ETag"]}).status_code == 304


def test_personal_pages_are_never_stored(demo, client, admin_client):
    url = "/countries/lt/"
    anonymous_etag = client.get(url)["ETag"]
    admin_client.get("/admin/")  # the admin gives a signed-in user the editor marker cookie
    for response in (
        admin_client.get(url),
        admin_client.get(url, headers={"if-none-match": anonymous_etag}),
        admin_client.get("/admin/"),
        admin_client.get("/admin/profiles/initiative/"),
        client.get("/admin/login/"),
    ):
        assert response.status_code == 200
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control
        assert "public" not in cache_control
        assert not response.has_header("ETag")
        assert_security_headers(response, response.wsgi_request.path)


def test_admin_policy_allows_only_the_hashed_third_party_attributes(admin_client):
    policy = admin_client.get("/admin/")["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-hashes' 'sha256-" in policy
    assert "script-src-attr" not in policy  # no admin page has an inline handler
    assert "unsafe-inline" not in policy
    public = Client().get("/")["Content-Security-Policy"]
    assert "unsafe-hashes" not in public


def test_a_failing_cache_gives_pages_without_validators(demo, client, monkeypatch):
    def cache_down():
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("portal.http_cache.content_generation", cache_down)
    response = client.get("/countries/lt/")
    assert response.status_code == 200
    assert not response.has_header("ETag") and not response.has_header("Last-Modified")
    assert response["Cache-Control"] == "public, no-cache"


def test_without_a_shared_cache_there_are_no_validators(demo, client, settings):
    settings.PORTAL_CONDITIONAL_GET = False
    response = client.get("/countries/lt/")
    assert response.status_code == 200 and not response.has_header("ETag")


def test_production_revalidates_only_with_the_shared_redis_cache():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PORTAL_CONDITIONAL_GET)"
    )
    without = run_python(code, "portal.settings.prod", PROD_ENV)
    with_redis = run_python(
        code, "portal.settings.prod", {**PROD_ENV, "REDIS_URL": "redis://cache.internal:6379/1"}
    )
    assert (without.stdout.strip(), with_redis.stdout.strip()) == ("False", "True")


def test_no_template_of_the_site_has_inline_script_or_style():
    base = Path(django_settings.BASE_DIR)
    templates = [
        path
        for app in ("portal", "profiles", "laws", "library")
        for path in (base / app).rglob("templates/**/*.html")
    ]
    assert len(templates) > 20
    found = {
        str(path.relative_to(base)): INLINE.findall(path.read_text())
        for path in templates
        if INLINE.search(path.read_text())
    }
    assert found == {}
