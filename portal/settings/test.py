"""Test settings: PostgreSQL when one answers, SQLite otherwise.

PORTAL_TEST_DB chooses: `auto` (default: DATABASE_URL if set, else local PostgreSQL at
127.0.0.1:5432 if it answers, else SQLite), `postgres` (must answer) or `sqlite`.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, env, with_timeouts

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _postgres_answers(url):
    import psycopg

    try:
        params = env.db_url_config(url)
        psycopg.connect(
            host=params["HOST"] or None,
            port=params["PORT"] or None,
            user=params["USER"] or None,
            password=params["PASSWORD"] or None,
            dbname=params["NAME"],
            connect_timeout=2,
        ).close()
    except psycopg.Error:
        return False
    return True


def _choose_database():
    choice = env.str("PORTAL_TEST_DB", default="auto")
    if choice == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "test.sqlite3")}
    url = env.str("DATABASE_URL", default="") or LOCAL_POSTGRES_URL
    if url.startswith("sqlite"):
        return env.db_url_config(url)
    if choice == "postgres" or _postgres_answers(url):
        return env.db_url_config(url)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "test.sqlite3")}


DATABASES = {"default": with_timeouts(_choose_database())}
# Several runs may share one PostgreSQL server: PORTAL_TEST_DB_NAME keeps them apart.
DATABASES["default"]["TEST"] = {"NAME": env.str("PORTAL_TEST_DB_NAME", default=None)}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Query-count and content tests measure the rendered page; tests/portal/test_page_cache.py turns
# the whole-page cache on.
PAGE_CACHE_SECONDS = 0
# One process per test database: the local-memory cache is shared by everything in it.
PORTAL_CONDITIONAL_GET = True
# Rebuilt in the request that finds it stale, so a test sees the new package at once; each test
# gets a directory of its own (tests/conftest.py).
PORTAL_DATAPACKAGE_REBUILD = "inline"
PORTAL_DATAPACKAGE_MIN_AGE = 0
# The API's rate limit would count every test's requests from one address: tests of the limit
# set their own.
PORTAL_API_RATE = "100000/minute"
