import io
import json

import pytest
from django.core.management import CommandError, call_command

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
