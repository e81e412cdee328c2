"""axe-core on every kind of public page: no serious or critical violations, desktop and phone."""

import pytest

from laws.models import Provision
from library.models import Report
from profiles.models import Initiative, Organisation
from tests.profiles.factories import CountryFactory

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def public_pages():
    """(name, path) of the home, country, list, detail, search and compare pages."""
    detail = {
        "initiative": Initiative.objects.public().order_by("pk").first(),
        "organisation": Organisation.objects.public().order_by("pk").first(),
        "report": Report.objects.public().order_by("pk").first(),
        "provision": Provision.objects.public().order_by("pk").first(),
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
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages_have_no_serious_accessibility_violations(
    live_server, demo_data, page, screenshot, axe_violations, viewport
):
    CountryFactory(iso_code="LV", name="Latvia", slug="latvia")  # a second country to compare
    page.set_viewport_size(VIEWPORTS[viewport])
    found = {}
    pages = public_pages()
    for name, path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        screenshot(name)
        violations = axe_violations()
        if violations:
            found[path] = violations
    assert found == {}
