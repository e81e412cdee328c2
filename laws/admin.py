from django.contrib import admin

from portal.admin import RecordAdmin

from .models import (
    PROBLEMS,
    Assessment,
    ChildDefinition,
    CountryInstrumentStatus,
    Criterion,
    Framework,
    Instrument,
    LegalAct,
    LegalAge,
    PenaltyRow,
    Provision,
    Topic,
    months_display,
)


@admin.register(Topic)
class TopicAdmin(RecordAdmin):
    list_display = ("name", "slug", "status")
    list_filter = ("status",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Instrument)
class InstrumentAdmin(RecordAdmin):
    list_display = ("short_name", "body", "kind", "year_adopted", "status")
    list_filter = ("body", "kind", "status")
    search_fields = ("short_name", "title", "summary")


@admin.register(LegalAge)
class LegalAgeAdmin(RecordAdmin):
    list_display = ("country", "kind", "age", "lowered_age", "status")
    list_filter = ("kind", ("country", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("country",)
    search_fields = ("country__name", "country__iso_code", "exceptions")
    autocomplete_fields = ("country",)


@admin.register(ChildDefinition)
class ChildDefinitionAdmin(RecordAdmin):
    list_display = ("term", "country", "min_age", "max_age", "act", "status")
    list_filter = (("country", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("country", "act")
    search_fields = ("term", "definition", "country__name", "country__iso_code")
    autocomplete_fields = ("country", "act")


@admin.register(CountryInstrumentStatus)
class CountryInstrumentStatusAdmin(RecordAdmin):
    list_display = ("country", "instrument", "status_kind", "when", "status")
    list_filter = (
        "status_kind",
        "instrument",
        ("country", admin.RelatedOnlyFieldListFilter),
        "status",
    )
    list_select_related = ("country", "instrument")
    search_fields = ("country__name", "country__iso_code", "instrument__short_name", "notes")
    autocomplete_fields = ("country", "instrument")

    @admin.display(description="Date", ordering="date")
    def when(self, obj):
        return obj.date_display


class ProvisionInline(admin.TabularInline):
    """The act's articles and chapters; open one to edit its topics and penalties."""

    model = Provision
    fields = ("number", "title", "status")
    readonly_fields = ("status",)  # new provisions start as drafts; publish them from their page
    extra = 0
    show_change_link = True
    ordering = ("sort_key",)


@admin.register(LegalAct)
class LegalActAdmin(RecordAdmin):
    list_display = ("title", "short_title", "country", "kind", "status")
    list_filter = (("country", admin.RelatedOnlyFieldListFilter), "kind", "status")
    list_select_related = ("country",)
    search_fields = ("title", "short_title", "summary", "country__name", "country__iso_code")
    autocomplete_fields = ("country",)
    prepopulated_fields = {"slug": ("title",)}
    inlines = (ProvisionInline,)


class PenaltyRowInline(admin.TabularInline):
    model = PenaltyRow
    fields = (
        "option_set",
        "condition",
        "condition_note",
        "sanction",
        "min_months",
        "max_months",
    )
    extra = 0


@admin.register(Provision)
class ProvisionAdmin(RecordAdmin):
    list_display = ("label", "title", "act", "country", "max_imprisonment", "status")
    list_filter = (
        ("country", admin.RelatedOnlyFieldListFilter),
        ("act", admin.RelatedOnlyFieldListFilter),
        "topics",
        "penalties__sanction",
        "status",
    )
    list_select_related = ("act", "country")
    search_fields = ("number", "title", "summary", "act__title", "act__short_title")
    autocomplete_fields = ("act", "topics")
    readonly_fields = (*RecordAdmin.readonly_fields, "country", "sort_key")
    inlines = (PenaltyRowInline,)
    fieldsets = (
        (None, {"fields": ("act", "number", "slug", "title", "summary", "topics")}),
        ("Penalties", {"fields": ("penalty_note",)}),
        ("Publishing", {"fields": ("status", "source", "country", "sort_key")}),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_max_imprisonment()

    @admin.display(description="Number", ordering="sort_key")
    def label(self, obj):
        return obj.label

    @admin.display(description="Maximum imprisonment", ordering="max_imprisonment_months")
    def max_imprisonment(self, obj):
        return months_display(obj.max_imprisonment_months) or "—"


# --- benchmarks --------------------------------------------------------------------------------


class CriterionInline(admin.TabularInline):
    """The framework's criteria in order; open one to edit its full wording."""

    model = Criterion
    fields = ("order", "short_label", "group", "status")
    readonly_fields = ("status",)  # new criteria start as drafts; publish them from their page
    extra = 0
    show_change_link = True
    ordering = ("order", "pk")


@admin.register(Framework)
class FrameworkAdmin(RecordAdmin):
    list_display = ("name", "publisher", "edition", "year", "status")
    list_filter = ("status",)
    search_fields = ("name", "publisher", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CriterionInline,)


@admin.register(Criterion)
class CriterionAdmin(RecordAdmin):
    list_display = ("short_label", "framework", "order", "group", "status")
    list_filter = ("framework", "status")
    list_select_related = ("framework",)
    search_fields = ("short_label", "wording", "group", "framework__name")
    autocomplete_fields = ("framework",)


class ProblemFilter(admin.SimpleListFilter):
    """Assessments by consistency problem (Assessment.objects.with_problems())."""

    title = "consistency"
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [
            ("none", "No problem"),
            *((name, label.capitalize()) for name, label in PROBLEMS.items()),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.without_problems()
        if value in PROBLEMS:
            return queryset.with_problem(value)
        return queryset


@admin.register(Assessment)
class AssessmentAdmin(RecordAdmin):
    """Assessments with their consistency problems: in the list (column and filter) and on
    the change form (a warning above the form)."""

    change_form_template = "admin/laws/assessment_change_form.html"
    list_display = ("country", "framework", "criterion_label", "answer", "problems", "status")
    list_filter = (
        ProblemFilter,
        "answer",
        "criterion__framework",
        ("country", admin.RelatedOnlyFieldListFilter),
        "status",
    )
    list_select_related = ("country", "criterion__framework")
    search_fields = ("country__name", "country__iso_code", "criterion__short_label", "reasoning")
    autocomplete_fields = (
        "country",
        "criterion",
        "provisions",
        "instrument_statuses",
        "definitions",
    )
    fieldsets = (
        (None, {"fields": ("country", "criterion", "answer", "reasoning")}),
        ("Evidence", {"fields": ("provisions", "instrument_statuses", "definitions")}),
        ("Publishing", {"fields": ("as_of", "source", "status")}),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_problems()

    @admin.display(description="Framework", ordering="criterion__framework__name")
    def framework(self, obj):
        return obj.criterion.framework

    @admin.display(description="Criterion", ordering="criterion__order")
    def criterion_label(self, obj):
        return obj.criterion.short_label

    @admin.display(description="Problems")
    def problems(self, obj):
        return "; ".join(obj.problem_labels()) or "—"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # Read again: the form's instance may hold unsaved edits, the flags the stored record.
            stored = self.get_queryset(request).filter(pk=obj.pk).first()
            context["assessment_problems"] = stored.problem_labels() if stored else []
        return super().render_change_form(request, context, add, change, form_url, obj)
