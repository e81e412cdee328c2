import csv
import io
import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from portal.bulk.registry import get_spec
from portal.bulk.services import export_table, import_file

# The initiative columns most bulk tests use.
INITIATIVE_HEADER = ["country", "title", "year", "body", "themes", "organisations", "status"]


def csv_bytes(rows):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def xlsx_bytes(sheets):
    """sheets: {title: rows}"""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def run(type_name, data, filename="file.csv", **kwargs):
    return import_file(
        spec=get_spec(type_name), fileobj=io.BytesIO(data), filename=filename, **kwargs
    )


def exported(type_name, kind="csv", country=None):
    spec = get_spec(type_name)
    if kind == "xlsx":
        target = io.BytesIO()
        export_table(spec=spec, target=target, kind=kind, country=country)
        return target.getvalue()
    target = io.StringIO()
    export_table(spec=spec, target=target, kind=kind, country=country)
    return target.getvalue().encode()


def exported_records(type_name, kind="json"):
    return json.loads(exported(type_name, kind))


def errors_of(result):
    return [
        (row.number, column, message)
        for table in result.tables
        for row in table.invalid_rows
        for column, message in row.errors
    ]


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOKEN_INPUT = re.compile(r'name="token" value="([^"]+)"')


def csrf_token_of(response):
    """The CSRF token of the form on a page, as a browser would send it back."""
    found = _CSRF_INPUT.search(response.content.decode())
    assert found, "the page has no form with a CSRF token"
    return found[1]


def preview_token_of(response):
    found = _TOKEN_INPUT.search(response.content.decode())
    return found[1] if found else None


class ImportPage:
    """An admin "Spreadsheet import" page driven as a browser does, for a client with CSRF
    checks on: every POST carries the token of the page it is sent from."""

    def __init__(self, client, url):
        self.client = client
        self.url = url

    def upload(self, data, name="i.csv"):
        form = self.client.get(self.url)
        assert form.status_code == 200
        upload = SimpleUploadedFile(name, data)
        return self.client.post(
            self.url, {"csrfmiddlewaretoken": csrf_token_of(form), "file": upload}
        )

    def submit(self, preview, action="confirm", **kwargs):
        """Press "Confirm import" (or "Cancel") on the preview page `preview`."""
        token = preview_token_of(preview)
        assert token, "the preview offers no confirmation"
        data = {"csrfmiddlewaretoken": csrf_token_of(preview), "token": token, action: "1"}
        return self.client.post(self.url, data, **kwargs)


def rows_of(preview):
    """{row number: RowResult} of the rows a preview page lists."""
    return {row.number: row for item in preview.context["tables"] for row in item["rows"]}
