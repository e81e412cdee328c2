"""The downloads part of `make bench`: the CSV download of every public report, as a reader
gets it (`/library/?format=csv` through the test client, the stream read chunk by chunk), at
two volumes, against PostgreSQL's `COPY ... TO` of the same rows (portal.bulk.copy_export).

The smaller volume is the newest reports, selected with the list's own year filter, so both
downloads run on the same tables. Peak memory is Python's
(tracemalloc) while the download is read, in a run of its own: tracing slows the code down, so
the time comes from an untraced run.
"""

import io
import time
import tracemalloc

from django.db import connection
from django.db.models import Count

from library.models import Report
from portal.bulk.copy_export import copy_csv
from portal.bulk.registry import spec_for_model
from portal.bulk.writer import ident

URL = "/library/"


class _Discard(io.TextIOBase):
    def write(self, text):
        return len(text)


def _read(client, query):
    response = client.get(URL, {**query, "format": "csv"})
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


def _download(client, query):
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        size, lines = _read(client, query)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _read(client, query)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "rows": lines - 1,  # the header line; no cell of the generated reports has a line break
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round((lines - 1) / seconds),
        "sql_queries": len(statements),
        "peak_python_mb": round(peak / 1e6, 1),
    }


class _PublicReports:
    """The reports' spreadsheet format, its records narrowed to the public ones and its columns
    to those COPY can render (the authors and alternative titles have no SQL form)."""

    def __init__(self, spec, **narrowed):
        self._spec = spec
        self._narrowed = narrowed
        self.columns = [
            c
            for c in spec.columns
            if (c.sql_aggregate(ident) if c.after_save else c.sql("r", ident)) is not None
        ]
        self.headers = [c.name for c in self.columns]

    def __getattr__(self, name):
        return getattr(self._spec, name)

    def queryset(self, country=None):
        public = Report.objects.public().filter(**self._narrowed).values("pk")
        return self._spec.queryset(country).filter(pk__in=public)


def _copy(spec):
    if connection.vendor != "postgresql":
        return {}
    started = time.perf_counter()
    assert copy_csv(spec, _Discard())
    return {"copy_to_seconds": round(time.perf_counter() - started, 2)}


def _years_from(small):
    """The first year from which the newest public reports number about `small`, or None."""
    total = 0
    years = Report.objects.public().values("year").annotate(n=Count("pk")).order_by("-year")
    for row in years:
        total += row["n"]
        if total >= small:
            return row["year"]
    return None


def measure(client, small, log):
    """{volume: figures} of the download of about `small` public reports (the newest, through
    the list's year filter) and of all of them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results = {}
    year = _years_from(small)
    if year is not None:
        query = {"year_min": year}
        spec = _PublicReports(spec_for_model(Report), year__gte=year)
        results["small"] = {"filter": query, **_download(client, query), **_copy(spec)}
        log(f"downloads, small: {results['small']}")
    spec = _PublicReports(spec_for_model(Report))
    results["copy_to_columns"] = spec.headers
    results["all"] = {**_download(client, {}), **_copy(spec)}
    log(f"downloads, all: {results['all']}")
    if "small" in results:
        small_run, all_run = results["small"], results["all"]
        results["peak_ratio_all_vs_small"] = round(
            all_run["peak_python_mb"] / max(small_run["peak_python_mb"], 0.1), 2
        )
    for run in (results.get("small"), results["all"]):
        if run and run.get("copy_to_seconds"):
            run["copy_to_faster"] = round(run["seconds"] / run["copy_to_seconds"], 1)
    return results
