"""Base admin classes shared by every record type."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import models
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .admin_workflow import EditorialAdminMixin, HistoryAdminMixin, SharedDeleteMixin
from .bulk.admin import BulkAdminMixin
from .models import EditorProfile
from .resources import formula_safe_dataset
from .review import ReviewAdminMixin
from .suggestions_admin import SuggestionPanelMixin


class RecordAdmin(
    SuggestionPanelMixin,
    ReviewAdminMixin,
    EditorialAdminMixin,
    SharedDeleteMixin,
    BulkAdminMixin,
    HistoryAdminMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
    """Admin for a RecordModel: editorial rules, spreadsheet import/export, history.

    BulkAdminMixin adds the fast spreadsheet import with preview, streamed export and empty
    templates (portal.bulk); django-import-export's row-by-row Import/Export stay for now.
    """

    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_data_for_export(self, request, queryset, **kwargs):
        # Whatever the resource (a type without its own gets django-import-export's default),
        # every file the Export button gives is formula-safe, in every format.
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        return formula_safe_dataset(dataset)


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
