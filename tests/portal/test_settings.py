"""Settings come from the environment; production refuses unsafe configuration."""

import json
import os
import subprocess
import sys

from django.conf import settings

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


def run_python(code, module, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.pop("REDIS_URL", None)
    env.pop("PAGE_CACHE_SECONDS", None)
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
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["secret"] == PROD_ENV["DJANGO_SECRET_KEY"]


def test_prod_page_cache_needs_the_shared_redis_cache():
    """Local-memory caches are per process: an edit would not reach the other workers' pages."""
    with_redis = {**PROD_ENV, "REDIS_URL": "redis://cache.internal:6379/1"}
    assert read_settings("portal.settings.prod", with_redis)["page_cache"] == 600
    assert read_settings("portal.settings.prod", PROD_ENV)["page_cache"] == 0
    explicit = {**PROD_ENV, "PAGE_CACHE_SECONDS": "120"}
    assert read_settings("portal.settings.prod", explicit)["page_cache"] == 120
    assert read_settings("portal.settings.dev", {})["page_cache"] == 600


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
