import contextlib
import os
import socket

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def database_vendor():
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


def redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    if database_vendor() == "postgresql":
        return f"database: PostgreSQL at {where}"
    return "database: SQLite (PostgreSQL-only tests are skipped)"


@pytest.fixture(autouse=True)
def datapackage_dir(settings, tmp_path_factory):
    """A data package directory of the test's own: a package built from one test's records is
    never served in another."""
    settings.PORTAL_DATAPACKAGE_DIR = tmp_path_factory.mktemp("datapackage")
    return settings.PORTAL_DATAPACKAGE_DIR


@pytest.fixture
def committed():
    """`with committed(): ...` ends the block as a commit would: the on-commit callbacks of the
    test's writes so far (the search index upkeep among them) run, once each, and errors in them
    are raised. A test's own transaction is never committed, so they would not run otherwise."""

    @contextlib.contextmanager
    def commit(using=DEFAULT_DB_ALIAS):
        yield
        waiting = connections[using].run_on_commit
        while waiting:  # callbacks may register more
            _savepoints, callback, _robust = waiting.pop(0)
            callback()

    return commit


def pytest_collection_modifyitems(config, items):
    on_sqlite = database_vendor() == "sqlite"
    no_redis = not redis_answers()
    for item in items:
        if on_sqlite and item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL; running on SQLite"))
        # Tests with a Redis of their own (`own_redis`) need only the redis-server program.
        own_redis = "own_redis" in getattr(item, "fixturenames", ())
        if no_redis and item.get_closest_marker("redis") and not own_redis:
            item.add_marker(pytest.mark.skip(reason="Redis does not answer at 127.0.0.1:6379"))


def pytest_sessionfinish(session, exitstatus):
    """With PORTAL_FAIL_ON_SKIP=1 (CI on PostgreSQL) a skipped test fails the run."""
    if os.environ.get("PORTAL_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"FAIL: {len(skipped)} test(s) skipped; none may be skipped here.")
        session.exitstatus = 1


# The two countries of the editorial tests: an LT editor's records and an LV editor's.
@pytest.fixture
def lt():
    from tests.profiles.factories import CountryFactory

    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")


@pytest.fixture
def lv():
    from tests.profiles.factories import CountryFactory

    return CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
