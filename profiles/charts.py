"""The country page's chart of initiatives per year, stacked by theme (one query)."""

from collections import defaultdict

from portal.charts import OTHER, BarChart, Row, Series, Value
from portal.country_sections import CountrySection

from .models import Initiative

NO_THEME = "No theme"


def initiatives_chart(country):
    """Public initiatives of `country` per timeline year and theme, every year from the first to
    the last so gaps show. An initiative with several themes counts under each of them."""
    rows = (
        Initiative.objects.public()
        .for_country(country)
        .order_by()
        .values_list("year", "pk", "themes__name")
    )
    per_year = defaultdict(set)  # year -> initiative ids
    per_theme = defaultdict(lambda: defaultdict(int))  # year -> theme -> count
    themes = set()
    for year, pk, theme in rows:
        per_year[year].add(pk)
        per_theme[year][theme or NO_THEME] += 1
        themes.add(theme or NO_THEME)
    ordered = sorted(themes - {NO_THEME})  # the managed list is ordered by name too
    series = [Series(name, name) for name in ordered]
    if NO_THEME in themes:
        series.append(Series(NO_THEME, NO_THEME, OTHER))
    years = range(min(per_year), max(per_year) + 1) if per_year else []
    chart_rows = []
    for year in years:
        total = len(per_year.get(year, ()))
        chart_rows.append(
            Row(
                label=str(year),
                values={
                    theme: Value(count, str(count)) for theme, count in per_theme[year].items()
                },
                total_text=f"{total} initiative{'s' if total != 1 else ''}",
            )
        )
    count = sum(len(ids) for ids in per_year.values())
    return BarChart(
        id="initiatives-chart",
        title=f"Initiatives per year in {country.name}, by theme",
        description=(
            f"{count} initiative{'s' if count != 1 else ''} from {years[0]} to {years[-1]}, "
            "one bar per year, split by theme. An initiative with several themes counts under "
            "each of them, so a bar can be longer than the year's number of initiatives, "
            "which is written at its end."
            if years
            else "No initiatives are recorded."
        ),
        series=series,
        rows=chart_rows,
        stacked=True,
        axis_label="initiatives per theme",
        total_label="Initiatives",
        row_heading="Year",
        empty=f"No initiatives of {country.name} are recorded yet.",
    )


def country_section(country):
    return CountrySection(
        id="initiatives-over-time",
        title="Initiatives over time",
        template="profiles/sections/initiatives_chart.html",
        order=15,
        context={"chart": initiatives_chart(country)},
    )
