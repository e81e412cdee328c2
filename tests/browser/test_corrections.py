"""Suggested corrections and review in a real browser: a reader suggests (with JavaScript off and
on), the LT editor finds it on the desk and accepts it, the reader's mail is in the outbox; a
Publisher reviews a record and sends it back with a note the editor reads on the desk.

Screenshots of each step land in artifacts/screenshots/<test>/ (docs/img/ holds a few of them).
"""

import re
import shutil

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.models import Status, Suggestion
from portal.roles import EDITOR, PUBLISHER
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_journeys import sign_in
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory, InitiativeFactory

pytestmark = pytest.mark.postgres  # one real-browser run is enough (on PostgreSQL)


@pytest.fixture
def lithuania(transactional_db):
    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")


@pytest.fixture
def shots(request):
    """shots(page, "step") saves a screenshot of the visible page, numbered in step order."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    steps = []

    def take(page, name):
        steps.append(name)
        page.screenshot(path=str(folder / f"{len(steps):02d}-{name}.png"))

    return take


def browser_page(browser, **options):
    context = browser.new_context(viewport={"width": 1100, "height": 760}, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def suggest(page, *, problem, email=""):
    page.get_by_label("What is wrong?").fill(problem)
    page.get_by_label("What should it say instead?").fill("It started in 2011.")
    page.get_by_label("Source (a web address)").fill("https://example.org/annual-report")
    if email:
        page.get_by_label("Your e-mail address").fill(email)
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def test_a_reader_suggests_and_the_lt_editor_accepts(live_server, browser, lithuania, shots):
    initiative = InitiativeFactory(
        country=lithuania, title="Safer Internet helpline", year=2010, status=Status.PUBLISHED
    )
    make_member(EDITOR, lithuania, username="lt-editor")
    make_member(EDITOR, CountryFactory(iso_code="LV", name="Latvia"), username="lv-editor")

    # Without JavaScript: the record page's link, the form, the thanks page.
    no_js, reader = browser_page(browser, java_script_enabled=False)
    reader.goto(live_server.url + initiative.get_absolute_url())
    reader.get_by_role("link", name="Suggest a correction").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Suggest a correction")
    shots(reader, "suggest-form")
    suggest(reader, problem="The helpline opened in 2011, not 2010.", email="reader@example.net")
    no_js.close()

    # With JavaScript, from a section of the country page, on a phone-sized screen.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    other = phone.new_page()
    other.set_default_timeout(15_000)
    other.goto(live_server.url + lithuania.get_absolute_url())
    section = other.locator("#national-initiatives")
    section.get_by_role("link", name=re.compile("^Suggest a correction")).click()
    expect(other.get_by_text("section “National initiatives”")).to_be_visible()
    shots(other, "suggest-section-phone")
    suggest(other, problem="The 2015 campaign is missing.")
    phone.close()

    assert Suggestion.objects.count() == 2
    assert {tuple(m.to) for m in mail.outbox} == {("lt-editor@example.org",)}
    mail.outbox.clear()

    context, page = browser_page(browser)
    sign_in(page, live_server, "lv-editor")
    expect(page.locator("#desk-suggestions")).to_have_text(re.compile(r"\(0\)"))

    sign_in(page, live_server, "lt-editor")
    desk = page.locator("#desk")
    expect(page.locator("#desk-suggestions")).to_have_text(re.compile(r"\(2\)"))
    shots(page, "desk")
    desk.get_by_role("link", name=str(initiative)).click()
    expect(page.get_by_text("The helpline opened in 2011, not 2010.")).to_be_visible()
    page.get_by_label("Status").select_option(label="Accepted")
    page.get_by_label("Editor's note").fill("Corrected: the helpline opened in 2011.")
    shots(page, "decide")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(
        re.compile(rf"/admin/profiles/initiative/{initiative.pk}/change/\?suggestion=")
    )
    panel = page.get_by_role("complementary")
    expect(panel).to_contain_text("The helpline opened in 2011, not 2010.")
    shots(page, "record-with-suggestion")
    page.locator("#id_year").fill("2011")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("was changed successfully"))).to_be_visible()
    initiative.refresh_from_db()
    assert initiative.year == 2011
    context.close()

    assert [m.to for m in mail.outbox] == [["reader@example.net"]]
    assert "Accepted" in mail.outbox[0].body
    assert "Corrected: the helpline opened in 2011." in mail.outbox[0].body


def test_a_publisher_reviews_and_sends_back(live_server, lithuania, browser, shots):
    editor = make_member(EDITOR, lithuania, username="lt-editor")
    make_member(PUBLISHER, lithuania, username="lt-publisher")
    initiative = InitiativeFactory(
        country=lithuania, title="School workshops", year=2019, status=Status.PUBLISHED
    )
    for changes in ({"status": Status.DRAFT}, {"title": "School workshops on grooming"}):
        for name, value in changes.items():
            setattr(initiative, name, value)
        initiative._history_user = editor
        initiative.save()

    context, page = browser_page(browser)
    sign_in(page, live_server, "lt-editor")
    page.goto(live_server.url + "/admin/profiles/initiative/")
    page.get_by_role("checkbox", name=re.compile("Select this object .*grooming")).check()
    page.get_by_role("combobox", name="Action").select_option(
        label="Submit selected records for review"
    )
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 record(s) now in review.")).to_be_visible()

    sign_in(page, live_server, "lt-publisher")
    expect(page.get_by_role("heading", name=re.compile("Ready to publish"))).to_be_visible()
    shots(page, "publisher-desk")
    page.locator("#desk").get_by_role("link", name=re.compile("grooming")).click()
    expect(page.locator("table.review-changes")).to_contain_text("School workshops on grooming")
    page.get_by_label("Note to the editor").fill("Name the source of the workshop figures.")
    shots(page, "review")
    page.get_by_role("button", name="Send back to the editor").click()
    expect(page.get_by_text(re.compile("back to lt-editor with your note"))).to_be_visible()
    initiative.refresh_from_db()
    assert initiative.status == Status.DRAFT

    sign_in(page, live_server, "lt-editor")
    expect(page.locator("#desk")).to_contain_text("Sent back: Name the source of the workshop")
    shots(page, "editor-desk-sent-back")
    context.close()
