"""manage.py import_records <type> <file> [--dry-run] [--as USER]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.bulk.cli import WORKBOOK, progress_bar, resolve_spec, resolve_user, type_choices
from portal.bulk.services import import_file, import_workbook, log_import


class Command(BaseCommand):
    help = (
        "Import records from a CSV, XLSX or JSON file (docs/spreadsheets.md). All or nothing: "
        "one invalid row and nothing is written. Type `workbook` imports a workbook with one "
        "sheet per record type (e.g. a country workbook) in one step."
    )

    def add_arguments(self, parser):
        parser.add_argument("type", help=f"one of: {', '.join(type_choices())}")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report every row, write nothing"
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="import as this user: their countries and roles apply, history names them",
        )

    def handle(self, *args, type, file, dry_run, username, **options):
        spec = None if type == WORKBOOK else resolve_spec(type)
        user = resolve_user(username)
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        with file.open("rb") as fileobj, progress_bar(self.stderr, description="rows") as bar:
            kwargs = {
                "fileobj": fileobj,
                "filename": file.name,
                "user": user,
                "dry_run": dry_run,
                "size": file.stat().st_size,
                "progress": bar.update,
            }
            if spec is None:
                result = import_workbook(**kwargs)
            else:
                result = import_file(spec=spec, **kwargs)
        self.report(result)
        if not dry_run:
            log_import(result=result, user=user, source="command")
        if not result.valid:
            raise CommandError("The file was refused: nothing was written.")
        verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {result.summary()}"))

    def report(self, result):
        for problem in result.problems:
            self.stderr.write(f"{result.filename}: {problem}")
        for table in result.tables:
            where = table.spec.name
            for problem in table.problems:
                self.stderr.write(f"{where}: {problem}")
            for row in table.invalid_rows:
                for column, message in row.errors:
                    self.stderr.write(
                        f"{where} row {row.number}, column {column or '-'}: {message}"
                    )
            suspect = table.suspect_rows
            if suspect:
                numbers = ", ".join(str(row.number) for row in suspect[:20])
                more = " …" if len(suspect) > 20 else ""
                self.stderr.write(
                    f"{where}: warning: {len(suspect)} row(s) have text that looks mis-decoded "
                    f"(UTF-8 read as Latin-1 or Windows-1252), rows {numbers}{more}. Check the "
                    "file's character set."
                )
            counts = ", ".join(f"{n} {o}" for o, n in table.counts.items())
            self.stdout.write(f"{where}: {counts}")
