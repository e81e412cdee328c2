"""A reader's and an editor's journeys through the portal in a real browser, screenshot per step."""

import json
import re

import bibtexparser
from playwright.sync_api import expect

from portal.models import Status
from portal.roles import EDITOR, PUBLISHER
from profiles.models import Country, Initiative, Organisation, Theme
from tests.portal.factories import make_member

PASSWORD = "correct horse battery"  # tests/portal/factories.UserFactory


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def test_reader_journey(live_server, demo_data, page, screenshot):
    page.goto(live_server.url + "/")
    screenshot("home")

    page.get_by_role("link", name="Lithuania").first.click()
    page.wait_for_url("**/countries/lt/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lithuania")
    expect(page.get_by_role("navigation", name="On this page")).to_be_visible()
    screenshot("lithuania")

    # From the national timeline to the initiatives list, then filter by theme with the form.
    national = page.locator("#national-initiatives")
    national.get_by_role("link", name=re.compile("^Filter these initiatives by theme")).click()
    page.wait_for_url(re.compile(r"/initiatives/\?country=LT&timeline=national"))
    expect(page.get_by_label("Country")).to_have_value("LT")
    theme = Theme.objects.get(slug="law-enforcement")
    page.get_by_label("Theme").select_option(label=theme.name)
    page.get_by_label("Timeline").select_option(label="Both timelines")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"theme=law-enforcement"))
    expected = Initiative.objects.published().filter(country__iso_code="LT", themes=theme)
    cards = page.locator("main .cards > li.card")
    expect(cards).to_have_count(min(expected.count(), 25))
    for card in cards.all():
        expect(card.locator(".tag", has_text=theme.name)).to_have_count(1)
    expect(page.get_by_text(f"{expected.count()} initiatives")).to_be_visible()
    screenshot("initiatives-by-theme")

    # A report in the library, and its citation downloaded in two formats.
    main_nav(page).get_by_role("link", name="Library").click()
    page.wait_for_url("**/library/")
    screenshot("library")
    page.locator("main .cards > li.card h3 a").first.click()
    title = page.get_by_role("heading", level=1).inner_text()
    screenshot("report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="BibTeX (.bib)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".bib")
    entries = bibtexparser.parse_string(open(download.path(), encoding="utf-8").read()).entries
    assert len(entries) == 1
    assert re.sub(r"[{}]", "", entries[0]["title"]) == title
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSL-JSON (.json)").click()
    items = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert [item["title"] for item in items] == [title]

    # Search without Lithuanian letters.
    main_nav(page).get_by_role("link", name="Search").click()
    page.get_by_label("Search for").fill("Vaiku linija")
    page.get_by_label("Search for").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=Vaiku"))
    child_line = Organisation.objects.get(national_name="Vaikų linija")
    results = page.locator("main .search-results")
    expect(results.get_by_role("link", name=child_line.name).first).to_be_visible()
    expect(results).to_contain_text("Vaikų linija")
    screenshot("search-vaiku-linija")


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_editor_imports_a_publisher_publishes_a_reader_finds(
    live_server, demo_data, page, screenshot, tmp_path
):
    """An Editor cannot publish: the Editor imports the row for review, a Publisher publishes it."""
    lithuania = Country.objects.get(iso_code="LT")
    make_member(EDITOR, lithuania, username="journey-editor")
    make_member(PUBLISHER, lithuania, username="journey-publisher")
    title = "Zephyrine online safety week"
    csv_file = tmp_path / "initiatives.csv"
    csv_file.write_text(
        "country,title,year,timeline,body,themes,status\n"
        f"LT,{title},2024,national,A week of school workshops on staying safe online.,"
        "Education & awareness,in_review\n",
        encoding="utf-8",
    )

    sign_in(page, live_server, "journey-editor")
    screenshot("editor-signed-in")
    page.goto(live_server.url + "/admin/profiles/initiative/")
    page.get_by_role("link", name="Spreadsheet import", exact=True).click()
    page.get_by_label("Spreadsheet", exact=True).set_input_files(csv_file)
    screenshot("import-form")
    page.get_by_role("button", name="Preview").click()
    confirm = page.get_by_role("button", name="Confirm import")
    expect(confirm).to_be_visible()
    expect(page.locator("#content")).to_contain_text(title)
    screenshot("import-preview")
    assert not Initiative.objects.filter(title=title).exists()  # the preview writes nothing
    confirm.click()
    imported = page.get_by_text(re.compile(r"Imported initiatives\.csv: 1 rows: 1 new"))
    expect(imported).to_be_visible()
    screenshot("imported")
    initiative = Initiative.objects.get(title=title)
    assert initiative.status == Status.IN_REVIEW
    assert {e.history_user.username for e in initiative.history.all()} == {"journey-editor"}

    page.goto(live_server.url + "/search/?q=Zephyrine")
    expect(page.get_by_role("link", name=title)).to_have_count(0)  # not public yet
    screenshot("search-before-publishing")

    sign_in(page, live_server, "journey-publisher")
    page.goto(live_server.url + "/admin/profiles/initiative/?status__exact=in_review")
    page.get_by_role("checkbox", name=re.compile(f"Select this object .*{title}")).check()
    page.get_by_role("combobox", name="Action").select_option(label="Publish selected records")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 record(s) now published.")).to_be_visible()
    screenshot("published")
    initiative.refresh_from_db()
    assert initiative.status == Status.PUBLISHED

    page.context.clear_cookies()
    page.goto(live_server.url + "/search/?q=Zephyrine")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    screenshot("found-in-search")
