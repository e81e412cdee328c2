"""The laws app's record types, as portal's engines see them (portal/records.py).

Registered in workbook order: topics and instruments before what names them, acts before their
provisions, frameworks and criteria before the assessments.
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
    Assessment,
    ChildDefinition,
    CountryInstrumentStatus,
    Criterion,
    Framework,
    Instrument,
    LegalAct,
    LegalAge,
    Provision,
    Topic,
)
from .resources import (
    AssessmentResource,
    ChildDefinitionResource,
    CountryInstrumentStatusResource,
    CriterionResource,
    FrameworkResource,
    InstrumentResource,
    LegalActResource,
    LegalAgeResource,
    ProvisionResource,
    TopicResource,
)
from .sections import country_section
from .sitemaps import LegalOverviewSitemap


def _join(*parts):
    return " · ".join(p for p in parts if p)


def _on_legislation_page(anchor):
    """`shown_at` of a type shown in a section of its country's legislation overview; `anchor`
    is the section's id, or a function of the record giving it."""

    def url(record):
        page = reverse("laws:country-legislation", kwargs={"iso_code": record.country.iso_code})
        return f"{page}#{anchor(record) if callable(anchor) else anchor}"

    return url


def _api(path, *lookup, **options):
    return {"api": ApiEndpoint(path, lookup=lookup, **options)}


register(
    RecordType(Topic, resource=TopicResource, **_api("topics", "slug")),
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
        resource=InstrumentResource,
        **_api("instruments", "short_name"),
    ),
    RecordType(
        LegalAct,
        shown_at=_on_legislation_page(lambda act: f"act-{act.slug}"),
        resource=LegalActResource,
        **_api("legal-acts", "slug"),
    ),
    RecordType(
        LegalAge,
        shown_at=_on_legislation_page("ages"),
        resource=LegalAgeResource,
        **_api("legal-ages", "country__iso_code", "kind"),
    ),
    RecordType(
        ChildDefinition,
        shown_at=_on_legislation_page("definitions"),
        resource=ChildDefinitionResource,
        **_api("legal-definitions", "country__iso_code", "term"),
    ),
    RecordType(
        CountryInstrumentStatus,
        shown_at=_on_legislation_page("instruments"),
        resource=CountryInstrumentStatusResource,
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
        resource=ProvisionResource,
        # The sort key is derived from the number, for ordering only.
        **_api("provisions", "act__slug", "slug", filterset=ProvisionFilter, private=("sort_key",)),
    ),
    # Benchmarks: frameworks and their criteria before the assessments naming them, after
    # the provisions, statuses and definitions an assessment's evidence names.
    RecordType(
        Framework,
        search=SearchDocument(
            key="frameworks",
            label="Benchmark frameworks",
            singular="Benchmark framework",
            order=85,
            title=("name", "publisher"),
            body=("description", "edition"),
            year="year",
            texts=lambda f: (f.name, _join(f.publisher, f.edition, f.description)),
        ),
        sitemap=SitemapSection(),
        resource=FrameworkResource,
        **_api("frameworks", "slug"),
    ),
    RecordType(
        Criterion, resource=CriterionResource, **_api("criteria", "framework__slug", "short_label")
    ),
    RecordType(
        Assessment,
        shown_at=_on_legislation_page("benchmarks"),
        resource=AssessmentResource,
        **_api("assessments", "country__iso_code", "id"),
    ),
)
register_country_section(country_section)
register_compare_tables(compare_tables)
register_sitemap("legislation", LegalOverviewSitemap)
