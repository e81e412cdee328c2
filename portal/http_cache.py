"""HTTP caching of public pages: revalidation that costs no query, and the right headers for all.

A public page (`public_page`) sends

- `Cache-Control: public, no-cache` and `Vary: Cookie`: browsers and proxies may keep it, and ask
  again before each use;
- an `ETag` and a `Last-Modified` made from the content generation of the page cache
  (portal.page_cache: any record change moves it on) and the version of the running code, so a
  conditional GET (If-None-Match, If-Modified-Since) for a copy that is still current is answered
  304 before the view runs: no query, no template.

A signed-in user's page, or one with a message waiting, is personal: `Cache-Control: private,
no-store` and no validators. Validators need a cache every server process shares
(`PORTAL_CONDITIONAL_GET`, on with Redis); when the cache cannot say the generation, pages carry
none and are rendered every time.
"""

import hashlib
import time
from datetime import UTC, datetime
from functools import cache as once
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import condition

from .page_cache import content_generation, has_editor_marker

LAST_MODIFIED_KEY = "http-cache:last-modified"
CODE_DIRS = ("portal", "profiles", "laws", "library")
CODE_SUFFIXES = frozenset({".py", ".html", ".txt", ".css", ".js", ".json", ".xml"})


@once
def code_version():
    """A digest of the code, templates and static files: a deploy that changes what pages look
    like gives them new validators, though no record changed."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in CODE_DIRS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def personal(request):
    # The same test as the page cache's: a forged or stale session cookie costs no session query.
    return "messages" in request.COOKIES or (
        has_editor_marker(request) and request.user.is_authenticated
    )


def _first_seen(version):
    """When `version` of the content was first served, in whole seconds, and always after the time
    the version before it got: If-Modified-Since then never takes new content for old content
    changed within the same second."""
    entry = cache.get(LAST_MODIFIED_KEY)
    if entry is not None and entry[0] == version:
        seconds = entry[1]
    else:
        seconds = max(int(time.time()), entry[1] + 1 if entry is not None else 0)
        cache.set(LAST_MODIFIED_KEY, (version, seconds), timeout=None)
    return datetime.fromtimestamp(seconds, UTC)


def _validators(request):
    """(ETag, Last-Modified) of a public page, or (None, None); worked out once a request."""
    if not hasattr(request, "_public_page_validators"):
        request._public_page_validators = (None, None)
        if settings.PORTAL_CONDITIONAL_GET and not personal(request):
            try:
                generation = content_generation()
                if generation is not None:
                    version = f"{generation}:{code_version()}"
                    where = f"{version}|{request.get_host()}|{request.get_full_path()}"
                    etag = f'W/"{hashlib.sha256(where.encode()).hexdigest()[:32]}"'
                    request._public_page_validators = (etag, _first_seen(version))
            except Exception:  # the cache is an accelerator: without it, the page renders
                pass
    return request._public_page_validators


def _etag(request, *args, **kwargs):
    return _validators(request)[0]


def _last_modified(request, *args, **kwargs):
    return _validators(request)[1]


def public_page(view):
    """Conditional GET and cache headers for a public view (see the module docstring)."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        last_modified = _validators(request)[1]
        if last_modified is not None and request.method in ("GET", "HEAD"):
            # The date If-Modified-Since is checked against, not one the view set itself (the
            # feed and the sitemap name their newest record's).
            response["Last-Modified"] = http_date(last_modified.timestamp())
        if personal(request):
            add_never_cache_headers(response)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper
