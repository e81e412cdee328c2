"""The country page's whole-page cache: hits run no SQL, and no change is ever served stale."""

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client

from portal.models import Status
from portal.page_cache import EDITOR_COOKIE, content_generation
from tests.bulk.helpers import csv_bytes, errors_of, run
from tests.portal.admin_client import sign_in, sign_out
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory, InitiativeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def country():
    return CountryFactory(name="Cacheland")


def page(client, country, **extra):
    response = client.get(country.get_absolute_url(), **extra)
    assert response.status_code == 200
    return response, response.content.decode()


def test_second_anonymous_request_is_a_hit_without_sql(client, country, django_assert_num_queries):
    InitiativeFactory(country=country, title="Safer Internet Day")
    first, first_html = page(client, country)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second, second_html = page(client, country)
    assert second["X-Page-Cache"] == "hit"
    assert second_html == first_html
    assert "Safer Internet Day" in second_html
    assert second["Content-Type"] == first["Content-Type"]


def test_an_edit_shows_at_the_next_request(client, country):
    initiative = InitiativeFactory(country=country, title="Old title")
    page(client, country)
    initiative.title = "New title"
    initiative.save()
    response, html = page(client, country)
    assert response["X-Page-Cache"] == "miss"
    assert "New title" in html and "Old title" not in html


def test_withdrawing_and_publishing_take_effect_at_once(client, country):
    shown = InitiativeFactory(country=country, title="Published then withdrawn")
    hidden = InitiativeFactory(country=country, title="Draft then published", status=Status.DRAFT)
    _, html = page(client, country)
    assert "Published then withdrawn" in html and "Draft then published" not in html

    shown.status = Status.WITHDRAWN
    shown.save()
    hidden.status = Status.PUBLISHED
    hidden.save()
    _, html = page(client, country)
    assert "Published then withdrawn" not in html
    assert "Draft then published" in html


def test_deleting_a_record_removes_it(client, country):
    initiative = InitiativeFactory(country=country, title="Soon deleted")
    assert "Soon deleted" in page(client, country)[1]
    initiative.delete()
    assert "Soon deleted" not in page(client, country)[1]


def test_a_many_to_many_change_shows(client, country):
    initiative = InitiativeFactory(country=country, title="Themed later")
    page(client, country)
    initiative.themes.add(ThemeFactory(name="Hotline cooperation"))
    assert "Hotline cooperation" in page(client, country)[1]


def test_a_bulk_import_shows_at_once(client, country, django_capture_on_commit_callbacks):
    """Bulk writes send no model signals: the importer moves the generation itself."""
    page(client, country)
    publisher = make_member("Publisher", country)
    data = csv_bytes(
        [
            ["country", "title", "year", "body", "status"],
            [country.iso_code, "Imported by the spreadsheet", "2020", "Body.", "published"],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = run("initiatives", data, user=publisher)
    assert result.written, errors_of(result)
    response, html = page(client, country)
    assert response["X-Page-Cache"] == "miss"
    assert "Imported by the spreadsheet" in html


def test_on_commit_bump_runs_after_a_save(country, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        InitiativeFactory(country=country)
    assert callbacks, "a save registers a generation bump for the commit"
    generation = content_generation()
    for callback in callbacks:
        callback()
    assert content_generation() > generation


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def real_message_cookie():
    """A messages cookie as Django signs it for a message that is still to be shown."""
    storage = CookieStorage(HttpRequest())
    storage.add(messages.INFO, "Your change was saved.")
    response = HttpResponse()
    storage.update(response)
    return response.cookies[storage.cookie_name].value


def test_signed_in_editors_get_a_fresh_page_and_fill_no_cache(csrf_client, country):
    InitiativeFactory(country=country, title="Seen by editors")
    sign_in(csrf_client, make_member("Editor", country))
    assert EDITOR_COOKIE in csrf_client.cookies
    response, html = page(csrf_client, country)
    assert "X-Page-Cache" not in response
    assert "Seen by editors" in html
    sign_out(csrf_client)
    assert not csrf_client.cookies[EDITOR_COOKIE].value  # removed at sign-out
    assert page(csrf_client, country)[0]["X-Page-Cache"] == "miss"
    assert page(csrf_client, country)[0]["X-Page-Cache"] == "hit"


def test_forged_session_and_marker_cookies_are_served_from_the_cache_without_sql(
    client, country, django_assert_num_queries
):
    InitiativeFactory(country=country, title="Public page")
    page(client, country)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x"
    client.cookies[EDITOR_COOKIE] = "forged:1v9aXk:Zm9yZ2VkLXNpZ25hdHVyZQ"
    client.cookies["messages"] = "forged"
    with django_assert_num_queries(0):
        response, html = page(client, country)
    assert response["X-Page-Cache"] == "hit"
    assert "Public page" in html


def test_a_marker_from_another_session_is_not_an_editor(
    csrf_client, client, country, django_assert_num_queries
):
    sign_in(csrf_client, make_member("Editor", country))
    page(client, country)
    client.cookies[settings.SESSION_COOKIE_NAME] = "someone-elses-session"
    client.cookies[EDITOR_COOKIE] = csrf_client.cookies[EDITOR_COOKIE].value
    with django_assert_num_queries(0):
        assert page(client, country)[0]["X-Page-Cache"] == "hit"


def test_a_stale_session_is_served_from_the_cache(csrf_client, country, django_assert_num_queries):
    """Cookies kept after signing out: the session is gone, so the page comes from the cache."""
    sign_in(csrf_client, make_member("Editor", country))
    stale = {name: morsel.value for name, morsel in csrf_client.cookies.items()}
    sign_out(csrf_client)
    page(csrf_client, country)
    for name, value in stale.items():
        csrf_client.cookies[name] = value
    response, _ = page(csrf_client, country)
    assert response["X-Page-Cache"] == "hit"
    assert not response.cookies[EDITOR_COOKIE].value  # the stale marker is dropped
    csrf_client.cookies.pop(EDITOR_COOKIE)
    with django_assert_num_queries(0):  # the stale session cookie alone costs no query
        assert page(csrf_client, country)[0]["X-Page-Cache"] == "hit"


def test_an_editor_signed_in_before_the_marker_existed_gets_it_in_the_admin(csrf_client, country):
    sign_in(csrf_client, make_member("Editor", country))
    csrf_client.cookies.pop(EDITOR_COOKIE)
    assert page(csrf_client, country)[0]["X-Page-Cache"] == "miss"  # a cached page: harmless
    csrf_client.get("/admin/")
    assert csrf_client.cookies[EDITOR_COOKIE].value
    assert "X-Page-Cache" not in page(csrf_client, country)[0]


def test_a_pending_message_is_never_cached(client, country):
    client.cookies["messages"] = real_message_cookie()
    response, html = page(client, country)
    assert "X-Page-Cache" not in response
    assert "Your change was saved." in html
    assert page(client, country)[0]["X-Page-Cache"] == "miss"  # shown once, then cached pages


def test_each_host_has_its_own_page(client, country, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    _, one = page(client, country, HTTP_HOST="one.example")
    response, two = page(client, country, HTTP_HOST="two.example")
    assert response["X-Page-Cache"] == "miss"
    assert "https://two.example" in two or "http://two.example" in two
    assert "two.example" not in one


def test_unknown_and_draft_countries_are_not_cached(client):
    assert client.get("/countries/zz/").status_code == 404
    draft = CountryFactory(status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.status = Status.PUBLISHED
    draft.save()
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_off_when_the_setting_is_zero(client, country, settings):
    settings.PAGE_CACHE_SECONDS = 0
    page(client, country)
    response, _ = page(client, country)
    assert "X-Page-Cache" not in response


@pytest.mark.redis
def test_works_on_the_shared_redis_cache(client, country, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache_backend.PortalRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "portal-page-cache-test",
        }
    }
    cache.clear()
    initiative = InitiativeFactory(country=country, title="Via Redis")
    assert page(client, country)[0]["X-Page-Cache"] == "miss"
    response, html = page(client, country)
    assert response["X-Page-Cache"] == "hit" and "Via Redis" in html
    initiative.title = "Changed via Redis"
    initiative.save()
    response, html = page(client, country)
    assert response["X-Page-Cache"] == "miss" and "Changed via Redis" in html
    cache.clear()


def test_a_cached_page_is_sent_gzipped_to_readers_who_accept_it(country):
    import gzip

    InitiativeFactory(country=country, title="Compressed initiative")
    url = country.get_absolute_url()
    reader = Client()
    first = reader.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert first["X-Page-Cache"] == "miss" and not first.has_header("Content-Encoding")
    assert "Accept-Encoding" in first["Vary"]
    plain = reader.get(url)  # no Accept-Encoding: the page as it is
    zipped = reader.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    for hit in (plain, zipped):
        assert hit["X-Page-Cache"] == "hit"
        assert "Accept-Encoding" in hit["Vary"]
        assert int(hit["Content-Length"]) == len(hit.content)
    assert not plain.has_header("Content-Encoding")
    assert zipped["Content-Encoding"] == "gzip"
    assert len(zipped.content) < len(plain.content) / 3
    assert gzip.decompress(zipped.content) == plain.content == first.content
    assert b"Compressed initiative" in plain.content
    # Every header the page carries is on both answers (the encoding and length aside).
    assert {k for k in plain.headers if k != "Content-Length"} == {
        k for k in zipped.headers if k not in ("Content-Encoding", "Content-Length")
    }
    # The security headers of the page as rendered, on the answers from the cache.
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert first[name] and plain[name] == zipped[name] == first[name], name
