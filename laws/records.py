"""The laws app's record types, as portal's engines see them (portal/records.py).

Registered in workbook order: topics and instruments before what names them, acts before their
provisions.
"""

from django.urls import reverse

from portal.records import (
    ApiEndpoint,
    ListPage,
    RecordType,
    SitemapSection,
    register,
    register_compare_tables,
    register_country_section,
    register_sitemap,
)
from portal.search.types import SearchDocument

from .comparison import compare_tables
from .filters import ProvisionFilter
from .models import (
    ChildDefinition,
    CountryInstrumentStatus,
    Instrument,
    LegalAct,
    LegalAge,
    Provision,
    Topic,
)
from .resources import (
    BULK_SPECS,
    ChildDefinitionResource,
    CountryInstrumentStatusResource,
    InstrumentResource,
    LegalActResource,
    LegalAgeResource,
    ProvisionResource,
    TopicResource,
)
from .sections import country_section
from .sitemaps import LegalOverviewSitemap

SPREADSHEETS = {spec.model: spec for spec in BULK_SPECS}


def _join(*parts):
    return " · ".join(p for p in parts if p)


def _spreadsheet(model, resource):
    return {"spreadsheet": SPREADSHEETS[model], "resource": resource}


def _api(path, *lookup, **options):
    return {"api": ApiEndpoint(path, lookup=lookup, **options)}


register(
    RecordType(Topic, **_spreadsheet(Topic, TopicResource), **_api("topics", "slug")),
    RecordType(
        Instrument,
        search=SearchDocument(
            key="instruments",
            label="International instruments",
            singular="International instrument",
            order=80,
            title=("short_name", "title"),
            body=("summary",),
            year="year_adopted",
            # Instruments have no page of their own: the compare page has their status.
            url=lambda i: reverse("compare"),
            texts=lambda i: (i.short_name, _join(i.title, i.summary)),
        ),
        **_spreadsheet(Instrument, InstrumentResource),
        **_api("instruments", "short_name"),
    ),
    RecordType(LegalAct, **_spreadsheet(LegalAct, LegalActResource), **_api("legal-acts", "slug")),
    RecordType(
        LegalAge,
        **_spreadsheet(LegalAge, LegalAgeResource),
        **_api("legal-ages", "country__iso_code", "kind"),
    ),
    RecordType(
        ChildDefinition,
        **_spreadsheet(ChildDefinition, ChildDefinitionResource),
        **_api("legal-definitions", "country__iso_code", "term"),
    ),
    RecordType(
        CountryInstrumentStatus,
        **_spreadsheet(CountryInstrumentStatus, CountryInstrumentStatusResource),
        **_api("instrument-statuses", "country__iso_code", "instrument__short_name", "status_kind"),
    ),
    RecordType(
        Provision,
        list_page=ListPage("laws:provision-list", "Laws", menu_order=50),
        search=SearchDocument(
            key="provisions",
            label="Legal provisions",
            singular="Legal provision",
            order=70,
            title=("number", "title"),
            body=("summary", "penalty_note", "act__title", "act__short_title"),
            country="country_id",
            texts=lambda p: (f"{p.label}: {p.title}", _join(p.act.display_title, p.summary)),
            select_related=("act",),
        ),
        sitemap=SitemapSection(select_related=("act",)),
        **_spreadsheet(Provision, ProvisionResource),
        # The sort key is derived from the number, for ordering only.
        **_api("provisions", "act__slug", "slug", filterset=ProvisionFilter, private=("sort_key",)),
    ),
)
register_country_section(country_section)
register_compare_tables(compare_tables)
register_sitemap("legislation", LegalOverviewSitemap)
