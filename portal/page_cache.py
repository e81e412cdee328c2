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

Requests with a session or a pending message (signed-in editors, a reader just signed out) always
get a freshly rendered page, so nothing personal is ever stored or served from the cache. With
several server processes the cache must be shared (REDIS_URL); production turns the page cache off
when it is not.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

from .records import content_apps

GENERATION_KEY = "page-cache:generation"


def content_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A new (or emptied) cache starts from a number no earlier generation used.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def bump_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (evicted, restarted): any new value will do
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


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


def connect_signals():
    post_save.connect(_content_changed, dispatch_uid="page_cache_post_save")
    post_delete.connect(_content_changed, dispatch_uid="page_cache_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="page_cache_m2m_changed")


def _key(request):
    # Canonical and OpenGraph URLs contain the scheme and host; the page ignores the query string.
    where = f"{request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.sha256(where.encode()).hexdigest()
    return f"page-cache:{content_generation()}:{digest}"


def _personal(request):
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or "messages" in cookies
        or request.user.is_authenticated
    )


def cache_public_page(view):
    """Serve anonymous GET requests of `view` from the page cache; everything else as usual."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method != "GET" or _personal(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response = response.render()
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), seconds)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
