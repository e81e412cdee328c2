import csv
import io
import json

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
