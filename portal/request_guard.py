"""Checks every request passes before any view (and so the database) sees it.

- Methods: the site answers GET, HEAD, POST and OPTIONS; anything else (TRACE, PUT, ...) is a 405.
- Control characters: no address of the site contains one, so a path with a control character
  is a 404; a query string whose names or values hold one (tab and line breaks aside) is a 400.
  PostgreSQL refuses NUL in text, so these would otherwise fail as a 500 in any lookup.
- Canonical paths: a page has one address, the one `reverse()` gives for it. Converters fold case
  (portal.converters), so another spelling of an identifier (/countries/LT/) is a 301 to it.
"""

import re
from urllib.parse import quote

from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponseNotAllowed, HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, reverse

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
QUERY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        if PATH_CONTROL.search(request.path_info):
            raise Http404("No address contains a control character.")
        for name, values in request.GET.lists():
            if any(QUERY_CONTROL.search(text) for text in (name, *values)):
                raise BadRequest("The query string holds a control character.")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method not in ("GET", "HEAD") or not match.url_name or not match.captured_kwargs:
            return None
        try:
            canonical = reverse(match.view_name, args=match.args, kwargs=match.captured_kwargs)
        except NoReverseMatch:
            return None
        current = quote(request.path, safe="/:@!$&'()*+,;=-._~")
        if canonical != current and canonical.lower() == current.lower():
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
        return None
