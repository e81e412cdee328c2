"""The Lithuania seed (fixtures/20_laws.json, 25_benchmarks.json) against the facts of the
source page."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command

from laws.models import (
    ANSWERS_NEEDING_EVIDENCE,
    Answer,
    Assessment,
    ChildDefinition,
    CountryInstrumentStatus,
    Criterion,
    DatePrecision,
    Framework,
    Instrument,
    LegalAct,
    LegalAge,
    PenaltyRow,
    Provision,
    Topic,
    provision_slug,
    provision_sort_key,
)
from portal.models import Status

FIXTURES = [
    str(settings.BASE_DIR / "fixtures" / "00_countries.json"),
    str(settings.BASE_DIR / "fixtures" / "20_laws.json"),
]
CRIMINAL_CODE = "Criminal Code"
MINORS_LAW = "Law on the Protection of Minors against the Detrimental Effect of Public Information"
ARTICLES = ["149", "150", "151", "151.1", "153", "154", "155", "161", "307", "308", "309"]
Y = 12

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    call_command("loaddata", *FIXTURES, verbosity=0)


def penalty_sets(number, act=CRIMINAL_CODE):
    """{option set: (condition, {sanction: (min, max)})} for one provision."""
    rows = PenaltyRow.objects.filter(provision__act__title=act, provision__number=number)
    sets = {}
    for row in rows:
        condition, sanctions = sets.setdefault(row.option_set, (row.condition, {}))
        assert row.condition == condition, "every row of an option set has the same condition"
        sanctions[row.sanction] = (row.min_months, row.max_months)
    return sets


def test_every_record_is_published_with_timestamps(seed):
    for model in (Topic, Instrument, LegalAge, ChildDefinition, CountryInstrumentStatus):
        assert model.objects.exists()
        assert set(model.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    for model in (LegalAct, Provision):
        assert set(model.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
        assert not model.objects.filter(created_at__isnull=True).exists()


def test_loading_twice_changes_nothing(seed):
    snapshot = {
        model: list(model.objects.order_by("pk").values())
        for model in (
            Topic,
            Instrument,
            LegalAge,
            ChildDefinition,
            CountryInstrumentStatus,
            LegalAct,
            Provision,
            PenaltyRow,
        )
    }
    topics = list(Provision.topics.through.objects.order_by("pk").values())
    call_command("loaddata", *FIXTURES, verbosity=0)
    for model, rows in snapshot.items():
        assert list(model.objects.order_by("pk").values()) == rows, model
    assert list(Provision.topics.through.objects.order_by("pk").values()) == topics


def test_all_articles_chapter_30_and_minors_law(seed):
    code = LegalAct.objects.get(country__iso_code="LT", title=CRIMINAL_CODE)
    numbers = list(code.provisions.order_by("sort_key").values_list("number", flat=True))
    assert numbers == [*ARTICLES, "Chapter 30"]
    titles = dict(code.provisions.values_list("number", "title"))
    assert titles["149"] == "Rape"
    assert titles["155"] == "Insult"
    assert titles["161"] == "Use of a Child for Pornography"  # not glued into 155
    assert titles["Chapter 30"] == (
        "Crimes Against Security of Electronic Data and Information System"
    )
    minors = LegalAct.objects.get(country__iso_code="LT", title=MINORS_LAW)
    assert minors.kind == LegalAct.Kind.LAW
    law = minors.provisions.get()
    assert "self-mutilation or suicide" in law.summary
    assert "personal data" in law.summary
    assert set(law.topics.values_list("slug", flat=True)) == {
        "harmful-content",
        "privacy-of-minors",
    }
    # The 309 provision does not carry the minors' law glued to it.
    assert "Minor" not in code.provisions.get(number="309").summary


def test_stored_sort_keys_and_slugs_match_the_computed_ones(seed):
    for provision in Provision.objects.all():
        assert provision.sort_key == provision_sort_key(provision.number)
        assert provision.slug == provision_slug(provision.number, provision.title)
        assert provision.country_id == provision.act.country_id


def test_legal_ages(seed):
    ages = {a.kind: a for a in LegalAge.objects.filter(country__iso_code="LT")}
    assert ages[LegalAge.Kind.MAJORITY].age == 18
    assert ages[LegalAge.Kind.SEXUAL_CONSENT].age == 16
    marriage = ages[LegalAge.Kind.MARRIAGE]
    assert (marriage.age, marriage.lowered_age) == (18, 15)
    assert "courts" in marriage.exceptions
    assert "pregnant" in marriage.exceptions and "under 15" in marriage.exceptions


def test_three_definitions_as_age_bounds(seed):
    definitions = {d.term: d for d in ChildDefinition.objects.filter(country__iso_code="LT")}
    assert set(definitions) == {"young child", "child", "minor"}
    assert (definitions["young child"].min_age, definitions["young child"].max_age) == (None, 10)
    assert (definitions["child"].min_age, definitions["child"].max_age) == (None, 14)
    assert (definitions["minor"].min_age, definitions["minor"].max_age) == (14, 18)
    assert definitions["minor"].includes_age(17) and not definitions["minor"].includes_age(18)
    assert definitions["child"].includes_age(13) and not definitions["child"].includes_age(14)
    assert all(d.act.title == CRIMINAL_CODE for d in definitions.values())


def test_instruments(seed):
    bodies = dict(Instrument.objects.values_list("short_name", "body"))
    assert bodies == {
        "Convention on Cybercrime": Instrument.Body.COUNCIL_OF_EUROPE,
        "Lanzarote Convention": Instrument.Body.COUNCIL_OF_EUROPE,
        "Directive 2011/93/EU": Instrument.Body.EU,
        "Convention on the Rights of the Child": Instrument.Body.UN,
        "Optional Protocol on the sale of children": Instrument.Body.UN,
    }
    assert not Instrument.objects.filter(title__contains="2011/92").exists()


def test_cybercrime_convention_signed_ratified_in_force_july_2004(seed):
    steps = {
        s.status_kind: s
        for s in CountryInstrumentStatus.objects.filter(
            country__iso_code="LT", instrument__short_name="Convention on Cybercrime"
        )
    }
    assert set(steps) == {"signed", "ratified", "in_force"}
    in_force = steps["in_force"]
    assert (in_force.date, in_force.date_precision) == (
        datetime.date(2004, 7, 1),
        DatePrecision.MONTH,
    )
    assert in_force.date_display == "July 2004"
    assert "July 2004" in steps["ratified"].notes


def test_directive_transposed_2013_with_misprint_noted(seed):
    status = CountryInstrumentStatus.objects.get(
        country__iso_code="LT", instrument__short_name="Directive 2011/93/EU"
    )
    assert status.status_kind == "transposed"
    assert (status.date.year, status.date_precision, status.date_display) == (2013, "year", "2013")
    assert "Code of Criminal Procedure" in status.notes
    assert "2011/92/EU" in status.notes


def test_no_lithuanian_status_the_page_does_not_state(seed):
    assert set(
        CountryInstrumentStatus.objects.values_list("instrument__short_name", flat=True)
    ) == {"Convention on Cybercrime", "Directive 2011/93/EU"}


def test_article_149_penalties(seed):
    assert penalty_sets("149") == {
        1: ("base", {"imprisonment": (None, 7 * Y)}),
        2: ("victim_minor", {"imprisonment": (3 * Y, 10 * Y)}),
        3: ("victim_child", {"imprisonment": (None, 15 * Y)}),
        4: ("jointly", {"imprisonment": (None, 10 * Y)}),
    }


def test_article_150_penalties(seed):
    assert penalty_sets("150") == {
        1: ("base", {"imprisonment": (None, 7 * Y)}),
        2: ("victim_minor", {"imprisonment": (2 * Y, 10 * Y)}),
        3: ("victim_child", {"imprisonment": (None, 13 * Y)}),
        4: ("jointly", {"imprisonment": (None, 8 * Y)}),
    }


def test_article_309_penalties(seed):
    none = (None, None)
    assert penalty_sets("309") == {
        1: (
            "base",
            {
                "community_service": none,
                "fine": none,
                "restriction_of_liberty": none,
                "imprisonment": (None, 1 * Y),
            },
        ),
        2: ("child_depicted", {"imprisonment": (None, 2 * Y)}),
        3: ("large_quantity", {"imprisonment": (None, 5 * Y)}),
        4: (
            "misdemeanour",
            {
                "community_service": none,
                "fine": none,
                "restriction_of_liberty": none,
                "arrest": none,
            },
        ),
    }


def test_other_articles_penalties(seed):
    none = (None, None)
    assert penalty_sets("151") == {
        1: ("base", {"imprisonment": (None, 2 * Y)}),
        2: ("victim_minor", {"imprisonment": (None, 5 * Y)}),
    }
    assert penalty_sets("151.1") == {
        1: (
            "base",
            {
                "community_service": none,
                "fine": none,
                "restriction_of_liberty": none,
                "arrest": none,
                "imprisonment": (None, 3 * Y),
            },
        ),
    }
    assert penalty_sets("153")[1][1]["imprisonment"] == (None, 2 * Y)
    assert penalty_sets("154") == {
        1: (
            "base",
            {
                "fine": none,
                "restriction_of_liberty": none,
                "arrest": none,
                "imprisonment": (None, 1 * Y),
            },
        ),
        2: ("in_media", {"fine": none, "arrest": none, "imprisonment": (None, 2 * Y)}),
    }
    assert penalty_sets("155")[2] == (
        "misdemeanour",
        {"community_service": none, "fine": none, "arrest": none},
    )
    assert penalty_sets("161") == {
        1: ("base", {"fine": none, "arrest": none, "imprisonment": (None, 5 * Y)}),
    }
    assert penalty_sets("307")[2] == ("other", {"imprisonment": (None, 6 * Y)})
    assert penalty_sets("307")[3] == ("victim_minor", {"imprisonment": (2 * Y, 8 * Y)})
    assert penalty_sets("308")[2] == ("victim_minor", {"imprisonment": (2 * Y, 7 * Y)})
    assert penalty_sets("Chapter 30") == {
        1: ("base", {"community_service": none, "imprisonment": (None, 6 * Y)}),
    }


def test_maximum_imprisonment_per_provision(seed):
    expected = {
        "149": 15,
        "150": 13,
        "151": 5,
        "151.1": 3,
        "153": 2,
        "154": 2,
        "155": 1,
        "161": 5,
        "307": 8,
        "308": 7,
        "309": 5,
        "Chapter 30": 6,
        "": None,
    }
    found = dict(
        Provision.objects.with_max_imprisonment().values_list("number", "max_imprisonment_months")
    )
    assert {n: (m // 12 if m is not None else None) for n, m in found.items()} == expected


def test_filter_ten_years_or_more_returns_exactly_149_and_150(seed, client):
    response = client.get("/laws/", {"min_imprisonment": "10", "country": "LT"})
    assert response.status_code == 200
    assert [p.number for p in response.context["provisions"]] == ["149", "150"]


# --- benchmarks (fixtures/25_benchmarks.json) -----------------------------------------------

BENCHMARK_FIXTURES = [*FIXTURES, str(settings.BASE_DIR / "fixtures" / "25_benchmarks.json")]
ICMEC, LANZAROTE = "icmec-csam-model-legislation", "lanzarote-convention-offences"

# Lithuania's answers, each with the evidence the seed's legislation section gives for it:
# (framework, criterion) -> (answer, articles, definitions).
LITHUANIA = {
    (ICMEC, "CSAM-specific law"): ("meets", {"161", "309"}, set()),
    (ICMEC, "Defines CSAM"): ("partly", {"309"}, {"child", "minor"}),
    (ICMEC, "Technology-facilitated offences"): ("not_stated", set(), set()),
    (ICMEC, "Possession"): ("meets", {"309"}, set()),
    (ICMEC, "ISP reporting"): ("not_stated", set(), set()),
    (LANZAROTE, "Sexual abuse"): ("partly", {"149", "150", "151", "153"}, {"child", "minor"}),
    (LANZAROTE, "Child prostitution"): ("partly", {"151.1", "307", "308"}, {"minor"}),
    (LANZAROTE, "Child pornography"): ("partly", {"161", "309"}, {"child"}),
    (LANZAROTE, "Pornographic performances"): ("partly", {"161"}, {"child"}),
    (LANZAROTE, "Corruption of children"): ("not_stated", set(), set()),
    (LANZAROTE, "Solicitation (grooming)"): ("not_stated", set(), set()),
}


@pytest.fixture
def benchmarks():
    call_command("loaddata", *BENCHMARK_FIXTURES, verbosity=0)


def test_two_frameworks_with_the_publishers_reference(benchmarks):
    frameworks = {f.slug: f for f in Framework.objects.public()}
    assert set(frameworks) == {ICMEC, LANZAROTE}
    assert frameworks[ICMEC].publisher.startswith("International Centre for Missing")
    assert "9th edition" in frameworks[ICMEC].edition and frameworks[ICMEC].year == 2018
    assert "CETS No. 201" in frameworks[LANZAROTE].edition
    for framework in frameworks.values():
        assert framework.url.startswith("https://")
    labels = {
        slug: list(
            Criterion.objects.public().filter(framework__slug=slug).values_list("order", flat=True)
        )
        for slug in frameworks
    }
    assert labels == {ICMEC: [1, 2, 3, 4, 5], LANZAROTE: [1, 2, 3, 4, 5, 6]}


def test_lithuania_is_assessed_on_every_criterion_as_the_seed_supports(benchmarks):
    found = {}
    for assessment in Assessment.objects.public().select_related("criterion__framework"):
        assert assessment.country.iso_code == "LT"
        key = (assessment.criterion.framework.slug, assessment.criterion.short_label)
        found[key] = (
            assessment.answer,
            set(assessment.provisions.values_list("number", flat=True)),
            set(assessment.definitions.values_list("term", flat=True)),
        )
        assert not assessment.instrument_statuses.exists()
        assert assessment.reasoning and assessment.source
    assert found == LITHUANIA


def test_every_answer_but_not_stated_has_evidence_and_no_problem(benchmarks):
    answered = Assessment.objects.filter(answer__in=ANSWERS_NEEDING_EVIDENCE)
    assert answered.count() == 7
    for assessment in answered:
        evidence = [
            *assessment.provisions.all(),
            *assessment.definitions.all(),
            *assessment.instrument_statuses.all(),
        ]
        assert evidence, assessment
        for record in evidence:
            assert record.country.iso_code == "LT" and record.status == Status.PUBLISHED
    # What is not stated names no evidence: nothing is made to look proven.
    for assessment in Assessment.objects.filter(answer=Answer.NOT_STATED):
        assert not assessment.provisions.exists() and not assessment.definitions.exists()
    assert Assessment.objects.without_problems().count() == Assessment.objects.count() == 11


def test_benchmarks_load_twice_without_changes(benchmarks):
    snapshot = [list(m.objects.order_by("pk").values()) for m in (Framework, Criterion, Assessment)]
    evidence = list(Assessment.provisions.through.objects.order_by("pk").values())
    call_command("loaddata", *BENCHMARK_FIXTURES, verbosity=0)
    assert [
        list(m.objects.order_by("pk").values()) for m in (Framework, Criterion, Assessment)
    ] == snapshot
    assert list(Assessment.provisions.through.objects.order_by("pk").values()) == evidence
