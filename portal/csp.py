"""Content-Security-Policy: django-csp with the site's policy (settings.CONTENT_SECURITY_POLICY)
everywhere, and, on admin pages only, the few inline attributes third-party admin templates write.

The site's own templates have no inline script, style or event handler. One template of another
package does: django-simple-history's history list (one `style` attribute). The admin allows
exactly that attribute value, by hash ('unsafe-hashes'), and nothing else inline; the browser
test tests/browser/test_content_security_policy.py fails if a new version of the package writes
other ones.
"""

import base64
import hashlib

from csp.constants import HEADER, UNSAFE_HASHES
from csp.middleware import CheckableLazyObject, CSPMiddleware

ADMIN_PREFIX = "/admin/"
ADMIN_INLINE_ATTRIBUTES = {
    "style-src-attr": ("border-top: 0",),
}


def source_hash(text):
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


ADMIN_POLICY_UPDATE = {
    directive: [UNSAFE_HASHES, *(source_hash(value) for value in values)]
    for directive, values in ADMIN_INLINE_ATTRIBUTES.items()
}


class PortalCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        # A page the early page cache answered carries the header this middleware set on it
        # when it was stored (the cache key depends on the policy settings): not built again.
        if getattr(response, "_headers_from_cache", False) and HEADER in response:
            if getattr(request, "_csp_nonce", None) is None:
                request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX) and parts.update is None:
            parts.update = ADMIN_POLICY_UPDATE
        return parts
