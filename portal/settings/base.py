"""Settings shared by every environment.

Everything deployment-specific comes from environment variables (see .env.example and the README).
A `.env` file in the project folder is read when present, real environment variables win.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# A database that accepts connections but does not answer must fail requests fast, not hold every
# server process until gunicorn kills it: PostgreSQL connections give up after
# DJANGO_DB_CONNECT_TIMEOUT seconds (the TCP connect and the start-up handshake; libpq's minimum is
# 2) and statements after DJANGO_DB_STATEMENT_TIMEOUT_MS (0: no limit), which is below gunicorn's
# 30-second worker timeout. SQLite keeps its own lock-wait timeout.
DB_CONNECT_TIMEOUT = env.int("DJANGO_DB_CONNECT_TIMEOUT", default=5)
DB_STATEMENT_TIMEOUT_MS = env.int("DJANGO_DB_STATEMENT_TIMEOUT_MS", default=20000)


def with_timeouts(database):
    if "postgresql" in database["ENGINE"]:
        options = database.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
        if DB_STATEMENT_TIMEOUT_MS > 0:
            given = options.get("options", "")
            options["options"] = f"{given} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}".strip()
    return database


DATABASES = {
    "default": with_timeouts(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a request reuses its process's connection instead of paying a new
# PostgreSQL start-up (authentication, a backend process) each time; the health check before reuse
# replaces a connection the server closed, so a restarted database costs no failed request.
# Production keeps them 10 minutes by default (portal/settings/prod.py), development closes them.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A streaming replica of the primary for public reads (portal/db_routing.py, docs/deploy.md):
# anonymous GET/HEAD requests read there while it answers and has caught up; editors, the admin
# and every write use `default`. A replica that does not answer is retried after
# PORTAL_REPLICA_RETRY_SECONDS; its connections give up after DJANGO_DB_REPLICA_CONNECT_TIMEOUT.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
PORTAL_REPLICA_RETRY_SECONDS = env.float("PORTAL_REPLICA_RETRY_SECONDS", default=5.0)
if DATABASE_REPLICA_URL:
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DJANGO_DB_REPLICA_CONNECT_TIMEOUT", default=2
    )
    DATABASES["replica"] = with_timeouts(_replica)
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Tests run against one database: the replica alias is the default's connection there.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["portal.db_routing.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin with the editor's desk
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "axes",
    "csp",
    "portal.search",
    "portal",
    "profiles",
    "laws",
    "library",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Public reads on the replica when one is configured, with a retry on the primary when it
    # fails mid-request (portal/db_routing.py); a no-op without DATABASE_REPLICA_URL.
    "portal.db_routing.ReadRoutingMiddleware",
    # Before anything that may answer early, so every response carries these headers.
    "portal.csp.PortalCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # CORS headers on the API only (CORS_URLS_REGEX), before anything that may answer early.
    "corsheaders.middleware.CorsMiddleware",
    # Refuses methods the site does not serve and control characters in addresses; redirects
    # other spellings of an address to its canonical one (portal/request_guard.py).
    "portal.request_guard.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /healthz: the load balancer's probe, answered here (portal/health.py).
    "portal.health.HealthCheckMiddleware",
    # Serves anonymous readers' cached pages before sessions, CSRF and URL resolution
    # (portal/page_cache.py); after the middlewares whose headers every response carries.
    "portal.page_cache.EarlyPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks signed-in editors for the page cache (portal/page_cache.py).
    "portal.page_cache.EditorMarkerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: locks out repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in protection (django-axes): 5 failed attempts for one username from one address lock that
# pair out for an hour; the same username from another address is not locked. Unlock early with
# `manage.py axes_reset_username <name>` (see docs/editorial-workflow.md).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Proxies in front of gunicorn that append the client's address to X-Forwarded-For (README
# "Production"); 0: the header is ignored. Lockouts key on the address portal/client_address.py
# finds with it, so one client cannot lock an editor out everywhere.
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REDIS_URL = env.str("REDIS_URL", default="")
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, its client made once per connection pool.
            "BACKEND": "portal.cache_backend.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # A Redis that is down or does not answer costs a request at most this long; the page
            # cache then leaves it alone for a while (portal/page_cache.py).
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds a rendered country page is kept for anonymous readers (0 turns the cache off). Any record
# change invalidates every cached page at once (portal/page_cache.py).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

# The search engine behind /search/ and the lists' text filter: the dotted path of a
# portal.search.backends.base.SearchBackend (class or factory); the default picks the PostgreSQL
# or the SQLite backend by the default database (docs/search.md, "Adding a backend").
PORTAL_SEARCH_BACKEND = env.str(
    "PORTAL_SEARCH_BACKEND", default="portal.search.backends.auto.for_default_database"
)
# Conditional GET of public pages (portal/http_cache.py): their ETag and Last-Modified come from
# the page cache's content generation, which is right only in a cache every server process
# shares, so it is on with Redis.
PORTAL_CONDITIONAL_GET = env.bool("PORTAL_CONDITIONAL_GET", default=bool(REDIS_URL))

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from the site itself
# only, none inline (the site has no inline script or style); no plugins, no framing, forms post
# to the site only. Admin pages add the few inline attributes of third-party admin templates, by
# hash (portal/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): the site uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# The read-only API at /api/v1/ (portal/api, docs/api.md): JSON only, no sign-in (every reader is
# anonymous and sees public records only), a rate limit per client address kept in the cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["portal.api.renderers.SafeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.AnonymousRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # `format` is a filter of the public lists' downloads, never a renderer choice here.
    "URL_FORMAT_OVERRIDE": None,
}
# Requests per client address: "<number>/<second|minute|hour|day>".
PORTAL_API_RATE = env.str("PORTAL_API_RATE", default="120/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Child Online Safety Portal API",
    "DESCRIPTION": (
        "Every public record of the portal, read-only. Lists take the same filters as the "
        "portal's list pages and are paginated by cursor (follow `next`); related records are "
        "their identifier and a link. Data under CC BY 4.0."
    ),
    "VERSION": "1",
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PATH_CONVERTER_OVERRIDES": {
        "iso": {"type": "string", "pattern": "^[a-z]{2}$"},
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
        "number-or-unknown": {"type": "string", "pattern": "^([0-9]+|unknown)$"},
        "text": {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f]+$"},
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
    ],
}
# Cross-origin reads of the API from any site; no credentials, no other methods.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False

# Largest spreadsheet an import accepts (bytes); larger files are refused with a clear message.
PORTAL_IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=50_000_000)  # 50 MB

# The country model every record type relates to, referenced the way AUTH_USER_MODEL is: portal
# reads it with portal.records.country_model() and never imports the app that defines it.
PORTAL_COUNTRY_MODEL = "profiles.Country"

# Shown in the footer and used by templates; not secret.
SITE_NAME = "Child Online Safety Portal"
SITE_CONTACT_EMAIL = env.str("PORTAL_CONTACT_EMAIL", default="contact@example.org")
SITE_DATA_LICENCE = "CC BY 4.0"

# Mail (suggested corrections to editors, decisions to readers): EMAIL_URL in django-environ's
# form, e.g. smtp+tls://user:password@mail.example.org:587; the console by default.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = EMAIL_CONFIG.get("EMAIL_FILE_PATH") or None
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=10)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="portal@example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Suggested corrections one address may send per hour (portal/suggestions.py).
PORTAL_SUGGESTIONS_PER_HOUR = env.int("PORTAL_SUGGESTIONS_PER_HOUR", default=5)
# A published record unchanged for longer than this is listed as stale on the editors' desk.
PORTAL_STALE_AFTER_DAYS = env.int("PORTAL_STALE_AFTER_DAYS", default=365)
# The whole database as a data package (portal/datapackage.py, docs/open-data.md): where the zip
# is kept, how old a package must be before an edit gets it rebuilt (one rebuild for a burst of
# edits), and how: "background" (a thread of the serving process), "inline" (in the request) or
# "off" (only `manage.py build_datapackage`).
PORTAL_DATAPACKAGE_DIR = env.path("PORTAL_DATAPACKAGE_DIR", default=BASE_DIR / "media" / "data")
PORTAL_DATAPACKAGE_MIN_AGE = env.int("PORTAL_DATAPACKAGE_MIN_AGE", default=300)
PORTAL_DATAPACKAGE_REBUILD = env.str("PORTAL_DATAPACKAGE_REBUILD", default="background")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint (the PDF country brief) logs every layout step at INFO and every browser-only
    # CSS rule of the site's stylesheets it skips as a warning: only its errors are news.
    "loggers": {"weasyprint": {"level": "ERROR"}},
}
