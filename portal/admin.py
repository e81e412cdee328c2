"""Base admin classes shared by every record type (profiles, laws, library)."""

from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin


class RecordAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Admin for a RecordModel: spreadsheet import/export, history, read-only audit fields."""

    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
