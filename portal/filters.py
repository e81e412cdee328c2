"""Filter pieces shared by the apps' FilterSets."""

import django_filters
from django import forms

from portal.records import country_model

YEAR_MIN, YEAR_MAX = 1900, 2100


class YearFilter(django_filters.NumberFilter):
    """A whole year between 1900 and 2100: "abc" or 20155 is a form error, not a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": YEAR_MIN, "max": YEAR_MAX}))
        super().__init__(*args, **kwargs)


def published_countries(request):
    return country_model().objects.public()
