"""The whole country page: every section, last updated, change log, and a fixed query count."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from laws.models import CountryInstrumentStatus, LegalAge
from portal.changes import country_changes, country_last_updated
from portal.models import Status
from profiles.models import Initiative, Timeline
from tests.laws.factories import (
    CountryInstrumentStatusFactory,
    InstrumentFactory,
    LegalActFactory,
    LegalAgeFactory,
    PenaltyRowFactory,
    ProvisionFactory,
)
from tests.laws.factories import TopicFactory as LawTopicFactory
from tests.library.factories import AuthorFactory, ReportFactory
from tests.library.factories import TopicFactory as LibraryTopicFactory
from tests.profiles.factories import (
    CountryFactory,
    IndicatorDefinitionFactory,
    IndicatorValueFactory,
    InitiativeFactory,
    InitiativeFigureFactory,
    InitiativeOrganisationFactory,
    MembershipFactory,
    OrganisationFactory,
    ReportingChannelFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# The page: country 1, last updated 1 (one UNION over the history tables), profiles sections 9,
# the initiatives chart 1, legislation 3, research 5 (count, reports, authors, topics, countries).
COUNTRY_PAGE_QUERIES = 20

SECTION_IDS = (
    "at-a-glance",
    "national-initiatives",
    "law-enforcement-reporting",
    "organisations",
    "where-to-report",
    "legislation",
    "research",
)


def fill_country(country, size):
    """`size` of every record type the country page shows, each with its relations."""
    themes = [ThemeFactory(), ThemeFactory()]
    topics = [LawTopicFactory(), LawTopicFactory()]
    library_topic = LibraryTopicFactory()
    author = AuthorFactory()
    for n in range(size):
        IndicatorValueFactory(country=country, definition=IndicatorDefinitionFactory(), year=2015)
        organisation = OrganisationFactory(countries=[country])
        MembershipFactory(member=organisation, organisation=OrganisationFactory())
        for timeline in (Timeline.NATIONAL, Timeline.LAW_ENFORCEMENT):
            initiative = InitiativeFactory(
                country=country, timeline=timeline, year=2000 + n, themes=themes
            )
            InitiativeOrganisationFactory(initiative=initiative, organisation=organisation)
            InitiativeFigureFactory(initiative=initiative)
        ReportingChannelFactory(country=country, organisation=organisation)
        CountryInstrumentStatusFactory(country=country, instrument=InstrumentFactory())
        act = LegalActFactory(country=country)
        provision = ProvisionFactory(act=act, topics=topics)
        PenaltyRowFactory(provision=provision, max_months=12 * (n + 1))
        ReportFactory(countries=[country], topics=[library_topic], authors=[author])
    for kind in LegalAge.Kind.values:
        LegalAgeFactory(country=country, kind=kind, age=16)
    return country


def page_html(client, country):
    response = client.get(country.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_same_query_count_for_a_small_and_a_large_country(client):
    small = fill_country(CountryFactory(), 1)
    large = fill_country(CountryFactory(), 30)
    counts = {}
    for country in (small, large):
        with CaptureQueriesContext(connection) as queries:
            html = page_html(client, country)
        counts[country.pk] = len(queries)
        initiatives = Initiative.objects.filter(country=country).count()
        assert html.count('class="initiative"') == initiatives
    assert counts[small.pk] == counts[large.pk] == COUNTRY_PAGE_QUERIES


def test_every_section_is_listed_in_the_contents_in_order(client):
    country = fill_country(CountryFactory(), 2)
    html = page_html(client, country)
    start = html.index('id="toc-heading"')
    toc = html[start : html.index("</nav>", start)]
    listed = [toc.index(f'href="#{id}"') for id in SECTION_IDS]
    assert listed == sorted(listed)
    positions = [html.index(f'<section id="{id}"') for id in SECTION_IDS]
    assert positions == sorted(positions)
    assert html.count("<h1") == 1


def test_page_shows_records_of_every_kind(client):
    country = fill_country(CountryFactory(name="Freedonia"), 1)
    html = page_html(client, country)
    initiative = Initiative.objects.filter(country=country, timeline=Timeline.NATIONAL).get()
    status = CountryInstrumentStatus.objects.get(country=country)
    for expected in (
        "Key statistics for Freedonia",
        initiative.title,
        country.organisations.get().name,
        country.reporting_channels.get().name,
        status.instrument.short_name,
        country.reports.get().title,
        f"/countries/{country.iso_code.lower()}/legislation/",
        f"/initiatives/?country={country.iso_code}&amp;timeline=national",
        f"/initiatives/?country={country.iso_code}&amp;timeline=law_enforcement",
    ):
        assert expected in html


def test_last_updated_is_the_newest_published_change_with_a_change_log_link(client):
    country = CountryFactory(iso_code="FR", name="Freedonia")
    initiative = InitiativeFactory(country=country)
    later = timezone.now() + datetime.timedelta(days=3)
    entry = initiative.history.get()
    entry.history_date = later
    entry.save()
    html = page_html(client, country)
    # To the second: HTML allows at most three digits of a fraction of a second.
    when = timezone.localtime(later).replace(microsecond=0).isoformat()
    assert f'Last updated <time datetime="{when}">' in html
    assert later.strftime("%-d %B %Y") in html
    assert 'href="/countries/fr/changes/"' in html


def test_newest_published_change_agrees_with_the_change_log_and_skips_drafts():
    country = fill_country(CountryFactory(), 1)
    assert country_last_updated(country) == country_changes(country)[0].when
    draft = InitiativeFactory(country=country, status=Status.DRAFT)
    draft_entry = draft.history.get()
    draft_entry.history_date = timezone.now() + datetime.timedelta(days=30)
    draft_entry.save()
    assert country_last_updated(country) == country_changes(country)[0].when
    assert country_last_updated(country) < draft_entry.history_date


def test_country_without_records_or_history_shows_no_date_but_the_change_log(client):
    country = CountryFactory(iso_code="FR")
    country.history.all().delete()
    html = page_html(client, country)
    assert "Last updated" not in html
    assert 'href="/countries/fr/changes/"' in html
    assert country_last_updated(country) is None


def summary_card(html):
    start = html.index('class="summary-card"')
    return html[start : html.index("</section>", start)]


def test_summary_card_counts_what_each_section_holds(client):
    country = fill_country(CountryFactory(name="Freedonia"), 3)
    IndicatorValueFactory(country=country, definition=IndicatorDefinitionFactory(), value=None)
    ReportingChannelFactory(country=country, kind="helpline", name="Kids Line", phone="116 111")
    card = re.sub(r"\s+", " ", summary_card(page_html(client, country)))
    for section, summary in (
        ("at-a-glance", "3 statistics with a figure, 1 without"),
        ("national-initiatives", "3 initiatives, 2000–2002"),
        ("law-enforcement-reporting", "3 initiatives, 2000–2002"),
        ("organisations", "3 organisations"),
        ("where-to-report", "4 channels"),
        (
            "legislation",
            f"{len(LegalAge.Kind.values)} legal ages, 3 international instruments, "
            "3 acts with 3 provisions",
        ),
        ("research", "3 reports"),
    ):
        assert re.search(rf'href="#{section}">[^<]+</a> <span class="meta">· {summary}', card), (
            section,
            card,
        )
    assert '<dt>Helpline</dt><dd><a href="tel:116 111">Kids Line: 116 111</a></dd>' in card


def test_summary_card_names_the_instruments_ratified_or_in_force(client):
    country = CountryFactory(name="Freedonia")
    ratified = InstrumentFactory(short_name="Lanzarote")
    signed = InstrumentFactory(short_name="Budapest")
    CountryInstrumentStatusFactory(country=country, instrument=ratified, status_kind="signed")
    CountryInstrumentStatusFactory(country=country, instrument=ratified, status_kind="ratified")
    CountryInstrumentStatusFactory(country=country, instrument=signed, status_kind="signed")
    card = summary_card(page_html(client, country))
    assert "<dt>Ratified or in force</dt>" in card
    assert "Lanzarote (ratified" in card and "Budapest" not in card


def test_sections_fold_open_by_default_without_script(client):
    country = fill_country(CountryFactory(), 1)
    html = page_html(client, country)
    for id in SECTION_IDS:
        section = html[html.index(f'<section id="{id}"') :]
        assert section.split(">", 1)[1].lstrip().startswith('<details class="fold" open>')
        assert f'<summary><h2 id="{id}-heading">' in section[:400]
    assert "<script" not in html


def test_the_timeline_says_when_an_item_is_listed_under_another_year(client):
    country = CountryFactory()
    InitiativeFactory(country=country, year=2013, start_year=2005, title="Broadband")
    InitiativeFactory(country=country, year=2010, start_year=2010, title="On time")
    html = page_html(client, country)
    assert "Listed under 2013; launched 2005" in html
    assert html.count("Listed under") == 1
