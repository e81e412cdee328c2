"""Spreadsheet import and export of every record type (docs/spreadsheets.md).

`services` is the entry point: import_file / import_workbook (all or nothing, with a dry run for
the preview) and export_table / export_workbook (streamed, formula-safe).
"""
