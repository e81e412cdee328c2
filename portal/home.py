"""The home page: search first, headline counts, the world map, the latest changes and what the
apps add (the newest research) through portal.records.register_home_section.

A fixed number of SQL queries whatever the number of countries or records: one count per record
type with a public list, the published countries, the map's completeness (one query), one query
per record type for the latest changes, and each home section's own fixed queries.
"""

from dataclasses import dataclass, field

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from .changes import latest_changes
from .records import country_model, home_section_providers, record_types
from .world_map import world_map

LATEST_CHANGES = 8


@dataclass
class HomeSection:
    id: str  # HTML id
    title: str
    template: str  # rendered with `section` in the context
    order: int = 100  # lower comes first
    context: dict = field(default_factory=dict)


@dataclass
class HeadlineCount:
    label: str
    count: int
    url: str


def headline_counts():
    """How many public records each type with a public list has, linked to that list, in the
    site menu's order."""
    counts = []
    types = sorted((t for t in record_types() if t.list_page), key=lambda t: t.list_page.menu_order)
    for record_type in types:
        try:
            url = reverse(record_type.list_page.url_name)
        except NoReverseMatch:  # a URLconf without that app (some tests use one)
            continue
        label = record_type.search.label if record_type.search else None
        label = label or str(record_type.model._meta.verbose_name_plural).capitalize()
        counts.append(HeadlineCount(label, record_type.public().count(), url))
    return counts


def home_sections():
    sections = [section for provider in home_section_providers() if (section := provider())]
    return sorted(sections, key=lambda s: s.order)


def home(request):
    countries = list(country_model().objects.public().only("iso_code", "name", "region", "summary"))
    context = {
        "countries": countries,
        "counts": headline_counts(),
        "map": world_map(countries),
        "changes": latest_changes(LATEST_CHANGES),
        "sections": home_sections(),
    }
    return render(request, "portal/home.html", context)
