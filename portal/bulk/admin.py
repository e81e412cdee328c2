"""Spreadsheet import (with preview), export and empty templates in the admin, and the import log.

Every record admin gets "Spreadsheet import", "Export" and "Empty template" (BulkAdminMixin on
RecordAdmin). The import log page holds the whole-country workbook import and export.
"""

import os
import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify

from portal.models import ImportLog
from portal.records import country_model

from .engine import INVALID
from .formats import (
    CONTENT_TYPES,
    FORMATS,
    csv_chunks,
    json_chunks,
    max_import_bytes,
    size_text,
    too_large,
    write_xlsx,
)
from .registry import all_specs, spec_for_model
from .services import export_workbook, import_file, import_workbook, log_import, table_rows

UPLOAD_DIR = Path(tempfile.gettempdir()) / "portal-bulk-imports"
TOKEN_SALT = "portal.bulk.import"
TOKEN_MAX_AGE = 3600
PREVIEW_ROWS = 1000
SUSPECT_ROWS_NAMED = 20


class UploadForm(forms.Form):
    file = forms.FileField(label="Spreadsheet")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"CSV (UTF-8), Excel (.xlsx) or JSON, at most {size_text(max_import_bytes())}."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size > limit:
            raise forms.ValidationError(too_large(upload.size, limit))
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(label="Format", choices=[(f, f.upper()) for f in FORMATS])
    country = forms.ModelChoiceField(
        label="Country",
        queryset=None,
        required=False,
        to_field_name="iso_code",
        empty_label="All countries",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = country_model()._default_manager.order_by("name")


def _store_upload(upload):
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    _remove_expired()
    suffix = Path(upload.name).suffix.lower()[:8]
    stored = UPLOAD_DIR / f"{uuid.uuid4().hex}{suffix}"
    with stored.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return stored


def _token(stored, filename, user):
    return signing.dumps(
        {"file": stored.name, "filename": filename, "user": user.pk}, salt=TOKEN_SALT
    )


def _from_token(token, user):
    """(stored file, file name) of a valid token of `user`, or None."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if data["user"] != user.pk:
        return None
    return UPLOAD_DIR / Path(data["file"]).name, data["filename"]


def _claim(stored):
    """Mark the stored preview as used: True for the one request that creates the mark, False
    for every other. O_CREAT | O_EXCL makes the creation atomic across threads and processes
    (the preview itself is a file in this directory, so every request that can confirm it sees
    the same mark)."""
    try:
        os.close(os.open(_mark(stored), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True


def _mark(stored):
    return stored.with_name(stored.name + ".used")


def _remove_expired():
    """Remove the previews and marks older than a token lives: no request can use them."""
    oldest = time.time() - TOKEN_MAX_AGE - 60
    for item in UPLOAD_DIR.iterdir():
        try:
            if item.stat().st_mtime < oldest:
                item.unlink()
        except OSError:
            pass  # removed meanwhile by another request


def _preview_tables(result):
    tables = []
    for table in result.tables:
        invalid = [row for row in table.rows if row.outcome == INVALID]
        others = [row for row in table.rows if row.outcome != INVALID]
        tables.append(
            {
                "table": table,
                "counts": table.counts,
                "rows": invalid + others[:PREVIEW_ROWS],
                "hidden": max(0, len(others) - PREVIEW_ROWS),
            }
        )
    return tables


def _suspect_summary(result):
    """What the preview says at the top about text that looks mis-decoded, or None."""
    rows = result.suspect_rows
    if not rows:
        return None
    numbers = [str(row.number) for row in rows[:SUSPECT_ROWS_NAMED]]
    if len(rows) > SUSPECT_ROWS_NAMED:
        numbers.append("…")
    example = next((cell for row in rows for cell in row.suspect if cell[2]), None)
    return {"count": len(rows), "numbers": ", ".join(numbers), "example": example}


def import_flow(request, *, admin_site, title, run, back_url, extra=None):
    """Upload → preview (dry run) → confirm or cancel → import, with the ImportLog entry."""
    context = {**admin_site.each_context(request), "title": title, "back_url": back_url}
    context.update(extra or {})
    if request.method == "POST" and "token" in request.POST:
        found = _from_token(request.POST["token"], request.user)
        if found is None:
            messages.error(request, "The preview has expired; upload the file again.")
            return HttpResponseRedirect(request.path)
        stored, filename = found
        if not _claim(stored):
            messages.warning(
                request,
                f"This preview of {filename} was already confirmed or cancelled (a second "
                "click, or another tab): nothing more was written. The import log shows what "
                "was imported.",
            )
            return HttpResponseRedirect(back_url)
        if not stored.is_file():
            messages.error(request, "The preview has expired; upload the file again.")
            return HttpResponseRedirect(request.path)
        if "cancel" in request.POST:
            stored.unlink(missing_ok=True)
            messages.info(request, "Import cancelled: nothing was written.")
            return HttpResponseRedirect(back_url)
        with stored.open("rb") as fileobj:
            result = run(fileobj, filename, stored.stat().st_size, False, 0)
        log_import(result=result, user=request.user, source=ImportLog.Source.ADMIN)
        stored.unlink(missing_ok=True)
        if result.written:
            messages.success(request, f"Imported {filename}: {result.summary()}.")
            return HttpResponseRedirect(back_url)
        context.update(
            {
                "result": result,
                "tables": _preview_tables(result),
                "suspect": _suspect_summary(result),
                "refused": True,
            }
        )
        return TemplateResponse(request, "admin/portal/bulk_preview.html", context)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = _store_upload(upload)
        with stored.open("rb") as fileobj:
            result = run(fileobj, upload.name, upload.size, True, PREVIEW_ROWS)
        if not result.valid:
            stored.unlink(missing_ok=True)
        context.update(
            {
                "result": result,
                "tables": _preview_tables(result),
                "suspect": _suspect_summary(result),
                "token": _token(stored, upload.name, request.user) if result.valid else "",
                "filename": upload.name,
            }
        )
        return TemplateResponse(request, "admin/portal/bulk_preview.html", context)
    context["form"] = form
    return TemplateResponse(request, "admin/portal/bulk_import.html", context)


def stream_export(sheets, kind, filename):
    """A response that writes rows as they are read: CSV/JSON streamed, XLSX from a write-only
    workbook in a temporary file."""
    if kind == "xlsx":
        target = tempfile.TemporaryFile()
        write_xlsx(target, sheets)
        target.seek(0)
        return FileResponse(
            target, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
        )
    (_, headers, rows), *_ = sheets
    chunks = csv_chunks(headers, rows) if kind == "csv" else json_chunks(headers, rows)
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks), content_type=CONTENT_TYPES[kind]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class BulkAdminMixin:
    """Spreadsheet import with preview, streamed export and empty templates for a record admin."""

    change_list_template = "admin/portal/bulk_change_list.html"

    @property
    def bulk_spec(self):
        return spec_for_model(self.model)

    def get_urls(self):
        urls = super().get_urls()
        if self.bulk_spec is None:
            return urls
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("spreadsheet/import/", view(self.bulk_import_view), name=f"{prefix}_bulk_import"),
            path("spreadsheet/export/", view(self.bulk_export_view), name=f"{prefix}_bulk_export"),
            path(
                "spreadsheet/template/<str:kind>/",
                view(self.bulk_template_view),
                name=f"{prefix}_bulk_template",
            ),
        ] + urls

    def changelist_view(self, request, extra_context=None):
        spec = self.bulk_spec
        extra_context = {
            **(extra_context or {}),
            "bulk_spec": spec,
            "bulk_can_import": spec is not None and self._may_import(request),
        }
        return super().changelist_view(request, extra_context)

    def _may_import(self, request):
        return self.has_add_permission(request) or self.has_change_permission(request)

    def bulk_import_view(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        spec = self.bulk_spec

        def run(fileobj, filename, size, dry_run, detail_rows):
            return import_file(
                spec=spec,
                fileobj=fileobj,
                filename=filename,
                size=size,
                user=request.user,
                dry_run=dry_run,
                detail_rows=detail_rows,
            )

        return import_flow(
            request,
            admin_site=self.admin_site,
            title=f"Import {self.opts.verbose_name_plural} from a spreadsheet",
            run=run,
            back_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
            extra={"opts": self.opts, "spec": spec},
        )

    def bulk_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        spec = self.bulk_spec
        form = ExportForm(request.GET or None)
        if not request.GET or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": f"Export {self.opts.verbose_name_plural}",
                "opts": self.opts,
                "form": form,
                "spec": spec,
            }
            return TemplateResponse(request, "admin/portal/bulk_export.html", context)
        kind, country = form.cleaned_data["format"], form.cleaned_data["country"]
        if country is not None and spec.country_attribute is None:
            country = None
        suffix = f"-{country.iso_code.lower()}" if country else ""
        rows = table_rows(spec, country=country)
        return stream_export([(spec.name, spec.headers, rows)], kind, f"{spec.name}{suffix}.{kind}")

    def bulk_template_view(self, request, kind):
        if not self.has_view_permission(request) or kind not in FORMATS:
            raise PermissionDenied
        spec = self.bulk_spec
        return stream_export([(spec.name, spec.headers, [])], kind, f"{spec.name}-template.{kind}")


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    """Who imported which file, when, with its counts; and the whole-country workbook."""

    change_list_template = "admin/portal/importlog_change_list.html"
    list_display = (
        "created_at",
        "user",
        "filename",
        "record_types",
        "source",
        "written",
        "rows",
        "new",
        "updated",
        "unchanged",
        "invalid",
        "seconds",
    )
    list_filter = ("written", "source", "created_at")
    search_fields = ("filename", "record_types", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "workbook/import/",
                view(self.workbook_import_view),
                name="portal_bulk_workbook_import",
            ),
            path(
                "workbook/export/",
                view(self.workbook_export_view),
                name="portal_bulk_workbook_export",
            ),
        ] + super().get_urls()

    def workbook_import_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

        def run(fileobj, filename, size, dry_run, detail_rows):
            return import_workbook(
                fileobj=fileobj,
                filename=filename,
                size=size,
                user=request.user,
                dry_run=dry_run,
                detail_rows=detail_rows,
            )

        return import_flow(
            request,
            admin_site=self.admin_site,
            title="Import a workbook (one sheet per record type)",
            run=run,
            back_url=reverse("admin:portal_importlog_changelist"),
            extra={"opts": self.opts, "sheet_names": [s.name for s in all_specs()]},
        )

    def workbook_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ExportForm(request.GET or None)
        form.fields.pop("format")
        if not request.GET or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": "Export a country workbook",
                "opts": self.opts,
                "form": form,
            }
            return TemplateResponse(request, "admin/portal/bulk_export.html", context)
        country = form.cleaned_data["country"]
        target = tempfile.TemporaryFile()
        export_workbook(target=target, country=country)
        target.seek(0)
        name = slugify(country.name) if country else "all-countries"
        return FileResponse(
            target,
            as_attachment=True,
            filename=f"{name}-workbook.xlsx",
            content_type=CONTENT_TYPES["xlsx"],
        )
