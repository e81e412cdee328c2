"""Benchmark frameworks on the public pages: the matrix of countries x criteria, a country's
assessments on its legislation page and the rows of the compare page.

Every reader here is a fixed number of queries whatever the number of countries, criteria and
evidence records: the assessments in one query, their evidence in one query per evidence type.
Only public evidence is listed; an editor sees the rest flagged in the admin.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse

from .models import Assessment, ChildDefinition, CountryInstrumentStatus, Criterion, Provision


@dataclass(frozen=True)
class EvidenceLink:
    label: str
    url: str


def legislation_url(country, anchor=""):
    url = reverse("laws:country-legislation", kwargs={"iso_code": country.iso_code.lower()})
    return f"{url}#{anchor}" if anchor else url


def evidence_prefetches():
    """The public evidence of each assessment, on `public_<relation>` lists."""
    return (
        Prefetch(
            "provisions",
            queryset=Provision.objects.public().select_related("act").order_by("sort_key"),
            to_attr="public_provisions",
        ),
        Prefetch(
            "instrument_statuses",
            queryset=CountryInstrumentStatus.objects.public()
            .select_related("country", "instrument")
            .order_by("instrument__short_name", "status_kind"),
            to_attr="public_instrument_statuses",
        ),
        Prefetch(
            "definitions",
            queryset=ChildDefinition.objects.public().select_related("country"),
            to_attr="public_definitions",
        ),
    )


def evidence_links(assessment):
    """Links to the public evidence records of an assessment read with evidence_prefetches():
    provisions to their page, definitions and instrument steps to their row of the country's
    legislation page."""
    links = [
        EvidenceLink(f"{p.label}, {p.act.display_title}", p.get_absolute_url())
        for p in assessment.public_provisions
    ]
    links += [
        EvidenceLink(
            f"Definition of “{d.term}” ({d.age_range})",
            legislation_url(d.country, f"definition-{d.pk}"),
        )
        for d in assessment.public_definitions
    ]
    links += [
        EvidenceLink(
            f"{s.instrument.short_name}: {s.get_status_kind_display().lower()}",
            legislation_url(s.country, f"instrument-{s.instrument_id}"),
        )
        for s in assessment.public_instrument_statuses
    ]
    return links


def public_assessments():
    return Assessment.objects.public().prefetch_related(*evidence_prefetches())


def _with_links(assessments):
    assessments = list(assessments)
    for assessment in assessments:
        assessment.evidence_links = evidence_links(assessment)
    return assessments


def framework_matrix(framework):
    """The framework's public criteria and one row per country with a public assessment:
    {"criteria": [...], "rows": [(country, [assessment or None per criterion])]}."""
    criteria = list(Criterion.objects.public().filter(framework=framework).order_by("order", "pk"))
    cells = {}
    for assessment in _with_links(
        public_assessments().filter(criterion__framework=framework).select_related("country")
    ):
        cells.setdefault(assessment.country, {})[assessment.criterion_id] = assessment
    rows = [
        (country, [by_criterion.get(criterion.pk) for criterion in criteria])
        for country, by_criterion in sorted(cells.items(), key=lambda item: item[0].name)
    ]
    return {"criteria": criteria, "rows": rows}


def country_benchmarks(country):
    """[(framework, [assessments in criterion order])] of the country's public assessments."""
    assessments = _with_links(
        public_assessments()
        .filter(country=country)
        .select_related("criterion__framework")
        .order_by("criterion__framework__name", "criterion__order", "criterion_id")
    )
    grouped = {}
    for assessment in assessments:
        grouped.setdefault(assessment.criterion.framework, []).append(assessment)
    return list(grouped.items())


def compare_rows(countries):
    """[(framework, criteria, {(country id, criterion id): assessment})] for the compare page."""
    criteria = list(
        Criterion.objects.public()
        .select_related("framework")
        .order_by("framework__name", "order", "pk")
    )
    found = {
        (a.country_id, a.criterion_id): a
        for a in _with_links(
            public_assessments().filter(country_id__in=[country.pk for country in countries])
        )
    }
    frameworks = {}
    for criterion in criteria:
        frameworks.setdefault(criterion.framework, []).append(criterion)
    return [(framework, items, found) for framework, items in frameworks.items()]
