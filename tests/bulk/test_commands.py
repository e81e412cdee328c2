import csv
import io
import json
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, DataError, connection, reset_queries
from django.db.backends.utils import CursorDebugWrapper

from portal.bulk import copy_export
from portal.bulk.registry import get_spec
from portal.management.commands import export_records
from portal.models import ImportLog
from profiles.models import Initiative
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory, InitiativeFactory

from .helpers import csv_bytes

pytestmark = pytest.mark.django_db


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_command_dry_run_writes_nothing_then_imports_as_a_user(tmp_path, lt):
    editor = make_member("Editor", lt, username="ona")
    path = tmp_path / "initiatives.csv"
    path.write_bytes(
        csv_bytes([["country", "title", "year", "body"], ["LT", "Hotline", "2005", "Opened."]])
    )
    out, err = call("import_records", "initiatives", str(path), "--dry-run", "--as", "ona")
    assert "dry run" in out and "1 new" in out
    assert not Initiative.objects.exists() and not ImportLog.objects.exists()
    out, err = call("import_records", "initiatives", str(path), "--as", "ona")
    assert "Imported: 1 rows: 1 new, 0 updated, 0 unchanged, 0 invalid" in out
    assert "rows/s" in out and "rows" in err  # summary and progress bar
    initiative = Initiative.objects.get()
    assert initiative.history.get().history_user == editor
    log = ImportLog.objects.get()
    assert (log.user, log.filename, log.new, log.written, log.source) == (
        editor,
        "initiatives.csv",
        1,
        True,
        "command",
    )


def test_import_command_lists_bad_rows_and_fails(tmp_path, lt):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [["country", "title", "year", "body"], ["LT", "A", "x", "B"], ["ZZ", "C", "1", "D"]]
        )
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call("import_records", "initiatives", str(path))
    log = ImportLog.objects.get()
    assert not log.written and log.invalid == 2


def test_import_command_rejects_unknown_type_and_user(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    with pytest.raises(CommandError, match="Unknown record type"):
        call("import_records", "nothing", str(path))
    with pytest.raises(CommandError, match="No user named"):
        call("import_records", "initiatives", str(path), "--as", "ghost")


def test_export_command_formats_and_country_filter(tmp_path, lt):
    InitiativeFactory(country=lt, title="Lithuanian")
    InitiativeFactory(country=CountryFactory(iso_code="LV"), title="Latvian")
    target = tmp_path / "lt.json"
    out, err = call("export_records", "initiatives", "--country", "lt", "-o", str(target))
    records = json.loads(target.read_text())
    assert [r["title"] for r in records] == ["Lithuanian"]
    assert "Exported 1 rows" in err
    out, err = call("export_records", "initiatives", "--format", "csv")
    assert "Lithuanian" in out and "Latvian" in out
    book = tmp_path / "lt.xlsx"
    call("export_records", "workbook", "--country", "LT", "-o", str(book))
    out, err = call("import_records", "workbook", str(book), "--dry-run")
    assert "initiatives: 0 new, 0 updated, 1 unchanged, 0 invalid" in out
    with pytest.raises(CommandError, match="No country"):
        call("export_records", "initiatives", "--country", "QQ")


def test_export_csv_command_runs_under_the_debug_cursor(tmp_path, lt):
    """DEBUG (the default settings of manage.py) wraps every cursor in CursorDebugWrapper, whose
    copy() takes the statement alone; force_debug_cursor makes the connection hand it out."""
    InitiativeFactory(country=lt, title="Under debug", year=2004)
    target = tmp_path / "debug.csv"
    connection.force_debug_cursor = True
    try:
        with connection.cursor() as cursor:
            assert isinstance(cursor, CursorDebugWrapper)
        reset_queries()
        call("export_records", "initiatives", "--format", "csv", "-o", str(target))
        out, _ = call("export_records", "initiatives", "--format", "csv")
        statements = [query["sql"] for query in connection.queries]
    finally:
        connection.force_debug_cursor = False
    if connection.vendor == "postgresql":
        assert any(sql.startswith("COPY (WITH records") for sql in statements)
    for text in (target.read_text(encoding="utf-8"), out):
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert rows[0][:3] == ["country", "title", "year"]
        assert [row[:3] for row in rows[1:]] == [["LT", "Under debug", "2004"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_export_and_import_commands_under_the_default_settings(tmp_path, lt):
    """manage.py as an editor runs it: its default settings module (portal.settings.dev, DEBUG
    on), in a process of its own, on this test database."""
    InitiativeFactory(country=lt, title="From the shell", year=2006, body="Body.")
    db = connection.settings_dict
    url = (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url}
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "REDIS_URL"):
        env.pop(name, None)
    target = tmp_path / "shell.csv"

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    export = manage("export_records", "initiatives", "--format", "csv", "-o", str(target))
    assert export.returncode == 0, export.stderr
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert [row[:3] for row in rows[1:]] == [["LT", "From the shell", "2006"]]
    again = manage("import_records", "initiatives", str(target), "--dry-run")
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 updated, 1 unchanged, 0 invalid" in again.stdout


def test_a_failed_export_says_so_and_leaves_no_file(tmp_path, lt, monkeypatch):
    InitiativeFactory(country=lt)
    target = tmp_path / "broken.csv"

    def broken(*, target, **kwargs):
        target.write("country,title\n")
        raise DatabaseError("connection lost")

    monkeypatch.setattr(export_records, "export_table", broken)
    with pytest.raises(CommandError, match="connection lost.*nothing was written to"):
        call("export_records", "initiatives", "-o", str(target))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(CommandError, match="stdout is incomplete"):
        call("export_records", "initiatives")


@pytest.mark.postgres
def test_a_refused_copy_statement_writes_not_even_the_header(lt, monkeypatch):
    InitiativeFactory(country=lt)
    monkeypatch.setattr(
        copy_export, "copy_statement", lambda spec, country: ("COPY (SELECT 1/0) TO STDOUT", [])
    )
    target = io.StringIO()
    with pytest.raises(DataError, match="division by zero"):
        copy_export.copy_csv(get_spec("initiatives"), target)
    assert target.getvalue() == ""
