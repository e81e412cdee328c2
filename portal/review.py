"""Review of a record in review: its change against the published version, then publish it or
send it back to its editor with a note (shown on the editor's desk, portal.desk).

The page is `<record admin>/<id>/review/`, for Publishers of the record's countries. The change
is read from the record's history (django-simple-history, portal.history): the newest entry
against the newest entry that was published; a record never published shows every field.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst

from .models import EditConflict, ReviewNote, Status
from .permissions import can_publish, record_country_ids
from .refusals import publish_refusal

NOT_COMPARED = ("status", "version", "created_at", "updated_at")
SHOWN_LENGTH = 300


class SendBackForm(forms.Form):
    note = forms.CharField(
        label="Note to the editor",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text="What to change before the record can be published. Shown on their desk.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _shown(value):
    text = "—" if value in (None, "", []) else str(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def published_entry(record):
    """The newest history entry of `record` that was published, or None."""
    entries = record.history.order_by("-history_date", "-history_id")
    return entries.filter(status=Status.PUBLISHED).first()


def submitted_by(record):
    """Who sent the record to review: the user of the first entry of its newest in-review run."""
    user = None
    for entry in record.history.order_by("-history_date", "-history_id").select_related(
        "history_user"
    )[:50]:
        if entry.status != Status.IN_REVIEW:
            break
        user = entry.history_user
    return user


def review_changes(admin, record):
    """[{"field", "old", "new"}]: the newest version against the published one."""
    history = record.history.order_by("-history_date", "-history_id")
    newest = history.first()
    published = published_entry(record)
    opts = type(record)._meta
    if newest is None:
        return [], published
    if published is None:
        rows = []
        for field in opts.concrete_fields:
            if field.primary_key or field.name in NOT_COMPARED:
                continue
            value = getattr(newest, field.name, None)
            rows.append({"field": capfirst(field.verbose_name), "old": "—", "new": _shown(value)})
        rows += admin.children_lines(None, newest.history_children, only_changes=False)
        return rows, None
    delta = newest.diff_against(published, excluded_fields=NOT_COMPARED)
    rows = []
    for change in delta.changes:
        field = opts.get_field(change.field)
        rows.append(
            {
                "field": capfirst(field.verbose_name),
                "old": _shown(change.old),
                "new": _shown(change.new),
            }
        )
    rows += admin.children_lines(published.history_children, newest.history_children)
    return rows, published


class ReviewAdminMixin:
    """The review page of a record admin."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        urls = [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{prefix}_review",
            )
        ]
        return urls + super().get_urls()

    def _review_target(self, request, object_id):
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404("No such record.")
        if not can_publish(request.user):
            raise PermissionDenied(publish_refusal(request.user, record_country_ids(record)))
        refusal = self._refusal(request, record, "change")
        if refusal:
            raise PermissionDenied(refusal)
        return record

    def review_view(self, request, object_id):
        record = self._review_target(request, object_id)
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk]
        )
        if record.status != Status.IN_REVIEW:
            self.message_user(
                request,
                f"“{record}” is not in review (it is {record.get_status_display().lower()}).",
                messages.WARNING,
            )
            return HttpResponseRedirect(change_url)
        send_back = SendBackForm(initial={"version": record.version})
        if request.method == "POST":
            action = request.POST.get("action")
            form = (SendBackForm if action == "send_back" else PublishForm)(request.POST)
            if form.is_valid():
                done = self._decide(request, record, action, form.cleaned_data)
                if done:
                    return HttpResponseRedirect(reverse("admin:index"))
                return HttpResponseRedirect(request.path)
            if action == "send_back":
                send_back = form
        changes, published = review_changes(self, record)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review: {record}",
            "record": record,
            "change_url": change_url,
            "changes": changes,
            "published": published,
            "submitted_by": submitted_by(record),
            "send_back_form": send_back,
            "publish_form": PublishForm(initial={"version": record.version}),
        }
        return TemplateResponse(request, "admin/portal/review.html", context)

    def _decide(self, request, record, action, data):
        seen = data["version"]
        if seen != record.version:
            self.message_user(
                request,
                f"“{record}” was changed while you reviewed it (version {seen} → "
                f"{record.version}): review the current version.",
                messages.ERROR,
            )
            return False
        try:
            with transaction.atomic():
                editor = submitted_by(record)
                record.status = Status.PUBLISHED if action == "publish" else Status.DRAFT
                record._history_user = request.user
                record.save()
                if action == "send_back":
                    ReviewNote.objects.create(
                        content_type=ContentType.objects.get_for_model(record),
                        object_id=record.pk,
                        note=data["note"],
                        editor=editor,
                        written_by=request.user,
                    )
        except EditConflict as conflict:
            self.message_user(request, str(conflict), messages.ERROR)
            return False
        if action == "publish":
            self.message_user(request, f"Published “{record}”.", messages.SUCCESS)
        else:
            who = f" to {editor.get_full_name() or editor.username}" if editor else ""
            self.message_user(
                request, f"Sent “{record}” back{who} with your note.", messages.SUCCESS
            )
        return True
