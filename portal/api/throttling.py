"""Anonymous rate limit of the API, kept in the cache; a failing cache lets requests through.

The limit is per client address (portal.client_address, the same one sign-in lockouts use, so a
client cannot spread its requests over made-up X-Forwarded-For entries). The cache is Django's
default cache (Redis in production); while portal.page_cache's health check says it is
unusable, or when a read or write fails, the request is served unthrottled: the limit protects
the database, an outage of the cache must not take the API down with it.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from portal import page_cache
from portal.client_address import client_address


class AnonymousRateThrottle(AnonRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read at each request, not at import, so settings (and tests) can change it.
        return settings.PORTAL_API_RATE

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        health = page_cache.health
        if not health.usable():
            return True
        try:
            return super().allow_request(request, view)
        except Exception as error:  # any cache backend's error: serve the request
            health.failed(error)
            return True
