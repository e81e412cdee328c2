"""Settings come from the environment; production refuses unsafe configuration."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

PROD_ENV = {
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-looking-production-secret-value-1234567890",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org,www.portal.example.org",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
}
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "db = s.DATABASES['default']; "
    "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'engine': db['ENGINE'], "
    "'db_name': db['NAME'], 'db_host': db['HOST'], 'cache': s.CACHES['default']['BACKEND'], "
    "'secret': s.SECRET_KEY, 'page_cache': s.PAGE_CACHE_SECONDS}))"
)


def clean_environment():
    """This process's environment without the portal's own settings (gunicorn's among them)."""
    own = ("DJANGO_", "DATABASE_URL", "GUNICORN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.pop("REDIS_URL", None)
    env.pop("PAGE_CACHE_SECONDS", None)
    return env


def run_python(code, module, extra_env):
    env = clean_environment()
    env.update(extra_env, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_settings(module, extra_env):
    result = run_python(PRINT_SETTINGS, module, extra_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_prod_reads_everything_from_the_environment():
    values = read_settings(
        "portal.settings.prod", {**PROD_ENV, "REDIS_URL": "redis://cache.internal:6379/1"}
    )
    assert values["debug"] is False
    assert values["hosts"] == ["portal.example.org", "www.portal.example.org"]
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["db_name"], values["db_host"]) == ("portal", "db.internal")
    assert values["cache"] == "portal.cache_backend.PortalRedisCache"
    assert values["secret"] == PROD_ENV["DJANGO_SECRET_KEY"]


def test_prod_page_cache_needs_the_shared_redis_cache():
    """Local-memory caches are per process: an edit would not reach the other workers' pages."""
    with_redis = {**PROD_ENV, "REDIS_URL": "redis://cache.internal:6379/1"}
    assert read_settings("portal.settings.prod", with_redis)["page_cache"] == 600
    assert read_settings("portal.settings.prod", PROD_ENV)["page_cache"] == 0
    explicit = {**PROD_ENV, "PAGE_CACHE_SECONDS": "120"}
    assert read_settings("portal.settings.prod", explicit)["page_cache"] == 120
    assert read_settings("portal.settings.dev", {})["page_cache"] == 600


PRINT_CONNECTIONS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "db = s.DATABASES['default']; "
    "print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
)


def test_production_keeps_database_connections_and_checks_them_before_reuse():
    def connections(module, extra_env):
        result = run_python(PRINT_CONNECTIONS, module, extra_env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert connections("portal.settings.prod", PROD_ENV) == [600, True]
    closed = {**PROD_ENV, "DJANGO_CONN_MAX_AGE": "0"}  # behind pgbouncer
    assert connections("portal.settings.prod", closed) == [0, True]
    assert connections("portal.settings.dev", {}) == [0, True]


PRINT_TIMEOUTS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default'].get('OPTIONS', {}), "
    "'redis': s.CACHES['default'].get('OPTIONS', {})}))"
)


def read_timeouts(module, extra_env):
    result = run_python(PRINT_TIMEOUTS, module, extra_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_database_and_redis_timeouts_have_defaults_and_come_from_the_environment():
    with_redis = {**PROD_ENV, "REDIS_URL": "redis://cache.internal:6379/1"}
    defaults = read_timeouts("portal.settings.prod", with_redis)
    assert defaults["db"] == {"connect_timeout": 5, "options": "-c statement_timeout=20000"}
    assert defaults["redis"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    chosen = {
        **with_redis,
        "DJANGO_DB_CONNECT_TIMEOUT": "3",
        "DJANGO_DB_STATEMENT_TIMEOUT_MS": "1500",
        "REDIS_TIMEOUT_SECONDS": "0.2",
    }
    values = read_timeouts("portal.settings.prod", chosen)
    assert values["db"] == {"connect_timeout": 3, "options": "-c statement_timeout=1500"}
    assert values["redis"] == {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    off = read_timeouts("portal.settings.prod", {**PROD_ENV, "DJANGO_DB_STATEMENT_TIMEOUT_MS": "0"})
    assert off["db"] == {"connect_timeout": 5}
    # Options given in DATABASE_URL are kept.
    url = PROD_ENV["DATABASE_URL"] + "?connect_timeout=10&options=-c%20work_mem%3D64MB"
    kept = read_timeouts("portal.settings.prod", {**PROD_ENV, "DATABASE_URL": url})["db"]
    assert kept["connect_timeout"] in (10, "10")
    assert kept["options"] == "-c work_mem=64MB -c statement_timeout=20000"
    # SQLite has no connect or statement timeout of that kind.
    assert read_timeouts("portal.settings.dev", {})["db"] == {}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_past_the_timeout_is_cancelled_on_postgresql():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    where = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgres://{db['USER']}{password}@{where}/{db['NAME']}"
    code = (
        "import django, time; django.setup(); from django.db import connection, DatabaseError\n"
        "started = time.monotonic()\n"
        "try:\n"
        "    connection.cursor().execute('SELECT pg_sleep(5)')\n"
        "except DatabaseError as error:\n"
        "    print(round(time.monotonic() - started, 2), error)"
    )
    env = {**PROD_ENV, "DATABASE_URL": url, "DJANGO_DB_STATEMENT_TIMEOUT_MS": "300"}
    result = run_python(code, "portal.settings.prod", env)
    assert result.returncode == 0, result.stderr
    seconds, message = result.stdout.split(" ", 1)
    assert "statement timeout" in message
    assert float(seconds) < 2


def test_dev_defaults_to_sqlite_in_the_project_folder_and_local_memory_cache():
    values = read_settings("portal.settings.dev", {})
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(settings.BASE_DIR / "db.sqlite3")
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["debug"] is True


def test_debug_flag_is_read_from_the_environment():
    assert read_settings("portal.settings.dev", {"DJANGO_DEBUG": "false"})["debug"] is False
    assert read_settings("portal.settings.prod", {**PROD_ENV, "DJANGO_DEBUG": "true"})["debug"]


def test_prod_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PROD_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_python(PRINT_SETTINGS, "portal.settings.prod", env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_prod_refuses_a_short_secret_key_and_missing_hosts():
    short = run_python(
        PRINT_SETTINGS, "portal.settings.prod", {**PROD_ENV, "DJANGO_SECRET_KEY": "short"}
    )
    assert "DJANGO_SECRET_KEY must be set" in short.stderr
    env = {k: v for k, v in PROD_ENV.items() if k != "DJANGO_ALLOWED_HOSTS"}
    no_hosts = run_python(PRINT_SETTINGS, "portal.settings.prod", env)
    assert "DJANGO_ALLOWED_HOSTS must list" in no_hosts.stderr


def test_check_deploy_is_clean_under_production_settings():
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = run_python(code, "portal.settings.prod", PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr
