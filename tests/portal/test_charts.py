"""The server-drawn SVG charts: each has a title and a description, draws the same numbers as
its data table, writes out what is not known, and costs a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laws.models import LegalAge, PenaltyRow
from portal.models import Status
from profiles.charts import initiatives_chart
from tests.html_tree import parse
from tests.laws.factories import (
    LegalActFactory,
    LegalAgeFactory,
    PenaltyRowFactory,
    ProvisionFactory,
    TopicFactory,
)
from tests.profiles.factories import CountryFactory, InitiativeFactory, ThemeFactory, iso_code

pytestmark = pytest.mark.django_db


def chart(client, url, chart_id):
    response = client.get(url)
    assert response.status_code == 200
    figure = parse(response.content).find("figure", id=chart_id)
    assert figure is not None, f"{chart_id} missing on {url}"
    return figure


def check_accessible(figure):
    """role=img, named by its <title> and described by its <desc>, both non-empty."""
    svg = figure.find("svg", class_="chart-svg")
    assert svg.attrs["role"] == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert title.text and desc.text
    assert svg.attrs["aria-labelledby"].split() == [title.attrs["id"], desc.attrs["id"]]
    assert "style" not in svg.attrs and svg.find("style") is None  # the CSP forbids inline styles
    return title.text, desc.text


def data_table(figure):
    """{row label: {column heading: cell text}} of the chart's table behind the disclosure."""
    table = figure.find("details", class_="chart-data").find("table")
    headings = [th.text for th in table.find("thead").find_all("th")]
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = [tr.find("th").text] + [td.text for td in tr.find_all("td")]
        rows[cells[0]] = dict(zip(headings[1:], cells[1:], strict=True))
    return rows


def drawn(figure):
    """{(row, series): (value, text)} of the bars: data-value and the bar's own <title> text."""
    bars = {}
    for rect in figure.find_all("rect", class_="chart-bar"):
        text = rect.find("title").text.rsplit(": ", 1)[-1].split(", ")[-1]
        bars[(rect.attrs["data-row"], rect.attrs["data-series"])] = (
            float(rect.attrs["data-value"]),
            text,
            float(rect.attrs["width"]),
        )
    return bars


def notes(figure):
    return {
        (text.attrs["data-row"], text.attrs["data-series"]): text.text
        for text in figure.find_all("text", class_="chart-note")
    }


def assert_proportional(bars):
    """Bar lengths follow the numbers (to the tenth of a unit the SVG is written in)."""
    value, _, width = max(bars.values())
    scale = width / value
    for value, _, width in bars.values():
        assert abs(width - value * scale) <= 0.15, (value, width, scale)


def test_initiatives_per_year_by_theme_match_their_table(client):
    lithuania = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    education, hotlines = ThemeFactory(name="Education"), ThemeFactory(name="Hotlines")
    InitiativeFactory(country=lithuania, year=2005, themes=[education])
    InitiativeFactory(country=lithuania, year=2005, themes=[education, hotlines])
    InitiativeFactory(country=lithuania, year=2008)  # no theme
    InitiativeFactory(country=lithuania, year=2007, status=Status.DRAFT, themes=[hotlines])
    figure = chart(client, "/countries/lt/", "initiatives-chart")
    title, desc = check_accessible(figure)
    assert title == "Initiatives per year in Lithuania, by theme"
    assert "3 initiatives from 2005 to 2008" in desc
    table = data_table(figure)
    # Every year from the first to the last, the draft left out.
    assert table == {
        "2005": {
            "Education": "2",
            "Hotlines": "1",
            "No theme": "0",
            "Initiatives": "2 initiatives",
        },
        "2006": {
            "Education": "0",
            "Hotlines": "0",
            "No theme": "0",
            "Initiatives": "0 initiatives",
        },
        "2007": {
            "Education": "0",
            "Hotlines": "0",
            "No theme": "0",
            "Initiatives": "0 initiatives",
        },
        "2008": {"Education": "0", "Hotlines": "0", "No theme": "1", "Initiatives": "1 initiative"},
    }
    bars = drawn(figure)
    assert {key: text for key, (_, text, _) in bars.items()} == {
        (year, theme): cell
        for year, cells in table.items()
        for theme, cell in cells.items()
        if theme != "Initiatives" and cell != "0"
    }
    assert all(value == float(text) for value, text, _ in bars.values())
    assert_proportional(bars)
    legend = figure.find("ul", class_="chart-legend").text
    assert "Education" in legend and "No theme" in legend


def test_country_without_initiatives_says_so_instead_of_a_chart(client):
    CountryFactory(name="Latvia", iso_code="LV", slug="latvia")
    figure = chart(client, "/countries/lv/", "initiatives-chart")
    assert figure.find("svg") is None
    assert figure.find("p", class_="unknown").text == "No initiatives of Latvia are recorded yet."


def test_prison_terms_per_offence_match_their_table(client):
    lithuania = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    act = LegalActFactory(country=lithuania, title="Criminal Code")
    rape = ProvisionFactory(act=act, number="149", title="Rape")
    PenaltyRowFactory(provision=rape, max_months=84)
    PenaltyRowFactory(provision=rape, option_set=2, max_months=180)
    insult = ProvisionFactory(act=act, number="155", title="Insult")
    PenaltyRowFactory(provision=insult, max_months=18)
    fine_only = ProvisionFactory(act=act, number="156", title="Libel")
    PenaltyRowFactory(provision=fine_only, sanction=PenaltyRow.Sanction.FINE, max_months=None)
    ProvisionFactory(act=act, number="157", title="Harmful content")  # no penalty rows
    figure = chart(client, "/countries/lt/legislation/", "prison-terms-chart")
    title, desc = check_accessible(figure)
    assert title == "Maximum prison term per offence in Lithuania"
    assert "2 of 4 provisions set a prison term; the longest is 15 years" in desc
    table = data_table(figure)
    assert table == {
        "Article 149: Rape": {"Maximum prison term": "15 years"},
        "Article 155: Insult": {"Maximum prison term": "18 months"},
        "Article 156: Libel": {"Maximum prison term": "no prison term"},
        "Article 157: Harmful content": {"Maximum prison term": "no penalty recorded"},
    }
    bars = drawn(figure)
    assert {row: (value, text) for (row, _), (value, text, _) in bars.items()} == {
        "Article 149: Rape": (15.0, "15 years"),
        "Article 155: Insult": (1.5, "18 months"),
    }
    assert_proportional(bars)
    # Unknown or absent terms are words where the bar would be, never a zero-length bar.
    assert notes(figure) == {
        ("Article 156: Libel", ""): "no prison term",
        ("Article 157: Harmful content", ""): "no penalty recorded",
    }


def compare_figure(client, chart_id, *codes):
    return chart(client, "/compare/?" + "&".join(f"country={c}" for c in codes), chart_id)


def test_legal_ages_and_heaviest_penalties_side_by_side_match_their_tables(client):
    lithuania = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    latvia = CountryFactory(name="Latvia", iso_code="LV", slug="latvia")
    LegalAgeFactory(country=lithuania, kind=LegalAge.Kind.MAJORITY, age=18)
    LegalAgeFactory(country=lithuania, kind=LegalAge.Kind.MARRIAGE, age=18, lowered_age=15)
    LegalAgeFactory(country=latvia, kind=LegalAge.Kind.MAJORITY, age=18)
    LegalAgeFactory(country=latvia, kind=LegalAge.Kind.SEXUAL_CONSENT, age=16)
    topic = TopicFactory(name="Sexual violence")
    TopicFactory(name="Cybercrime")
    PenaltyRowFactory(
        provision=ProvisionFactory(act=LegalActFactory(country=lithuania), topics=[topic]),
        max_months=180,
    )

    ages = compare_figure(client, "legal-ages-chart", "LT", "LV")
    check_accessible(ages)
    table = data_table(ages)
    assert table == {
        "Age of majority": {"Latvia": "18", "Lithuania": "18"},
        "Marriage": {"Latvia": "not known", "Lithuania": "18 (15 by exception)"},
        "Sexual consent": {"Latvia": "16", "Lithuania": "not known"},
    }
    bars = drawn(ages)
    assert {key: text for key, (_, text, _) in bars.items()} == {
        (row, country): cell
        for row, cells in table.items()
        for country, cell in cells.items()
        if cell != "not known"
    }
    assert bars[("Marriage", "Lithuania")][0] == 18.0
    assert_proportional(bars)
    assert notes(ages) == {
        ("Marriage", "Latvia"): "Latvia: not known",
        ("Sexual consent", "Lithuania"): "Lithuania: not known",
    }

    penalties = compare_figure(client, "penalties-chart", "LT", "LV")
    check_accessible(penalties)
    assert data_table(penalties) == {
        "Cybercrime": {"Latvia": "none recorded", "Lithuania": "none recorded"},
        "Sexual violence": {"Latvia": "none recorded", "Lithuania": "15 years"},
    }
    assert {key: text for key, (_, text, _) in drawn(penalties).items()} == {
        ("Sexual violence", "Lithuania"): "15 years"
    }
    assert len(notes(penalties)) == 3


def test_chart_text_is_escaped(client):
    country = CountryFactory(name="<b>Bold</b>land", iso_code="BB", slug="boldland")
    InitiativeFactory(country=country, themes=[ThemeFactory(name="<script>x</script>")])
    body = client.get("/countries/bb/").content.decode()
    assert "<script>x</script>" not in body and "&lt;script&gt;x&lt;/script&gt;" in body
    assert "<b>Bold</b>" not in body


@pytest.mark.parametrize("count", [1, 50])
def test_the_initiatives_chart_is_one_query_whatever_the_number_of_countries(count):
    countries = [
        CountryFactory(iso_code=iso_code(26 * 3 + n), name=f"C{n}", slug=f"c-{n}")
        for n in range(count)
    ]
    theme = ThemeFactory()
    for country in countries:
        InitiativeFactory(country=country, themes=[theme])
        InitiativeFactory(country=country, year=2012)
    for country in (countries[0], countries[-1]):
        with CaptureQueriesContext(connection) as queries:
            made = initiatives_chart(country)
        assert len(queries) == 1
        assert [row.total_text for row in made.rows if row.label in ("2010", "2012")] == [
            "1 initiative",
            "1 initiative",
        ]


def test_comparing_more_countries_than_colours_keeps_the_tables_only(client):
    codes = []
    for n in range(9):
        country = CountryFactory(iso_code=iso_code(26 * 4 + n), name=f"D{n}", slug=f"d-{n}")
        LegalAgeFactory(country=country)
        codes.append(country.iso_code)
    html = client.get("/compare/?" + "&".join(f"country={c}" for c in codes)).content.decode()
    assert 'id="legal-ages"' in html and 'id="legal-ages-chart"' not in html
    assert "A chart compares up to 8 countries" in html


def test_a_chart_is_drawn_once_per_process_and_never_for_other_data():
    from portal.charts import BarChart, Row, Series, Value, chart_html

    def make(number, title="Initiatives per year"):
        return BarChart(
            id="memo",
            title=title,
            description="Bars",
            series=[Series("all", "All")],
            rows=[Row("2020", {"all": Value(number, str(number))})],
        )

    first = chart_html(make(3))
    assert chart_html(make(3)) is first  # the same numbers: drawn once
    other = chart_html(make(4))
    assert other is not first and ">4<" in other.replace(" ", "")
    assert chart_html(make(3, title="Another title")) is not first

    # A chart holding what has no content of its own to key on (a closure) is drawn each time.
    closure_chart = make(3)
    closure_chart.tick_text = lambda number: f"{number} items"
    assert chart_html(closure_chart) is not chart_html(closure_chart)
