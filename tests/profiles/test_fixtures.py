"""The Lithuania fixture against the source page (country page of Lithuania)."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from portal.models import Status
from profiles.models import (
    IndicatorValue,
    Initiative,
    InitiativeFigure,
    InitiativeOrganisation,
    Membership,
    Organisation,
    ReportingChannel,
    ReportingChannelFigure,
    Theme,
    Timeline,
)

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db

NATIONAL_PER_YEAR = {
    2003: 2,
    2004: 2,
    2005: 1,
    2006: 2,
    2007: 1,
    2008: 3,
    2009: 1,
    2010: 3,
    2011: 3,
    2013: 1,
    2015: 1,
    2016: 1,
}
LAW_ENFORCEMENT_PER_YEAR = {1997: 1, 2007: 1, 2011: 1, 2012: 1, 2013: 2, 2014: 2, 2015: 2}

ORGANISATIONS = [
    "LIA",
    "Communications Regulatory Authority",
    "Centre of Information Technologies of Education",
    "Ministry of Education and Science",
    "Ministry of the Interior",
    "Child Line",
    "Bite Lithuania",
    "TEO LT, AB",
    "Microsoft",
    "Psychological Service Center",
    "Lithuanian National Consumer Confederation",
    "Lithuanian Human Rights League",
    "National TV Network",
    "ECDL Lithuania",
    "European Commission",
    "Placiajuostis Internetas",
    "Lithuanian Safer Internet Center",
    "Safer Internet LT hotline",
    "Lithuanian Association for Emotional Support Services",
    "Child Helpline International",
    "INHOPE",
    "Prosecutor General's Office",
    "Lithuanian Police Training Center",
    "Lithuanian Police Department",
    "OAK Foundation",
    "Nobody's Children Foundation",
    "Ministry of Social Security and Labor",
    "Children Support Center",
    "Council of Europe",
    "Europol",
    "INTERPOL",
    "Lithuanian Computer Emergency Response Team",
    "Lithuanian Government",
    "Lithuanian Parliament",
    "Expert Group for Cooperation on Children at Risk",
    "Council of the Baltic Sea States",
    "GSMA Europe",
    "International Telecommunications Union Europe",
    "Internet Governance Forum",
    "Interactive centre for child abuse and neglect professionals in Eastern Europe",
]


def per_year(timeline):
    years = Initiative.objects.filter(country__iso_code="LT", timeline=timeline)
    return dict(Counter(years.values_list("year", flat=True)))


def test_national_timeline_counts_per_year_as_on_the_page(lithuania):
    assert per_year(Timeline.NATIONAL) == NATIONAL_PER_YEAR


def test_law_enforcement_timeline_counts_per_year_as_on_the_page(lithuania):
    assert per_year(Timeline.LAW_ENFORCEMENT) == LAW_ENFORCEMENT_PER_YEAR


def test_paragraphs_with_several_initiatives_are_split(lithuania):
    titles_2010 = set(
        Initiative.objects.filter(year=2010, timeline=Timeline.NATIONAL).values_list(
            "title", flat=True
        )
    )
    assert any("documentary" in t for t in titles_2010)
    assert any("Youth Panel" in t for t in titles_2010)
    assert any("e-GUARDIAN" in t for t in titles_2010)


def test_every_organisation_of_the_page_is_present_once(lithuania):
    names = list(Organisation.objects.values_list("name", flat=True))
    assert sorted(names) == sorted(ORGANISATIONS)
    assert Organisation.objects.filter(acronym="EGCC").count() == 1
    assert Organisation.objects.get(acronym="LIA").name == "LIA"  # not expanded
    assert Organisation.objects.get(acronym="RRT").kind == "regulator"
    assert Organisation.objects.get(name="Child Line").national_name == "Vaikų linija"
    assert Organisation.objects.filter(website__gt="").count() == 0  # the page gives none


def test_founding_years_and_descriptions_from_the_page(lithuania):
    assert Organisation.objects.get(acronym="IGF").founding_year == 2006
    centre = Organisation.objects.get(name__startswith="Interactive centre")
    assert centre.founding_year == 2001
    assert "gives this centre no name" in centre.description
    assert "190 member countries" in Organisation.objects.get(name="INTERPOL").description
    assert "173 child helplines in 142 countries" in (
        Organisation.objects.get(name="Child Helpline International").description
    )


def test_memberships(lithuania):
    hotline = Organisation.objects.get(name="Safer Internet LT hotline")
    inhope = Membership.objects.get(member=hotline, organisation__name="INHOPE")
    assert inhope.since_year == 2008
    child_line = Organisation.objects.get(name="Child Line")
    kinds = dict(child_line.membership_rows.values_list("organisation__name", "kind"))
    assert kinds == {
        "Child Helpline International": "founding_member",
        "Lithuanian Association for Emotional Support Services": "member",
        "Lithuanian Safer Internet Center": "member",
    }
    assert Membership.objects.filter(
        member__acronym="EGCC", organisation__name="Council of the Baltic Sea States"
    ).exists()


def test_reporting_channels(lithuania):
    channels = {c.name: c for c in ReportingChannel.objects.select_related("organisation")}
    assert set(channels) == {
        "Child Line",
        "Safer Internet LT hotline",
        "Lithuanian CERT reporting page",
    }
    assert channels["Child Line"].since_year == 1997
    assert channels["Child Line"].kind == "helpline"
    hotline = channels["Safer Internet LT hotline"]
    assert (hotline.since_year, hotline.kind) == (2007, "hotline")
    for accepted in ("child sexual abuse material", "racism / hate speech", "adult pornography"):
        assert accepted in hotline.accepts
    figure = ReportingChannelFigure.objects.get(channel=hotline)
    assert (figure.number, figure.qualifier, figure.as_of_year) == (Decimal(4667), "around", 2015)
    cert = channels["Lithuanian CERT reporting page"]
    assert cert.organisation.kind == "cert"
    assert all(not (c.phone or c.url) for c in channels.values())  # the page gives none


def test_indicators_are_unknown_and_credit_both_sources(lithuania):
    values = IndicatorValue.objects.filter(country=lithuania).select_related("definition")
    assert sorted(v.definition.name for v in values) == sorted(
        ["Population 0–14", "Internet users", "Facebook users", "Mobile subscribers"]
    )
    for value in values:
        assert value.value is None and value.year is None
        assert "Internet World Stats" in value.source_name
        assert "GSMA Intelligence" in value.source_name


def test_key_figures_and_dates_from_the_text(lithuania):
    e_citizen = Initiative.objects.get(title="Computer Literacy Basics for a Lithuanian E-Citizen")
    assert e_citizen.period == "March 2006 – August 2008"
    assert set(e_citizen.figures.values_list("number", flat=True)) == {Decimal(50400), Decimal(400)}
    competition = Initiative.objects.get(title="Safe internet school competition")
    assert competition.period == "October 2008 – January 2009"
    assert InitiativeFigure.objects.filter(
        initiative__title__startswith="RAIN", unit="schools connected", number=900
    ).exists()
    assert InitiativeFigure.objects.filter(number=20000, qualifier="over").exists()
    ats = Initiative.objects.get(title__contains="ATS2020")
    assert ats.end_year == 2018


def test_typos_of_the_page_are_fixed(lithuania):
    texts = " ".join(Initiative.objects.values_list("body", flat=True)) + " ".join(
        Organisation.objects.values_list("description", flat=True)
    )
    for typo in ("Inferior", "Commision", "Intellligence", "RRR ", "2011/92/EU"):
        assert typo not in texts
    assert "2011/93/EU" in texts


def test_every_record_is_published(lithuania):
    for model in (IndicatorValue, Initiative, Organisation, ReportingChannel):
        assert not model.objects.exclude(status=Status.PUBLISHED).exists()
    assert Theme.objects.count() >= 6
    assert not Initiative.objects.filter(themes=None).exists()


def test_loading_twice_changes_nothing(lithuania):
    models = (Initiative, Organisation, Membership, InitiativeOrganisation, InitiativeFigure)
    before = {m: list(m.objects.order_by("pk").values()) for m in models}
    call_command("loaddata", *FIXTURES, verbosity=0)
    after = {m: list(m.objects.order_by("pk").values()) for m in models}
    assert before == after
