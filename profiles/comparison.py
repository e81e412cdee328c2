"""The profiles app's table on the compare page: the newest indicator values (two queries)."""

from portal.compare import Table

from .models import IndicatorDefinition, IndicatorValue


def indicator_values(countries):
    """The newest public value of every indicator, country by country (two queries)."""
    definitions = list(IndicatorDefinition.objects.all())
    newest = {}
    values = (
        IndicatorValue.objects.public()
        .filter(country__in=countries)
        .order_by("country_id", "definition_id", "-year", "-pk")
    )
    for value in values:
        newest.setdefault((value.country_id, value.definition_id), value)
    rows = [(c, [newest.get((c.pk, d.pk)) for d in definitions]) for c in countries]
    return definitions, rows


def compare_tables(countries):
    definitions, rows = indicator_values(countries)
    return [
        Table(
            id="indicators",
            title="Indicators",
            caption="Newest published value of each indicator (year in brackets)",
            kind="indicator",
            subject="Indicator",
            columns=definitions,
            rows=rows,
            empty="No indicators are defined yet.",
            cell_template="profiles/includes/compare_cell.html",
            subject_template="profiles/includes/compare_subject.html",
        )
    ]
