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

from .charts import country_section as initiatives_chart_section
from .comparison import compare_tables
from .filters import InitiativeFilter, OrganisationFilter
from .models import Country, IndicatorValue, Initiative, Organisation, ReportingChannel
from .resources import (
    IndicatorValueResource,
    InitiativeResource,
    OrganisationResource,
    ReportingChannelResource,
)
from .sections import SECTION_PROVIDERS


def _join(*parts):
    return " · ".join(p for p in parts if p)


def _on_country_page(anchor):
    """`shown_at` of a type shown in a section of its country's page."""
    return lambda record: f"{record.country.get_absolute_url()}#{anchor}"


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
        api=ApiEndpoint("initiatives", lookup=("slug",), filterset=InitiativeFilter),
        resource=InitiativeResource,
    ),
    RecordType(
        IndicatorValue,
        shown_at=_on_country_page("at-a-glance"),
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
            url=_on_country_page("where-to-report"),
            texts=lambda ch: (
                ch.name,
                _join(ch.country.name, ch.organisation.name, ch.accepts, ch.description),
            ),
            select_related=("country", "organisation"),
        ),
        shown_at=_on_country_page("where-to-report"),
        api=ApiEndpoint("reporting-channels", lookup=("slug",)),
        resource=ReportingChannelResource,
    ),
)
for provider in SECTION_PROVIDERS:
    register_country_section(provider)
register_country_section(initiatives_chart_section)
register_compare_tables(compare_tables)
