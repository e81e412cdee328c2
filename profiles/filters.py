"""Filters of the public initiative and organisation lists (values stay in the URL)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filters import YearFilter, published_countries
from portal.search.lists import IndexSearchMixin

from .models import Initiative, Organisation, OrganisationKind, Scope, Theme, Timeline


class InitiativeFilter(IndexSearchMixin, django_filters.FilterSet):
    search_country = "country"
    search_years = ("year_min", "year_max")

    q = django_filters.CharFilter(label=_("Text"), method="search", max_length=200)
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        queryset=published_countries,
        to_field_name="iso_code",
        empty_label=_("All countries"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label=_("All themes"),
        distinct=True,
    )
    timeline = django_filters.ChoiceFilter(
        label=_("Timeline"), choices=Timeline.choices, empty_label=_("Both timelines")
    )
    year_min = YearFilter(label=_("From year"), field_name="year", lookup_expr="gte")
    year_max = YearFilter(label=_("To year"), field_name="year", lookup_expr="lte")
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        field_name="organisations",
        queryset=Organisation.objects.public(),
        to_field_name="slug",
        empty_label=_("All organisations"),
        distinct=True,
    )

    class Meta:
        model = Initiative
        fields = ()


class OrganisationFilter(IndexSearchMixin, django_filters.FilterSet):
    search_country = "country"

    q = django_filters.CharFilter(label=_("Text"), method="search", max_length=200)
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        field_name="countries",
        queryset=published_countries,
        to_field_name="iso_code",
        empty_label=_("All countries"),
        distinct=True,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganisationKind.choices, empty_label=_("All kinds")
    )
    scope = django_filters.ChoiceFilter(
        label=_("Scope"), choices=Scope.choices, empty_label=_("All scopes")
    )

    class Meta:
        model = Organisation
        fields = ()
