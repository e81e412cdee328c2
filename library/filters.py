"""Filters of the public library list (values stay in the URL)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filters import YearFilter, published_countries
from portal.search.lists import IndexSearchMixin

from .models import Author, Report, ReportType, Topic

SORTS = {
    "newest": ("-year", "title", "pk"),
    "oldest": ("year", "title", "pk"),
    "title": ("title", "-year", "pk"),
}


def published_authors(request):
    return Author.objects.public()


class ReportFilter(IndexSearchMixin, django_filters.FilterSet):
    search_country = "country"
    search_years = ("year_min", "year_max")

    q = django_filters.CharFilter(label=_("Text"), method="search", max_length=200)
    year_min = YearFilter(label=_("From year"), field_name="year", lookup_expr="gte")
    year_max = YearFilter(label=_("To year"), field_name="year", lookup_expr="lte")
    author = django_filters.ModelChoiceFilter(
        label=_("Author"),
        field_name="authors",
        queryset=published_authors,
        to_field_name="slug",
        empty_label=_("All authors"),
        distinct=True,
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("All topics"),
        distinct=True,
    )
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        field_name="countries",
        queryset=published_countries,
        to_field_name="iso_code",
        empty_label=_("All countries"),
        distinct=True,
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"),
        field_name="report_type",
        choices=ReportType.choices,
        empty_label=_("All types"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="sort_by",
        choices=(
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("title", _("Title")),
        ),
        # Without a choice: best match first when searching text, else newest first.
        empty_label=_("Best match (searching) or newest first"),
    )

    class Meta:
        model = Report
        fields = ()

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["newest"]))
