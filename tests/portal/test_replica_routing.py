"""Public reads on a streaming replica, editors and writes on the primary, and the fallback.

The served test stands up, on loopback, a PostgreSQL primary with the demo data, a streaming
replica made with pg_basebackup (both logging every statement) and the portal under gunicorn with
DATABASE_URL and DATABASE_REPLICA_URL, then reads which server ran what.
"""

import http.client
import re
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from portal import db_routing
from tests.portal.test_settings import PROD_ENV, clean_environment
from tests.servers import ROOT, Gunicorn, PostgresCluster, local_port

EDITOR = ("replica-editor", "a long password for the replica test")
APP_TABLE = '"profiles_country"'


# --- the router and the middleware in the process ------------------------------------------------


def test_only_anonymous_safe_requests_outside_the_admin_may_read_the_replica(settings):
    factory = RequestFactory()
    assert db_routing._is_public_read(factory.get("/countries/lt/"))
    assert db_routing._is_public_read(factory.head("/search/?q=x"))
    assert not db_routing._is_public_read(factory.post("/countries/lt/"))
    assert not db_routing._is_public_read(factory.get("/admin/"))
    signed_in = factory.get("/countries/lt/")
    signed_in.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert not db_routing._is_public_read(signed_in)


def test_outside_a_public_request_everything_reads_and_writes_on_the_primary():
    router = db_routing.ReplicaRouter()
    assert router.db_for_read(None) == "default"
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "profiles") is False
    assert router.allow_migrate("default", "profiles") is True


def test_a_replica_failing_mid_request_runs_the_request_again_on_the_primary(monkeypatch):
    monkeypatch.setattr(db_routing, "replica_configured", lambda: True)
    monkeypatch.setattr(db_routing, "choose_read_alias", lambda: "replica")
    monkeypatch.setattr(db_routing, "replica_state", db_routing._ReplicaState())
    monkeypatch.setattr(db_routing, "_close_quietly", lambda alias: None)
    router = db_routing.ReplicaRouter()
    seen = []

    def view(request):
        alias = router.db_for_read(None)
        seen.append(alias)
        if alias == "replica":
            response = middleware.process_exception(request, OperationalError("gone"))
            assert response is not None
            return response
        return HttpResponse("the page")

    middleware = db_routing.ReadRoutingMiddleware(view)
    response = middleware(RequestFactory().get("/countries/lt/"))
    assert (response.status_code, response.content, seen) == (
        200,
        b"the page",
        ["replica", "default"],
    )
    assert not db_routing.replica_state.usable_now()


# --- a served portal on a primary and its streaming replica --------------------------------------


def _get(port, path, cookie=None, method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = cookie
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read().decode()
    connection.close()
    return response, data


def _cookies(response, jar):
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, val = value.split(";", 1)[0].partition("=")
            jar[key.strip()] = val.strip()
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v)


def _sign_in(port):
    jar = {}
    response, html = _get(port, "/admin/login/")
    cookie = _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode(
        {
            "username": EDITOR[0],
            "password": EDITOR[1],
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        }
    )
    response, _ = _get(
        port,
        "/admin/login/",
        cookie=cookie,
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 302, "sign-in failed"
    return _cookies(response, jar)


class _Log:
    """New statements a server logged since the last call."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.offset = len(cluster.log())

    def new(self, settle=0.3):
        time.sleep(settle)  # the server writes its log asynchronously
        text = self.cluster.log()
        fresh, self.offset = text[self.offset :], len(text)
        return fresh


@pytest.fixture(scope="module")
def replicated_site():
    primary = PostgresCluster(local_port(7), log_statements=True)
    replica = PostgresCluster(local_port(8), log_statements=True)
    server = None
    try:
        primary.init().start()
        primary.create_database("portal")
        environment = {
            **clean_environment(),
            **PROD_ENV,
            "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": primary.database_url("portal"),
            "DJANGO_CONN_MAX_AGE": "60",
            "PAGE_CACHE_SECONDS": "0",
            "PORTAL_REPLICA_RETRY_SECONDS": "1",
            "DJANGO_SUPERUSER_PASSWORD": EDITOR[1],
            "DJANGO_STATIC_ROOT": str(primary.folder / "static"),
        }
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["load_demo_data", "-v", "0"],
            ["collectstatic", "--noinput", "-v", "0"],
            ["createsuperuser", "--noinput", "--username", EDITOR[0], "--email", "e@x.org"],
        ):
            subprocess.run([*manage, *command], cwd=ROOT, env=environment, check=True)
        replica.replica_of(primary).start()
        environment["DATABASE_REPLICA_URL"] = replica.database_url("portal")
        server = Gunicorn(local_port(9), environment, primary.folder / "gunicorn.log")
        server.start()
        yield primary, replica, server
    finally:
        if server is not None:
            server.stop()
        replica.remove()
        primary.remove()


@pytest.mark.postgres
def test_anonymous_reads_go_to_the_replica_and_an_editor_reads_the_primary(replicated_site):
    primary, replica, server = replicated_site
    on_primary, on_replica = _Log(primary), _Log(replica)

    response, html = _get(server.port, "/countries/lt/")
    assert response.status == 200 and "Lithuania" in html, server.log()[-3000:]
    assert APP_TABLE in on_replica.new()
    assert APP_TABLE not in on_primary.new()

    editor = _sign_in(server.port)
    on_primary.new(settle=0), on_replica.new(settle=0)
    for path in ("/countries/lt/", "/admin/profiles/initiative/"):
        response, _ = _get(server.port, path, cookie=editor)
        assert response.status == 200, path
    assert APP_TABLE in on_primary.new()
    assert on_replica.new() == "", "a signed-in editor's request read the replica"


@pytest.mark.postgres
def test_a_change_on_the_primary_is_on_the_next_public_page(replicated_site):
    primary, replica, server = replicated_site
    import psycopg

    with psycopg.connect(
        primary.database_url("portal").replace("postgres://", "postgresql://")
    ) as c:
        c.execute("UPDATE profiles_country SET name = 'Lithuania (renamed)' WHERE iso_code = 'LT'")
    _, html = _get(server.port, "/countries/lt/")
    assert "Lithuania (renamed)" in html
    with psycopg.connect(
        primary.database_url("portal").replace("postgres://", "postgresql://")
    ) as c:
        c.execute("UPDATE profiles_country SET name = 'Lithuania' WHERE iso_code = 'LT'")


@pytest.mark.postgres
def test_public_reads_fall_back_to_the_primary_while_the_replica_is_down(replicated_site):
    primary, replica, server = replicated_site
    _get(server.port, "/countries/lt/")  # a connection to the replica is open and idle
    replica.stop()
    on_primary = _Log(primary)
    for _ in range(5):
        response, html = _get(server.port, "/countries/lt/")
        assert response.status == 200 and "Lithuania" in html
    assert APP_TABLE in on_primary.new()
    assert "Replica database unusable" in server.log()

    replica.start()
    time.sleep(1.2)  # PORTAL_REPLICA_RETRY_SECONDS
    on_replica = _Log(replica)
    response, _ = _get(server.port, "/countries/lt/")
    assert response.status == 200
    assert APP_TABLE in on_replica.new(), "reads did not come back to the restarted replica"
