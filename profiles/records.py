"""The profiles app's record types, as portal's engines see them (portal/records.py).

Registered in workbook order: organisations before the initiatives and channels that name them.
"""

from portal.records import (
    ApiEndpoint,
    ListPage,
    RecordType,
    SitemapSection,
    register,
    register_compare_tables,
    register_country_section,
)
from portal.search.types import SearchDocument

from .comparison import compare_tables
from .filters import InitiativeFilter, OrganisationFilter
from .models import Country, IndicatorValue, Initiative, Organisation, ReportingChannel
from .resources import (
    BULK_SPECS,
    IndicatorValueResource,
    InitiativeResource,
    OrganisationResource,
    ReportingChannelResource,
)
from .sections import country_section

SPREADSHEETS = {spec.model: spec for spec in BULK_SPECS}


def _join(*parts):
    return " · ".join(p for p in parts if p)


register(
    RecordType(
        Country,
        list_page=ListPage("profiles:country-list", "Countries", menu_order=10),
        search=SearchDocument(
            key="countries",
            label="Countries",
            singular="Country",
            order=10,
            title=("name",),
            body=("iso_code", "region", "summary"),
            country="pk",
            texts=lambda c: (c.name, _join(c.region, c.summary)),
        ),
        sitemap=SitemapSection(priority=0.8),
        api=ApiEndpoint("countries", lookup=("iso_code",)),
        # Adding or deleting a whole country is an administrator's decision.
        administrator_only=("add", "delete"),
    ),
    RecordType(
        Organisation,
        list_page=ListPage("profiles:organisation-list", "Organisations", menu_order=30),
        search=SearchDocument(
            key="organisations",
            label="Organisations",
            singular="Organisation",
            order=30,
            title=("name", "acronym", "national_name"),
            body=("description",),
            countries_m2m="countries",
            texts=lambda o: (str(o), _join(o.national_name, o.description)),
        ),
        sitemap=SitemapSection(),
        spreadsheet=SPREADSHEETS[Organisation],
        api=ApiEndpoint("organisations", lookup=("slug",), filterset=OrganisationFilter),
        resource=OrganisationResource,
    ),
    RecordType(
        Initiative,
        list_page=ListPage("profiles:initiative-list", "Initiatives", menu_order=20),
        search=SearchDocument(
            key="initiatives",
            label="Initiatives",
            singular="Initiative",
            order=20,
            title=("title",),
            body=("body", "source_name", "country__name"),
            year="year",
            country="country_id",
            texts=lambda i: (i.title, _join(i.country.name, i.body)),
            select_related=("country",),
        ),
        sitemap=SitemapSection(),
        spreadsheet=SPREADSHEETS[Initiative],
        api=ApiEndpoint("initiatives", lookup=("slug",), filterset=InitiativeFilter),
        resource=InitiativeResource,
    ),
    RecordType(
        IndicatorValue,
        spreadsheet=SPREADSHEETS[IndicatorValue],
        api=ApiEndpoint(
            "indicator-values", lookup=("country__iso_code", "definition__slug", "year")
        ),
        resource=IndicatorValueResource,
    ),
    RecordType(
        ReportingChannel,
        search=SearchDocument(
            key="channels",
            label="Reporting channels",
            singular="Reporting channel",
            order=40,
            title=("name",),
            body=(
                "accepts",
                "how_to_reach",
                "description",
                "phone",
                "organisation__name",
                "country__name",
            ),
            country="country_id",
            url=lambda ch: f"{ch.country.get_absolute_url()}#where-to-report",
            texts=lambda ch: (
                ch.name,
                _join(ch.country.name, ch.organisation.name, ch.accepts, ch.description),
            ),
            select_related=("country", "organisation"),
        ),
        spreadsheet=SPREADSHEETS[ReportingChannel],
        api=ApiEndpoint("reporting-channels", lookup=("slug",)),
        resource=ReportingChannelResource,
    ),
)
register_country_section(country_section)
register_compare_tables(compare_tables)
