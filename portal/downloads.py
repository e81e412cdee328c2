"""Downloads of public records: CSV, XLSX and JSON of what a list page's filters select.

The columns are the record type's spreadsheet format (`portal.bulk.registry.spec_for_model`)
less its editor-only columns (the publishing status); a type without a spreadsheet format gets
one derived from its model's fields. Cells name related records by their natural keys, and only
related records the public may read (`PublicContext`): a draft organisation's name never leaves
the portal through an initiative's row. Text that a spreadsheet program would run as a formula
gets a leading apostrophe, as in the editors' exports.

Rows are read by primary-key pages (`RecordSpec.export_rows`), so memory stays flat whatever the
number of records; CSV and JSON are streamed as they are written, XLSX is written to a temporary
file first (a workbook is a zip) and then streamed from it.
"""

import tempfile
from functools import cache
from urllib.parse import urlencode

from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.text import slugify

from portal.bulk.columns import FieldColumn
from portal.bulk.engine import Context
from portal.bulk.formats import CONTENT_TYPES, csv_chunks, json_chunks, write_xlsx
from portal.bulk.registry import spec_for_model
from portal.bulk.spec import RecordSpec
from portal.models import RecordModel

FORMATS = ("csv", "xlsx", "json")
LABELS = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON"}


class PublicContext(Context):
    """An export context that knows only public records (natural keys of related records)."""

    public_only = True


def _derived_spec(model):
    """A spreadsheet-like format for a record type that has none: its own concrete fields (not
    relations, not the record bookkeeping), keyed by its first unique field."""
    bookkeeping = {f.name for f in RecordModel._meta.local_fields}  # status, version, ...
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not field.is_relation
        and field.name not in bookkeeping
        and field.editable
    ]
    unique = next((f.name for f in fields if f.unique), fields[0].name)
    name = slugify(str(model._meta.verbose_name_plural))
    return RecordSpec(name, model, [FieldColumn(f.name) for f in fields], key=(unique,))


@cache
def public_spec(model):
    """The format of `model`'s public records: its spreadsheet format, or one derived."""
    return spec_for_model(model) or _derived_spec(model)


def public_columns(spec):
    return [column for column in spec.columns if not column.editor_only]


def public_rows(spec, queryset, ctx=None):
    """(headers, rows) of `queryset`'s records in `spec`'s public columns, in primary-key order.

    `queryset` must hold public records only; the rows are made as they are read."""
    keep = [n for n, column in enumerate(spec.columns) if not column.editor_only]
    headers = [spec.columns[n].name for n in keep]
    records = queryset.select_related(None).prefetch_related(None).order_by("pk")
    rows = spec.export_rows(ctx or PublicContext(), records)
    return headers, ([row[n] for n in keep] for row in rows)


def download_response(model, queryset, fmt, filename=None):
    """The download of `queryset` (public records of `model`) as `fmt` (one of FORMATS)."""
    spec = public_spec(model)
    headers, rows = public_rows(spec, queryset)
    filename = f"{filename or spec.name}.{fmt}"
    if fmt == "xlsx":
        target = tempfile.TemporaryFile()  # gone when the response closes it
        write_xlsx(target, [(spec.name, headers, rows)])
        target.seek(0)
        response = FileResponse(target, content_type=CONTENT_TYPES["xlsx"])
    else:
        chunks = csv_chunks(headers, rows) if fmt == "csv" else json_chunks(headers, rows)
        response = StreamingHttpResponse(
            (chunk.encode() for chunk in chunks), content_type=CONTENT_TYPES[fmt]
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download_links(request):
    """[{format, label, content_type, url}]: the downloads of what the request's filters select
    (its query string less the page number)."""
    params = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in ("page", "format")
        for value in values
    ]
    return [
        {
            "format": fmt,
            "label": LABELS[fmt],
            "content_type": CONTENT_TYPES[fmt].split(";")[0],
            "url": "?" + urlencode([*params, ("format", fmt)]),
        }
        for fmt in FORMATS
    ]


def _bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class DownloadableListMixin:
    """A public list whose records can be downloaded: `?format=csv|xlsx|json` answers every
    record the page's filters select (all pages); another format is a 400."""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if not fmt:
            return super().get(request, *args, **kwargs)
        if fmt not in FORMATS:
            # The value is not echoed back: a query string is anybody's to write.
            return _bad_request(f"Unknown format: use one of {', '.join(FORMATS)}.")
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is None:
            queryset = self.get_queryset()
        else:
            filterset = self.get_filterset(filterset_class)
            if not filterset.is_valid():
                names = ", ".join(filterset.errors)
                return _bad_request(
                    f"Invalid filter value in: {names}. The list page without the format "
                    "parameter shows what is wrong; nothing was downloaded."
                )
            queryset = filterset.qs
        return download_response(queryset.model, queryset, fmt)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = context.get("paginator")
        count = paginator.count if paginator is not None else len(context["object_list"])
        context["download_count"] = count
        context["downloads"] = download_links(self.request)
        return context
