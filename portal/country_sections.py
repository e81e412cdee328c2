"""Sections that the apps add to the country page.

An app contributes with a function `country_section(country)` returning a CountrySection, a list
of them, or None, registered in its `records.py` with portal.records.register_country_section.
The country page calls each one; each must run a fixed number of SQL queries whatever the amount
of data (prefetch, don't loop queries), and shows public records only (`.public()`). A section
that lists many records of one type loads them with `cached_records`, so the first reader after
an edit of one of them renders that one only.
"""

from dataclasses import dataclass, field

from .page_cache import cached_records, cached_sections
from .records import country_section_providers

# For the providers: a section listing many records keeps each record's HTML in the page cache.
__all__ = ["CountrySection", "Highlight", "cached_records", "counted", "country_sections"]


@dataclass
class Highlight:
    """A fact the country page's summary card shows at the top (a helpline and its number, the
    instruments in force): `text` links to `url` when there is one."""

    label: str
    text: str
    url: str = ""


@dataclass
class CountrySection:
    id: str  # HTML id, also the table-of-contents anchor
    title: str
    template: str  # rendered with `section` and `country` in the context
    order: int = 100  # lower comes first
    context: dict = field(default_factory=dict)
    summary: str = ""  # what the section holds, with counts, for the summary card ("3 channels")
    highlights: list = field(default_factory=list)  # Highlight objects for the summary card
    brief_template: str = ""  # the PDF country brief's shorter version; "": `template`
    html: str | None = None  # rendered already (the page cache's sections): included as is


def section_providers():
    return country_section_providers()


def counted(number, singular, plural=None):
    """'1 report', '24 reports', 'no reports'."""
    plural = plural or f"{singular}s"
    if not number:
        return f"no {plural}"
    return f"{number} {singular if number == 1 else plural}"


def _build(provider, country):
    result = provider(country)
    if isinstance(result, CountrySection):
        return [result]
    return list(result or ())


def country_sections(country):
    """The sections of `country`'s page, in order; rendered already (each has `html`) when the
    page cache keeps them (portal/page_cache.py)."""
    sections = cached_sections(section_providers(), country, _build)
    return sorted(sections, key=lambda s: s.order)
