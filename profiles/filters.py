"""Filters of the public initiative and organisation lists (values stay in the URL)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filters import YearFilter, published_countries

from .models import Initiative, Organisation, OrganisationKind, Scope, Theme, Timeline


class SearchMixin:
    search_fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query).distinct()


class InitiativeFilter(SearchMixin, django_filters.FilterSet):
    search_fields = ("title", "body")

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


class OrganisationFilter(SearchMixin, django_filters.FilterSet):
    search_fields = ("name", "acronym", "national_name", "description")

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
