"""Reading uploaded spreadsheets (CSV, XLSX, JSON) and writing exports row by row.

Every problem with the file as a whole (too big, empty, not a spreadsheet, wrong encoding) raises
FileProblem with a message for the editor. Cells that a spreadsheet program would run as a formula
(starting with = + - @, a tab or a carriage return) are written with a leading apostrophe, which the
reader takes off again.
"""

import codecs
import csv
import io
import json
import zipfile

from django.conf import settings

FORMATS = ("csv", "xlsx", "json")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class FileProblem(Exception):
    """The file cannot be read as a spreadsheet; the message says why, for the editor."""


def max_import_bytes():
    return getattr(settings, "PORTAL_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def escape_formula(text):
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


def unescape_formula(value):
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


class Table:
    """One sheet: its name, header cells and data rows (lists of cells), with row numbers.

    `rows` is an iterable of (spreadsheet row number, [cells]): for CSV and XLSX it reads the
    file as it goes (read once), so the cells of every row are never all in memory at once. A
    problem found while reading raises FileProblem then."""

    def __init__(self, name, headers, rows):
        self.name = name
        self.headers = [str(h).strip() if h is not None else "" for h in headers]
        self.rows = rows


def detect_format(filename, head):
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in ("csv", "json", "xlsx"):
        if extension == "xlsx":
            raise FileProblem("The file is named .xlsx but is not an Excel workbook.")
        return extension
    if head.lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def read_tables(fileobj, filename, *, size=None):
    """[Table] from an uploaded or local file: one for CSV and JSON, one a sheet for XLSX."""
    limit = max_import_bytes()
    if size is not None and size > limit:
        raise FileProblem(
            f"The file is {size / 1e6:.1f} MB; files of at most {limit / 1e6:.1f} MB are accepted."
        )
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise FileProblem(f"The file is larger than the limit of {limit / 1e6:.1f} MB.")
    if not data.strip():
        raise FileProblem("The file is empty.")
    kind = detect_format(filename, data[:8])
    if kind == "xlsx":
        tables = _read_xlsx(data)
    elif kind == "json":
        tables = [_read_json(data)]
    else:
        tables = [_read_csv(data)]
    for table in tables:
        if not any(table.headers):
            raise FileProblem(f"The sheet “{table.name}” has no header row.")
    return tables


def _check_text(data):
    if b"\x00" in data[:4096]:
        raise FileProblem(
            "This is not a spreadsheet: use CSV (UTF-8), Excel (.xlsx) or JSON. "
            "A UTF-16 text file must be saved again as “CSV UTF-8”."
        )
    try:
        codecs.decode(data, "utf-8-sig")  # checked whole, then read as a stream
    except UnicodeDecodeError as error:
        raise FileProblem(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). In Excel choose "
            "“Save as: CSV UTF-8”; in LibreOffice choose the character set “Unicode (UTF-8)”."
        ) from None


def _decode(data):
    _check_text(data)
    return codecs.decode(data, "utf-8-sig")


def _read_csv(data):
    _check_text(data)
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    first_line = text.readline()
    text.seek(0)
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = _csv_rows(csv.reader(text, delimiter=delimiter, strict=True))
    header = next(rows, None)
    if header is None:
        raise FileProblem("The file is empty.")
    return Table("", header[1], rows)


def _csv_rows(reader):
    """(row number, cells) of the non-empty rows, formula escapes taken off, read lazily."""
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if any(c.strip() for c in row):
                yield number, [unescape_formula(c) for c in row]
    except csv.Error as error:
        raise FileProblem(f"The CSV file cannot be read: {error} (row {number + 1}).") from None


def _read_json(data):
    try:
        records = json.loads(_decode(data))
    except json.JSONDecodeError as error:
        raise FileProblem(f"The JSON file cannot be read: {error}.") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise FileProblem("The JSON file must hold a list of objects, one a record.")
    if not records:
        raise FileProblem("The file holds no records.")
    headers = list(dict.fromkeys(key for record in records for key in record))
    rows = [
        (number, [_json_cell(record.get(h)) for h in headers])
        for number, record in enumerate(records, start=1)
    ]
    return Table("", headers, rows)


def _json_cell(value):
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return unescape_formula(value)


def _read_xlsx(data):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileProblem(
            "This is not a readable Excel workbook: use CSV (UTF-8), Excel (.xlsx) or JSON."
        ) from None
    tables = []
    for sheet in workbook.worksheets:
        rows = _xlsx_rows(sheet.iter_rows(values_only=True))
        header = next(rows, None)
        if header is not None:
            tables.append(Table(sheet.title, header[1], rows))
    if not tables:
        workbook.close()
        raise FileProblem("The workbook is empty.")
    return tables


def _xlsx_rows(cells_of_rows):
    """The first non-empty row (the headers, trailing empty cells dropped), then the data rows
    cut to the headers' width, read lazily from the read-only sheet."""
    width = None
    for number, cells in enumerate(cells_of_rows, start=1):
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        if width is None:
            headers = list(cells)
            while headers and (headers[-1] is None or str(headers[-1]).strip() == ""):
                headers.pop()
            width = len(headers)
            yield number, headers
            continue
        yield number, [unescape_formula(c) for c in cells[:width]]


# --- writing ---------------------------------------------------------------------------------


def _safe(cell):
    return escape_formula(cell) if isinstance(cell, str) else cell


class _Echo:
    def write(self, value):
        return value


def csv_chunks(headers, rows):
    """CSV text, one row at a time (for StreamingHttpResponse or a file)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_safe(c) for c in row])


def json_chunks(headers, rows):
    yield "["
    first = True
    for row in rows:
        record = dict(zip(headers, (_safe(c) for c in row), strict=True))
        yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"


def write_xlsx(target, sheets):
    """Write [(sheet name, headers, rows)] to `target` (path or file) with a write-only workbook,
    so memory stays flat whatever the number of rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, headers, rows in sheets:
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append([_safe(c) for c in row])
    workbook.save(target)


def write_text(target, kind, headers, rows):
    chunks = csv_chunks(headers, rows) if kind == "csv" else json_chunks(headers, rows)
    for chunk in chunks:
        target.write(chunk)
