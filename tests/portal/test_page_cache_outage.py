"""The page cache when Redis fails: a Redis of the test's own, stopped or frozen mid-test.

Pages render without the cache, sign-in and admin saves go through, the failure is logged once, and
when Redis comes back with the entries it held no page from before a change is served.
"""

import logging
import time

import pytest
from django.test import Client

from portal import page_cache
from portal.models import Status
from tests.portal.admin_client import csrf_token, sign_in, sign_out
from tests.portal.admin_forms import change_form_data
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory, InitiativeFactory
from tests.servers import RedisServer, local_port

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

REDIS_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def own_redis(tmp_path, settings, monkeypatch):
    server = RedisServer(local_port(0), tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache_backend.PortalRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    settings.PAGE_CACHE_SECONDS = 600
    # A process of its own: trusts the cache, has logged nothing.
    monkeypatch.setattr(page_cache, "health", page_cache.CacheHealth())
    yield server
    server.kill()


@pytest.fixture
def country():
    return CountryFactory(name="Outageland")


@pytest.fixture
def publisher(country):
    return make_member("Publisher", country)


def country_page(client, country):
    started = time.monotonic()
    response = client.get(country.get_absolute_url())
    assert response.status_code == 200
    return response, response.content.decode(), time.monotonic() - started


def change_title(client, initiative, title):
    url = f"/admin/profiles/initiative/{initiative.pk}/change/"
    data = change_form_data(client.get(url))
    data["title"] = title
    data["csrfmiddlewaretoken"] = csrf_token(client)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    initiative.refresh_from_db()
    assert initiative.title == title


def warnings_logged(caplog):
    return [
        record
        for record in caplog.records
        if record.name == "portal.page_cache" and record.levelno >= logging.WARNING
    ]


def test_redis_stopped_then_restarted_with_its_data(
    own_redis, country, publisher, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger="portal.page_cache")
    monkeypatch.setattr(page_cache, "RETRY_SECONDS", 0.0)  # retry at every request
    initiative = InitiativeFactory(country=country, title="Before the outage")
    reader, editor = Client(), Client(enforce_csrf_checks=True)
    assert country_page(reader, country)[0]["X-Page-Cache"] == "miss"
    assert country_page(reader, country)[0]["X-Page-Cache"] == "hit"

    own_redis.stop(snapshot=True)  # the snapshot holds that page and its generation

    response, html, _ = country_page(reader, country)
    assert "X-Page-Cache" not in response and "Before the outage" in html
    sign_in(editor, publisher)  # sessions and sign-in protection live in the database
    change_title(editor, initiative, "During the outage")
    response, html, _ = country_page(reader, country)
    assert "During the outage" in html and "Before the outage" not in html
    sign_out(editor)
    sign_in(editor, publisher)
    for _ in range(20):
        country_page(reader, country)
    warnings = warnings_logged(caplog)
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert warnings[0].exc_info is None and "ConnectionError" in warnings[0].getMessage()

    own_redis.start()
    assert own_redis.client().dbsize() >= 2  # the old page and generation are back
    response, html, _ = country_page(reader, country)
    assert "During the outage" in html and "Before the outage" not in html
    assert response["X-Page-Cache"] == "miss"
    response, html, _ = country_page(reader, country)
    assert response["X-Page-Cache"] == "hit" and "During the outage" in html
    assert len(warnings_logged(caplog)) == 1
    assert any("available again" in record.getMessage() for record in caplog.records)


def test_a_frozen_redis_costs_one_request_the_timeout_and_comes_back_without_stale_pages(
    own_redis, country, publisher, monkeypatch
):
    """A Redis that accepts connections but does not answer, as in a network partition."""
    monkeypatch.setattr(page_cache, "RETRY_SECONDS", 60.0)
    initiative = InitiativeFactory(country=country, title="Published before")
    withdrawn = InitiativeFactory(country=country, title="Withdrawn while frozen")
    reader, editor = Client(), Client(enforce_csrf_checks=True)
    country_page(reader, country)
    assert country_page(reader, country)[0]["X-Page-Cache"] == "hit"
    sign_in(editor, publisher)

    own_redis.pause()
    try:
        _, html, first = country_page(reader, country)
        assert first < REDIS_TIMEOUT_SECONDS + 1.5
        timings = [country_page(reader, country)[2] for _ in range(5)]
        # The cache is left alone: no request waits the timeout again (a render alone may take
        # most of one on a loaded machine, so the bound leaves room for it).
        assert sum(timings) < 5 * REDIS_TIMEOUT_SECONDS + 2, timings
        change_title(editor, initiative, "Changed while frozen")
        withdrawn.status = Status.WITHDRAWN
        withdrawn.save()
    finally:
        own_redis.resume()

    monkeypatch.setattr(page_cache, "RETRY_SECONDS", 0.0)  # the retry is due
    response, html, _ = country_page(reader, country)
    assert "Changed while frozen" in html and "Published before" not in html
    assert "Withdrawn while frozen" not in html
    assert response["X-Page-Cache"] == "miss"
    assert country_page(reader, country)[0]["X-Page-Cache"] == "hit"
