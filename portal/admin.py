"""Base admin classes shared by every record type."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .admin_workflow import EditorialAdminMixin, HistoryAdminMixin, SharedDeleteMixin
from .bulk.admin import BulkAdminMixin
from .models import EditorProfile
from .review import ReviewAdminMixin
from .suggestions_admin import SuggestionPanelMixin


class RecordAdmin(
    SuggestionPanelMixin,
    ReviewAdminMixin,
    EditorialAdminMixin,
    SharedDeleteMixin,
    BulkAdminMixin,
    HistoryAdminMixin,
    SimpleHistoryAdmin,
):
    """Admin for a RecordModel: editorial rules, spreadsheet import/export, history.

    BulkAdminMixin adds the one spreadsheet import (with preview), export (CSV, XLSX, JSON) and
    empty templates of a type with a resource (portal.bulk, declared in `<app>/resources.py`).
    """

    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class EditorProfileInline(admin.StackedInline):
    model = EditorProfile
    can_delete = False
    filter_horizontal = ("countries",)
    verbose_name_plural = "Assigned countries"


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """The user page with the editor's country assignment."""

    inlines = (EditorProfileInline,)
    list_display = ("username", "email", "is_staff", "is_superuser", "roles")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")
