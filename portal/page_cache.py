"""Whole-page cache for the heaviest public page, the country page.

A country page renders hundreds of records; the queries are few and fixed, but building the HTML
takes tens of milliseconds. Anonymous readers all see the same page, so the rendered HTML is kept in
the default cache for `PAGE_CACHE_SECONDS`.

Cached pages are never stale: every key contains a *content generation* number, and any write to a
model of the apps that declare record types (portal/records.py: save, delete, M2M change; bulk
imports call `bump_generation` directly) moves the generation on, both at once and again when the
transaction commits, so a page rendered from data that is about to change is never served after
the change. A draft that is published, or a
published record withdrawn, is therefore on or off every cached page at the next request.

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
and it trusts the cache again only once it has moved the generation on, so entries written before
a failed invalidation (a Redis that comes back with its data) are never read by this process.
See docs/architecture.md for what remains possible when only some processes lose the cache.

With several server processes the cache must be shared (REDIS_URL); production turns the page
cache off when it is not.
"""

import hashlib
import logging
import threading
import time
from functools import wraps

from django.conf import settings
from django.contrib.auth import SESSION_KEY, user_logged_in, user_logged_out
from django.contrib.messages import get_messages
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

from .records import content_apps

log = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"

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


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (evicted, restarted): any new value will do
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def bump_generation():
    """Invalidate every cached page. Never raises: a failed cache must not undo a save."""
    if not health.usable():
        # This process reads no cached page until a later bump succeeds (`CacheHealth.usable`).
        return
    try:
        _bump()
    except Exception as error:  # any cache backend's error
        health.failed(error)


def bump_now_and_on_commit():
    bump_generation()
    transaction.on_commit(bump_generation)


def _content_changed(sender, **kwargs):
    # Writes to the apps that declare record types change what public pages show.
    if sender._meta.app_label in content_apps():
        bump_now_and_on_commit()


def _m2m_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        _content_changed(sender)


def _signed_in(sender, request, **kwargs):
    request._editor_cookie = "set"


def _signed_out(sender, request, **kwargs):
    request._editor_cookie = "delete"


def connect_signals():
    post_save.connect(_content_changed, dispatch_uid="page_cache_post_save")
    post_delete.connect(_content_changed, dispatch_uid="page_cache_post_delete")
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


def _key(request):
    # Canonical and OpenGraph URLs contain the scheme and host; the page ignores the query string.
    where = f"{request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.sha256(where.encode()).hexdigest()
    return f"page-cache:{content_generation()}:{digest}"


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


def cache_public_page(view):
    """Serve anonymous GET requests of `view` from the page cache; everything else as usual."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method != "GET" or _fresh_page_needed(request):
            return view(request, *args, **kwargs)
        if not health.usable():
            return view(request, *args, **kwargs)
        failures = health.failures
        try:
            key = _key(request)
            cached = cache.get(key)
        except Exception as error:  # any cache backend's error: render without the cache
            health.failed(error)
            return view(request, *args, **kwargs)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response = response.render()
        # A page rendered while an invalidation failed may hold the data it missed: not kept.
        if response.status_code == 200 and health.unchanged_since(failures):
            try:
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            except Exception as error:  # any cache backend's error
                health.failed(error)
            else:
                response["X-Page-Cache"] = "miss"
        return response

    return wrapper
