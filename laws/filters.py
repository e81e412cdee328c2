import math

import django_filters
from django import forms

from portal.filters import NumberInput, published_countries
from portal.search.lists import IndexSearchMixin

from .models import LegalAct, PenaltyRow, Topic


def published_acts(request):
    return LegalAct.objects.public().select_related("country")


def published_topics(request):
    return Topic.objects.public()


class ProvisionFilter(IndexSearchMixin, django_filters.FilterSet):
    search_country = "country"

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        help_text="Words in the number, title, summary, penalty note or act title.",
    )
    country = django_filters.ModelChoiceFilter(
        queryset=published_countries,
        to_field_name="iso_code",
        label="Country",
        empty_label="Any country",
    )
    act = django_filters.ModelChoiceFilter(
        queryset=published_acts, to_field_name="slug", label="Act", empty_label="Any act"
    )
    topic = django_filters.ModelChoiceFilter(
        field_name="topics",
        queryset=published_topics,
        to_field_name="slug",
        label="Topic",
        empty_label="Any topic",
    )
    sanction = django_filters.ChoiceFilter(
        choices=PenaltyRow.Sanction.choices,
        method="filter_sanction",
        label="Sanction",
        empty_label="Any sanction",
    )
    min_imprisonment = django_filters.NumberFilter(
        method="filter_min_imprisonment",
        label="Maximum imprisonment at least (years)",
        min_value=0,
        max_value=100,
        widget=NumberInput(),
    )
    child_victim = django_filters.BooleanFilter(
        method="filter_child_victim",
        label="Aggravated when the victim is a child",
        widget=forms.Select(choices=(("", "Either"), ("true", "Yes"), ("false", "No"))),
    )

    def filter_sanction(self, queryset, name, value):
        return queryset.with_sanction(value)

    def filter_min_imprisonment(self, queryset, name, value):
        return queryset.max_imprisonment_at_least_months(math.ceil(value * 12))

    def filter_child_victim(self, queryset, name, value):
        aggravated = queryset.aggravated_for_child_victims()
        if value:
            return aggravated
        return queryset.exclude(pk__in=aggravated.values("pk"))
