"""The Content-Security-Policy as Chromium enforces it: no public page and no admin page an editor
works with trips it (a blocked inline script or style, a blocked source)."""

import json

import pytest
from playwright.sync_api import expect

from profiles.models import Initiative
from tests.browser.test_accessibility import public_pages
from tests.portal.factories import UserFactory

PASSWORD = "correct horse battery"  # tests/portal/factories.UserFactory

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at line ${event.lineNumber}`
  );
});
"""


@pytest.fixture
def csp_page(browser):
    """A page whose context enforces the CSP (the shared `page` fixture bypasses it, so that
    axe-core can be injected)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    messages = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.csp_console = messages
    yield page
    context.close()


def violations_on(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    found = page.evaluate("window.__cspViolations") + page.csp_console
    page.csp_console.clear()
    return found


def test_public_pages_load_without_csp_violations(live_server, demo_data, csp_page):
    found = {}
    for _name, path in public_pages():
        violations = violations_on(csp_page, live_server.url + path)
        if violations:
            found[path] = violations
    assert found == {}, json.dumps(found, indent=1)


def test_admin_pages_load_without_csp_violations(live_server, demo_data, csp_page):
    UserFactory(username="chief", is_superuser=True).save()
    page = csp_page
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    initiative = Initiative.objects.order_by("pk").first()
    base = f"{live_server.url}/admin/profiles/initiative"
    paths = [
        "/admin/",
        "/admin/profiles/",
        "/admin/profiles/initiative/",
        "/admin/profiles/initiative/?q=safer",
        "/admin/profiles/initiative/add/",
        f"/admin/profiles/initiative/{initiative.pk}/change/",
        f"/admin/profiles/initiative/{initiative.pk}/history/",
        "/admin/profiles/initiative/spreadsheet/import/",
        "/admin/profiles/initiative/spreadsheet/export/",
        "/admin/profiles/country/",
        "/admin/laws/provision/add/",
        "/admin/library/report/add/",
        "/admin/auth/user/",
        "/admin/portal/importlog/",
    ]
    found = {}
    for path in paths:
        violations = violations_on(page, live_server.url + path)
        if violations:
            found[path] = violations
    # The change form's scripted widgets (inline rows) run under the policy.
    page.goto(f"{base}/{initiative.pk}/change/")
    rows = page.locator("tr.form-row.dynamic-figures")
    before = rows.count()
    page.locator("#figures-group .add-row a").click()
    assert rows.count() == before + 1
    later = page.evaluate("window.__cspViolations") + page.csp_console
    if later:
        found["export and change form, used"] = later
    assert found == {}, json.dumps(found, indent=1)


def test_the_api_docs_render_under_the_policy(live_server, demo_data, csp_page):
    """Redoc, from our static files, renders the reference from the schema; its styles pass by
    the page's nonce, and nothing else inline runs."""
    page = csp_page
    violations = violations_on(page, live_server.url + "/api/v1/docs/")
    page.wait_for_selector("text=List public reports", state="attached", timeout=60_000)
    found = violations + page.evaluate("window.__cspViolations") + page.csp_console
    # Redoc's logo is an image on its CDN: blocked, as the policy is meant to.
    found = [v for v in found if "cdn.redoc.ly" not in v]
    assert found == [], json.dumps(found, indent=1)
