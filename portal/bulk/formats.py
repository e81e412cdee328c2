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
import math
import re
import zipfile

from django.conf import settings

FORMATS = ("csv", "xlsx", "json")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_MAX_BYTES = 50_000_000  # 50 MB, as the messages and docs count it
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class FileProblem(Exception):
    """The file cannot be read as a spreadsheet; the message says why, for the editor."""


def max_import_bytes():
    return getattr(settings, "PORTAL_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def size_text(size, *, round_up=False):
    """'50 MB', '52.43 MB', '800 kB', '10 bytes': decimal units, as spreadsheet programs show.

    A file's own size is rounded up, so a file just over the limit never reads as equal to it.
    """
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= factor:
            value = size / factor
            value = math.ceil(value * 100) / 100 if round_up else round(value, 2)
            return f"{value:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"


def too_large(size, limit):
    return f"The file is {size_text(size, round_up=True)}; at most {size_text(limit)} are accepted."


def escape_formula(text):
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


class Verbatim(str):
    """The text of a cell an export escaped: kept exactly, surrounding whitespace too (a title
    that starts with a tab comes back as it was written, so it still matches its record)."""


def unescape_formula(value):
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return Verbatim(value[1:])
    return value


class Table:
    """One sheet: its name, header cells and data rows (lists of cells), with row numbers.

    `rows` is an iterable of (spreadsheet row number, [cells]): for CSV and XLSX it reads the
    file as it goes (read once), so the cells of every row are never all in memory at once. A
    problem found while reading raises FileProblem then.

    A row with a value beyond the header is always wrong (it belongs to no column). With
    `exact_width` (CSV) every row must have exactly as many cells as the header: in a text file
    a separator too many or too few shifts every later cell into the wrong column, even when
    the cells beyond the header are empty, while a sheet keeps each cell in its column."""

    def __init__(self, name, headers, rows, *, exact_width=False):
        self.name = name
        self.headers = [str(h).strip() if h is not None else "" for h in headers]
        self.rows = rows
        self.exact_width = exact_width


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
        raise FileProblem(too_large(size, limit))
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise FileProblem(f"The file is larger than the limit of {size_text(limit)}.")
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
    return Table("", header[1], rows, exact_width=True)


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


def _blank(cell):
    return cell is None or str(cell).strip() == ""


def _xlsx_rows(cells_of_rows):
    """The first non-empty row (the headers, trailing empty cells dropped), then the data rows
    without their empty cells beyond the headers' width (a value there is kept, so that the
    row is refused rather than the value lost), read lazily from the read-only sheet."""
    width = None
    for number, cells in enumerate(cells_of_rows, start=1):
        if not any(not _blank(c) for c in cells):
            continue
        cells = list(cells)
        if width is None:
            while cells and _blank(cells[-1]):
                cells.pop()
            width = len(cells)
            yield number, cells
            continue
        while len(cells) > width and _blank(cells[-1]):
            cells.pop()
        yield number, [unescape_formula(c) for c in cells]


# --- text that looks mis-decoded ------------------------------------------------------------
#
# A UTF-8 file opened as Latin-1 or Windows-1252 (LibreOffice's "Western Europe" character set)
# and saved again turns each non-ASCII letter into two or three characters: "ų" (bytes C5 B3)
# becomes "Å³", "ė" becomes "Ä—", "“" becomes "â€œ". Such a run is a lead character (the byte of
# a UTF-8 sequence start, U+00C2-U+00F4 in both character sets) followed by characters standing
# for continuation bytes (0x80-0xBF), and mapped back to bytes it is valid UTF-8. ftfy's
# detector is built to avoid false alarms and lets common Lithuanian ones through ("KlaipÄ—da",
# "Å\xa0iauliai"); this is a warning for a person to look at, so the exact test is used.


def _byte_chars():
    chars = {}
    for byte in range(0x80, 0xC0):
        chars[chr(byte)] = byte  # Latin-1: the C1 controls for 0x80-0x9F
        try:
            chars[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:
            pass  # 0x81, 0x8D, 0x8F, 0x90, 0x9D have no Windows-1252 character
    return chars


_CONTINUATION = _byte_chars()
_LEAD = {chr(byte): byte for byte in range(0xC2, 0xF5)}
_BYTES = {**_CONTINUATION, **_LEAD}
_RUN = re.compile(
    f"[{re.escape(''.join(_LEAD))}][{re.escape(''.join(_CONTINUATION))}]{{1,3}}|\ufffd"
)


def misdecoded(text):
    """The text as it was probably meant when it looks like UTF-8 read as Latin-1 or
    Windows-1252 ("Vaikų" for "VaikÅ³"; unchanged where a character was lost on the way, such as
    the replacement character U+FFFD), or None when it looks fine."""
    if not isinstance(text, str) or text.isascii() or not _RUN.search(text):
        return None
    found = False

    def repair(match):
        nonlocal found
        run = match.group()
        if run == "\ufffd":
            found = True
            return run
        size = 2 if run[0] <= "\u00df" else 3 if run[0] <= "\u00ef" else 4
        if len(run) < size:
            return run
        try:
            char = bytes(_BYTES[c] for c in run[:size]).decode("utf-8")
        except UnicodeDecodeError:
            return run
        found = True
        return char + run[size:]

    repaired = _RUN.sub(repair, text)
    return repaired if found else None


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
