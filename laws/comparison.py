"""The legal comparison of countries, shared by /laws/compare/ and the portal-wide /compare/.

A fixed five queries whatever the number of countries: legal ages, instruments, instrument
statuses, topics, and the heaviest imprisonment per country and topic.
"""

from collections import defaultdict

from django.db.models import Max

from portal.models import Status

from .models import (
    CountryInstrumentStatus,
    Instrument,
    LegalAge,
    PenaltyRow,
    Topic,
    months_display,
)


def legal_comparison(countries):
    """Legal ages, instrument status and heaviest penalties per topic for `countries`, in order.

    Returns the column headings (age_kinds, instruments, topics) and one row per country.
    """
    country_ids = [country.pk for country in countries]

    ages = defaultdict(dict)
    for age in LegalAge.objects.published().filter(country_id__in=country_ids):
        ages[age.country_id][age.kind] = age

    instruments = list(Instrument.objects.published())
    steps = defaultdict(list)
    for status in CountryInstrumentStatus.objects.published().filter(
        country_id__in=country_ids, instrument__status=Status.PUBLISHED
    ):
        steps[(status.country_id, status.instrument_id)].append(status)

    topics = list(Topic.objects.published())
    heaviest = {
        (row["provision__country_id"], row["provision__topics"]): row["longest"]
        for row in PenaltyRow.objects.filter(
            sanction=PenaltyRow.Sanction.IMPRISONMENT,
            max_months__isnull=False,
            provision__status=Status.PUBLISHED,
            provision__act__status=Status.PUBLISHED,
            provision__country_id__in=country_ids,
            provision__topics__status=Status.PUBLISHED,
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
        }
        for country in countries
    ]
    return {
        "rows": rows,
        "age_kinds": LegalAge.Kind.choices,
        "instruments": instruments,
        "topics": topics,
    }
