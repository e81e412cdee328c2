"""CSV export by COPY ... TO on PostgreSQL gives the cells the Python rendering gives (SQLite
always renders in Python)."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection

from portal.bulk.copy_export import copy_csv
from portal.bulk.engine import Context
from portal.bulk.formats import csv_chunks
from portal.bulk.registry import all_specs, get_spec
from portal.bulk.services import export_table
from profiles.models import IndicatorDefinition, IndicatorValue
from tests.profiles.factories import (
    CountryFactory,
    InitiativeFactory,
    OrganisationFactory,
    ThemeFactory,
)

from .helpers import csv_bytes, run

pytestmark = pytest.mark.django_db


def python_csv(spec, country=None):
    rows = spec.export_rows(Context(), spec.queryset(country))
    return list(csv.reader(io.StringIO("".join(csv_chunks(spec.headers, rows)).lstrip("\ufeff"))))


def copy_csv_rows(spec, country=None):
    target = io.StringIO()
    written = copy_csv(spec, target, country=country)
    return written, list(csv.reader(io.StringIO(target.getvalue().lstrip("\ufeff"))))


@pytest.fixture
def data():
    call_command("load_demo_data", verbosity=0)
    lt = CountryFactory(iso_code="ZZ", name="Zedland", slug="zedland")
    organisation = OrganisationFactory(name="=HYPERLINK(1)", acronym="", countries=[lt])
    InitiativeFactory(country=lt, title="-minus first", year=2001, body='+plus, "quoted"\nline')
    OrganisationFactory(name="Zed helpers")
    ThemeFactory(name="Zed theme")
    ThemeFactory(name="Another theme")
    rows = [
        ["country", "title", "year", "body", "organisations", "themes"],
        [
            "ZZ",
            "Roles",
            "2002",
            "@at",
            "=HYPERLINK(1) (lead); Zed helpers (funder)",
            "Zed theme; Another theme",
        ],
    ]
    assert run("initiatives", csv_bytes(rows)).written
    indicator = IndicatorDefinition.objects.first()
    if indicator is not None:
        IndicatorValue.objects.create(
            country=lt,
            definition=indicator,
            year=2020,
            value="12.50",
            note="-3",
            as_of=datetime.date(2020, 5, 1),
        )
        IndicatorValue.objects.create(country=lt, definition=indicator, year=2021, value="1200.00")
    return lt, organisation


def test_copy_export_cells_equal_the_python_rendering(data):
    lt, _ = data
    compared = 0
    for spec in all_specs():
        for country in (None, lt):
            written, rows = copy_csv_rows(spec, country)
            if connection.vendor != "postgresql":
                assert not written  # SQLite: the Python rendering is the export
                continue
            if not written:
                continue  # a type with a column rendered in Python only (e.g. report authors)
            assert rows == python_csv(spec, country), spec.name
            compared += len(rows) - 1
    if connection.vendor == "postgresql":
        assert compared > 50
        assert copy_csv_rows(get_spec("initiatives"))[0]
        assert copy_csv_rows(get_spec("indicator-values"))[0]


def test_copy_export_escapes_formulas_and_round_trips_unchanged(data):
    lt, _ = data
    spec = get_spec("initiatives")
    target = io.StringIO()
    export_table(spec=spec, target=target, kind="csv", country=lt)
    text = target.getvalue()
    assert "'-minus first" in text and "'=HYPERLINK(1) (lead)" in text and "'@at" in text
    again = run("initiatives", text.encode())
    assert again.valid and again.counts["unchanged"] == 2
