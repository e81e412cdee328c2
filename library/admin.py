from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import RecordAdmin
from portal.admin_workflow import SharedDeleteMixin
from portal.permissions import can_edit_record

from .models import Author, Authorship, Report, ReportTitle, Topic
from .names import initials_of, match_key
from .services import find_duplicate_reports, report_merge


@admin.register(Topic)
class TopicAdmin(SharedDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "report_count")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_count=Count("reports"))

    @admin.display(description="Reports", ordering="report_count")
    def report_count(self, obj):
        return obj.report_count


class AuthorForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ("family_name", "given_names", "initials", "slug", "status")

    def clean(self):
        cleaned = super().clean()
        key = match_key(cleaned.get("family_name") or "", cleaned.get("given_names") or "")
        clash = Author.objects.filter(match_key=key).exclude(pk=self.instance.pk).first()
        if clash is not None:
            raise forms.ValidationError(
                f"{clash} already has this name (matching key {key}): edit that record instead, "
                "or spell the given names so the first initial differs."
            )
        return cleaned


@admin.register(Author)
class AuthorAdmin(RecordAdmin):
    form = AuthorForm
    list_display = ("family_name", "given_names", "initials", "match_key", "status", "report_count")
    list_filter = ("status",)
    search_fields = ("family_name", "given_names", "match_key")
    prepopulated_fields = {"slug": ("family_name", "given_names")}
    readonly_fields = (*RecordAdmin.readonly_fields, "match_key")
    fields = (
        "family_name",
        "given_names",
        "initials",
        "slug",
        "match_key",
        "status",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_count=Count("reports"))

    @admin.display(description="Reports", ordering="report_count")
    def report_count(self, obj):
        return obj.report_count

    def save_model(self, request, obj, form, change):
        obj.match_key = match_key(obj.family_name, obj.given_names)
        if not obj.initials:
            obj.initials = initials_of(obj.given_names)
        super().save_model(request, obj, form, change)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 1
    autocomplete_fields = ("author",)
    fields = ("position", "author")
    ordering = ("position", "pk")
    verbose_name = "author"
    verbose_name_plural = "Authors in order (set the position: 1 for the first author)"


class ReportTitleInline(admin.TabularInline):
    model = ReportTitle
    extra = 0
    fields = ("title",)


@admin.register(Report)
class ReportAdmin(RecordAdmin):
    list_display = ("title", "year", "report_type", "author_list", "status")
    list_filter = ("status", "year", "report_type", "topics", "countries")
    search_fields = (
        "title",
        "titles__title",
        "summary",
        "authors__family_name",
        "authors__given_names",
        "corporate_author",
    )
    autocomplete_fields = ("topics", "countries")
    prepopulated_fields = {"slug": ("title", "year")}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = (AuthorshipInline, ReportTitleInline)
    actions = (*RecordAdmin.actions, "merge_reports")
    fieldsets = (
        (None, {"fields": ("title", "slug", "year", "report_type", "status")}),
        ("Credits", {"fields": ("corporate_author", "publisher")}),
        ("Content", {"fields": ("summary", "topics", "countries", "language")}),
        ("Links and sources", {"fields": ("url", "doi", "source_note")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authorships__author")

    @admin.display(description="Authors")
    def author_list(self, obj):
        return "; ".join(a.author.sort_name for a in obj.authorships.all())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        duplicates = find_duplicate_reports(title=obj.title, year=obj.year, exclude=obj)
        for duplicate in duplicates:
            self.message_user(
                request,
                f"Possible duplicate: “{duplicate}” has the same title and year once case, "
                "punctuation and series prefixes are ignored. If it is the same report, select "
                "both in the list and use “Merge selected reports”.",
                messages.WARNING,
            )

    @admin.action(description="Merge selected reports", permissions=("change", "delete"))
    def merge_reports(self, request, queryset):
        reports = list(queryset.order_by("-year", "title"))
        if len(reports) < 2:
            self.message_user(request, "Select at least two reports to merge.", messages.WARNING)
            return None
        if any(not can_edit_record(request.user, r) for r in reports):
            raise PermissionDenied("Some selected reports belong to countries you do not hold.")
        keep_pk = request.POST.get("keep")
        if request.POST.get("confirm") == "yes" and keep_pk:
            keep = next((r for r in reports if str(r.pk) == keep_pk), None)
            if keep is not None:
                report_merge(keep=keep, others=[r for r in reports if r.pk != keep.pk])
                self.message_user(
                    request,
                    f"Merged {len(reports) - 1} report(s) into “{keep}”. The history of each "
                    "record keeps what was there before.",
                    messages.SUCCESS,
                )
                return None
            self.message_user(
                request, "Choose one of the selected reports to keep.", messages.ERROR
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge reports",
            "opts": self.model._meta,
            "reports": reports,
            "selected": [str(r.pk) for r in reports],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/library/report/merge_confirmation.html", context)
