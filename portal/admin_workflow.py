"""Editorial rules for every record admin (docs/editorial-workflow.md).

The rules (portal.permissions) are enforced here, on the server, for every way the admin can
change a record: change forms, list-editable columns, actions, deletes and reverts.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper

from .deletion import deletion_effects, record_effects, refusals
from .formats import number
from .history import (
    child_instance,
    child_relations,
    children_changes,
    deleted_entries,
    m2m_ids_at,
    record_restore,
    restore_children,
    tracked_m2m_fields,
    write_entry,
)
from .models import Status
from .permissions import (
    assigned_country_ids,
    can_edit_countries,
    can_edit_record,
    can_publish,
    country_relation,
    record_country_ids,
    selectable,
)
from .records import country_model
from .refusals import choice_refusal, permission_refusal, publish_refusal, record_refusal

PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}
EDITOR_STATUS_CHOICES = [(s.value, s.label) for s in (Status.DRAFT, Status.IN_REVIEW)]


def _form_error(refusal):
    """A refusal as a form error message: built when shown, %-escaped (Django formats it)."""
    return lazy(lambda *args: refusal(*args).replace("%", "%%"), str)


lazy_choice_refusal = _form_error(choice_refusal)
lazy_publish_refusal = _form_error(publish_refusal)


def _is_autocomplete(request):
    match = request.resolver_match
    return match is not None and match.view_name == "admin:autocomplete"


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

    # --- refusals that say why ---------------------------------------------------------------
    def _refusal(self, request, obj, action):
        """Why the admin refuses `action` on obj (None: a new record), or None if it allows it."""
        if action == "add":
            allowed = self.has_add_permission(request)
        else:
            allowed = getattr(self, f"has_{action}_permission")(request, obj)
        if allowed:
            return None
        opts = self.opts
        holds_right = request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        if holds_right and obj is not None and not can_edit_record(request.user, obj):
            return record_refusal(request.user, obj, action)
        return permission_refusal(request.user, self.model, action)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id is not None else None
        if object_id is not None and obj is None:
            refusal = None  # Django answers "does not exist"
        else:
            refusal = self._refusal(request, obj, "change" if obj is not None else "add")
        if refusal and (
            request.method == "POST" or obj is None or not self.has_view_permission(request, obj)
        ):
            raise PermissionDenied(refusal)
        if refusal:  # the read-only page of a record the user may only view
            extra_context = {**(extra_context or {}), "portal_refusal": refusal}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusal = self._refusal(request, obj, "delete") if obj is not None else None
        if refusal:
            raise PermissionDenied(refusal)
        return super().delete_view(request, object_id, extra_context)

    def response_action(self, request, queryset):
        # Django silently drops an action the user lacks the right for ("No action selected").
        try:
            index = int(request.POST.get("index", 0))
        except ValueError:
            index = 0
        names = request.POST.getlist("action")
        name = names[index] if 0 <= index < len(names) else None
        if name in ("publish", "withdraw") and not can_publish(request.user):
            selected = queryset.filter(
                pk__in=request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            )
            countries = set().union(*(record_country_ids(obj) for obj in selected[:50]))
            raise PermissionDenied(publish_refusal(request.user, countries))
        return super().response_action(request, queryset)

    # --- form restrictions -------------------------------------------------------------------
    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not can_publish(request.user):
            kwargs["choices"] = EDITOR_STATUS_CHOICES
            kwargs.setdefault("error_messages", {})["invalid_choice"] = lazy_publish_refusal(
                request.user, assigned_country_ids(request.user) or ()
            )
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status in PUBLISHER_STATUSES and not can_publish(request.user):
            fields += ("status",)
        return fields

    def _limit_choices(self, db_field, request, kwargs):
        """Offer only the countries (and country-bound records) the user may pick."""
        if assigned_country_ids(request.user) is None:
            return
        model = db_field.related_model
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
        if queryset is None:
            queryset = model._default_manager.all()
        limited = selectable(request.user, queryset)
        if limited is not queryset:
            kwargs["queryset"] = limited
            kwargs.setdefault("error_messages", {})["invalid_choice"] = lazy_choice_refusal(
                request.user, model
            )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """The admin autocomplete offers what the form accepts (see _limit_choices)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if _is_autocomplete(request):
            queryset = selectable(request.user, queryset)
        return queryset, may_have_duplicates

    # --- last line of defence on every write -------------------------------------------------
    def save_model(self, request, obj, form, change):
        user = request.user
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            if not can_edit_record(user, stored):
                raise PermissionDenied(record_refusal(user, stored))
            status_changed = stored.status != obj.status
        else:
            status_changed = obj.status != Status.DRAFT
        if status_changed and obj.status in PUBLISHER_STATUSES and not can_publish(user):
            raise PermissionDenied(publish_refusal(user, record_country_ids(obj)))
        name, many = country_relation(type(obj))
        if name and not many and not can_edit_countries(user, record_country_ids(obj)):
            raise PermissionDenied(record_refusal(user, obj))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not can_edit_record(request.user, form.instance):
            raise PermissionDenied(record_refusal(request.user, form.instance))

    def delete_model(self, request, obj):
        if not can_edit_record(request.user, obj):
            raise PermissionDenied(record_refusal(request.user, obj, "delete"))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if any(not can_edit_record(request.user, obj) for obj in queryset):
            raise PermissionDenied("Some selected records belong to countries you do not hold.")
        super().delete_queryset(request, queryset)


class SharedDeleteMixin:
    """Deleting a record that other records use (portal.deletion): refused with the list of
    those records unless the user may change every one of them; otherwise each record that lost
    a link gets a history entry. Applies to the delete page and the "delete selected" action."""

    delete_confirmation_template = "admin/portal/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/portal/delete_selected_confirmation.html"

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = refusals(request.user, deletion_effects(objs))
        if refused:
            # Explained record by record below instead of "no permission to delete <type>".
            perms_needed = set()
            protected = [*protected, *refused]
        return deleted, counts, perms_needed, protected

    def _delete_with_effects(self, request, objs, delete):
        with transaction.atomic():
            effects = deletion_effects(objs)
            refused = refusals(request.user, effects)
            if refused:  # the confirmation page refuses first; this guards a direct POST
                raise PermissionDenied(" ".join(refused))
            delete()
            updated = record_effects(effects, objs, request.user)
        if updated:
            names = "; ".join(f"“{record}”" for record in updated[:10])
            more = f" and {len(updated) - 10} more" if len(updated) > 10 else ""
            self.message_user(
                request,
                f"{len(updated)} record(s) that used it lost the link, recorded in their "
                f"history: {names}{more}.",
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        self._delete_with_effects(
            request, [obj], lambda: super(SharedDeleteMixin, self).delete_model(request, obj)
        )

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        self._delete_with_effects(
            request,
            objs,
            lambda: super(SharedDeleteMixin, self).delete_queryset(request, queryset),
        )

    # --- publishing actions -------------------------------------------------------------------
    def _set_status(self, request, queryset, status, allowed_from):
        changed = refused = 0
        with transaction.atomic():
            # Locked while they change: a concurrent save waits and then conflicts.
            pks = list(queryset.values_list("pk", flat=True))
            locked = self.model._default_manager.select_for_update().filter(pk__in=pks)
            for obj in locked.order_by("pk"):
                if not can_edit_record(request.user, obj):
                    refused += 1
                    continue
                if obj.status in allowed_from:
                    obj.status = status
                    obj._history_user = request.user
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
        if record.pk is None:
            return cleaned_data
        stored = type(record)._default_manager.filter(pk=record.pk)
        if connection.in_atomic_block:
            stored = stored.select_for_update()  # the second of two concurrent saves waits here
        current = stored.values_list("version", flat=True).first()
        if current is None:
            return cleaned_data
        submitted = self.data.get(VERSION_FIELD)
        try:
            # A form posted without the field (not one the admin rendered) is based on now.
            seen_version = current if submitted is None else int(submitted)
        except ValueError as error:
            raise forms.ValidationError("The form is out of date: reload the page.") from error
        if current != seen_version:
            record.version = current
            raise forms.ValidationError(conflict_message(record, seen_version), code="conflict")
        # The save is based on the version the editor saw, also when the form shows an old
        # version (a revert): RecordModel.save checks it once more and stores the next one.
        record.version = seen_version
        return cleaned_data


class RecordContextHelper(HistoricalRecordContextHelper):
    """History diffs with numbers as people write them."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return number(value) if isinstance(value, Decimal) else value


def _related_cache(relations_rows):
    """{(model, pk): object} for the records the given inline rows point to (one query per
    related model)."""
    wanted = {}
    for child, fk, rows in relations_rows:
        for field in child._meta.concrete_fields:
            if field.many_to_one and field is not fk:
                ids = {row.get(field.attname) for row in rows} - {None}
                wanted.setdefault(field.related_model, set()).update(ids)
    cache = {}
    for model, ids in wanted.items():
        for pk, obj in model._default_manager.in_bulk(ids).items():
            cache[model, pk] = obj
    return cache


def rows_text(child, fk, rows, cache):
    """Inline rows as one line of text, in their stored order."""
    parts = []
    for values in rows:
        row = child_instance(child, fk, values)
        for field in child._meta.concrete_fields:
            target = cache.get((field.related_model, values.get(field.attname)))
            if field.many_to_one and field is not fk and target is not None:
                setattr(row, field.name, target)
        try:
            text = str(row)
        except ObjectDoesNotExist:
            text = f"a {child._meta.verbose_name} of a deleted record"
        if "order" in values:
            text += f" (order {values['order']})"
        parts.append(text)
    return "; ".join(parts) or "—"


class HistoryAdminMixin:
    """Version-checked change forms, reverts that restore relations, and a restore page."""

    change_form_template = "admin/portal/record_change_form.html"
    change_list_template = "admin/portal/record_change_list.html"
    object_history_form_template = "admin/portal/record_history_form.html"

    # --- one history entry per save ------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        # Written once the inline rows and many-to-many fields are stored too (save_related, or
        # the revert in history_form_view), so a save is one entry holding all of it.
        obj.skip_history_when_saving = True
        request._portal_pending_entry = (obj, change)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._write_pending_entry(request)

    def _write_pending_entry(self, request, reason=None):
        pending = request.__dict__.pop("_portal_pending_entry", None)
        if pending is None:
            return None
        obj, change = pending
        obj.__dict__.pop("skip_history_when_saving", None)
        write_entry(obj, "~" if change else "+", user=request.user, reason=reason)
        return obj

    # --- history page: inline rows and numbers in the differences ---------------------------
    def get_historical_record_context_helper(self, request, historical_record):
        return RecordContextHelper(self.model, historical_record)

    def children_lines(self, old, new, *, only_changes=True):
        """[{"field", "old", "new"}] for the inline rows of two snapshots (old may be None)."""
        relations = {name: (child, fk) for name, child, fk in child_relations(self.model)}
        if only_changes:
            changed = children_changes(self.model, old, new)
        else:
            changed = [(name, [], (new or {}).get(name, [])) for name in relations]
        cache = _related_cache(
            [(relations[name][0], relations[name][1], a + b) for name, a, b in changed]
        )
        return [
            {
                "field": capfirst(relations[name][0]._meta.verbose_name_plural),
                "old": rows_text(*relations[name], before, cache),
                "new": rows_text(*relations[name], after, cache),
            }
            for name, before, after in changed
        ]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        if not child_relations(self.model):
            return
        entries = list(historical_records)
        for newer, older in zip(entries, entries[1:], strict=False):
            lines = self.children_lines(older.history_children, newer.history_children)
            if lines:
                newer.history_delta_changes = [*getattr(newer, "history_delta_changes", []), *lines]

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
        entry = self.model.history.filter(id=object_id, history_id=version_id).first()
        rows = []
        if entry is not None and entry.history_children is not None:
            rows = self.children_lines(None, entry.history_children, only_changes=False)
        # The revert form shows an old version; a save must still be based on the current one.
        extra_context = {
            **(extra_context or {}),
            "current_version": current.first(),
            "version_rows": rows,
        }
        with transaction.atomic():
            response = super().history_form_view(request, object_id, version_id, extra_context)
            pending = request.__dict__.get("_portal_pending_entry")
            if pending is not None:
                # The revert form has no inlines: the rows come back from the version itself.
                lost = restore_children(pending[0], entry.history_children, user=request.user)
                when = entry.history_date
                self._write_pending_entry(
                    request, reason=f"Reverted to the version of {when:%Y-%m-%d %H:%M}"
                )
                if lost:
                    self.message_user(
                        request,
                        f"{lost} row(s) of that version did not come back: a record they point "
                        "to has been deleted since.",
                        messages.WARNING,
                    )
        return response

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
