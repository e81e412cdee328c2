"""What the visibility test (tests/portal/test_visibility.py) needs to know about a record type.

Each app's `tests/<app>/factories.py` has `VISIBILITY = {Model: Sample(...)}` for every record
type the app declares; the test fails for a declared type without one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


def default_markers(record, mark):
    return [mark]


@dataclass(frozen=True)
class Sample:
    """How to make one record of a type, and how to recognise it on a page.

    `make(mark, *, status, country, **parents)` makes a record whose pages show `mark` (a few
    words starting with the test's marker word), tied to `country` when the type is tied to
    countries; `parents` (e.g. act=<a draft act>) replace the default parents. `markers(record,
    mark)` are the strings a page that shows the record contains (its str() is added). `pages`
    are the paths (with {iso} for the country's lower-case code, {ISO} for the upper-case one)
    where a public record shows besides its list page, its own page, search, sitemap.xml and its
    country's change log.
    """

    make: Callable
    markers: Callable = default_markers
    pages: tuple = field(default=())


COUNTRY_PAGE = "/countries/{iso}/"
LEGISLATION_PAGE = "/countries/{iso}/legislation/"
COMPARE_PAGE = "/compare/?country={ISO}&country=LV"
