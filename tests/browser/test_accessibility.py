"""Every kind of public page in Chromium at desktop and phone widths: a screenshot of each, no
serious or critical axe-core violation, and no sideways scrolling of the page on a phone."""

import pytest

from laws.models import Provision
from library.models import Author, Report
from profiles.models import Initiative, Organisation
from tests.profiles.factories import CountryFactory

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def public_pages():
    """(name, path) of the home, country, list, detail, search and compare pages."""
    detail = {
        "initiative": Initiative.objects.public().order_by("pk").first(),
        "organisation": Organisation.objects.public().order_by("pk").first(),
        "report": Report.objects.public().order_by("pk").first(),
        "provision": Provision.objects.public().order_by("pk").first(),
        "author": Author.objects.public().order_by("pk").first(),
    }
    assert all(detail.values()), "the demo data has a published record of every kind"
    return [
        ("home", "/"),
        ("country", "/countries/lt/"),
        ("countries", "/countries/"),
        ("initiatives", "/initiatives/?theme=law-enforcement"),
        ("organisations", "/organisations/"),
        ("library", "/library/"),
        ("laws", "/laws/"),
        ("legislation", "/countries/lt/legislation/"),
        ("benchmarks", "/laws/frameworks/"),
        ("benchmark-matrix", "/laws/frameworks/lanzarote-convention-offences/"),
        *((f"{name}-detail", record.get_absolute_url()) for name, record in detail.items()),
        ("search", "/search/?q=Vaiku+linija"),
        ("compare-form-error", "/compare/?country=LT"),
        ("compare", "/compare/?country=LT&country=LV"),
        ("compare-form", "/compare/"),
        ("changes", "/countries/lt/changes/"),
        ("suggest", f"/suggest/?record=profiles.initiative:{detail['initiative'].pk}"),
        ("data", "/data/"),
    ]


# The sweep is heavy (every page twice, screenshots and axe): it runs once, on PostgreSQL.
@pytest.mark.postgres
def test_public_pages_are_accessible_and_fit_a_phone(
    live_server, demo_data, page, screenshot, axe_violations
):
    CountryFactory(iso_code="LV", name="Latvia", slug="latvia")  # a second country to compare
    found, too_wide = {}, {}
    pages = public_pages()
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        for name, path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            screenshot(f"{viewport}-{name}")
            if violations := axe_violations():
                found[f"{viewport} {path}"] = violations
            if viewport == "phone":
                widths = page.evaluate(
                    "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
                )
                if widths[0] > widths[1]:
                    too_wide[path] = widths
    assert found == {}
    assert too_wide == {}  # [page width, window width] of pages that scroll sideways
