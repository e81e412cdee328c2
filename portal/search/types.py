"""The record types global search covers: what is public, how a hit links and reads, its facets."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from laws.models import Instrument, Provision
from library.models import Author, Authorship, Report
from portal.models import Status
from profiles.models import Country, Initiative, Organisation, ReportingChannel


@dataclass(frozen=True)
class SearchType:
    key: str  # in the URL: ?type=reports
    label: str  # plural, for facets and headings
    singular: str  # on each hit
    model: Any
    public: Any  # () -> queryset of the records the public may read
    country_lookup: str | None = None  # ORM path to the country id, None: not tied to countries
    year_lookup: str | None = None  # ORM path to the record's year, None: no year
    select_related: tuple = ()
    prefetch: Any = None  # () -> list of prefetches for the hits on one page

    def url(self, obj):
        return URLS[self.key](obj)

    def texts(self, obj):
        """(title, text for the snippet) of one hit."""
        return TEXTS[self.key](obj)

    def year(self, obj):
        return getattr(obj, self.year_lookup) if self.year_lookup else None


def _published_authorships():
    return [
        Prefetch(
            "authorships",
            queryset=Authorship.objects.filter(author__status=Status.PUBLISHED)
            .select_related("author")
            .order_by("position", "pk"),
            to_attr="public_authorships",
        )
    ]


def _join(*parts):
    return " · ".join(p for p in parts if p)


def _report_text(report):
    authors = ", ".join(a.author.display_name for a in report.public_authorships)
    return _join(authors or report.corporate_author, report.summary)


URLS = {
    "countries": lambda c: c.get_absolute_url(),
    "initiatives": lambda i: i.get_absolute_url(),
    "organisations": lambda o: o.get_absolute_url(),
    "channels": lambda ch: f"{ch.country.get_absolute_url()}#where-to-report",
    "reports": lambda r: r.get_absolute_url(),
    "authors": lambda a: a.get_absolute_url(),
    "provisions": lambda p: p.get_absolute_url(),
    "instruments": lambda i: f"{reverse('laws:compare')}#instruments",
}

TEXTS = {
    "countries": lambda c: (c.name, _join(c.region, c.summary)),
    "initiatives": lambda i: (i.title, _join(i.country.name, i.body)),
    "organisations": lambda o: (
        str(o),
        _join(o.national_name, o.description),
    ),
    "channels": lambda ch: (
        ch.name,
        _join(ch.country.name, ch.organisation.name, ch.accepts, ch.description),
    ),
    "reports": lambda r: (r.title, _report_text(r)),
    "authors": lambda a: (a.display_name, "Author"),
    "provisions": lambda p: (f"{p.label}: {p.title}", _join(p.act.display_title, p.summary)),
    "instruments": lambda i: (i.short_name, _join(i.title, i.summary)),
}


def _public_channels():
    return ReportingChannel.objects.published().filter(country__status=Status.PUBLISHED)


SEARCH_TYPES = [
    SearchType(
        "countries",
        "Countries",
        "Country",
        Country,
        lambda: Country.objects.published(),
        country_lookup="id",
    ),
    SearchType(
        "initiatives",
        "Initiatives",
        "Initiative",
        Initiative,
        lambda: Initiative.objects.published().filter(country__status=Status.PUBLISHED),
        country_lookup="country",
        year_lookup="year",
        select_related=("country",),
    ),
    SearchType(
        "organisations",
        "Organisations",
        "Organisation",
        Organisation,
        lambda: Organisation.objects.published(),
        country_lookup="countries",
    ),
    SearchType(
        "channels",
        "Reporting channels",
        "Reporting channel",
        ReportingChannel,
        _public_channels,
        country_lookup="country",
        select_related=("country", "organisation"),
    ),
    SearchType(
        "reports",
        "Reports",
        "Report",
        Report,
        lambda: Report.objects.published(),
        country_lookup="countries",
        year_lookup="year",
        prefetch=_published_authorships,
    ),
    SearchType("authors", "Authors", "Author", Author, lambda: Author.objects.published()),
    SearchType(
        "provisions",
        "Legal provisions",
        "Legal provision",
        Provision,
        lambda: Provision.objects.public(),
        country_lookup="country",
        select_related=("act",),
    ),
    SearchType(
        "instruments",
        "International instruments",
        "International instrument",
        Instrument,
        lambda: Instrument.objects.published(),
        year_lookup="year_adopted",
    ),
]
TYPES_BY_KEY = {t.key: t for t in SEARCH_TYPES}
