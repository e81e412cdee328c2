"""The laws app's tables on the compare page (/compare/): legal ages, instrument status, the
heaviest penalty per topic and one table per benchmark framework, country by country.

A fixed number of queries whatever the number of countries: legal ages, instruments, instrument
statuses, topics, the heaviest imprisonment per country and topic, and for the benchmarks the
criteria, the assessments and their evidence (laws/benchmarks.py).
"""

from collections import defaultdict

from django.db.models import Max

from portal.compare import Table

from .benchmarks import compare_rows
from .charts import MAX_COMPARED, legal_ages_chart, penalties_chart
from .models import (
    CountryInstrumentStatus,
    Instrument,
    LegalAge,
    PenaltyRow,
    Provision,
    Topic,
    months_display,
)


def legal_comparison(countries):
    """Legal ages, instrument status and heaviest penalties per topic for `countries`, in order.

    Returns the column headings (age_kinds, instruments, topics) and one row per country.
    """
    country_ids = [country.pk for country in countries]

    ages = defaultdict(dict)
    for age in LegalAge.objects.public().filter(country_id__in=country_ids):
        ages[age.country_id][age.kind] = age

    instruments = list(Instrument.objects.public())
    steps = defaultdict(list)
    for status in CountryInstrumentStatus.objects.public().filter(country_id__in=country_ids):
        steps[(status.country_id, status.instrument_id)].append(status)

    topics = list(Topic.objects.public())
    heaviest = {
        (row["provision__country_id"], row["provision__topics"]): row["longest"]
        for row in PenaltyRow.objects.filter(
            Provision.public_filter("provision"),
            Topic.public_filter("provision__topics"),
            sanction=PenaltyRow.Sanction.IMPRISONMENT,
            max_months__isnull=False,
            provision__country_id__in=country_ids,
        )
        .values("provision__country_id", "provision__topics")
        .annotate(longest=Max("max_months"))
        .order_by()
    }

    rows = [
        {
            "country": country,
            "ages": [ages[country.pk].get(kind) for kind in LegalAge.Kind.values],
            "instruments": [
                sorted(steps.get((country.pk, i.pk), []), key=lambda s: s.step_rank)
                for i in instruments
            ],
            "topics": [months_display(heaviest.get((country.pk, topic.pk))) for topic in topics],
            "heaviest_months": [heaviest.get((country.pk, topic.pk)) for topic in topics],
        }
        for country in countries
    ]
    return {
        "rows": rows,
        "age_kinds": LegalAge.Kind.choices,
        "instruments": instruments,
        "topics": topics,
    }


def compare_tables(countries):
    legal = legal_comparison(countries)

    def rows(key):
        return [(row["country"], row[key]) for row in legal["rows"]]

    chart_note = (
        f"A chart compares up to {MAX_COMPARED} countries; the table has them all."
        if len(countries) > MAX_COMPARED
        else ""
    )
    templates = {
        "cell_template": "laws/includes/compare_cell.html",
        "subject_template": "laws/includes/compare_subject.html",
    }
    return [
        Table(
            id="legal-ages",
            title="Legal ages",
            caption="Legal ages (in brackets: the lowest age an exception allows)",
            kind="age",
            subject="Legal age",
            columns=[label for _, label in legal["age_kinds"]],
            rows=rows("ages"),
            empty="No legal ages are defined.",
            chart=legal_ages_chart(legal, countries),
            chart_note=chart_note,
            **templates,
        ),
        Table(
            id="instruments",
            title="International instruments",
            caption="Status of international instruments",
            kind="instrument",
            subject="Instrument",
            columns=legal["instruments"],
            rows=rows("instruments"),
            empty="No international instruments recorded yet.",
            **templates,
        ),
        Table(
            id="penalties",
            title="Heaviest penalties",
            caption="Longest maximum imprisonment any provision on the topic allows",
            kind="topic",
            subject="Topic",
            columns=legal["topics"],
            rows=rows("topics"),
            empty="No legal topics recorded yet.",
            chart=penalties_chart(legal, countries),
            chart_note=chart_note,
            **templates,
        ),
        *benchmark_tables(countries),
    ]


def benchmark_tables(countries):
    """One table per benchmark framework: a cell per country and criterion."""
    return [
        Table(
            id=f"benchmark-{framework.slug}",
            title=f"Benchmark: {framework.name}",
            caption=f"{framework.name}: answers by criterion, with their evidence",
            kind="criterion",
            subject="Criterion",
            columns=criteria,
            rows=[
                (country, [found.get((country.pk, c.pk)) for c in criteria])
                for country in countries
            ],
            empty="No criteria published yet.",
            cell_template="laws/includes/benchmark_cell.html",
            subject_template="laws/includes/criterion_subject.html",
        )
        for framework, criteria, found in compare_rows(countries)
    ]
