"""Path converters for the natural identifiers in public URLs.

A path segment that cannot be an identifier does not match, so it never reaches a view or the
database: the request is a 404 before any query runs.
"""


class CountryCodeConverter:
    """An ISO 3166-1 alpha-2 code, in any case. Its canonical form in URLs is lower case
    (portal.request_guard redirects the other spellings there)."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value):
        return value.lower()

    def to_url(self, value):
        return str(value).lower()
