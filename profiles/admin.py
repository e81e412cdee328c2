from django.contrib import admin

from portal.admin import RecordAdmin

from .models import Country


@admin.register(Country)
class CountryAdmin(RecordAdmin):
    list_display = ("name", "iso_code", "region", "status", "last_reviewed", "updated_at")
    list_filter = ("status", "region", "last_reviewed")
    search_fields = ("name", "iso_code", "summary")
    prepopulated_fields = {"slug": ("name",)}
