import io

import openpyxl
import pytest
import tablib
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laws.models import LegalAge, Provision
from laws.resources import (
    ChildDefinitionResource,
    CountryInstrumentStatusResource,
    InstrumentResource,
    LegalActResource,
    LegalAgeResource,
    ProvisionResource,
    TopicResource,
)
from portal.bulk.registry import get_spec
from tests.profiles.factories import CountryFactory

from .factories import LegalActFactory, LegalAgeFactory, ProvisionFactory, TopicFactory
from .test_fixtures import FIXTURES

pytestmark = pytest.mark.django_db

PROVISION_HEADERS = ["country", "act", "number", "title", "summary", "topics", "status"]


def csv_dataset(text):
    return tablib.Dataset().load(text, format="csv")


def xlsx_dataset(headers, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return tablib.Dataset().load(buffer.getvalue(), format="xlsx")


@pytest.fixture
def lithuania():
    country = CountryFactory(iso_code="LT", name="Lithuania")
    act = LegalActFactory(country=country, title="Criminal Code", slug="lt-criminal-code")
    TopicFactory(slug="sexual-violence")
    TopicFactory(slug="cybercrime")
    return act


def test_each_resource_is_the_one_format_of_its_type():
    """The engine's format is derived from the Resource: the same columns and natural key."""
    for resource in (
        TopicResource,
        InstrumentResource,
        LegalAgeResource,
        ChildDefinitionResource,
        CountryInstrumentStatusResource,
        LegalActResource,
        ProvisionResource,
    ):
        spec = get_spec(resource._meta.name)
        assert spec is resource.spec() and spec.model is resource._meta.model
        assert spec.headers == [resource.fields[name].column_name for name in resource._meta.fields]
        assert spec.key == tuple(resource._meta.import_id_fields)
        assert resource().export().headers == spec.headers


def test_csv_import_new_and_updated_provisions(lithuania):
    existing = ProvisionFactory(act=lithuania, number="149", title="Old title")
    dataset = csv_dataset(
        "country,act,number,title,summary,topics,status\n"
        "LT,Criminal Code,149,Rape,Against the will.,sexual-violence,published\n"
        'lt,Criminal Code,151.1,Paying a minor,Money for sex.,"sexual-violence; cybercrime",draft\n'
    )
    result = ProvisionResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["update", "new"]
    existing.refresh_from_db()
    assert existing.title == "Rape"
    assert list(existing.topics.values_list("slug", flat=True)) == ["sexual-violence"]
    new = Provision.objects.get(number="151.1")
    assert (new.country, new.act, new.slug, new.status) == (
        lithuania.country,
        lithuania,
        "151-1",
        "draft",
    )
    assert new.sort_key > existing.sort_key
    assert set(new.topics.values_list("slug", flat=True)) == {"sexual-violence", "cybercrime"}


def test_xlsx_import_new_and_updated_ages(lithuania):
    LegalAgeFactory(country=lithuania.country, kind="majority", age=21)
    dataset = xlsx_dataset(
        ["country", "kind", "age", "lowered_age", "exceptions", "status"],
        [
            ["LT", "majority", 18, None, "", "published"],
            ["LT", "marriage", 18, 15, "By court decision.", "published"],
        ],
    )
    result = LegalAgeResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["update", "new"]
    assert dict(LegalAge.objects.values_list("kind", "age")) == {"majority": 18, "marriage": 18}
    assert LegalAge.objects.get(kind="marriage").lowered_age == 15


def test_xlsx_import_provisions(lithuania):
    dataset = xlsx_dataset(
        PROVISION_HEADERS,
        [
            ["LT", "Criminal Code", "Chapter 30", "Cyber crimes", "", "cybercrime", "published"],
            ["LT", "Criminal Code", 309, "Pornographic material", "", "", "published"],
        ],
    )
    result = ProvisionResource().import_data(dataset, dry_run=False)
    assert not result.has_validation_errors(), result.invalid_rows
    assert list(Provision.objects.values_list("number", flat=True)) == ["309", "Chapter 30"]


@pytest.mark.parametrize(
    ("bad_row", "column"),
    [
        (["XX", "Criminal Code", "150", "Assault", "", "", "published"], "country"),
        (["LT", "Civil Code", "150", "Assault", "", "", "published"], "act"),
        (["LT", "Criminal Code", "150", "Assault", "", "no-such-topic", "published"], "topics"),
        (["LT", "Criminal Code", "150", "", "", "", "published"], "title"),
        (["LT", "Criminal Code", "150", "Assault", "", "", "shown"], "status"),
    ],
)
def test_csv_bad_row_writes_nothing_and_names_row_and_column(lithuania, bad_row, column):
    dataset = tablib.Dataset(headers=PROVISION_HEADERS)
    dataset.append(["LT", "Criminal Code", "149", "Rape", "", "sexual-violence", "published"])
    dataset.append(bad_row)
    dataset.append(["LT", "Criminal Code", "151", "Abuse", "", "", "published"])
    dataset = csv_dataset(dataset.export("csv"))
    result = ProvisionResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert Provision.objects.count() == 0
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [2]
    assert column in invalid[0].error_dict


def test_xlsx_bad_age_writes_nothing(lithuania):
    dataset = xlsx_dataset(
        ["country", "kind", "age", "status"],
        [["LT", "majority", 18, "published"], ["LT", "marriage", "eighteen", "published"]],
    )
    result = LegalAgeResource().import_data(dataset, dry_run=False)
    assert LegalAge.objects.count() == 0
    assert [row.number for row in result.invalid_rows] == [2]
    assert "age" in result.invalid_rows[0].error_dict


def test_export_uses_natural_keys_and_reimports_unchanged():
    call_command("loaddata", *FIXTURES, verbosity=0)
    for resource_class in (
        TopicResource,
        InstrumentResource,
        LegalAgeResource,
        ChildDefinitionResource,
        CountryInstrumentStatusResource,
        LegalActResource,
        ProvisionResource,
    ):
        dataset = resource_class().export()
        assert "id" not in dataset.headers
        result = resource_class().import_data(csv_dataset(dataset.export("csv")), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), resource_class
        assert {row.import_type for row in result.rows} == {"skip"}, resource_class
    exported = ProvisionResource().export().dict
    rape = next(row for row in exported if row["number"] == "149")
    assert (rape["country"], rape["act"], rape["topics"]) == (
        "LT",
        "Criminal Code",
        "sexual-violence",
    )


def test_import_reads_related_tables_once(lithuania):
    """Country, act and topic look-ups do not grow with the number of rows: no query a row."""

    def run(rows):
        dataset = tablib.Dataset(headers=PROVISION_HEADERS)
        for i in range(rows):
            dataset.append(["LT", "Criminal Code", str(200 + i), f"T{i}", "", "", "draft"])
        with CaptureQueriesContext(connection) as queries:
            result = ProvisionResource().import_data(dataset, dry_run=True)
        assert not result.has_validation_errors()
        return [q["sql"] for q in queries.captured_queries]

    few, many = run(11), run(60)
    assert len(few) == len(many)
    lookups = [
        sql
        for sql in many
        if sql.startswith(('SELECT "profiles_country"."id"', 'SELECT "laws_legalact"."id"'))
    ]
    assert len(lookups) <= 4  # each table once as a key map, once for Provision.clean()
