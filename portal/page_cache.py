"""Page cache for public pages: whole pages for anonymous readers, and the country page's sections.

Rendered pages (the country page, the lists, detail pages, search; each wrapped in
`cache_public_page` in its app's `urls.py`) are kept in the default cache for
`PAGE_CACHE_SECONDS`, and each section of the country page on its own (`cached_sections`), so the
first reader after a change renders only the sections the change touched.

Cached pages are never stale, and a change refreshes only what shows it. Each entry keeps the
*version keys* it depends on (portal/cache_dependencies.py: per country and record type, per
record type, the search index) with their values before it was rendered, and is served only
while they are unchanged. What an entry depends on is read from the SQL it ran. A write to a model
of the apps that declare record types (save, delete, many-to-many change) moves on the keys of
what it changes, both at once and again when the transaction commits, so a page rendered from
data about to change is never served after the change: an edit of a Lithuanian initiative
refreshes Lithuania's page, the lists and the searches, not Latvia's page. Bulk writes
(`bump_generation`) and a cache that failed move the *epoch* on, which every entry depends on. A
draft that is published, or a published record withdrawn, is therefore on or off every cached
page at the next request.

Who bypasses the cache is decided without a query for everyone but signed-in editors: signing in
sets a signed marker cookie (`EDITOR_COOKIE`, bound to the session) and signing out removes it. A
request without a valid marker is anonymous whatever `sessionid` it sends, so a forged or stale
session cookie costs one HMAC check and a cache hit. Only a request with a valid marker has its
session looked up: a signed-in editor gets a fresh page, a stale marker is dropped and served from
the cache. A pending message (a validly signed messages cookie) also gets a fresh page, so nothing
personal is ever stored or served from the cache.

The cache is an accelerator, never a dependency. When it fails (Redis down, unreachable or slow),
the process stops trusting it: pages are rendered without it and saves go through; the failure is
logged once a minute at most, without a traceback. The process tries again every `RETRY_SECONDS`,
and it trusts the cache again only once it has moved the epoch on, so entries written before
a failed invalidation (a Redis that comes back with its data) are never read by this process.
See docs/architecture.md for what remains possible when only some processes lose the cache.

With several server processes the cache must be shared (REDIS_URL); production turns the page
cache off when it is not.
"""

import contextvars
import gzip
import hashlib
import logging
import re
import threading
import time
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth import SESSION_KEY, user_logged_in, user_logged_out
from django.contrib.messages import get_messages
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from . import cache_dependencies as dependencies

log = logging.getLogger(__name__)

# Moved on by every change: the HTTP validators (portal/http_cache.py) and the search index.
GENERATION_KEY = "page-cache:generation"
# Moved on by bulk writes and after a cache failure: every cached entry depends on it.
EPOCH_KEY = "page-cache:epoch"

EDITOR_COOKIE = "portal_editor"
EDITOR_COOKIE_SALT = "portal.page_cache.editor"
# How long a process leaves a failed cache alone before trying it again, and how often at most it
# logs that the cache is still failing.
RETRY_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0


class CacheHealth:
    """Whether this process may use the cache; one instance per process, shared by its threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.failures = 0
        self.trusted = True
        self._tried_at = 0.0  # the last failure or retry
        self._logged_at = None

    def failed(self, error):
        now = time.monotonic()
        with self._lock:
            self.failures += 1
            self.trusted = False
            self._tried_at = now
            log_now = self._logged_at is None or now - self._logged_at >= LOG_EVERY_SECONDS
            if log_now:
                self._logged_at = now
        if log_now:
            log.warning(
                "Page cache unavailable, pages are rendered without it (%s: %s); "
                "retrying every %g s, this message repeats at most every %g s",
                type(error).__name__,
                error,
                RETRY_SECONDS,
                LOG_EVERY_SECONDS,
            )

    def usable(self):
        """True when the cache may be read and written now; retries a failed cache when due."""
        if self.trusted:
            return True
        with self._lock:
            now = time.monotonic()
            if now - self._tried_at < RETRY_SECONDS:
                return False
            self._tried_at = now
            failures = self.failures
        # Entries written before the failure may miss an invalidation this process could not
        # make: move the generation on before reading anything again.
        try:
            _bump()
        except Exception as error:  # any cache backend's error: the cache stays off here
            self.failed(error)
            return False
        with self._lock:
            # A failure during the retry (another thread) keeps the cache off until the next one.
            if self.failures == failures:
                self.trusted = True
                self._logged_at = None
        if self.trusted:
            log.info("Page cache available again; every cached page was invalidated")
        return self.trusted

    def unchanged_since(self, failures):
        return self.trusted and self.failures == failures


health = CacheHealth()


def content_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A new (or emptied) cache starts from a number no earlier generation used.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _bump_keys(keys):
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache (evicted, restarted): any new value will do
            cache.set(key, time.time_ns(), timeout=None)


def _bump():
    _bump_keys((EPOCH_KEY, GENERATION_KEY))


def bump_keys(keys):
    """Move `keys` on (None: every cached entry). Never raises: a failed cache must not undo a
    save."""
    if not health.usable():
        # This process reads no cached page until a later bump succeeds (`CacheHealth.usable`).
        return
    try:
        if keys is None:
            _bump()
        else:
            _bump_keys((GENERATION_KEY, *sorted(keys)))
    except Exception as error:  # any cache backend's error
        health.failed(error)


def bump_generation():
    """Invalidate every cached page (bulk writes, which send no model signals)."""
    bump_keys(None)


def bump_keys_now_and_on_commit(keys):
    bump_keys(keys)
    transaction.on_commit(lambda: bump_keys(keys))


def bump_now_and_on_commit():
    bump_keys_now_and_on_commit(None)


def search_index_changed():
    """The search index was written: pages that read it are stale (called after the write, so a
    page rendered between a record's commit and its index refresh is not kept)."""
    bump_keys(())


def _before_save(sender, instance, raw=False, **kwargs):
    if not raw and dependencies.is_content(sender):
        instance._page_cache_before = dependencies.foreign_keys_before(sender, instance.pk)


def _saved(sender, instance, raw=False, **kwargs):
    # Writes to the apps that declare record types change what public pages show; fixtures
    # (raw saves) load related rows in any order, so they invalidate everything.
    if dependencies.is_content(sender):
        bump_keys_now_and_on_commit(None if raw else dependencies.row_keys(instance))


def _before_delete(sender, instance, **kwargs):
    # Read while the row and its relations still exist.
    if dependencies.is_content(sender):
        instance._page_cache_keys = dependencies.row_keys(instance)


def _deleted(sender, instance, **kwargs):
    if dependencies.is_content(sender):
        bump_keys_now_and_on_commit(getattr(instance, "_page_cache_keys", None))


def _m2m_changed(sender, instance, action, model, pk_set, reverse, **kwargs):
    if not dependencies.is_content(sender):
        return
    keys = dependencies.m2m_keys(instance, model, pk_set, reverse)
    if action.startswith("pre_"):
        # The records as related before the change (a removed country's pages show them too).
        instance._page_cache_m2m_keys = keys
        return
    before = getattr(instance, "_page_cache_m2m_keys", set())
    instance._page_cache_m2m_keys = set()
    bump_keys_now_and_on_commit(None if keys is None or before is None else keys | before)


def _signed_in(sender, request, **kwargs):
    request._editor_cookie = "set"


def _signed_out(sender, request, **kwargs):
    request._editor_cookie = "delete"


def connect_signals():
    pre_save.connect(_before_save, dispatch_uid="page_cache_pre_save")
    post_save.connect(_saved, dispatch_uid="page_cache_post_save")
    pre_delete.connect(_before_delete, dispatch_uid="page_cache_pre_delete")
    post_delete.connect(_deleted, dispatch_uid="page_cache_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="page_cache_m2m_changed")
    user_logged_in.connect(_signed_in, dispatch_uid="page_cache_signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="page_cache_signed_out")


def _session_digest(session_key):
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _editor_signer():
    return signing.TimestampSigner(salt=EDITOR_COOKIE_SALT)


def has_editor_marker(request):
    """A marker this site signed for the session cookie the request sends: an HMAC, no query."""
    marker = request.COOKIES.get(EDITOR_COOKIE)
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not marker or not session_key:
        return False
    try:
        digest = _editor_signer().unsign(marker, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return False
    return digest == _session_digest(session_key)


class EditorMarkerMiddleware:
    """Sets the editor marker at sign-in and removes it at sign-out (and when it went stale).

    An editor signed in before the marker existed gets it at the next admin page, which loads
    the session anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        action = getattr(request, "_editor_cookie", None)
        if action is None and self._signed_in_without_marker(request):
            action = "set"
        if action == "set" and request.session.session_key:
            self._set(request, response)
        elif action == "delete" and EDITOR_COOKIE in request.COOKIES:
            response.delete_cookie(
                EDITOR_COOKIE,
                path=settings.SESSION_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        return response

    @staticmethod
    def _signed_in_without_marker(request):
        # Only a session this request has loaded already: never a query of its own.
        session = getattr(request, "session", None)
        return (
            session is not None
            and session.accessed
            and SESSION_KEY in session
            and not has_editor_marker(request)
        )

    @staticmethod
    def _set(request, response):
        session = request.session
        response.set_cookie(
            EDITOR_COOKIE,
            _editor_signer().sign(_session_digest(session.session_key)),
            max_age=None if session.get_expire_at_browser_close() else session.get_expiry_age(),
            path=settings.SESSION_COOKIE_PATH,
            domain=settings.SESSION_COOKIE_DOMAIN,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )


def versions(keys):
    """The current value of each version key; a missing one gets a value no entry was stored
    with (a new number), so an entry that depended on an evicted key is never served again."""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, time.time_ns(), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    return found


class _Rendering:
    """A page being rendered for the cache: the versions read before, and the keys its cached
    sections depend on (they run no SQL when they are hits)."""

    def __init__(self, snapshot, iso_code):
        self.snapshot = snapshot
        self.iso_code = iso_code
        self.keys = set()
        # What the record fragments of the section being rendered showed (`cached_records`):
        # a fragment that is a hit runs no SQL, so the section's own statements do not tell.
        self.fragment_keys = set()


_rendering = contextvars.ContextVar("page_cache_rendering", default=None)


def _depends_on(statements, iso_code):
    labels, search = dependencies.labels_read(statements)
    keys = dependencies.keys_for(labels, iso_code=iso_code) | {EPOCH_KEY}
    if search:
        keys.add(GENERATION_KEY)
    return keys


def _entry(keys, snapshot, value):
    keys = tuple(sorted(keys))
    return (keys, tuple(snapshot[key] for key in keys), value)


def _key(request, query=True, prefix="page-cache:page"):
    # Canonical and OpenGraph URLs contain the scheme and host; the country page ignores the
    # query string.
    path = request.get_full_path() if query else request.path
    where = f"{request.scheme}://{request.get_host()}{path}"
    return f"{prefix}:{hashlib.sha256(where.encode()).hexdigest()}"


def _fresh_page_needed(request):
    # A forged messages cookie fails its signature check here, without a query.
    if len(get_messages(request)):
        return True
    if not has_editor_marker(request):
        return False
    if request.user.is_authenticated:
        return True
    request._editor_cookie = "delete"  # the session ended: serve from the cache from now on
    return False


# Per process: the version keys each cached page depended on when this process last read it, so
# the next read fetches the page and its versions in one round trip. Only a hint: an entry is
# always checked against the keys it holds, and those the hint missed are fetched after it.
_keys_seen = {}
KEYS_SEEN_MAX = 20_000


def _lookup(key):
    """(entry, the current values of its version keys) of cache key `key`, or (None, None)."""
    found = cache.get_many([key, *_keys_seen.get(key, ())])
    entry = found.pop(key, None)
    if entry is None:
        return None, None
    missing = [name for name in entry[0] if name not in found]
    if missing:
        found.update(cache.get_many(missing))
        if len(_keys_seen) >= KEYS_SEEN_MAX:
            _keys_seen.clear()
        _keys_seen[key] = entry[0]
    return entry, found


def _current(entry, current):
    keys, stored, _ = entry
    return all(current.get(key) == value for key, value in zip(keys, stored, strict=True))


def cache_public_page(view, *, country=None, query=True):
    """Serve anonymous GET requests of `view` from the page cache; everything else as usual.

    `country`: the URL keyword argument holding the ISO code of the country the page is about
    (its records then count per country); `query`: whether the query string selects the page.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = _cached_or_rendered(request, *args, **kwargs)
        if not response.streaming:
            # The early middleware answers gzip to readers who accept it.
            patch_vary_headers(response, ("Accept-Encoding",))
        return response

    def _cached_or_rendered(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method != "GET" or _fresh_page_needed(request):
            return view(request, *args, **kwargs)
        if not health.usable():
            return view(request, *args, **kwargs)
        failures = health.failures
        iso_code = str(kwargs[country]).upper() if country else None
        try:
            key = _key(request, query)
            entry, current = _lookup(key)
            if entry is not None and _current(entry, current):
                content, content_type = entry[2]
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                request._page_cache_stored = (entry[0], dict(zip(entry[0], entry[1], strict=True)))
                return response
            candidates = dependencies.candidate_keys(iso_code=iso_code)
            snapshot = versions([EPOCH_KEY, GENERATION_KEY, *sorted(candidates)])
        except Exception as error:  # any cache backend's error: render without the cache
            health.failed(error)
            return view(request, *args, **kwargs)
        rendering = _Rendering(snapshot, iso_code)
        token = _rendering.set(rendering)
        try:
            with dependencies.reading() as statements:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response = response.render()
        finally:
            _rendering.reset(token)
        # A page rendered while an invalidation failed may hold the data it missed: not kept.
        # A streamed answer (a download of every record a list selects) is never kept: it has
        # no size limit, and it is read from the database as it is sent.
        if (
            response.status_code == 200
            and not response.streaming
            and health.unchanged_since(failures)
        ):
            keys = _depends_on(statements, iso_code) | rendering.keys
            value = (response.content, response["Content-Type"])
            try:
                cache.set(key, _entry(keys, snapshot, value), seconds)
            except Exception as error:  # any cache backend's error
                health.failed(error)
            else:
                response["X-Page-Cache"] = "miss"
                request._page_cache_stored = (keys, snapshot)
        return response

    wrapper.page_cached = True  # the early middleware looks such views' pages up
    return wrapper


def _page_cached_path(path):
    """Whether `path` is served by a view `cache_public_page` wraps (a 404 is not)."""
    return _page_cached_in(get_resolver(get_urlconf()), path)


# Per resolver (a new one when the URL configuration changes): resolving costs about a tenth of
# a cached page's answer, and a reader asks for the same few thousand paths again and again.
@lru_cache(maxsize=4096)
def _page_cached_in(resolver, path):
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "page_cached", False)


# The entries hold (the page, whether it is gzipped, its headers).
EARLY_PREFIX = "page-cache:early:v2"
# Headers an early answer does not repeat: validators belong to the moment they were made, and a
# response that sets a cookie or carries one is never stored at all.
NOT_REPEATED = frozenset({"etag", "last-modified", "content-length", "x-page-cache"})
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
# Pages smaller than this are sent as they are: gzip would save little of a round trip.
GZIP_MIN_BYTES = 1024
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _gzipped(content):
    # mtime=0: the same page gives the same bytes. Cached pages are anonymous readers' pages,
    # which hold no secret (no CSRF token, no session data), so compression reveals nothing
    # (the BREACH attack needs a secret in the compressed page).
    # Level 1: a fifth of the time of the default level 6 on a country page, for about a fifth
    # more bytes; the first reader after a change waits for it.
    return gzip.compress(content, compresslevel=1, mtime=0)


class EarlyPageCacheMiddleware:
    """Answers an anonymous reader's request for a cached page before the session, CSRF,
    authentication and URL resolution run; placed right after the middlewares that set the
    headers every response carries (security, CSP, permissions, request guard, static files).

    A page `cache_public_page` stored is stored again here with its final headers (those the
    view and the inner middlewares set), under the same version keys. Only requests that could
    only ever get the anonymous page are answered here: GET, no messages cookie, no valid editor
    marker, no conditional headers (those go the whole way, for a 304).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _eligible(request):
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method == "GET"
            and "messages" not in request.COOKIES
            and not any(header in request.META for header in CONDITIONAL)
            and not has_editor_marker(request)
            # No cache round trip for what is never cached (/healthz, the admin, the API).
            and _page_cached_path(request.path_info)
        )

    def __call__(self, request):
        eligible = self._eligible(request) and health.usable()
        if eligible:
            try:
                entry, current = _lookup(_key(request, prefix=EARLY_PREFIX))
                if entry is not None and _current(entry, current):
                    body, zipped, headers = entry[2]
                    accepts = ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
                    if zipped and not accepts:  # rare: most clients, every browser accept gzip
                        body, zipped = gzip.decompress(body), False
                    response = HttpResponse(body)
                    for name, value in headers:
                        response[name] = value
                    if zipped:
                        response["Content-Encoding"] = "gzip"
                    response["Content-Length"] = str(len(body))
                    response["X-Page-Cache"] = "hit"
                    return response
            except Exception as error:  # any cache backend's error: the whole way, uncached
                health.failed(error)
                eligible = False
        failures = health.failures
        response = self.get_response(request)
        stored = getattr(request, "_page_cache_stored", None)
        if (
            eligible
            and stored is not None
            and response.status_code == 200
            and not response.cookies
            and not response.has_header("Content-Encoding")
            and health.unchanged_since(failures)
        ):
            keys, snapshot = stored
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in NOT_REPEATED
            ]
            content = response.content
            # Kept compressed only: a hit then moves a fifth of the bytes out of the cache.
            zipped = len(content) >= GZIP_MIN_BYTES
            body = _gzipped(content) if zipped else content
            try:
                cache.set(
                    _key(request, prefix=EARLY_PREFIX),
                    _entry(keys, snapshot, (body, zipped, headers)),
                    settings.PAGE_CACHE_SECONDS,
                )
            except Exception as error:  # any cache backend's error
                health.failed(error)
        return response


def _store_many(entries, failures):
    """Keep `entries` unless the cache failed since `failures` (what they read may be stale)."""
    if entries and health.unchanged_since(failures):
        try:
            cache.set_many(entries, settings.PAGE_CACHE_SECONDS)
        except Exception as error:  # any cache backend's error
            health.failed(error)


def _fragment_key(provider, iso_code):
    return f"page-cache:section:{provider.__module__}.{provider.__qualname__}:{iso_code}"


def cached_sections(providers, country, build):
    """The country page's sections from `providers`, each provider's rendered HTML kept in the
    cache with the versions it depends on (only while a cacheable page is rendered).

    `build(provider, country)` returns the provider's sections; while a page is rendered for the
    cache, every section comes back rendered (`CountrySectionHtml`), and a cached one runs no SQL.
    """
    rendering = _rendering.get()
    if rendering is None or rendering.iso_code is None:
        return [section for provider in providers for section in build(provider, country)]
    iso_code = rendering.iso_code
    keys = {provider: _fragment_key(provider, iso_code) for provider in providers}
    failures = health.failures
    try:
        found = cache.get_many(list(keys.values()))
    except Exception as error:  # any cache backend's error: render without the cache
        health.failed(error)
        found = {}
    sections, fresh = [], {}
    for provider in providers:
        entry = found.get(keys[provider])
        if entry is not None and _current(entry, rendering.snapshot):
            rendering.keys.update(entry[0])
            sections.extend(CountrySectionHtml(*fields) for fields in entry[2])
            continue
        rendering.fragment_keys = set()
        with dependencies.reading() as statements:
            built = build(provider, country)
            rendered = [
                (
                    section.id,
                    section.title,
                    section.order,
                    render_to_string(section.template, {"section": section, "country": country}),
                    section.summary,
                    tuple(section.highlights),
                )
                for section in built
            ]
        depends = _depends_on(statements, iso_code) | rendering.fragment_keys
        rendering.keys.update(depends)
        fresh[keys[provider]] = _entry(depends, rendering.snapshot, rendered)
        sections.extend(CountrySectionHtml(*fields) for fields in rendered)
    _store_many(fresh, failures)
    return sections


def cached_records(queryset, *, load, template, name, context=None, only=()):
    """The records of `queryset` for a country page section, each with its rendered HTML kept in
    the cache on its own, so the first reader after an edit of one record renders that record
    only (a timeline of sixty initiatives renders one).

    Outside a country page rendered for the cache this is `list(load(queryset))`: the records,
    loaded with what their template shows. Inside one, the records come back with just `only`
    (and the primary key) loaded plus `html`, their fragment: `template` rendered with the record
    as `name` and `context`. A fragment is served while the version key of its record (moved on
    by every write to the record and to the rows that belong to it, such as its many-to-many
    links) and the keys of the other types it showed (read from the SQL that loaded it: an
    organisation's name, a theme) are unchanged. Keys of the record's own type are left out of a
    fragment's dependencies, which is why a fragment must show its own record only; whether the
    list changed (a record added, withdrawn, moved) is the section's dependency, since the section
    reads `queryset` every time.
    """
    rendering = _rendering.get()
    if rendering is None or rendering.iso_code is None:
        return list(load(queryset))
    iso_code = rendering.iso_code
    model = queryset.model
    label = model._meta.label_lower
    records = list(queryset.only(*only) if only else queryset)
    extra = sorted((context or {}).items())
    variant = hashlib.sha256(repr((template, name, extra)).encode()).hexdigest()[:16]
    prefix = f"page-cache:record:{label}"
    fragment_keys = {record.pk: f"{prefix}:{record.pk}:{iso_code}:{variant}" for record in records}
    record_keys = {record.pk: dependencies.one_record_key(label, record.pk) for record in records}
    failures = health.failures
    try:
        current = versions(list(record_keys.values()))
        found = cache.get_many(list(fragment_keys.values()))
    except Exception as error:  # any cache backend's error: render them all
        health.failed(error)
        current, found = None, {}
    own = dependencies.keys_for({label}, iso_code=iso_code)
    known = {**rendering.snapshot, **(current or {})}
    missing = []
    for record in records:
        entry = found.get(fragment_keys[record.pk])
        if current is not None and entry is not None and _current(entry, known):
            record.html = mark_safe(entry[2])  # the template's own output, autoescaped
            rendering.fragment_keys.update(set(entry[0]) - {record_keys[record.pk]})
        else:
            missing.append(record)
    if not missing:
        return records
    with dependencies.reading() as statements:
        loaded = {full.pk: full for full in load(queryset.filter(pk__in=[r.pk for r in missing]))}
    shown = _depends_on(statements, iso_code) - own
    rendering.fragment_keys.update(shown)
    fresh = {}
    for record in missing:
        full = loaded.get(record.pk)
        if full is None:  # withdrawn since the list was read: the next request lists it no more
            records.remove(record)
            continue
        html = render_to_string(template, {**dict(extra), name: full})
        record.html = mark_safe(html)
        if current is not None:
            depends = shown | {record_keys[record.pk]}
            fresh[fragment_keys[record.pk]] = _entry(depends, known, html)
    _store_many(fresh, failures)
    return records


class CountrySectionHtml:
    """A country page section already rendered: the page includes its `html`."""

    template = None

    def __init__(self, id, title, order, html, summary="", highlights=()):
        self.id = id
        self.title = title
        self.order = order
        self.html = mark_safe(html)  # the section template's own output, autoescaped
        self.summary = summary  # for the summary card at the top of the page
        self.highlights = list(highlights)
