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

from csp.constants import UNSAFE_HASHES
from csp.middleware import CSPMiddleware

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
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX) and parts.update is None:
            parts.update = ADMIN_POLICY_UPDATE
        return parts
