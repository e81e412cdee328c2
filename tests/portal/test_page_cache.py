"""The country page's whole-page cache: hits run no SQL, and no change is ever served stale."""

import pytest
from django.core.cache import cache

from portal.models import Status
from portal.page_cache import content_generation
from tests.bulk.helpers import csv_bytes, errors_of, run
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


def test_signed_in_editors_get_a_fresh_page_and_fill_no_cache(client, country):
    InitiativeFactory(country=country, title="Seen by editors")
    editor = make_member("Editor", country)
    client.force_login(editor)
    response, html = page(client, country)
    assert "X-Page-Cache" not in response
    assert "Seen by editors" in html
    client.logout()
    assert page(client, country)[0]["X-Page-Cache"] == "miss"


def test_a_pending_message_is_never_cached(client, country):
    client.cookies["messages"] = "anything"
    response, _ = page(client, country)
    assert "X-Page-Cache" not in response
    del client.cookies["messages"]
    assert page(client, country)[0]["X-Page-Cache"] == "miss"


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
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
