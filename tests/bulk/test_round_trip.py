import io

import pytest

from portal.bulk.registry import all_specs, get_spec
from portal.bulk.services import export_workbook, import_workbook
from tests.laws.factories import (
    AssessmentFactory,
    ChildDefinitionFactory,
    CountryInstrumentStatusFactory,
    LegalAgeFactory,
    ProvisionFactory,
)
from tests.laws.factories import TopicFactory as LawTopicFactory
from tests.library.factories import AuthorFactory, ReportFactory, ReportTitleFactory
from tests.library.factories import TopicFactory as LibraryTopicFactory
from tests.profiles.factories import (
    CountryFactory,
    IndicatorValueFactory,
    InitiativeFactory,
    InitiativeOrganisationFactory,
    OrganisationFactory,
    ReportingChannelFactory,
    ThemeFactory,
)

from .helpers import errors_of, exported, run, xlsx_bytes

pytestmark = pytest.mark.django_db


def history_count():
    return sum(spec.model.history.count() for spec in all_specs())


@pytest.fixture
def records():
    lt = CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")
    lv = CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
    organisation = OrganisationFactory(
        name="LIA", acronym="LIA", countries=[lt, lv], website="https://lia.example"
    )
    initiative = InitiativeFactory(
        country=lt, themes=[ThemeFactory(name="Education")], body="-5 children; @home = safe"
    )
    InitiativeOrganisationFactory(initiative=initiative, organisation=organisation, role="funder")
    InitiativeOrganisationFactory(initiative=initiative, role="lead")
    IndicatorValueFactory(country=lt)
    ReportingChannelFactory(country=lt, organisation=organisation)
    provision = ProvisionFactory(act__country=lt, topics=[LawTopicFactory()])
    definition = ChildDefinitionFactory(country=lt, act=provision.act, min_age=0)
    LegalAgeFactory(country=lt, exceptions="+2 with the court's consent")
    status = CountryInstrumentStatusFactory(country=lt)
    AssessmentFactory(
        country=lt,
        answer="partly",
        provisions=[provision],
        definitions=[definition],
        instrument_statuses=[status],
        reasoning="=1+1 is no formula here",
    )
    report = ReportFactory(
        countries=[lt],
        topics=[LibraryTopicFactory(name="Risks")],
        authors=[AuthorFactory(family_name="Zed"), AuthorFactory(family_name="Alpha")],
    )
    ReportTitleFactory(report=report)
    InitiativeFactory(country=lv, title="Latvian one")
    return lt


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("name", [spec.name for spec in all_specs()])
def test_export_then_import_is_unchanged_and_writes_nothing(records, name, kind):
    spec = get_spec(name)
    assert spec.model._default_manager.exists(), "every type has data in this test"
    data = exported(name, kind)
    before = history_count()
    result = run(name, data, filename=f"{name}.{kind}")
    assert result.valid, errors_of(result) + result.tables[0].problems
    count = spec.model._default_manager.count()
    assert result.counts == {"new": 0, "updated": 0, "unchanged": count, "invalid": 0}
    assert history_count() == before


def test_an_empty_template_imports_as_a_header_only_file():
    template = exported("initiatives")
    assert template.decode().lstrip("\ufeff").strip() == ",".join(get_spec("initiatives").headers)
    result = run("initiatives", template)
    assert result.valid and result.rows == 0


def test_country_workbook_round_trip(records):
    target = io.BytesIO()
    export_workbook(target=target, country=records)
    data = target.getvalue()
    before = history_count()
    result = import_workbook(fileobj=io.BytesIO(data), filename="lt.xlsx")
    assert result.valid, errors_of(result)
    names = [table.spec.name for table in result.tables]
    assert "initiatives" in names and "provisions" in names and "law-topics" not in names
    initiatives = next(t for t in result.tables if t.spec.name == "initiatives")
    assert initiatives.counts["unchanged"] == 1  # Lithuania's only; the Latvian one is not in it
    assert result.counts["new"] == result.counts["updated"] == result.counts["invalid"] == 0
    assert history_count() == before


def test_a_workbook_creates_records_that_later_sheets_refer_to():
    CountryFactory(iso_code="LT")
    data = xlsx_bytes(
        {
            "provisions": [
                ["country", "act", "number", "title"],
                ["LT", "Criminal Code", "151", "Sexual abuse"],
            ],
            "legal-acts": [["country", "title", "kind"], ["LT", "Criminal Code", "code"]],
        }
    )
    result = import_workbook(fileobj=io.BytesIO(data), filename="new.xlsx")
    assert result.written, errors_of(result)
    assert [t.spec.name for t in result.tables] == ["legal-acts", "provisions"]
    from laws.models import Provision

    provision = Provision.objects.get()
    assert provision.act.title == "Criminal Code" and provision.sort_key


def test_a_bad_sheet_in_a_workbook_writes_nothing_from_any_sheet():
    CountryFactory(iso_code="LT")
    data = xlsx_bytes(
        {
            "legal-acts": [["country", "title", "kind"], ["LT", "Criminal Code", "code"]],
            "legal-ages": [["country", "kind", "age"], ["LT", "majority", "adult"]],
        }
    )
    result = import_workbook(fileobj=io.BytesIO(data), filename="bad.xlsx")
    assert not result.written
    assert [(n, c) for n, c, _ in errors_of(result)] == [(2, "age")]
    from laws.models import LegalAct

    assert not LegalAct.objects.exists()


def test_a_workbook_with_an_unknown_sheet_is_refused():
    data = xlsx_bytes({"colours": [["name"], ["red"]]})
    result = import_workbook(fileobj=io.BytesIO(data), filename="odd.xlsx")
    assert "Unknown sheet(s): colours" in result.problems[0]
