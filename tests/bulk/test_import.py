import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laws.models import ChildDefinition
from library.models import Report
from portal.models import Status
from portal.search.query import search
from profiles.models import Initiative, InitiativeOrganisation, Organisation
from tests.portal.factories import make_member
from tests.profiles.factories import (
    CountryFactory,
    InitiativeFactory,
    InitiativeOrganisationFactory,
    OrganisationFactory,
    ThemeFactory,
)

from .helpers import INITIATIVE_HEADER as HEADER
from .helpers import csv_bytes, errors_of, exported, run, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_preview_counts_new_updated_unchanged_and_names_changed_fields(lt):
    ThemeFactory(name="Education")
    same = InitiativeFactory(country=lt, title="Same", year=2010, body="Text.", status="draft")
    changed = InitiativeFactory(country=lt, title="Changed", year=2011, body="Old.", status="draft")
    data = csv_bytes(
        [
            HEADER,
            ["LT", "Same", "2010", "Text.", "", "", "draft"],
            ["LT", "Changed", "2011", "New text.", "Education", "", "draft"],
            ["LT", "Brand new", "2012", "Body.", "Education", "", ""],
        ]
    )
    result = run("initiatives", data, dry_run=True)
    assert result.valid and not result.written
    assert result.counts == {"new": 1, "updated": 1, "unchanged": 1, "invalid": 0}
    rows = {row.key: row for row in result.tables[0].rows}
    assert rows["LT / Changed / 2011"].changes == ("body", "themes")
    assert rows["LT / Same / 2010"].outcome == "unchanged"
    # the preview wrote nothing
    assert Initiative.objects.count() == 2
    changed.refresh_from_db()
    assert changed.body == "Old." and same.version == 1


def test_import_writes_records_relations_and_slugs(lt):
    education = ThemeFactory(name="Education")
    lia = OrganisationFactory(name="LIA")
    ms = OrganisationFactory(name="Microsoft")
    data = csv_bytes(
        [
            HEADER,
            ["LT", "Safer Internet", "2012", "Body.", "Education", "Microsoft (funder); LIA", ""],
        ]
    )
    result = run("initiatives", data)
    assert result.written, errors_of(result)
    initiative = Initiative.objects.get(title="Safer Internet")
    assert initiative.slug == "lt-2012-safer-internet"
    assert initiative.status == Status.DRAFT
    assert list(initiative.themes.all()) == [education]
    links = InitiativeOrganisation.objects.filter(initiative=initiative).order_by("order")
    assert [(link.organisation, link.role) for link in links] == [(ms, "funder"), (lia, "partner")]


def test_one_bad_row_writes_nothing_and_every_bad_row_is_listed(lt):
    InitiativeFactory(country=lt, title="Existing", year=2010, body="Same.")
    data = csv_bytes(
        [
            HEADER,
            ["LT", "Good one", "2010", "Body.", "", "", ""],
            ["XX", "Unknown country", "2010", "Body.", "", "", ""],
            ["LT", "Bad year", "twenty", "Body.", "", "", ""],
            ["LT", "Good one", "2010", "Again.", "", "", ""],
            ["LT", "T" * 301, "2010", "Body.", "", "", ""],
            ["LT", "Wrong theme", "2010", "Body.", "Nope", "", ""],
            ["LT", "Wrong status", "2010", "Body.", "", "", "live"],
            ["LT", "No body", "2010", "", "", "", ""],
        ]
    )
    result = run("initiatives", data)
    assert not result.valid and not result.written
    errors = {(number, column) for number, column, _ in errors_of(result)}
    assert errors == {
        (3, "country"),
        (4, "year"),
        (5, "country, title, year"),
        (6, "title"),
        (7, "themes"),
        (8, "status"),
        (9, "body"),
    }
    messages = {(n, c): m for n, c, m in errors_of(result)}
    assert "No country with iso code “XX”" in messages[(3, "country")]
    assert "Same country, title, year as row 2" in messages[(5, "country, title, year")]
    assert "at most 300" in messages[(6, "title")]
    assert Initiative.objects.count() == 1


def test_model_rules_are_checked_by_column():
    from tests.laws.factories import LegalActFactory

    act = LegalActFactory(country=CountryFactory(iso_code="LT"), title="Criminal Code")
    data = csv_bytes(
        [
            ["country", "term", "act", "min_age", "max_age"],
            ["LT", "child", "Criminal Code", "14", "10"],
            ["LT", "minor", "Penal Code", "", "18"],
        ]
    )
    result = run("child-definitions", data)
    assert {(n, c) for n, c, _ in errors_of(result)} == {(2, "max_age"), (3, "act")}
    assert not ChildDefinition.objects.filter(country=act.country).exists()


def test_missing_required_and_unknown_headers_are_refused(lt):
    result = run("initiatives", csv_bytes([["country", "title", "colour"], ["LT", "A", "red"]]))
    assert not result.valid
    problems = result.tables[0].problems
    assert any("Unknown column(s): colour" in p for p in problems)
    assert any("Missing required column(s): year, body" in p for p in problems)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"   \n", "blank.csv", "The file is empty."),
        (b"%PDF-1.4 \x00\x01\x02 binary", "report.pdf", "This is not a spreadsheet"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "not a readable Excel workbook"),
        (b"just text", "fake.xlsx", "not an Excel workbook"),
        ("country,title\nLT,Vaik\u0173".encode("cp1257"), "latin.csv", "not UTF-8"),
        ("country,title\n".encode("utf-16"), "utf16.csv", "This is not a spreadsheet"),
        (b'{"country": "LT"}', "one.json", "list of objects"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, filename, message):
    result = run("initiatives", data, filename=filename)
    assert not result.valid
    assert message in result.problems[0]


def test_files_over_the_size_limit_are_refused(settings, lt):
    settings.PORTAL_IMPORT_MAX_BYTES = 100
    data = csv_bytes([HEADER] + [["LT", f"T{i}", "2010", "Body.", "", "", ""] for i in range(10)])
    result = run("initiatives", data)
    assert "larger than the limit of" in result.problems[0]
    assert Initiative.objects.count() == 0


def test_formula_cells_are_escaped_on_export_and_restored_on_import(lt):
    initiative = InitiativeFactory(
        country=lt, title='=HYPERLINK("http://evil")', year=2010, body="+1 then -2", status="draft"
    )
    text = exported("initiatives").decode()
    assert "'=HYPERLINK" in text and "'+1 then -2" in text
    workbook = exported("initiatives", "xlsx")
    for data, name in ((text.encode(), "a.csv"), (workbook, "a.xlsx")):
        result = run("initiatives", data, filename=name)
        assert result.counts["unchanged"] == 1, errors_of(result)
    initiative.refresh_from_db()
    assert initiative.title.startswith("=HYPERLINK")


def test_lt_editor_cannot_import_a_latvian_row(lt, lv):
    editor = make_member("Editor", lt)
    InitiativeFactory(country=lv, title="Latvian", year=2010, body="B.", status="draft")
    data = csv_bytes(
        [
            HEADER,
            ["LT", "Lithuanian", "2010", "Body.", "", "", ""],
            ["LV", "Also Latvian", "2010", "Body.", "", "", ""],
            ["LV", "Latvian", "2010", "Changed.", "", "", ""],
        ]
    )
    result = run("initiatives", data, user=editor)
    assert [(n, c) for n, c, _ in errors_of(result)] == [(3, "country"), (4, "country")]
    assert not Initiative.objects.filter(title="Lithuanian").exists()


def test_only_publishers_import_published_rows(lt):
    editor = make_member("Editor", lt)
    publisher = make_member("Publisher", lt)
    data = csv_bytes([HEADER, ["LT", "Published", "2010", "Body.", "", "", "published"]])
    refused = run("initiatives", data, user=editor)
    assert [(n, c) for n, c, _ in errors_of(refused)] == [(2, "status")]
    accepted = run("initiatives", data, user=publisher)
    assert accepted.written
    assert Initiative.objects.get(title="Published").status == Status.PUBLISHED


def test_history_entries_name_the_importer_in_bulk(lt):
    editor = make_member("Editor", lt)
    existing = InitiativeFactory(country=lt, title="Old", year=2010, body="Old.", status="draft")
    rows = [HEADER, ["LT", "Old", "2010", "New.", "", "", "draft"]]
    rows += [["LT", f"New {i}", "2011", "Body.", "", "", ""] for i in range(30)]
    with CaptureQueriesContext(connection) as queries:
        result = run("initiatives", csv_bytes(rows), user=editor, filename="mine.csv")
    assert result.written
    assert len(queries) < 30  # not a query a row
    history = Initiative.history.filter(history_user=editor)
    assert history.filter(history_type="+").count() == 30
    update = history.get(history_type="~", id=existing.pk)
    assert update.body == "New." and update.history_change_reason == "Imported from mine.csv"
    existing.refresh_from_db()
    assert existing.version == 2


def test_imported_rows_are_found_by_search(lt, django_capture_on_commit_callbacks):
    rows = [HEADER, ["LT", "Axolotl campaign", "2010", "Posters.", "", "", "published"]]
    with django_capture_on_commit_callbacks(execute=True):
        result = run("initiatives", csv_bytes(rows))
    assert result.written
    initiative = Initiative.objects.get(title="Axolotl campaign")
    assert initiative in [hit.obj for hit in search("axolotl").hits]


def test_report_authors_keep_their_order_and_titles_round_trip():
    data = csv_bytes(
        [
            ["title", "year", "authors", "countries", "alternative_titles", "report_type"],
            ["Kids online", "2014", "Zimmer, Anna; Adams, Bob", "", "Vaikai internete", "survey"],
        ]
    )
    result = run("reports", data)
    assert result.written, errors_of(result)
    report = Report.objects.get(title="Kids online")
    names = [a.author.family_name for a in report.authorships.order_by("position")]
    assert names == ["Zimmer", "Adams"]
    again = run("reports", exported("reports"))
    assert again.counts["unchanged"] == 1, errors_of(again)
    swapped = data.replace(b"Zimmer, Anna; Adams, Bob", b"Adams, Bob; Zimmer, Anna")
    preview = run("reports", swapped, dry_run=True)
    assert preview.tables[0].rows[0].changes == ("authors",)


def test_single_type_workbook_uses_the_sheet_named_after_the_type(lt):
    data = xlsx_bytes(
        {
            "notes": [["anything"], ["x"]],
            "initiatives": [HEADER, ["LT", "From a sheet", 2010, "Body.", None, None, None]],
        }
    )
    result = run("initiatives", data, filename="book.xlsx")
    assert result.written, errors_of(result)
    assert Initiative.objects.filter(title="From a sheet", year=2010).exists()


def test_updating_an_organisation_changes_its_countries(lt, lv):
    organisation = OrganisationFactory(name="LIA", countries=[lt])
    InitiativeOrganisationFactory(organisation=organisation)
    data = csv_bytes([["name", "countries", "kind"], ["LIA", "LT; LV", "ngo"]])
    result = run("organisations", data)
    assert result.counts["updated"] == 1 and result.written
    assert set(Organisation.objects.get(name="LIA").countries.all()) == {lt, lv}


def test_a_csv_row_with_more_cells_than_the_header_is_invalid(lt):
    """An unquoted comma in a body cell splits it: the tail must not be dropped silently."""
    data = (
        b"country,title,year,body\n"
        b"LT,Helpline,2004,Opened.\n"
        b"LT,Hotline,2005,Opened in 2005, closed in 2009\n"
    )
    result = run("initiatives", data)
    assert not result.written
    [(number, column, message)] = errors_of(result)
    assert (number, column) == (3, "cell 5 (no header)")
    assert "Row 3 has 5 cells but the header has 4: “closed in 2009” would be lost" in message
    assert not Initiative.objects.exists()


def test_a_csv_row_shifted_by_a_comma_is_invalid_even_when_its_last_cell_is_empty(lt):
    """The tail of the body moves into source_name, which moves into the empty status cell:
    every cell would pass its own checks."""
    data = (
        b"country,title,year,body,source_name,status\n"
        b"LT,Hotline,2005,Opened, then closed,Ministry,\n"
    )
    result = run("initiatives", data)
    [(number, column, message)] = errors_of(result)
    assert (number, column) == (2, "cell 7 (no header)")
    assert "Row 2 has 7 cells but the header has 6: the cells have probably moved" in message
    assert not Initiative.objects.exists()


def test_a_csv_row_with_fewer_cells_than_the_header_is_invalid(lt):
    data = b"country,title,year,body,source_name,status\nLT,Hotline,2005 Opened.,Ministry\n"
    result = run("initiatives", data)
    [(number, column, message)] = errors_of(result)
    assert (number, column) == (2, "source_name, status")
    assert message.startswith("Row 2 has 4 cells but the header has 6")
    assert not Initiative.objects.exists()


def test_a_sheet_value_beyond_the_header_is_invalid_and_empty_cells_there_are_not(lt):
    sheet = [
        ["country", "title", "year", "body"],
        ["LT", "Kept", 2004, "Body.", None, None],
        ["LT", "Hotline", 2005, "Opened.", None, "a note"],
    ]
    result = run("initiatives", xlsx_bytes({"initiatives": sheet}), filename="i.xlsx")
    assert [(n, c) for n, c, _ in errors_of(result)] == [(3, "cell 6 (no header)")]
    assert "“a note” would be lost" in errors_of(result)[0][2]
    assert not Initiative.objects.exists()
    result = run("initiatives", xlsx_bytes({"initiatives": sheet[:2]}), filename="i.xlsx")
    assert result.written, errors_of(result)


def test_blank_status_keeps_the_stored_status_and_new_rows_start_as_drafts(lt):
    live = InitiativeFactory(
        country=lt, title="Live", year=2010, body="B.", status=Status.PUBLISHED
    )
    data = csv_bytes(
        [
            ["country", "title", "year", "body", "status"],
            ["LT", "Live", "2010", "Changed.", ""],
            ["LT", "Fresh", "2011", "B.", ""],
        ]
    )
    result = run("initiatives", data)
    assert result.written, errors_of(result)
    assert [row.changes for row in result.tables[0].rows] == [("body",), ()]
    live.refresh_from_db()
    assert (live.status, live.body) == (Status.PUBLISHED, "Changed.")
    assert Initiative.objects.get(title="Fresh").status == Status.DRAFT


@pytest.mark.parametrize(
    ("stored", "cell", "allowed"),
    [
        ("published", "draft", False),
        ("published", "in_review", False),
        ("published", "withdrawn", False),
        ("withdrawn", "draft", False),
        ("draft", "published", False),
        ("draft", "in_review", True),
        ("in_review", "draft", True),
        ("published", "published", True),
        ("published", "", True),
    ],
)
def test_only_publishers_change_publication_state_by_import(lt, stored, cell, allowed):
    editor = make_member("Editor", lt)
    record = InitiativeFactory(country=lt, title="T", year=2010, body="B.", status=stored)
    data = csv_bytes(
        [["country", "title", "year", "body", "status"], ["LT", "T", "2010", "B.", cell]]
    )
    result = run("initiatives", data, user=editor)
    if allowed:
        assert result.written, errors_of(result)
    else:
        assert [(n, c) for n, c, _ in errors_of(result)] == [(2, "status")]
        record.refresh_from_db()
        assert record.status == stored
        assert run("initiatives", data, user=make_member("Publisher", lt)).written
