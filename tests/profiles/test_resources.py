import io
from decimal import Decimal

import openpyxl
import pytest
import tablib

from portal.models import Status
from profiles.models import (
    IndicatorValue,
    Initiative,
    Organisation,
    ReportingChannel,
)
from profiles.resources import (
    IndicatorValueResource,
    InitiativeResource,
    OrganisationResource,
    ReportingChannelResource,
)

pytestmark = pytest.mark.django_db

HEADERS = ["country", "title", "year", "timeline", "body", "themes", "organisations", "status"]
NEW_ROW = [
    "LT",
    "Safer Internet Day 2017",
    2017,
    "national",
    "A new day.",
    "Education & awareness; Policy & strategy",
    "LIA (lead); Microsoft (funder)",
    "draft",
]
UPDATED_ROW = [
    "LT",
    "General Computer Literacy Program",
    2004,
    "national",
    "Corrected text.",
    "Policy & strategy",
    "Lithuanian Government (lead); ECDL Lithuania",
    "published",
]


def csv_dataset(rows, headers=HEADERS):
    text = io.StringIO()
    text.write(",".join(headers) + "\n")
    for row in rows:
        text.write(",".join(f'"{value}"' for value in row) + "\n")
    return tablib.Dataset().load(text.getvalue(), format="csv")


def xlsx_dataset(rows, headers=HEADERS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return tablib.Dataset().load(data.getvalue(), format="xlsx")


BUILDERS = {"csv": csv_dataset, "xlsx": xlsx_dataset}


@pytest.mark.parametrize("file_format", BUILDERS)
def test_initiatives_import_new_and_updated_rows(lithuania, file_format):
    before = Initiative.objects.count()
    dataset = BUILDERS[file_format]([NEW_ROW, UPDATED_ROW])
    result = InitiativeResource().import_data(dataset)
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    assert Initiative.objects.count() == before + 1

    new = Initiative.objects.get(title="Safer Internet Day 2017")
    assert new.country == lithuania and new.year == 2017 and new.status == Status.DRAFT
    assert new.slug == "lt-2017-safer-internet-day-2017"
    assert sorted(new.themes.values_list("name", flat=True)) == [
        "Education & awareness",
        "Policy & strategy",
    ]
    roles = list(new.organisation_roles.values_list("organisation__name", "role"))
    assert roles == [("LIA", "lead"), ("Microsoft", "funder")]

    updated = Initiative.objects.get(title="General Computer Literacy Program")
    assert updated.body == "Corrected text."
    assert list(updated.themes.values_list("name", flat=True)) == ["Policy & strategy"]
    assert list(updated.organisation_roles.values_list("organisation__name", "role")) == [
        ("Lithuanian Government", "lead"),
        ("ECDL Lithuania", "partner"),  # no role given: partner
    ]


BAD_ROWS = {
    "unknown country": (["XX", *NEW_ROW[1:]], "country", "XX"),
    "year 20155": ([*NEW_ROW[:2], 20155, *NEW_ROW[3:]], "year", "2100"),
    "missing title": ([NEW_ROW[0], "", *NEW_ROW[2:]], "title", "required"),
    "unknown organisation": ([*NEW_ROW[:6], "Nobody (lead)", "draft"], "organisations", "Nobody"),
    "unknown theme": ([*NEW_ROW[:5], "Astrology", *NEW_ROW[6:]], "themes", "Astrology"),
}


@pytest.mark.parametrize("file_format", BUILDERS)
@pytest.mark.parametrize("case", BAD_ROWS)
def test_one_bad_row_writes_nothing_and_names_row_and_column(lithuania, file_format, case):
    bad_row, column, message = BAD_ROWS[case]
    other_new = [NEW_ROW[0], "Another new one", *NEW_ROW[2:]]
    before = list(Initiative.objects.order_by("pk").values())
    dataset = BUILDERS[file_format]([other_new, UPDATED_ROW, bad_row])
    result = InitiativeResource().import_data(dataset)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 3  # the third data row
    assert column in invalid.error_dict
    assert message in " ".join(invalid.error_dict[column])
    assert list(Initiative.objects.order_by("pk").values()) == before  # nothing written


def test_a_row_with_all_three_faults_reports_each_column(lithuania):
    dataset = csv_dataset([["XX", "", 20155, *NEW_ROW[3:]]])
    result = InitiativeResource().import_data(dataset)
    [invalid] = result.invalid_rows
    assert {"country", "title", "year"} <= set(invalid.error_dict)
    assert invalid.number == 1


def test_non_numeric_year_is_reported_on_its_column(lithuania):
    result = InitiativeResource().import_data(csv_dataset([[*NEW_ROW[:2], "abc", *NEW_ROW[3:]]]))
    [invalid] = result.invalid_rows
    assert "year" in invalid.error_dict


def test_export_uses_natural_keys_and_reimports_unchanged(lithuania):
    exported = InitiativeResource().export()
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert "id" not in exported.headers
    assert row["country"] == "LT"
    first = Initiative.objects.order_by("pk").first()  # read by primary-key pages
    expected_roles = "; ".join(
        f"{r.organisation.name} ({r.role})" for r in first.organisation_roles.all()
    )
    assert row["organisations"] == expected_roles
    result = InitiativeResource().import_data(tablib.Dataset().load(exported.csv, format="csv"))
    assert not result.has_validation_errors()
    assert result.totals["skip"] == Initiative.objects.count()


def test_import_with_user_respects_country_assignment(lithuania, django_user_model):
    from portal.models import EditorProfile

    editor = django_user_model.objects.create_user("editor", is_staff=True)
    EditorProfile.objects.create(user=editor)  # assigned to no country
    result = InitiativeResource().import_data(csv_dataset([NEW_ROW]), user=editor)
    assert result.has_validation_errors()
    assert not Initiative.objects.filter(title=NEW_ROW[1]).exists()


@pytest.mark.parametrize("file_format", BUILDERS)
def test_organisations_import(lithuania, file_format):
    headers = ["name", "acronym", "kind", "scope", "countries", "founding_year", "status"]
    rows = [
        ["New helpline", "NH", "helpline", "national", "LT", 2020, "draft"],
        ["INHOPE", "INHOPE", "network", "international", "", "", "published"],
    ]
    result = OrganisationResource().import_data(BUILDERS[file_format](rows, headers))
    assert not result.has_validation_errors() and not result.has_errors()
    new = Organisation.objects.get(name="New helpline")
    assert new.slug == "new-helpline" and new.founding_year == 2020
    assert list(new.countries.values_list("iso_code", flat=True)) == ["LT"]
    assert not Organisation.objects.get(name="INHOPE").countries.exists()
    bad = OrganisationResource().import_data(
        csv_dataset([["Bad", "", "spaceship", "national", "ZZ", 20155, "draft"]], headers)
    )
    assert {"kind", "countries", "founding_year"} <= set(bad.invalid_rows[0].error_dict)


def test_indicator_values_import_updates_unknown_value(lithuania):
    headers = ["country", "indicator", "year", "value", "source_name", "status"]
    rows = [
        ["LT", "Internet users", "", 2000000, "Internet World Stats", "published"],
        ["LT", "Facebook users", 2016, 1000000, "Internet World Stats", "draft"],
    ]
    result = IndicatorValueResource().import_data(xlsx_dataset(rows, headers))
    assert not result.has_validation_errors() and not result.has_errors()
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    users = IndicatorValue.objects.get(definition__name="Internet users", year=None)
    assert users.value == Decimal(2000000)
    bad = IndicatorValueResource().import_data(
        csv_dataset([["LT", "Happiness", 2016, 1, "", "draft"]], headers)
    )
    assert "indicator" in bad.invalid_rows[0].error_dict  # errors name the column


def test_reporting_channels_import(lithuania):
    headers = ["country", "name", "kind", "organisation", "accepts", "since_year", "status"]
    rows = [["LT", "New form", "online_form", "Child Line", "Anything.", 2020, "draft"]]
    result = ReportingChannelResource().import_data(csv_dataset(rows, headers))
    assert not result.has_validation_errors() and not result.has_errors()
    channel = ReportingChannel.objects.get(name="New form")
    assert channel.organisation.name == "Child Line" and channel.slug == "lt-new-form"
    bad = ReportingChannelResource().import_data(
        csv_dataset([["LT", "Other", "pigeon", "Nobody", "", 20155, "draft"]], headers)
    )
    assert {"kind", "organisation", "since_year"} <= set(bad.invalid_rows[0].error_dict)
    assert not ReportingChannel.objects.filter(name="Other").exists()


@pytest.mark.parametrize("cell", ["draft", "in_review", ""])
def test_an_editor_cannot_unpublish_through_the_import_export_resource(cell):
    from tests.portal.factories import make_member
    from tests.profiles.factories import CountryFactory, InitiativeFactory

    lt = CountryFactory(iso_code="LT")
    live = InitiativeFactory(
        country=lt, title="Live", year=2010, body="Body.", status=Status.PUBLISHED
    )
    dataset = tablib.Dataset(headers=["country", "title", "year", "timeline", "body", "status"])
    dataset.append(["LT", "Live", "2010", "national", "Body.", cell])
    result = InitiativeResource().import_data(dataset, user=make_member("Editor", lt))
    live.refresh_from_db()
    assert live.status == Status.PUBLISHED
    if cell:
        assert [set(row.error_dict) for row in result.invalid_rows] == [{"status"}]


def test_the_resource_runs_the_engine_of_the_admin_and_the_commands(
    lithuania, django_capture_on_commit_callbacks
):
    """import_data() is the fast path: a dry run writes nothing, the real run the same rows as
    the command would, with bulk history (the reason names the file) and the search index."""
    from portal.bulk.registry import get_spec
    from portal.history import m2m_ids_at
    from portal.search.models import SearchEntry
    from profiles.models import Theme

    dataset = csv_dataset([NEW_ROW, UPDATED_ROW])
    before = list(Initiative.objects.order_by("pk").values())
    dry = InitiativeResource().import_data(dataset, dry_run=True)
    assert (dry.totals["new"], dry.totals["update"]) == (1, 1)
    assert list(Initiative.objects.order_by("pk").values()) == before
    assert InitiativeResource.spec() is get_spec("initiatives")

    with django_capture_on_commit_callbacks(execute=True):  # the index is kept after commit
        InitiativeResource().import_data(dataset, filename="rows.csv")
    new = Initiative.objects.get(title=NEW_ROW[1])
    [entry] = new.history.all()
    assert (entry.history_type, entry.history_change_reason) == ("+", "Imported from rows.csv")
    themes = Theme.objects.filter(name__in=NEW_ROW[5].split("; ")).values_list("pk", flat=True)
    assert sorted(m2m_ids_at(entry, "themes")) == sorted(themes)
    updated = Initiative.objects.get(title=UPDATED_ROW[1])
    assert updated.history.first().history_type == "~"
    assert not SearchEntry.objects.filter(object_id=new.pk, kind="initiatives").exists()  # draft
    assert SearchEntry.objects.filter(object_id=updated.pk, kind="initiatives").exists()
