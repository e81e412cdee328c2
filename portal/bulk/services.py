"""Importing and exporting spreadsheets: the functions the admin and the commands call."""

import time

from django.db import transaction

from .copy_export import copy_csv
from .engine import Context, ImportResult, run_import
from .formats import FileProblem, read_tables, write_text, write_xlsx
from .registry import all_specs, country_specs


def _problem_result(filename, dry_run, message):
    result = ImportResult(filename, dry_run)
    result.problems.append(message)
    return result


def import_file(
    *, spec, fileobj, filename, user=None, dry_run=False, size=None, progress=None, detail_rows=0
):
    """Import one record type from a CSV, JSON or XLSX file (a workbook's sheet named after the
    type, or its only sheet); `detail_rows`: see run_import."""
    start = time.perf_counter()
    try:
        tables = read_tables(fileobj, filename, size=size)
    except FileProblem as problem:
        return _problem_result(filename, dry_run, str(problem))
    if len(tables) > 1:
        named = [table for table in tables if table.name.strip().lower() == spec.name]
        if len(named) != 1:
            sheets = ", ".join(t.name for t in tables)
            return _problem_result(
                filename,
                dry_run,
                f"The workbook has several sheets ({sheets}) and none is named “{spec.name}”.",
            )
        tables = named
    return run_import(
        [(spec, tables[0])],
        user=user,
        dry_run=dry_run,
        filename=filename,
        progress=progress,
        read_seconds=time.perf_counter() - start,
        detail_rows=detail_rows,
    )


def import_workbook(
    *, fileobj, filename, user=None, dry_run=False, size=None, progress=None, detail_rows=0
):
    """Import a workbook with one sheet per record type (e.g. a country workbook) in one step."""
    start = time.perf_counter()
    try:
        tables = read_tables(fileobj, filename, size=size)
    except FileProblem as problem:
        return _problem_result(filename, dry_run, str(problem))
    specs = {spec.name: spec for spec in all_specs()}
    unknown = [t.name for t in tables if t.name.strip().lower() not in specs]
    if unknown:
        return _problem_result(
            filename,
            dry_run,
            f"Unknown sheet(s): {', '.join(unknown)}. Sheets are named after record types: "
            f"{', '.join(specs)}.",
        )
    by_name = {t.name.strip().lower(): t for t in tables}
    pairs = [(spec, by_name[spec.name]) for spec in all_specs() if spec.name in by_name]
    return run_import(
        pairs,
        user=user,
        dry_run=dry_run,
        filename=filename,
        progress=progress,
        read_seconds=time.perf_counter() - start,
        detail_rows=detail_rows,
    )


def table_rows(spec, *, country=None, progress=None):
    """The export rows of one type (optionally one country), read page by page."""
    ctx = Context()
    for row in spec.export_rows(ctx, spec.queryset(country)):
        if progress:
            progress(1)
        yield row


def export_table(*, spec, target, kind, country=None, progress=None):
    """Write one type to `target` (a text file for csv/json, a path or binary file for xlsx).
    CSV on PostgreSQL is one COPY ... TO when every column has an SQL form."""
    if kind == "csv" and copy_csv(spec, target, country=country, progress=progress):
        return
    rows = table_rows(spec, country=country, progress=progress)
    if kind == "xlsx":
        write_xlsx(target, [(spec.name, spec.headers, rows)])
    else:
        write_text(target, kind, spec.headers, rows)


def export_workbook(*, target, country=None, progress=None):
    """A workbook with one sheet per record type; for a country, only the types tied to
    countries, filtered to it."""
    specs = country_specs() if country is not None else all_specs()
    sheets = [
        (spec.name, spec.headers, table_rows(spec, country=country, progress=progress))
        for spec in specs
    ]
    with transaction.atomic():  # one consistent snapshot on PostgreSQL
        write_xlsx(target, sheets)


def template_rows(spec):
    return [(spec.name, spec.headers, [])]


def log_import(*, result, user=None, source):
    """Record a real (not dry-run) import in the import log; returns the ImportLog."""
    from portal.models import ImportLog

    counts = result.counts
    problems = list(result.problems)
    for table in result.tables:
        problems.extend(f"{table.spec.name}: {p}" for p in table.problems)
    return ImportLog.objects.create(
        user=user,
        filename=result.filename[:255],
        record_types=", ".join(t.spec.name for t in result.tables)[:300],
        source=source,
        written=result.written,
        rows=result.rows,
        seconds=round(result.seconds, 3),
        problems="\n".join(problems),
        **counts,
    )
