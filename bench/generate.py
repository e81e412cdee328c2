"""Realistic volumes for the benchmark, written with bulk_create.

Per country: about 60 initiatives, 40 organisations, 3 reporting channels, 3 legal acts with 60
provisions (two penalty rows each) and 150 reports; plus extra reports for search. Text is drawn
from a fixed vocabulary of English words and generated surnames, so some words are common and
most names are rare, as in real data.
"""

import random
import string
from itertools import accumulate

from django.db import transaction

from laws.models import LegalAct, PenaltyRow, Provision, provision_slug, provision_sort_key
from library.models import Author, Authorship, Report
from portal.models import Status
from profiles.models import (
    ChannelKind,
    Country,
    Initiative,
    Organisation,
    OrganisationKind,
    ReportingChannel,
    Scope,
    Timeline,
)

WORDS = (
    "child children online safety internet abuse exploitation helpline hotline report reports "
    "education awareness school schools teacher teachers parent parents policy policies law "
    "police cybercrime grooming bullying privacy data protection platform platforms mobile "
    "phone social media network survey study research review evaluation strategy programme "
    "campaign training youth young people digital skills risk risks harm harms support victim "
    "victims offence offences penalty court material content illegal removal notice industry "
    "code conduct national regional european international cooperation agency ministry "
    "regulator authority commission council network centre centres safer better use"
).split()
BATCH = 5000
# The topic words, then 5,000 rarer made-up words; weight 1/rank as in natural text.
VOCABULARY = WORDS + [
    "".join(random.Random(i).choice("bcdfghklmnprstvaeiou") for _ in range(7)) for i in range(5000)
]
CUMULATIVE = list(accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


def _syllable_names(rng, count):
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    names = set()
    while len(names) < count:
        length = rng.randint(2, 4)
        name = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(length))
        names.add(name.capitalize() + rng.choice(["", "s", "n", "son", "ski", "ová", "ė"]))
    return sorted(names)


def _sentence(rng, words, low=8, high=20):
    """Words drawn with Zipf-like weights: the first words of `words` are the common ones."""
    if words is WORDS:
        picked = rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=rng.randint(low, high))
    else:
        picked = [rng.choice(words) for _ in range(rng.randint(low, high))]
    return " ".join(picked).capitalize() + "."


def _iso(n):
    letters = string.ascii_uppercase
    return letters[n // 26] + letters[n % 26]


class Generator:
    def __init__(self, seed=8):
        self.rng = random.Random(seed)
        self.surnames = _syllable_names(self.rng, 20000)
        self.authors = []
        self.report_keys = set()  # (title, year) is unique among reports

    def make_authors(self, count):
        rng = self.rng
        self.authors = Author.objects.bulk_create(
            (
                Author(
                    family_name=self.surnames[i],
                    given_names=rng.choice(["Anna", "Jonas", "Maria", "Peter", "Ruta", "Sonia"]),
                    slug=f"bench-author-{i}",
                    match_key=f"bench|{i}",
                    status=Status.PUBLISHED,
                )
                for i in range(count)
            ),
            batch_size=BATCH,
        )

    @transaction.atomic
    def make_country(self, n, scale=1.0):
        """One published country with its records; returns the country."""
        rng = self.rng
        country = Country.objects.create(
            iso_code=_iso(n),
            name=f"Benchland {n}",
            slug=f"benchland-{n}",
            region="Europe",
            summary=_sentence(rng, WORDS),
            status=Status.PUBLISHED,
        )

        def count(base):
            return max(1, round(base * scale))

        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"{rng.choice(self.surnames)} {rng.choice(WORDS)} centre {n}-{k}",
                slug=f"bench-org-{n}-{k}",
                acronym=f"B{n}O{k}",
                kind=rng.choice(OrganisationKind.values),
                scope=Scope.NATIONAL,
                description=_sentence(rng, WORDS, 15, 40),
                status=Status.PUBLISHED,
            )
            for k in range(count(40))
        )
        Organisation.countries.through.objects.bulk_create(
            Organisation.countries.through(organisation_id=o.pk, country_id=country.pk)
            for o in organisations
        )
        Initiative.objects.bulk_create(
            Initiative(
                country=country,
                title=_sentence(rng, WORDS, 3, 7)[:-1],
                slug=f"bench-initiative-{n}-{k}",
                timeline=rng.choice(Timeline.values),
                year=rng.randint(1997, 2024),
                body=" ".join(_sentence(rng, WORDS) for _ in range(rng.randint(2, 6))),
                status=Status.PUBLISHED,
            )
            for k in range(count(60))
        )
        ReportingChannel.objects.bulk_create(
            ReportingChannel(
                name=f"Bench {kind} {n}",
                slug=f"bench-channel-{n}-{kind}",
                kind=kind,
                country=country,
                organisation=organisations[i % len(organisations)],
                accepts=_sentence(rng, WORDS),
                status=Status.PUBLISHED,
            )
            for i, kind in enumerate(ChannelKind.values)
        )
        acts = LegalAct.objects.bulk_create(
            LegalAct(
                country=country,
                title=f"{kind.title()} of Benchland {n}",
                slug=f"bench-{n}-{kind}",
                kind=kind,
                status=Status.PUBLISHED,
            )
            for kind in ("code", "law", "regulation")
        )
        provisions = []
        for k in range(count(60)):
            number = f"{100 + k // 2}" + (f".{k % 2}" if k % 2 else "")
            provisions.append(
                Provision(
                    act=acts[k % 3],
                    country=country,
                    number=number,
                    slug=provision_slug(number),
                    sort_key=provision_sort_key(number),
                    title=_sentence(rng, WORDS, 2, 5)[:-1],
                    summary=_sentence(rng, WORDS, 10, 25),
                    status=Status.PUBLISHED,
                )
            )
        provisions = Provision.objects.bulk_create(provisions)
        PenaltyRow.objects.bulk_create(
            PenaltyRow(
                provision=p,
                option_set=1,
                condition=condition,
                sanction=PenaltyRow.Sanction.IMPRISONMENT,
                min_months=None,
                max_months=months,
            )
            for p in provisions
            for condition, months in (("base", 24), ("victim_child", 60))
        )
        self.make_reports(count(150), prefix=f"c{n}", countries=[country])
        return country

    def _report_key(self, rng):
        """A (title, year) no other generated report has (short Zipf titles repeat)."""
        while True:
            key = (_sentence(rng, WORDS, 4, 10)[:-1], rng.randint(1995, 2025))
            if key not in self.report_keys:
                self.report_keys.add(key)
                return key

    def make_reports(self, count, *, prefix, countries=()):
        rng = self.rng
        for start in range(0, count, BATCH):
            reports = Report.objects.bulk_create(
                Report(
                    title=title,
                    slug=f"bench-{prefix}-{i}",
                    year=year,
                    summary=" ".join(_sentence(rng, WORDS) for _ in range(rng.randint(2, 5))),
                    publisher=rng.choice(["EU Kids Online", "UNICEF", "Council of Europe", ""]),
                    status=Status.PUBLISHED,
                )
                for i, (title, year) in (
                    (i, self._report_key(rng)) for i in range(start, min(count, start + BATCH))
                )
            )
            Authorship.objects.bulk_create(
                Authorship(report=r, author=author, position=position)
                for r in reports
                for position, author in enumerate(rng.sample(self.authors, 2), start=1)
            )
            if countries:
                Report.countries.through.objects.bulk_create(
                    Report.countries.through(report_id=r.pk, country_id=c.pk)
                    for r in reports
                    for c in countries
                )
