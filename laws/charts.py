"""Charts of the legislation page and the compare page, drawn by portal.charts from data the
views already read (no query of their own)."""

from portal.charts import PALETTE, BarChart, Row, Series, Value

from .models import months_display

MAX_COMPARED = len(PALETTE)  # one colour per country; more countries: the tables only


def years(months):
    return months / 12


def prison_terms_chart(country, acts):
    """The longest prison term each provision allows, act by act, in the page's order. A
    provision without a prison term says so: "no prison term" when its penalties are other
    sanctions, "no penalty recorded" when it has none."""
    rows = []
    for act in acts:
        for provision in act.provisions.all():
            months = provision.max_imprisonment_months
            if months is not None:
                value = Value(years(months), months_display(months))
            elif provision.penalties.all():
                value = Value(None, "no prison term")
            else:
                value = Value(None, "no penalty recorded")
            label = f"{provision.label}: {provision.title}" if provision.number else provision.title
            rows.append(Row(label=label, values={"term": value}, url=provision.get_absolute_url()))
    known = [row for row in rows if row.values["term"].number is not None]
    longest = max(known, key=lambda row: row.values["term"].number, default=None)
    description = (
        f"One bar per provision of {country.name}'s law: the longest prison term it allows, "
        f"in years. {len(known)} of {len(rows)} provisions set a prison term"
        + (f"; the longest is {longest.values['term'].text} ({longest.label})." if longest else ".")
    )
    return BarChart(
        id="prison-terms-chart",
        title=f"Maximum prison term per offence in {country.name}",
        description=description,
        series=[Series("term", "", PALETTE[0])],
        rows=rows,
        axis_label="maximum prison term, years",
        row_heading="Provision",
        value_heading="Maximum prison term",
        empty=f"No provisions of {country.name} are recorded yet.",
    )


def _country_series(countries):
    return [Series(country.iso_code, country.name) for country in countries]


def legal_ages_chart(legal, countries):
    """Legal ages side by side: one group of bars per kind of age, one bar per country."""
    if not 2 <= len(countries) <= MAX_COMPARED:
        return None
    rows = []
    for index, (_, label) in enumerate(legal["age_kinds"]):
        values = {}
        for row in legal["rows"]:
            age = row["ages"][index]
            if age is None:
                values[row["country"].iso_code] = Value(None, "not known")
            else:
                text = str(age.age)
                if age.lowered_age is not None:
                    text += f" ({age.lowered_age} by exception)"
                values[row["country"].iso_code] = Value(age.age, text)
        rows.append(Row(label=label, values=values))
    names = ", ".join(country.name for country in countries)
    return BarChart(
        id="legal-ages-chart",
        title="Legal ages side by side",
        description=(
            f"The general legal ages of {names}, in years, one group of bars per kind of age "
            "and one bar per country; where a country's age is not recorded the chart says "
            "'not known'."
        ),
        series=_country_series(countries),
        rows=rows,
        axis_label="age, years",
        tick_step=5,
        row_heading="Legal age",
    )


def penalties_chart(legal, countries):
    """The heaviest prison term per topic side by side, one bar per country."""
    if not 2 <= len(countries) <= MAX_COMPARED or not legal["topics"]:
        return None
    rows = []
    for index, topic in enumerate(legal["topics"]):
        values = {}
        for row in legal["rows"]:
            months = row["heaviest_months"][index]
            values[row["country"].iso_code] = (
                Value(None, "none recorded")
                if months is None
                else Value(years(months), months_display(months))
            )
        rows.append(Row(label=topic.name, values=values))
    return BarChart(
        id="penalties-chart",
        title="Heaviest penalties side by side",
        description=(
            "The longest maximum prison term any provision on the topic allows, in years, one "
            "group of bars per topic and one bar per country; 'none recorded' where no "
            "provision on the topic sets a prison term."
        ),
        series=_country_series(countries),
        rows=rows,
        axis_label="longest maximum prison term, years",
        row_heading="Topic",
    )
