"""The address a request comes from, for sign-in lockouts (django-axes).

Behind `PORTAL_TRUSTED_PROXY_COUNT` proxies, each appending the address it received the request from
to X-Forwarded-For, the client is the entry the outermost trusted proxy appended: entries to its
left come from the client itself and are never read. Without trusted proxies (0, the default) the
header is ignored and the address is the socket's. django-ipware reads the header; it counts only
the proxies listed in it, one fewer than stand in front of the server (the last one is the
socket's address).
"""

from django.conf import settings
from ipware import get_client_ip


def client_address(request):
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return request.META.get("REMOTE_ADDR")
    address, _routable = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        # Not strict: what a client puts in front of the proxies' entries may be anything, and
        # must not make the whole header count as missing.
        strict=False,
    )
    return address
