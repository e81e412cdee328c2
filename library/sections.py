"""The library's section of the country page, its most recent reports (a fixed five queries),
and of the home page, the newest research (four queries)."""

from portal.country_sections import CountrySection, counted
from portal.home import HomeSection

from .models import Report

SECTION_LIMIT = 10
HOME_LIMIT = 4


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


def home_section():
    reports = list(
        Report.objects.public()
        .with_public_relations()
        .order_by("-year", "-created_at", "pk")[:HOME_LIMIT]
    )
    if not reports:
        return None
    return HomeSection(
        id="newest-research",
        title="Newest research",
        template="library/sections/home_research.html",
        order=20,
        context={"reports": reports},
    )
