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


class TextConverter:
    """Free text that identifies a record (an instrument's short name): any characters but
    control characters, slashes included ("Directive 2011/93/EU"). A NUL byte never matches, so
    it never reaches PostgreSQL, which refuses it in text."""

    regex = "[^\\x00-\\x1f\\x7f]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class OptionalNumberConverter:
    """A whole number, or "unknown" for a number not given (an indicator value's empty year)."""

    regex = "[0-9]+|unknown"
    UNKNOWN = "unknown"

    def to_python(self, value):
        return None if value == self.UNKNOWN else int(value)

    def to_url(self, value):
        return self.UNKNOWN if value is None else str(int(value))
