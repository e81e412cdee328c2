"""The library's section of the country page: its most recent reports (a fixed five queries)."""

from portal.country_sections import CountrySection, counted

from .models import Report

SECTION_LIMIT = 10


def country_section(country):
    reports = Report.objects.public().for_country(country)
    total = reports.count()
    recent = list(reports.with_public_relations().order_by("-year", "title", "pk")[:SECTION_LIMIT])
    return CountrySection(
        id="research",
        title="Research",
        template="library/sections/research.html",
        order=70,
        context={"reports": recent, "total": total},
        summary=counted(total, "report"),
    )
