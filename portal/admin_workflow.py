"""Editorial rules for every record admin (docs/editorial-workflow.md).

The rules (portal.permissions) are enforced here, on the server, for every way the admin can
change a record: change forms, list-editable columns, actions, deletes and reverts.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .history import deleted_entries, m2m_ids_at, record_restore, tracked_m2m_fields
from .models import Status
from .permissions import (
    assigned_country_ids,
    can_edit_countries,
    can_edit_record,
    can_publish,
    country_relation,
    record_country_ids,
)
from .records import country_model

PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}
EDITOR_STATUS_CHOICES = [(s.value, s.label) for s in (Status.DRAFT, Status.IN_REVIEW)]


def _is_country_field(db_field):
    return db_field.related_model is country_model()


class EditorialAdminMixin:
    """Country assignments, publishing rights and their actions for a RecordModel admin."""

    actions = ("submit_for_review", "publish", "withdraw")

    # --- permissions -------------------------------------------------------------------------
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None:
            return can_edit_record(request.user, obj)
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None:
            return can_edit_record(request.user, obj)
        return allowed

    def has_publish_permission(self, request):
        return can_publish(request.user)

    # --- form restrictions -------------------------------------------------------------------
    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not can_publish(request.user):
            kwargs["choices"] = EDITOR_STATUS_CHOICES
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status in PUBLISHER_STATUSES and not can_publish(request.user):
            fields += ("status",)
        return fields

    def _limit_countries(self, db_field, request, kwargs):
        allowed = assigned_country_ids(request.user)
        if allowed is not None and _is_country_field(db_field):
            kwargs["queryset"] = db_field.related_model._default_manager.filter(pk__in=allowed)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_countries(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_countries(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- last line of defence on every write -------------------------------------------------
    def save_model(self, request, obj, form, change):
        user = request.user
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            if not can_edit_record(user, stored):
                raise PermissionDenied("You are not assigned to this record's country.")
            status_changed = stored.status != obj.status
        else:
            status_changed = obj.status != Status.DRAFT
        if status_changed and obj.status in PUBLISHER_STATUSES and not can_publish(user):
            raise PermissionDenied("Only publishers publish or withdraw records.")
        name, many = country_relation(type(obj))
        if name and not many and not can_edit_countries(user, record_country_ids(obj)):
            raise PermissionDenied("You are not assigned to this record's country.")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not can_edit_record(request.user, form.instance):
            raise PermissionDenied("You are not assigned to every country of this record.")

    def delete_model(self, request, obj):
        if not can_edit_record(request.user, obj):
            raise PermissionDenied("You are not assigned to this record's country.")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if any(not can_edit_record(request.user, obj) for obj in queryset):
            raise PermissionDenied("Some selected records belong to countries you do not hold.")
        super().delete_queryset(request, queryset)

    # --- publishing actions -------------------------------------------------------------------
    def _set_status(self, request, queryset, status, allowed_from):
        changed = refused = 0
        with transaction.atomic():
            for obj in queryset:
                if not can_edit_record(request.user, obj):
                    refused += 1
                    continue
                if obj.status in allowed_from:
                    obj.status = status
                    obj.save()
                    changed += 1
        label = Status(status).label.lower()
        self.message_user(request, f"{changed} record(s) now {label}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} record(s) left unchanged: not in your countries.",
                messages.WARNING,
            )

    @admin.action(description="Submit selected records for review", permissions=("change",))
    def submit_for_review(self, request, queryset):
        self._set_status(request, queryset, Status.IN_REVIEW, {Status.DRAFT})

    @admin.action(description="Publish selected records", permissions=("publish",))
    def publish(self, request, queryset):
        self._set_status(
            request, queryset, Status.PUBLISHED, {Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN}
        )

    @admin.action(description="Withdraw selected records from the public", permissions=("publish",))
    def withdraw(self, request, queryset):
        self._set_status(request, queryset, Status.WITHDRAWN, {Status.PUBLISHED})


# --- edit conflicts, reverts and restores ------------------------------------------------------

VERSION_FIELD = "_portal_version"


def _short(value, limit=80):
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def conflict_message(record, seen_version):
    """What changed since the version the editor opened, and who changed it."""
    history = record.history.order_by("-history_date", "-history_id")
    newest = history.first()
    seen = history.filter(version=seen_version).first()
    editors = sorted(
        {
            str(e.history_user or "an import or command")
            for e in history.filter(version__gt=seen_version)
        }
    )
    changes = []
    if newest is not None and seen is not None:
        delta = newest.diff_against(seen, foreign_keys_are_objs=False)
        for change in delta.changes:
            field = type(record)._meta.get_field(change.field)
            changes.append(f"{field.verbose_name}: “{_short(change.old)}” → “{_short(change.new)}”")
    who = ", ".join(editors) or "another editor"
    what = "; ".join(changes) or "see the record's history"
    return (
        f"This record was changed by {who} while you were editing it "
        f"(version {seen_version} → {record.version}). Their changes: {what}. Nothing was saved: "
        "your edits are still in the form below; check them against the current record before "
        "saving again."
    )


class VersionCheckedFormMixin:
    """Refuses to save a change form opened on an older version of the record."""

    def clean(self):
        cleaned_data = super().clean()
        record = self.instance
        submitted = self.data.get(VERSION_FIELD)
        if record.pk is None or submitted is None:
            return cleaned_data
        try:
            seen_version = int(submitted)
        except ValueError as error:
            raise forms.ValidationError("The form is out of date: reload the page.") from error
        stored = type(record)._default_manager.filter(pk=record.pk)
        if connection.in_atomic_block:
            stored = stored.select_for_update()  # the second of two concurrent saves waits here
        current = stored.values_list("version", flat=True).first()
        if current is not None and current != seen_version:
            record.version = current
            raise forms.ValidationError(conflict_message(record, seen_version), code="conflict")
        return cleaned_data


class HistoryAdminMixin:
    """Version-checked change forms, reverts that restore relations, and a restore page."""

    change_form_template = "admin/portal/record_change_form.html"
    change_list_template = "admin/portal/record_change_list.html"
    object_history_form_template = "admin/portal/record_history_form.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form
        attrs = {}
        version_id = getattr(request, "_portal_history_version", None)
        if version_id is not None:
            entry = obj.history.get(history_id=version_id)
            m2m_initial = {name: m2m_ids_at(entry, name) for name in tracked_m2m_fields(type(obj))}

            def __init__(self, *args, **kwargs):
                super(form_class, self).__init__(*args, **kwargs)
                for name, ids in m2m_initial.items():
                    if name in self.fields:
                        self.initial[name] = ids

            attrs["__init__"] = __init__
        form_class = type(f"Versioned{form.__name__}", (VersionCheckedFormMixin, form), attrs)
        return form_class

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._portal_history_version = version_id
        current = self.model._default_manager.filter(pk=object_id).values_list("version", flat=True)
        # The revert form shows an old version; a save must still be based on the current one.
        extra_context = {**(extra_context or {}), "current_version": current.first()}
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        urls = [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{prefix}_deleted",
            ),
            path(
                "deleted/<int:pk>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{prefix}_restore",
            ),
        ]
        return urls + super().get_urls()

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        entries = deleted_entries(self.model).select_related("history_user")
        seen, rows = set(), []
        for entry in entries[:500]:
            if entry.id not in seen:
                seen.add(entry.id)
                rows.append(entry)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Deleted {self.opts.verbose_name_plural}",
            "entries": rows,
            "can_restore": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/portal/deleted_records.html", context)

    def restore_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = deleted_entries(self.model).filter(id=pk).first()
        if entry is None:
            raise Http404("No such deleted record.")
        if not self.has_add_permission(request) or not can_edit_record(
            request.user, entry.instance
        ):
            raise PermissionDenied
        record, children = record_restore(model=self.model, pk=pk, user=request.user)
        self.message_user(
            request,
            f"Restored “{record}” with {children} related row(s).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[record.pk],
            )
        )
