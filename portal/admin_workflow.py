"""Editorial rules for every record admin (docs/editorial-workflow.md).

The rules (portal.permissions) are enforced here, on the server, for every way the admin can
change a record: change forms, list-editable columns, actions, deletes and reverts.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import Status
from .permissions import (
    assigned_country_ids,
    can_edit_countries,
    can_edit_record,
    can_publish,
    country_relation,
    record_country_ids,
)

PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}
EDITOR_STATUS_CHOICES = [(s.value, s.label) for s in (Status.DRAFT, Status.IN_REVIEW)]


def _is_country_field(db_field):
    return db_field.related_model is not None and db_field.related_model._meta.label == (
        "profiles.Country"
    )


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
