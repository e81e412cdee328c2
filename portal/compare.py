"""Compare countries side by side: the tables the apps contribute (indicators, legal ages,
instrument status, heaviest penalties, ...), one cell per country and subject.

Apps add tables with portal.records.register_compare_tables(provider): `provider(countries)`
returns Table objects in a fixed number of queries whatever the number of countries, so the page
is the country choices, the chosen countries, and each provider's fixed queries.
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from .records import compare_table_providers, country_model

ISO_CODE = re.compile(r"[A-Z]{2}")
MAX_CHOICES = 300
SIDE_BY_SIDE_MAX = 4  # up to this many countries are columns; more are rows


@dataclass
class Table:
    """One comparison table: a cell per country and column subject (indicator, age, ...).

    The contributing app's templates show one cell (`cell`) and one subject (`subject`); both
    get `kind` to tell its tables apart.
    """

    id: str
    title: str
    caption: str
    kind: str  # how subjects and cells are shown: indicator, age, instrument, topic
    subject: str  # what the columns are, as a heading
    columns: list
    rows: list  # [(country, [cell per column])]
    empty: str
    cell_template: str
    subject_template: str
    chart: object = None  # a portal.charts.BarChart drawn below the table, if the app gives one
    chart_note: str = ""  # why there is no chart (too many countries to tell apart by colour)

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
        queryset=None,
        to_field_name="iso_code",
        label="Countries",
        help_text="Tick two or more.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least two countries to compare.",
            "invalid_choice": "No published country has the code %(value)s.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = country_model().objects.public().only("iso_code", "name")

    def clean_country(self):
        countries = self.cleaned_data["country"]
        if len(countries) < 2:
            raise ValidationError("Choose at least two countries to compare.", code="too_few")
        return countries


def comparison_tables(countries):
    return [table for provider in compare_table_providers() for table in provider(countries)]


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
