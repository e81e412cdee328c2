from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import RecordAdmin
from portal.admin_workflow import SharedDeleteMixin
from portal.formats import number

from .models import (
    Country,
    IndicatorDefinition,
    IndicatorValue,
    Initiative,
    InitiativeFigure,
    InitiativeOrganisation,
    Membership,
    Organisation,
    ReportingChannel,
    ReportingChannelFigure,
    Theme,
)

# Inlines of records (initiatives, indicator values) show their status read-only: records made
# here start as drafts and are published from their own page, where the publishing rules apply.


class InitiativeInline(admin.TabularInline):
    model = Initiative
    fields = ("title", "slug", "timeline", "year", "body", "status")
    readonly_fields = ("status",)
    prepopulated_fields = {"slug": ("title",)}
    show_change_link = True
    extra = 0
    classes = ("collapse",)


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    fields = ("definition", "year", "value", "source_name", "source_url", "as_of", "status")
    readonly_fields = ("status",)
    extra = 0
    formfield_overrides = RecordAdmin.formfield_overrides


@admin.register(Country)
class CountryAdmin(RecordAdmin):
    list_display = ("name", "iso_code", "region", "status", "last_reviewed", "updated_at")
    list_filter = ("status", "region", "last_reviewed")
    search_fields = ("name", "iso_code", "summary")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (IndicatorValueInline, InitiativeInline)


@admin.register(Theme)
class ThemeAdmin(SharedDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "initiative_count")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(initiative_total=Count("initiatives"))

    @admin.display(description="initiatives", ordering="initiative_total")
    def initiative_count(self, obj):
        return obj.initiative_total


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(SharedDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "unit", "order")
    list_editable = ("order",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(IndicatorValue)
class IndicatorValueAdmin(RecordAdmin):
    list_display = ("definition", "country", "year", "shown_value", "source_name", "status")
    list_filter = ("status", "definition", "country", "year")
    search_fields = ("definition__name", "country__name", "source_name", "note")
    autocomplete_fields = ("country",)
    list_select_related = ("definition", "country")

    @admin.display(description="value", ordering="value")
    def shown_value(self, obj):
        return "not available" if obj.value is None else number(obj.value)


class InitiativeOrganisationInline(admin.TabularInline):
    model = InitiativeOrganisation
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "role", "order")
    extra = 1


class InitiativeFigureInline(admin.TabularInline):
    model = InitiativeFigure
    fields = ("qualifier", "number", "unit", "label", "as_of_year", "order")
    extra = 1


@admin.register(Initiative)
class InitiativeAdmin(RecordAdmin):
    list_display = ("title", "country", "timeline", "year", "period_display", "status")
    list_filter = ("status", "timeline", "country", "themes", "year")
    search_fields = ("title", "body", "organisations__name", "organisations__acronym")
    autocomplete_fields = ("country", "themes")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("country",)
    inlines = (InitiativeOrganisationInline, InitiativeFigureInline)
    fieldsets = (
        (None, {"fields": ("country", "timeline", "year", "title", "slug", "body", "themes")}),
        ("Dates", {"fields": (("start_year", "start_month"), ("end_year", "end_month"))}),
        ("Source", {"fields": ("source_name", "source_url")}),
        ("Publishing", {"fields": ("status", "created_at", "updated_at")}),
    )

    @admin.display(description="period")
    def period_display(self, obj):
        return obj.period


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "member"
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "kind", "since_year")
    extra = 1
    verbose_name = "membership of another organisation"
    verbose_name_plural = "member of"


@admin.register(Organisation)
class OrganisationAdmin(RecordAdmin):
    list_display = ("name", "acronym", "national_name", "kind", "scope", "founding_year", "status")
    list_filter = ("status", "kind", "scope", "countries")
    search_fields = ("name", "acronym", "national_name", "description")
    autocomplete_fields = ("countries",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)


class ReportingChannelFigureInline(admin.TabularInline):
    model = ReportingChannelFigure
    fields = ("qualifier", "number", "unit", "label", "as_of_year", "order")
    extra = 1


@admin.register(ReportingChannel)
class ReportingChannelAdmin(RecordAdmin):
    list_display = ("name", "kind", "country", "organisation", "since_year", "status")
    list_filter = ("status", "kind", "country", "since_year")
    search_fields = ("name", "accepts", "description", "organisation__name")
    autocomplete_fields = ("country", "organisation")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("country", "organisation")
    inlines = (ReportingChannelFigureInline,)
