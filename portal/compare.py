"""Compare countries side by side: indicators, legal ages, instrument status, heaviest penalties.

A fixed number of queries whatever the number of countries chosen: the country choices, the
chosen countries, the indicator definitions and values, and the legal comparison of laws.
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from laws.comparison import legal_comparison
from profiles.models import Country, IndicatorDefinition, IndicatorValue

ISO_CODE = re.compile(r"[A-Z]{2}")
MAX_CHOICES = 300
SIDE_BY_SIDE_MAX = 4  # up to this many countries are columns; more are rows


@dataclass
class Table:
    """One comparison table: a cell per country and column subject (indicator, age, ...)."""

    id: str
    title: str
    caption: str
    kind: str  # how subjects and cells are shown: indicator, age, instrument, topic
    subject: str  # what the columns are, as a heading
    columns: list
    rows: list  # [(country, [cell per column])]
    empty: str

    def by_column(self):
        return [
            (column, [cells[n] for _, cells in self.rows]) for n, column in enumerate(self.columns)
        ]


class CountryChoiceField(forms.ModelMultipleChoiceField):
    """Country codes, checked for shape before they reach the database."""

    def clean(self, value):
        codes = [str(code).strip().upper() for code in value or []]
        if len(codes) > MAX_CHOICES:
            raise ValidationError(f"Choose at most {MAX_CHOICES} countries.", code="too_many")
        unknown = [code for code in codes if not ISO_CODE.fullmatch(code)]
        if unknown:
            raise ValidationError(
                "Not a country code: %(codes)s.",
                code="invalid_code",
                params={"codes": ", ".join(code[:20] for code in unknown[:5])},
            )
        return super().clean(codes)


class CompareCountriesForm(forms.Form):
    country = CountryChoiceField(
        queryset=Country.objects.published().only("iso_code", "name"),
        to_field_name="iso_code",
        label="Countries",
        help_text="Tick two or more.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least two countries to compare.",
            "invalid_choice": "No published country has the code %(value)s.",
        },
    )

    def clean_country(self):
        countries = self.cleaned_data["country"]
        if len(countries) < 2:
            raise ValidationError("Choose at least two countries to compare.", code="too_few")
        return countries


def indicator_values(countries):
    """The newest published value of every indicator, country by country (two queries)."""
    definitions = list(IndicatorDefinition.objects.all())
    newest = {}
    values = (
        IndicatorValue.objects.published()
        .filter(country__in=countries)
        .order_by("country_id", "definition_id", "-year", "-pk")
    )
    for value in values:
        newest.setdefault((value.country_id, value.definition_id), value)
    rows = [(c, [newest.get((c.pk, d.pk)) for d in definitions]) for c in countries]
    return definitions, rows


def comparison_tables(countries):
    definitions, indicator_rows = indicator_values(countries)
    legal = legal_comparison(countries)

    def legal_rows(key):
        return [(row["country"], row[key]) for row in legal["rows"]]

    return [
        Table(
            id="indicators",
            title="Indicators",
            caption="Newest published value of each indicator (year in brackets)",
            kind="indicator",
            subject="Indicator",
            columns=definitions,
            rows=indicator_rows,
            empty="No indicators are defined yet.",
        ),
        Table(
            id="legal-ages",
            title="Legal ages",
            caption="Legal ages (in brackets: the lowest age an exception allows)",
            kind="age",
            subject="Legal age",
            columns=[label for _, label in legal["age_kinds"]],
            rows=legal_rows("ages"),
            empty="No legal ages are defined.",
        ),
        Table(
            id="instruments",
            title="International instruments",
            caption="Status of international instruments",
            kind="instrument",
            subject="Instrument",
            columns=legal["instruments"],
            rows=legal_rows("instruments"),
            empty="No international instruments recorded yet.",
        ),
        Table(
            id="penalties",
            title="Heaviest penalties",
            caption="Longest maximum imprisonment any provision on the topic allows",
            kind="topic",
            subject="Topic",
            columns=legal["topics"],
            rows=legal_rows("topics"),
            empty="No legal topics recorded yet.",
        ),
    ]


def compare(request):
    form = CompareCountriesForm(request.GET or None)
    context = {"form": form, "countries": []}
    if form.is_valid():
        countries = sorted(form.cleaned_data["country"], key=lambda c: c.name)
        context.update(
            countries=countries,
            tables=comparison_tables(countries),
            side_by_side=len(countries) <= SIDE_BY_SIDE_MAX,
        )
    return render(request, "portal/compare.html", context)
