"""`/healthz` and requests when the database fails: fast answers, never a hung server process."""

import threading
import time
import urllib.error
import urllib.request

import pytest
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_http_date

from tests.portal.test_settings import PROD_ENV, clean_environment
from tests.servers import Gunicorn, SilentServer, local_port

CONNECT_TIMEOUT_SECONDS = 3


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Content-Type"] == "application/json"
    never_cached = HttpResponse()
    add_never_cache_headers(never_cached)
    assert response["Cache-Control"] == never_cached["Cache-Control"]
    assert abs(parse_http_date(response["Expires"]) - time.time()) < 5


@pytest.mark.django_db
def test_with_persistent_connections_the_probe_keeps_its_connection(client, monkeypatch):
    from django.db import connection

    from portal import health

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    try:
        assert client.get("/healthz").status_code == 200
        kept = health._kept.wrapper
        assert kept is not None and kept.connection is not None
        assert client.get("/healthz").status_code == 200
        assert health._kept.wrapper is kept  # no new connection for the second probe

        kept.connection.close()  # as a database restart would
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
        assert health._kept.wrapper is not kept
    finally:
        health._kept.discard()


def test_requests_during_a_probe_share_the_next_probe_never_the_running_one(monkeypatch):
    """Twelve requests that arrive while a probe runs get the answer of one probe that started
    after they arrived: not the running probe's (older than they are), not twelve probes."""
    from portal import health

    probes = []
    first_started = threading.Event()

    def probe():
        probes.append(time.monotonic())
        if len(probes) == 1:
            first_started.set()
            time.sleep(0.3)
            return False  # the database was down when the first request asked
        time.sleep(0.05)
        return True

    monkeypatch.setattr(health, "_probe", probe)
    prober = health._Prober()
    answers, arrivals = {}, {}

    def ask(name):
        arrivals[name] = time.monotonic()
        answers[name] = prober.answers(5)

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    assert first_started.wait(5)
    later = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
    for thread in later:
        thread.start()
    for thread in [first, *later]:
        thread.join(10)
    assert answers == {"first": False, **dict.fromkeys(range(12), True)}
    assert len(probes) == 2
    assert all(probes[1] >= arrivals[n] for n in range(12))


def test_a_request_never_waits_past_the_deadline_for_a_probe_that_hangs(monkeypatch):
    from portal import health

    release = threading.Event()
    monkeypatch.setattr(health, "_probe", lambda: release.wait(10))
    prober = health._Prober()
    started = time.monotonic()
    try:
        assert prober.answers(0.2) is False
        assert prober.answers(0.2) is False  # queued behind the hanging probe: the deadline too
        assert time.monotonic() - started < 1
    finally:
        release.set()
    assert prober.answers(5) is True  # the database answers again: the next probe says so


def timed_get(url):
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body.decode(), time.monotonic() - started


@pytest.fixture
def hanging_database():
    server = SilentServer(local_port(1))
    yield server
    server.close()


@pytest.fixture
def portal_on_hanging_database(hanging_database, tmp_path):
    environment = {
        **clean_environment(),
        **PROD_ENV,
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://portal:secret@127.0.0.1:{hanging_database.port}/portal",
        "DJANGO_DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
    }
    server = Gunicorn(local_port(2), environment, tmp_path / "gunicorn.log")
    server.start()
    yield server
    server.stop()


def test_a_database_that_never_answers_gives_fast_503s_and_500s(
    portal_on_hanging_database, hanging_database
):
    """A database that accepts connections and never answers, then one that is not there."""
    site = portal_on_hanging_database
    status, body, seconds = timed_get(site.url + "/healthz")
    assert (status, seconds < 3) == (503, True), (body, seconds, site.log()[-3000:])
    assert '"database": "unavailable"' in body

    status, body, seconds = timed_get(site.url + "/countries/")
    assert status == 500, site.log()[-3000:]
    assert "Something went wrong" in body
    assert CONNECT_TIMEOUT_SECONDS - 0.5 < seconds < CONNECT_TIMEOUT_SECONDS + 1.5, seconds
    assert hanging_database.accepted, "the requests reached the silent database"

    hanging_database.close()  # now nothing listens there: refused at once
    status, _, seconds = timed_get(site.url + "/healthz")
    assert (status, seconds < 1) == (503, True), seconds
