"""manage.py export_records <type> [--country LT] [--format csv|xlsx|json] [-o FILE]"""

import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.bulk.cli import WORKBOOK, progress_bar, resolve_spec, type_choices
from portal.bulk.formats import FORMATS
from portal.bulk.services import export_table, export_workbook
from portal.records import country_model


class _Unterminated:
    """self.stdout without the line ending Django's OutputWrapper adds to every write."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        self.stream.write(text, ending="")


class Command(BaseCommand):
    help = (
        "Export records as CSV, XLSX or JSON, written row by row (docs/spreadsheets.md). Type "
        "`workbook` writes one XLSX sheet per record type; with --country, the types tied to "
        "countries, for that country only."
    )

    def add_arguments(self, parser):
        parser.add_argument("type", help=f"one of: {', '.join(type_choices())}")
        parser.add_argument("--country", help="ISO code, e.g. LT: only that country's records")
        parser.add_argument("--format", choices=FORMATS, default=None, help="default: csv")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, country, format, output, **options):
        name = options["type"]
        country_obj = None
        if country:
            country_obj = country_model().objects.filter(iso_code=country.strip().upper()).first()
            if country_obj is None:
                raise CommandError(f"No country with ISO code “{country}”.")
        kind = format or (output.suffix.lstrip(".").lower() if output else "") or "csv"
        if kind not in FORMATS:
            raise CommandError(f"Unknown format “{kind}”; choose csv, xlsx or json.")
        if name == WORKBOOK:
            kind = "xlsx"
        if kind == "xlsx" and output is None:
            raise CommandError("XLSX needs an output file: -o FILE.xlsx")
        spec = None if name == WORKBOOK else resolve_spec(name)
        start = time.perf_counter()
        with progress_bar(self.stderr, description="rows") as bar:
            if output is None:
                try:
                    export_table(
                        spec=spec,
                        target=_Unterminated(self.stdout),
                        kind=kind,
                        country=country_obj,
                        progress=bar.update,
                    )
                except Exception as error:
                    raise CommandError(
                        f"The export failed ({type(error).__name__}: {error}); the output on "
                        "stdout is incomplete."
                    ) from error
            else:
                self.write_file(output, spec, kind, country_obj, bar.update)
            rows = bar.n
        seconds = time.perf_counter() - start
        rate = rows / seconds if seconds else 0
        where = f" to {output}" if output else ""
        self.stderr.write(f"Exported {rows} rows{where} in {seconds:.1f} s ({rate:,.0f} rows/s).")

    def write_file(self, output, spec, kind, country, progress):
        """Write to a temporary file beside `output`, moved into place only when complete: a
        failed export leaves no file that looks like an export (a header and no rows)."""
        fd, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or ".")
        os.close(fd)
        partial = Path(partial)
        try:
            if spec is None:
                export_workbook(target=partial, country=country, progress=progress)
            elif kind == "xlsx":
                export_table(
                    spec=spec, target=partial, kind=kind, country=country, progress=progress
                )
            else:
                with partial.open("w", encoding="utf-8", newline="") as target:
                    export_table(
                        spec=spec, target=target, kind=kind, country=country, progress=progress
                    )
            os.replace(partial, output)
        except Exception as error:
            raise CommandError(
                f"The export failed ({type(error).__name__}: {error}); nothing was written to "
                f"{output}."
            ) from error
        finally:
            partial.unlink(missing_ok=True)
