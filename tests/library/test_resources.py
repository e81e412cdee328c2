import io

import pytest
import tablib
from openpyxl import Workbook

from library.models import Author, Report
from library.resources import ReportResource
from portal.models import Status
from tests.profiles.factories import CountryFactory

from .factories import AuthorFactory, ReportFactory, TopicFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "title",
    "year",
    "authors",
    "corporate_author",
    "summary",
    "report_type",
    "topics",
    "countries",
    "alternative_titles",
    "status",
]


@pytest.fixture
def existing():
    CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")
    CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
    TopicFactory(name="Online risks", slug="online-risks")
    TopicFactory(name="Policy", slug="policy")
    sonia = AuthorFactory(
        family_name="Livingstone", given_names="Sonia", initials="S.", slug="livingstone-sonia"
    )
    helsper = AuthorFactory(
        family_name="Helsper", given_names="E.", initials="E.", slug="helsper-e"
    )
    report = ReportFactory(
        title="Zero to Eight", year=2013, summary="Old summary.", authors=[sonia]
    )
    return {"sonia": sonia, "helsper": helsper, "report": report}


def rows():
    return [
        [
            "Zero to Eight",
            2013,
            "Holloway, D.; Green, L.; Livingstone S.",
            "EU Kids Online network",
            "New summary.",
            "literature_review",
            "Online risks",
            "LT",
            "Zero to 8",
            "published",
        ],
        [
            "National perspectives",
            2012,
            "Haddon, Leslie; Livingstone, S.; Helsper, E. J.",
            "",
            "Children in 33 countries.",
            "comparative_analysis",
            "Online risks; Policy",
            "lt; LV",
            "",
            "published",
        ],
    ]


def as_csv(data):
    return tablib.Dataset(*data, headers=HEADERS).export("csv")


def as_xlsx(data):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def load(content, fmt):
    return tablib.Dataset().load(content, format=fmt)


def run_import(dataset, dry_run=False):
    return ReportResource().import_data(dataset, dry_run=dry_run, use_transactions=True)


def authors(report):
    return [str(a.author) for a in report.authorships.select_related("author").order_by("position")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_creates_and_updates_with_authors_in_order(existing, fmt):
    content = as_csv(rows()) if fmt == "csv" else as_xlsx(rows())
    result = run_import(load(content, fmt))
    assert not result.has_errors() and not result.has_validation_errors()
    assert [r.import_type for r in result.rows] == ["update", "new"]
    assert Report.objects.count() == 2

    updated = Report.objects.get(title="Zero to Eight", year=2013)
    assert updated.pk == existing["report"].pk
    assert updated.summary == "New summary."
    assert updated.report_type == "literature_review"
    assert authors(updated) == ["Holloway, D.", "Green, L.", "Livingstone, Sonia"]
    assert list(updated.titles.values_list("title", flat=True)) == ["Zero to 8"]

    new = Report.objects.get(title="National perspectives", year=2012)
    assert new.slug == "national-perspectives-2012"
    assert authors(new) == ["Haddon, Leslie", "Livingstone, Sonia", "Helsper, E. J."]
    assert sorted(new.topics.values_list("name", flat=True)) == ["Online risks", "Policy"]
    assert sorted(new.countries.values_list("iso_code", flat=True)) == ["LT", "LV"]

    # "Livingstone S." and "Livingstone, S." resolved to the existing record; Helsper upgraded
    assert Author.objects.filter(family_name="Livingstone").count() == 1
    assert existing["sonia"].reports.count() == 2
    helsper = Author.objects.get(pk=existing["helsper"].pk)
    assert helsper.given_names == "E. J."
    assert Author.objects.count() == 5  # + Holloway, Green, Haddon


def test_reimporting_the_same_file_skips_every_row(existing):
    run_import(load(as_csv(rows()), "csv"))
    result = run_import(load(as_csv(rows()), "csv"))
    assert [r.import_type for r in result.rows] == ["skip", "skip"]


def test_changing_only_the_author_order_is_an_update(existing):
    run_import(load(as_csv(rows()), "csv"))
    changed = rows()
    changed[1][2] = "Livingstone, Sonia; Haddon, Leslie; Helsper, E. J."
    result = run_import(load(as_csv(changed), "csv"))
    assert [r.import_type for r in result.rows] == ["skip", "update"]
    assert authors(Report.objects.get(year=2012)) == [
        "Livingstone, Sonia",
        "Haddon, Leslie",
        "Helsper, E. J.",
    ]


def test_export_round_trips(existing):
    run_import(load(as_csv(rows()), "csv"))
    dataset = ReportResource().export()
    row = dict(
        zip(
            dataset.headers,
            dataset[list(dataset["title"]).index("National perspectives")],
            strict=True,
        )
    )
    assert row["authors"] == "Haddon, Leslie; Livingstone, Sonia; Helsper, E. J."
    assert row["countries"] == "LT; LV"
    assert row["topics"] == "Online risks; Policy"
    result = run_import(tablib.Dataset().load(dataset.export("csv"), format="csv"))
    assert not result.has_validation_errors()
    assert {r.import_type for r in result.rows} == {"skip"}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("year", "next year", "year"),
        ("countries", "LT; ZZ", "ZZ"),
        ("topics", "Astrology", "Astrology"),
        ("report_type", "poem", "poem"),
        ("status", "secret", "secret"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_bad_row_writes_nothing_and_names_row_and_column(existing, fmt, column, value, message):
    data = rows()
    data[1][HEADERS.index(column)] = value
    content = as_csv(data) if fmt == "csv" else as_xlsx(data)
    result = run_import(load(content, fmt))
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 2
    assert column in invalid.field_specific_errors
    assert message in " ".join(invalid.field_specific_errors[column])
    # nothing written: the valid first row is rolled back too
    report = Report.objects.get()
    assert report.summary == "Old summary."
    assert authors(report) == ["Livingstone, Sonia"]
    assert Author.objects.count() == 2


def test_duplicate_title_is_a_row_error_naming_the_existing_report(existing):
    data = rows()[1:]
    data[0][0] = "ZERO TO EIGHT!"
    data[0][1] = 2013
    result = run_import(load(as_csv(data), "csv"))
    (invalid,) = result.invalid_rows
    message = " ".join(invalid.field_specific_errors["title"])
    assert "Zero to Eight (2013)" in message and "duplicate" in message
    assert Report.objects.count() == 1


def test_import_by_an_editor_follows_the_country_rules(existing):
    from tests.portal.factories import make_member

    editor = make_member(
        "Editor", existing["report"].countries.first() or CountryFactory(iso_code="EE")
    )
    data = rows()
    data[1][HEADERS.index("status")] = "draft"
    data[0][HEADERS.index("status")] = Status.DRAFT
    result = ReportResource().import_data(
        load(as_csv(data), "csv"), dry_run=False, use_transactions=True, user=editor
    )
    assert result.has_validation_errors()  # LT and LV are not the editor's countries
    assert Report.objects.count() == 1
