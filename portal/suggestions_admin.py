"""Suggested corrections in the admin: a list and a decision form, scoped to the user's countries.

An editor sees only the suggestions about records of their countries (and about shared
reference data); any other one is a 404 by its address too. Reader texts are shown as plain text.
Accepting opens the record's change form with the suggestion beside it (SuggestionPanelMixin).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.text import Truncator

from .models import Suggestion
from .suggestions import record_admin_url, suggestion_decide

State = Suggestion.State


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = ("status", "note")
        widgets = {"note": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def clean(self):
        cleaned = super().clean()
        if "status" not in self.fields:  # decided: the form shows the decision read only
            return cleaned
        status = cleaned.get("status")
        if self.instance.status != State.NEW and status != self.instance.status:
            raise forms.ValidationError(
                "This suggestion is decided already (the reader has been told); it stays "
                f"{self.instance.get_status_display().lower()}."
            )
        if status in (State.REJECTED, State.DUPLICATE) and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why in a note: the reader and your colleagues read it.")
        return cleaned


def _plain(text):
    """Reader text as escaped plain text with its line breaks."""
    return linebreaksbr(text or "—", autoescape=True)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    form = DecisionForm
    list_display = ("created_at", "record_label", "status", "what_is_wrong", "country_names")
    list_display_links = ("created_at", "record_label")
    list_filter = ("status",)
    list_per_page = 50
    date_hierarchy = "created_at"
    fieldsets = (
        (
            "The reader's suggestion",
            {
                "fields": (
                    "record_link",
                    "section",
                    "country_names",
                    "created_at",
                    "problem_text",
                    "proposed",
                    "source_link",
                    "reply_to",
                )
            },
        ),
        ("Decision", {"fields": ("status", "note", "decided_by", "decided_at", "reader_told_at")}),
    )
    readonly_fields = (
        "record_link",
        "section",
        "country_names",
        "created_at",
        "problem_text",
        "proposed",
        "source_link",
        "reply_to",
        "decided_by",
        "decided_at",
        "reader_told_at",
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("countries")
        return queryset.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        if obj is not None and obj.status != State.NEW:
            fields += ("status", "note")
        return fields

    def has_add_permission(self, request):
        return False  # readers write them, through the public form

    # Another country's suggestion does not exist for this user, by its address too.
    def _visible_or_404(self, request, object_id):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such suggestion among those of your countries.")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            self._visible_or_404(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status != State.NEW:
            suggestion_decide(suggestion=obj, status=obj.status, note=obj.note, user=request.user)
            request._portal_decided = obj.status
        else:
            obj.save(update_fields=("note",))

    def response_change(self, request, obj):
        # Accepting opens the record's change form, with the suggestion beside it.
        if getattr(request, "_portal_decided", None) == State.ACCEPTED:
            url = record_admin_url(obj)
            if url:
                self.message_user(request, "Accepted. Make the correction here and save.")
                return HttpResponseRedirect(url)
        return super().response_change(request, obj)

    # --- the reader's texts, escaped -----------------------------------------------------------
    @admin.display(description="What is wrong")
    def what_is_wrong(self, obj):
        return Truncator(obj.problem).chars(80)

    @admin.display(description="Countries")
    def country_names(self, obj):
        return ", ".join(c.name for c in obj.countries.all()) or "none (shared reference data)"

    @admin.display(description="Record")
    def record_link(self, obj):
        url = record_admin_url(obj)
        if url is None:
            return obj.record_label
        return format_html('<a href="{}">{}</a>', url, obj.record_label)

    @admin.display(description="What is wrong")
    def problem_text(self, obj):
        return _plain(obj.problem)

    @admin.display(description="Proposed text")
    def proposed(self, obj):
        return _plain(obj.proposed_text)

    @admin.display(description="Source")
    def source_link(self, obj):
        if not obj.source_url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow">{}</a>', obj.source_url, obj.source_url
        )

    @admin.display(description="Reply to")
    def reply_to(self, obj):
        return obj.email or "no address given"


class SuggestionPanelMixin:
    """`?suggestion=<id>` on a record's change form shows that suggestion beside the form, when
    it is about this record and the user may read it."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        wanted = request.GET.get("suggestion", "")
        if object_id is not None and wanted.isdigit() and len(wanted) < 19:
            suggestion = (
                Suggestion.objects.visible_to(request.user)
                .filter(
                    pk=int(wanted),
                    content_type__app_label=self.opts.app_label,
                    content_type__model=self.opts.model_name,
                )
                .first()
            )
            if suggestion is not None and str(suggestion.object_id) == unquote(object_id):
                extra_context = {**(extra_context or {}), "portal_suggestion": suggestion}
        return super().changeform_view(request, object_id, form_url, extra_context)
