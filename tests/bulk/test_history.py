"""History written by bulk imports: one entry per written record naming the importer, with the
tracked many-to-many values of that version, and the organisation roles' own history."""

import pytest

from portal.bulk import writer
from portal.history import m2m_ids_at, record_revert
from profiles.models import Initiative, InitiativeOrganisation, Organisation, Theme
from tests.portal.factories import make_member
from tests.profiles.factories import (
    CountryFactory,
    InitiativeFactory,
    OrganisationFactory,
    ThemeFactory,
)

from .helpers import INITIATIVE_HEADER as HEADER
from .helpers import csv_bytes, errors_of, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def names():
    ThemeFactory(name="Education")
    ThemeFactory(name="Awareness")
    OrganisationFactory(name="LIA")
    OrganisationFactory(name="Microsoft")


def themes(*names):
    return sorted(Theme.objects.filter(name__in=names).values_list("pk", flat=True))


def test_new_rows_get_a_plus_entry_holding_their_themes(lt, names):
    editor = make_member("Editor", lt)
    data = csv_bytes(
        [
            HEADER,
            ["LT", "Week", "2010", "Body.", "Education; Awareness", "LIA (lead)", ""],
            ["LT", "Day", "2011", "Body.", "", "", ""],
        ]
    )
    result = run("initiatives", data, user=editor, filename="new.csv")
    assert result.written, errors_of(result)
    week = Initiative.objects.get(title="Week")
    entry = week.history.get()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
        "+",
        editor,
        "Imported from new.csv",
    )
    assert entry.title == "Week" and entry.version == 1
    assert sorted(m2m_ids_at(entry, "themes")) == themes("Education", "Awareness")
    assert m2m_ids_at(Initiative.objects.get(title="Day").history.get(), "themes") == []
    role = InitiativeOrganisation.objects.get(initiative=week)
    role_entry = role.history.get()
    assert (role_entry.history_type, role_entry.history_user, role_entry.role) == (
        "+",
        editor,
        "lead",
    )


def test_an_update_entry_holds_the_new_themes_and_roles_are_replaced_with_history(lt, names):
    editor = make_member("Editor", lt)
    first = csv_bytes([HEADER, ["LT", "Week", "2010", "Old.", "Education", "LIA (lead)", ""]])
    assert run("initiatives", first, user=editor).written
    second = csv_bytes(
        [HEADER, ["LT", "Week", "2010", "New.", "Awareness", "Microsoft (funder)", ""]]
    )
    result = run("initiatives", second, user=editor, filename="second.csv")
    assert result.counts["updated"] == 1 and result.written
    week = Initiative.objects.get(title="Week")
    assert week.version == 2
    added, changed = week.history.order_by("history_id")
    assert (added.history_type, changed.history_type) == ("+", "~")
    assert changed.body == "New." and changed.version == 2
    assert changed.history_change_reason == "Imported from second.csv"
    assert m2m_ids_at(added, "themes") == themes("Education")
    assert m2m_ids_at(changed, "themes") == themes("Awareness")
    roles = InitiativeOrganisation.history.filter(initiative_id=week.pk)
    assert sorted((e.history_type, e.organisation.name, e.role) for e in roles) == [
        ("+", "LIA", "lead"),
        ("+", "Microsoft", "funder"),
        ("-", "LIA", "lead"),
    ]
    assert all(e.history_user == editor for e in roles)


def test_reverting_to_the_imported_version_brings_its_themes_back(lt, names):
    first = csv_bytes([HEADER, ["LT", "Week", "2010", "Old.", "Education", "", ""]])
    assert run("initiatives", first).written
    second = csv_bytes([HEADER, ["LT", "Week", "2010", "New.", "Awareness", "", ""]])
    assert run("initiatives", second).written
    week = Initiative.objects.get(title="Week")
    first_entry = week.history.get(history_type="+")
    record_revert(record=week, history_id=first_entry.history_id)
    week.refresh_from_db()
    assert week.body == "Old."
    assert [t.name for t in week.themes.all()] == ["Education"]


def test_organisation_countries_are_kept_in_their_history(lt):
    lv = CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
    data = csv_bytes([["name", "countries", "kind"], ["LIA", "LT; LV", "ngo"]])
    assert run("organisations", data).written
    entry = Organisation.objects.get(name="LIA").history.get()
    assert sorted(m2m_ids_at(entry, "countries")) == sorted([lt.pk, lv.pk])


def test_unchanged_rows_write_no_history(lt, names):
    data = csv_bytes([HEADER, ["LT", "Week", "2010", "Body.", "Education", "LIA", ""]])
    assert run("initiatives", data).written
    again = run("initiatives", data)
    assert again.counts["unchanged"] == 1
    assert Initiative.history.count() == 1
    assert InitiativeOrganisation.history.count() == 1


def test_insert_rows_returns_the_ids_in_row_order(lt):
    """COPY with ids from the sequence on PostgreSQL, bulk_create on SQLite: same contract."""
    attnames = ["initiative_id", "theme_id"]
    ThemeFactory(name="Education")
    rows = [(f"Row {n}", 2000 + n) for n in range(5)]
    fields = [f for f in Initiative._meta.concrete_fields if not f.primary_key]
    base = {f.attname: f.get_default() for f in fields}
    values = []
    for title, year in rows:
        record = dict(base, country_id=lt.pk, title=title, year=year, slug=f"row-{year}")
        record.update(body="Body.", created_at=lt.created_at, updated_at=lt.created_at)
        values.append(tuple(record[f.attname] for f in fields))
    ids = writer.insert_rows(Initiative, [f.attname for f in fields], values)
    assert [Initiative.objects.get(pk=pk).title for pk in ids] == [r[0] for r in rows]
    theme = Theme.objects.get()
    links = [(pk, theme.pk) for pk in ids]
    writer.insert_rows(Initiative.themes.through, attnames, links, return_ids=False)
    assert sorted(Initiative.themes.through.objects.values_list("initiative_id", flat=True)) == ids


def test_update_rows_stores_the_given_fields_only(lt):
    """A temporary table and one UPDATE ... FROM on PostgreSQL, bulk_update on SQLite."""
    first = InitiativeFactory(country=lt, title="First", year=2001, body="One.", source_name="A")
    second = InitiativeFactory(country=lt, title="Second", year=2002, body="Two.", source_name="B")
    first.body, second.body = "Uno.", "Dos."
    first.source_name = second.source_name = "not stored"
    first.version = second.version = 7
    writer.update_rows(Initiative, [first, second], ["body", "version"])
    stored = {i.title: (i.body, i.source_name, i.version) for i in Initiative.objects.all()}
    assert stored == {"First": ("Uno.", "A", 7), "Second": ("Dos.", "B", 7)}
    writer.update_rows(Initiative, [], ["body"])  # nothing to do
