"""`/healthz` and requests when the database fails: fast answers, never a hung server process."""

import time
import urllib.error
import urllib.request

import pytest

from tests.portal.test_settings import PROD_ENV, clean_environment
from tests.servers import Gunicorn, SilentServer, local_port

CONNECT_TIMEOUT_SECONDS = 3


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


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
