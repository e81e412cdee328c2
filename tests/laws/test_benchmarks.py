"""Benchmark frameworks: the public matrix, the legislation page section, the compare tables,
the consistency flags editors see in the admin, and the per-country rights on assessments."""

import csv
import datetime
import io
import re

import pytest
import tablib
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from laws.models import Answer, Assessment
from laws.resources import AssessmentResource
from portal.models import Status
from portal.roles import EDITOR, PUBLISHER
from tests.bulk.helpers import csv_bytes, errors_of, exported, run
from tests.portal.admin_client import sign_in
from tests.portal.admin_forms import csrf_token, form_data
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory

from .factories import (
    AssessmentFactory,
    ChildDefinitionFactory,
    CountryInstrumentStatusFactory,
    CriterionFactory,
    FrameworkFactory,
    InstrumentFactory,
    LegalActFactory,
    ProvisionFactory,
)
from .test_fixtures import BENCHMARK_FIXTURES

pytestmark = pytest.mark.django_db

# The framework, its criteria, the assessments, and their evidence: provisions, instrument
# statuses, definitions.
MATRIX_QUERIES = 6


def matrix_url(framework):
    return reverse("laws:framework-detail", kwargs={"slug": framework.slug})


def matrix_cells(html):
    """{(country name, criterion label): cell html} of the matrix table."""
    table = html[html.index('<table class="benchmark-matrix">') : html.index("</table>")]
    labels = re.findall(r'<th scope="col"><a href="#criterion-\d+">([^<]+)</a></th>', table)
    cells = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S):
        country = re.search(r">([^<]+)</a></th>", row).group(1)
        for label, cell in zip(labels, re.findall(r"<td>(.*?)</td>", row, re.S), strict=True):
            cells[(country, label)] = cell
    return cells


def assessed_country(framework, criteria, n=0):
    """A country with an act and an assessment of each criterion backed by one provision."""
    country = CountryFactory(name=f"Country {n:03d}")
    act = LegalActFactory(country=country)
    for criterion in criteria:
        AssessmentFactory(
            country=country,
            criterion=criterion,
            answer=Answer.MEETS,
            provisions=[ProvisionFactory(act=act)],
            definitions=[ChildDefinitionFactory(country=country)],
            instrument_statuses=[CountryInstrumentStatusFactory(country=country)],
        )
    return country


# --- the framework page ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 50])
def test_matrix_query_count_does_not_grow_with_the_countries(client, django_assert_num_queries, n):
    framework = FrameworkFactory()
    criteria = [CriterionFactory(framework=framework) for _ in range(3)]
    for i in range(n):
        assessed_country(framework, criteria, i)
    with django_assert_num_queries(MATRIX_QUERIES):
        response = client.get(matrix_url(framework))
    assert response.status_code == 200
    assert len(response.context["rows"]) == n
    assert len(matrix_cells(response.content.decode())) == n * 3


def test_matrix_shows_only_published_assessments(client):
    framework = FrameworkFactory(name="Model law")
    shown, drafted = (
        CriterionFactory(framework=framework, short_label="Shown"),
        CriterionFactory(framework=framework, short_label="Drafted", status=Status.DRAFT),
    )
    lt = CountryFactory(name="Lithuania")
    hidden_country = CountryFactory(name="Hiddenland", status=Status.DRAFT)
    lv = CountryFactory(name="Latvia")
    ee = CountryFactory(name="Estonia")
    AssessmentFactory(country=lt, criterion=shown, answer=Answer.MEETS, reasoning="Published one")
    AssessmentFactory(country=lt, criterion=drafted, reasoning="Under a draft criterion")
    AssessmentFactory(country=hidden_country, criterion=shown, reasoning="In a draft country")
    AssessmentFactory(country=lv, criterion=shown, reasoning="A draft", status=Status.DRAFT)
    AssessmentFactory(country=ee, criterion=shown, reasoning="In review", status=Status.IN_REVIEW)
    withdrawn = AssessmentFactory(country=ee, criterion=CriterionFactory(framework=framework))
    withdrawn.status = Status.WITHDRAWN
    withdrawn.save()

    html = client.get(matrix_url(framework)).content.decode()
    cells = matrix_cells(html)
    assert set(cells) == {("Lithuania", "Shown"), ("Lithuania", withdrawn.criterion.short_label)}
    assert "Meets" in cells[("Lithuania", "Shown")]
    assert "not assessed" in cells[("Lithuania", withdrawn.criterion.short_label)]
    assert "Published one" in html
    for text in ("Under a draft criterion", "In a draft country", "A draft", "In review"):
        assert text not in html
    assert "Drafted" not in html and "Hiddenland" not in html


def test_an_answer_links_to_each_of_its_evidence_records(client):
    country = CountryFactory(iso_code="LT", name="Lithuania")
    act = LegalActFactory(country=country, slug="lt-criminal-code", title="Criminal Code")
    articles = [ProvisionFactory(act=act, number=n) for n in ("161", "309")]
    child = ChildDefinitionFactory(country=country, term="child", max_age=14)
    step = CountryInstrumentStatusFactory(
        country=country, instrument=InstrumentFactory(short_name="Lanzarote Convention")
    )
    hidden = ProvisionFactory(act=act, number="999", status=Status.DRAFT)
    assessment = AssessmentFactory(
        country=country,
        answer=Answer.PARTLY,
        provisions=[*articles, hidden],
        definitions=[child],
        instrument_statuses=[step],
    )
    html = client.get(matrix_url(assessment.criterion.framework)).content.decode()
    cell = matrix_cells(html)[("Lithuania", assessment.criterion.short_label)]
    assert "Partly meets" in cell
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', cell)
    legislation = reverse("laws:country-legislation", kwargs={"iso_code": "lt"})
    assert links == [
        ("/laws/lt-criminal-code/161/", "Article 161, Criminal Code"),
        ("/laws/lt-criminal-code/309/", "Article 309, Criminal Code"),
        (f"{legislation}#definition-{child.pk}", "Definition of “child” (under 14)"),
        (f"{legislation}#instrument-{step.instrument_id}", "Lanzarote Convention: ratified"),
    ]
    assert hidden.get_absolute_url() not in html  # a draft provision is never linked
    # Every link leads somewhere: the provision pages answer, the anchors are on the page.
    overview = client.get(legislation).content.decode()
    for url, _ in links:
        path, _, anchor = url.partition("#")
        assert client.get(path).status_code == 200, url
        if anchor:
            assert f'id="{anchor}"' in overview, anchor


def test_framework_pages_404_and_list(client):
    framework = FrameworkFactory(name="Published framework")
    CriterionFactory(framework=framework)
    draft = FrameworkFactory(name="Draft framework", status=Status.DRAFT)
    assert client.get(matrix_url(draft)).status_code == 404
    assert client.get("/laws/frameworks/no-such-framework/").status_code == 404
    listing = client.get(reverse("laws:framework-list")).content.decode()
    assert framework.get_absolute_url() in listing and "1 criterion" in listing
    assert "Draft framework" not in listing


def test_framework_list_query_count(client, django_assert_num_queries):
    for _ in range(3):
        CriterionFactory()
    with django_assert_num_queries(1):
        assert client.get(reverse("laws:framework-list")).status_code == 200


# --- the legislation page and the compare page -----------------------------------------------


def test_legislation_page_has_the_framework_section(client):
    country = CountryFactory(iso_code="LT", name="Lithuania")
    provision = ProvisionFactory(act=LegalActFactory(country=country))
    assessment = AssessmentFactory(
        country=country,
        criterion=CriterionFactory(framework=FrameworkFactory(name="ICMEC model law")),
        answer=Answer.MEETS,
        provisions=[provision],
        reasoning="Article 309 covers storing.",
        as_of=datetime.date(2026, 11, 29),
    )
    AssessmentFactory(country=country, reasoning="Draft reasoning", status=Status.DRAFT)
    html = client.get(f"/countries/{country.iso_code.lower()}/legislation/").content.decode()
    section = html[html.index('id="benchmarks"') :]
    assert "ICMEC model law" in section and "Article 309 covers storing." in section
    assert f'href="{provision.get_absolute_url()}"' in section
    assert f"#criterion-{assessment.criterion.pk}" in section
    assert "29 November 2026" in section
    assert "Draft reasoning" not in html


def test_compare_page_has_a_table_per_framework(client):
    lt = CountryFactory(iso_code="LT", name="Lithuania")
    lv = CountryFactory(iso_code="LV", name="Latvia")
    framework = FrameworkFactory(name="Lanzarote offences", slug="lanzarote")
    abuse, grooming = (
        CriterionFactory(framework=framework, short_label="Sexual abuse", order=1),
        CriterionFactory(framework=framework, short_label="Grooming", order=2),
    )
    provision = ProvisionFactory(act=LegalActFactory(country=lt))
    AssessmentFactory(country=lt, criterion=abuse, answer=Answer.MEETS, provisions=[provision])
    AssessmentFactory(country=lv, criterion=grooming, answer=Answer.NOT_STATED)
    response = client.get("/compare/", {"country": ["LT", "LV"]})
    table = next(t for t in response.context["tables"] if t.id == "benchmark-lanzarote")
    cells = {country.iso_code: cells for country, cells in table.rows}
    assert [c.short_label for c in table.columns] == ["Sexual abuse", "Grooming"]
    assert cells["LT"][0].answer == Answer.MEETS and cells["LT"][1] is None
    assert cells["LV"][0] is None and cells["LV"][1].answer == Answer.NOT_STATED
    html = response.content.decode()
    assert f'href="{provision.get_absolute_url()}"' in html
    assert "Not stated in our sources" in html and "not assessed" in html


# --- consistency checks in the admin ---------------------------------------------------------


def flags(assessment):
    return Assessment.objects.with_problems().get(pk=assessment.pk).problem_labels()


def test_consistency_flags():
    lt, lv = CountryFactory(iso_code="LT"), CountryFactory(iso_code="LV")
    lt_article = ProvisionFactory(act=LegalActFactory(country=lt))
    lv_article = ProvisionFactory(act=LegalActFactory(country=lv))
    sound = AssessmentFactory(country=lt, answer=Answer.MEETS, provisions=[lt_article])
    unproven = AssessmentFactory(country=lt, answer=Answer.DOES_NOT)
    not_stated = AssessmentFactory(country=lt, answer=Answer.NOT_STATED)
    foreign = AssessmentFactory(country=lt, answer=Answer.MEETS, provisions=[lv_article])
    draft_definition = ChildDefinitionFactory(country=lt, status=Status.DRAFT)
    hidden = AssessmentFactory(country=lt, answer=Answer.PARTLY, definitions=[draft_definition])
    assert flags(sound) == [] and flags(not_stated) == []
    assert flags(unproven) == ["answer without evidence"]
    assert flags(foreign) == ["evidence of another country"]
    assert flags(hidden) == ["evidence not public (draft or withdrawn)"]

    # The evidence changes after the assessment was saved: the assessment is out of date.
    Assessment.objects.filter(pk=sound.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=1)
    )
    lt_article.summary = "Amended."
    lt_article.save()
    assert flags(sound) == ["evidence changed since the assessment"]
    assert set(Assessment.objects.without_problems()) == {not_stated}


@pytest.fixture
def publisher(lt):
    return make_member(PUBLISHER, lt, username="lt-publisher")


def test_withdrawing_an_evidence_provision_flags_the_assessment(lt, publisher):
    provision = ProvisionFactory(act=LegalActFactory(country=lt), number="309")
    assessment = AssessmentFactory(country=lt, answer=Answer.MEETS, provisions=[provision])
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, publisher)
    changelist = reverse("admin:laws_assessment_changelist")
    assert "evidence not public" not in browser.get(changelist).content.decode()

    provisions = reverse("admin:laws_provision_changelist")
    response = browser.post(
        provisions,
        {
            "action": "withdraw",
            "_selected_action": [provision.pk],
            "csrfmiddlewaretoken": csrf_token(browser.get(provisions)),
        },
    )
    assert response.status_code == 302
    provision.refresh_from_db()
    assert provision.status == Status.WITHDRAWN

    listing = browser.get(changelist).content.decode()
    assert "evidence not public (draft or withdrawn)" in listing
    flagged = browser.get(changelist, {"problem": "evidence_hidden"})
    assert list(flagged.context["cl"].result_list) == [assessment]
    assert not list(browser.get(changelist, {"problem": "none"}).context["cl"].result_list)
    form = browser.get(reverse("admin:laws_assessment_change", args=[assessment.pk]))
    assert "Check this assessment: evidence not public" in form.content.decode()


# --- per-country rights ------------------------------------------------------------------------


def test_an_lv_editor_cannot_edit_lithuanian_assessments(lt, lv):
    assessment = AssessmentFactory(country=lt, reasoning="Lithuanian", status=Status.DRAFT)
    lv_editor = make_member(EDITOR, lv, username="lv-editor")
    lt_editor = make_member(EDITOR, lt, username="lt-editor")
    url = reverse("admin:laws_assessment_change", args=[assessment.pk])

    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, lv_editor)
    page = browser.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    data = {**form_data(browser.get(reverse("admin:laws_assessment_add"))), "reasoning": "Hijacked"}
    data.update(country=lt.pk, criterion=assessment.criterion.pk, answer=Answer.NOT_STATED)
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"].value
    assert browser.post(url, data).status_code == 403
    # Nor may they add one for Lithuania: the country is not theirs to choose.
    other = CriterionFactory()
    added = browser.post(reverse("admin:laws_assessment_add"), {**data, "criterion": other.pk})
    assert added.status_code == 200 and "country" in added.context["adminform"].form.errors
    assessment.refresh_from_db()
    assert assessment.reasoning == "Lithuanian"
    assert not Assessment.objects.filter(criterion=other).exists()

    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, lt_editor)
    data = {**form_data(browser.get(url)), "reasoning": "Edited in Lithuania"}
    response = browser.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assessment.refresh_from_db()
    assert assessment.reasoning == "Edited in Lithuania"
    assert assessment.history.first().history_user == lt_editor


# --- spreadsheets ------------------------------------------------------------------------------


@pytest.fixture
def lithuania_benchmarks():
    call_command("loaddata", *BENCHMARK_FIXTURES, verbosity=0)


def test_assessments_export_names_the_evidence_by_key(lithuania_benchmarks):
    rows = list(csv.DictReader(io.StringIO(exported("assessments").decode().lstrip("\ufeff"))))
    assert len(rows) == 11
    possession = next(r for r in rows if r["criterion"].endswith(": Possession"))
    assert possession["criterion"] == "icmec-csam-model-legislation: Possession"
    assert possession["provisions"] == "lt-criminal-code/309"
    defines = next(r for r in rows if r["criterion"].endswith(": Defines CSAM"))
    assert defines["definitions"] == "LT: child; LT: minor"
    assert defines["answer"] == "partly" and defines["country"] == "LT"


def test_assessment_import_writes_the_evidence_or_refuses_the_file(lithuania_benchmarks):
    header = ["country", "criterion", "answer", "provisions", "definitions", "reasoning", "status"]
    row = [
        "lt",
        "lanzarote-convention-offences: Solicitation (grooming)",
        "does_not",
        "lt-criminal-code/153; LT-Criminal-Code/309",
        "LT: child",
        "Changed in a spreadsheet.",
        "draft",
    ]
    result = run("assessments", csv_bytes([header, row]))
    assert result.valid, errors_of(result)
    assessment = Assessment.objects.get(criterion__short_label="Solicitation (grooming)")
    assert assessment.answer == "does_not" and assessment.status == Status.DRAFT
    assert set(assessment.provisions.values_list("number", flat=True)) == {"153", "309"}
    assert list(assessment.definitions.values_list("term", flat=True)) == ["child"]

    bad = [*row[:3], "lt-criminal-code/999", "LT: nobody", "Refused.", "draft"]
    unknown = ["LT", "icmec-csam-model-legislation: No such criterion", *row[2:4], "", *row[5:]]
    result = run("assessments", csv_bytes([header, bad, unknown]))
    assert not result.valid
    assert errors_of(result) == [
        (2, "provisions", "Unknown provision: lt-criminal-code/999."),
        (2, "definitions", "Unknown legal definition: LT: nobody."),
        (
            3,
            "criterion",
            "No criterion with key “icmec-csam-model-legislation: No such criterion”.",
        ),
    ]
    assessment.refresh_from_db()
    assert assessment.reasoning == "Changed in a spreadsheet."  # nothing of the file written


def test_assessment_resource_round_trip_and_unknown_evidence(lithuania_benchmarks):
    dataset = AssessmentResource().export()
    assert "lt-criminal-code/309" in dataset.csv
    result = AssessmentResource().import_data(dataset, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert {row.import_type for row in result.rows} == {"skip"}
    changed = dataset.csv.replace("lt-criminal-code/309", "lt-criminal-code/999")
    result = AssessmentResource().import_data(tablib.Dataset().load(changed, format="csv"))
    assert result.has_validation_errors()
    assert result.invalid_rows[0].error_dict == {
        "provisions": ["Unknown provision: lt-criminal-code/999."]
    }
    assert Assessment.objects.filter(provisions__number="309").count() == 4  # unchanged
