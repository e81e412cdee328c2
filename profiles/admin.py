from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Country


@admin.register(Country)
class CountryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "iso_code", "region", "status", "last_reviewed", "updated_at")
    list_filter = ("status", "region", "last_reviewed")
    search_fields = ("name", "iso_code", "summary")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
