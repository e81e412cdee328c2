"""Compare countries side by side: indicators, legal ages, instrument status, heaviest penalties.

A fixed number of queries whatever the number of countries chosen: the country choices, the
chosen countries, the indicator definitions and values, and the legal comparison of laws.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from laws.comparison import legal_comparison
from profiles.models import Country, IndicatorDefinition, IndicatorValue

ISO_CODE = re.compile(r"[A-Z]{2}")
MAX_CHOICES = 300


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


def indicator_comparison(countries):
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
    rows = [
        {
            "country": country,
            "values": [newest.get((country.pk, d.pk)) for d in definitions],
        }
        for country in countries
    ]
    return {"definitions": definitions, "indicator_rows": rows}


def compare(request):
    form = CompareCountriesForm(request.GET or None)
    context = {"form": form, "countries": []}
    if form.is_valid():
        countries = sorted(form.cleaned_data["country"], key=lambda c: c.name)
        context.update(
            countries=countries,
            **indicator_comparison(countries),
            **legal_comparison(countries),
        )
    return render(request, "portal/compare.html", context)
