"""Filter pieces shared by the apps' FilterSets."""

import re

import django_filters
from django import forms

from portal.records import country_model

YEAR_MIN, YEAR_MAX = 1900, 2100
# HTML's "valid floating-point number", the only value an <input type=number> may carry.
HTML_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class NumberInput(forms.NumberInput):
    """A number box that shows a submitted value back only when it is a number: a query string
    can send "abc", which HTML does not allow there; the field's error message names the mistake."""

    def format_value(self, value):
        value = super().format_value(value)
        return value if value is not None and HTML_NUMBER.fullmatch(value) else None


class YearFilter(django_filters.NumberFilter):
    """A whole year between 1900 and 2100: "abc" or 20155 is a form error, not a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        kwargs.setdefault("widget", NumberInput(attrs={"min": YEAR_MIN, "max": YEAR_MAX}))
        super().__init__(*args, **kwargs)


def published_countries(request):
    return country_model().objects.public()
