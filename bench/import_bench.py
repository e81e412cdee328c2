"""Benchmark of the spreadsheet import/export fast path (`make bench-import`; not part of CI).

Runs on a scratch PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_bench_import, created if missing; its records are
deleted). In one run it measures:

- our `import_records` command on 100,000 initiative rows (CSV, then XLSX) across 200 countries,
  with themes and organisations: seconds, rows/s, peak memory (of the command's own process),
  and that every row got a history entry;
- the same first 20,000 rows through a plain django-import-export ModelResource (defaults);
- PostgreSQL COPY of the same 100,000 rows into a scratch table (the physical floor);
- our `export_records` command for 10,000 and 100,000 rows (time, peak memory) against
  COPY ... TO STDOUT.

Usage: .venv/bin/python bench/import_bench.py [--rows 100000] [--sample 20000]
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_import"
HEADER = [
    "country",
    "title",
    "year",
    "timeline",
    "body",
    "themes",
    "organisations",
    "source_name",
    "source_url",
    "status",
]
COUNTRIES, ORGANISATIONS, THEMES = 200, 1000, 12
ROLES = ("lead", "partner", "funder")
WORDS = (
    "children online safety hotline awareness campaign schools teachers parents police "
    "reporting abuse material platforms training strategy helpline research youth"
).split()


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- child: one command in its own process, so its peak memory is its own ---------------------


def child(args):
    setup_django(os.environ["BENCH_DATABASE_URL"])
    from django.conf import settings
    from django.core.management import call_command

    limit = os.environ.get("PORTAL_IMPORT_MAX_BYTES")
    if limit:  # the files are larger than the default limit for uploads
        settings.PORTAL_IMPORT_MAX_BYTES = int(limit)
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        try:
            call_command(*args, stdout=quiet, stderr=quiet)
            ok = True
        except Exception as error:  # reported, not raised: the parent prints it
            ok = str(error)
    sys.stdout.write(
        json.dumps({"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "ok": ok}) + "\n"
    )


def run_child(url, *args):
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- data -------------------------------------------------------------------------------------


def iso(n):
    return chr(65 + n // 26) + chr(65 + n % 26)


def reference_data():
    from django.core.management import call_command

    from profiles.models import Country, Organisation, Theme

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    Country.objects.bulk_create(
        Country(iso_code=iso(n), name=f"Country {n}", slug=f"country-{n}", status="published")
        for n in range(COUNTRIES)
    )
    Theme.objects.bulk_create(Theme(name=f"Theme {n}", slug=f"theme-{n}") for n in range(THEMES))
    Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {n}", slug=f"organisation-{n}", status="published")
        for n in range(ORGANISATIONS)
    )


def rows(count):
    for n in range(count):
        body = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(40))
        themes = f"Theme {n % THEMES}; Theme {(n + 5) % THEMES}"
        orgs = "; ".join(
            f"Organisation {(n * 3 + k) % ORGANISATIONS} ({ROLES[k]})" for k in range(n % 3 + 1)
        )
        yield [
            iso(n % COUNTRIES),
            f"Initiative {n} on {WORDS[n % len(WORDS)]}",
            str(1990 + n % 35),
            "national" if n % 2 else "law_enforcement",
            body,
            themes,
            orgs,
            "Country page",
            f"https://example.org/source/{n}",
            "draft",
        ]


def write_files(folder, count):
    from portal.bulk.formats import write_xlsx

    csv_path, xlsx_path = folder / "initiatives.csv", folder / "initiatives.xlsx"
    with csv_path.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(HEADER)
        writer.writerows(rows(count))
    write_xlsx(xlsx_path, [("initiatives", HEADER, rows(count))])
    return csv_path, xlsx_path


def clear_initiatives():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE profiles_initiative, profiles_historicalinitiative, "
            "profiles_initiative_themes, profiles_initiativeorganisation, "
            "profiles_historicalinitiativeorganisation CASCADE"
        )
        cursor.execute("DELETE FROM modelsearch_indexentry")
        cursor.execute("DELETE FROM portal_importlog")


def keep_up_to(count):
    """Delete all initiatives but the first `count`, in SQL (no per-row signals)."""
    from django.db import connection

    from profiles.models import Initiative

    last = Initiative.objects.order_by("pk").values_list("pk", flat=True)[count - 1]
    with connection.cursor() as cursor:
        for table in ("profiles_initiative_themes", "profiles_initiativeorganisation"):
            cursor.execute(f"DELETE FROM {table} WHERE initiative_id > %s", [last])
        cursor.execute("DELETE FROM profiles_initiative WHERE id > %s", [last])


def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- measurements -----------------------------------------------------------------------------


def plain_resource(sample):
    """The same rows through django-import-export's plain ModelResource, default settings."""
    import tablib
    from django.db.models.signals import post_save
    from django.utils.text import slugify
    from import_export import resources
    from modelsearch.signal_handlers import post_save_signal_handler

    from profiles.models import Country, Initiative, Theme

    class PlainInitiativeResource(resources.ModelResource):
        class Meta:
            model = Initiative

    countries = dict(Country.objects.values_list("iso_code", "pk"))
    themes = dict(Theme.objects.values_list("name", "pk"))
    data = tablib.Dataset(
        headers=["country", "title", "year", "slug", "timeline", "body", "themes", "status"]
    )
    for n, row in enumerate(rows(sample)):
        theme_ids = ",".join(str(themes[t.strip()]) for t in row[5].split(";"))
        data.append(
            [
                countries[row[0]],
                row[1],
                row[2],
                slugify(f"{n} {row[1]}"),
                row[3],
                row[4],
                theme_ids,
                row[9],
            ]
        )
    # The portal's search index is updated on every save (about a second a row on a large
    # index): measured without it, django-import-export's own row-by-row cost only.
    post_save.disconnect(post_save_signal_handler, sender=Initiative)
    try:
        start = time.perf_counter()
        result = PlainInitiativeResource().import_data(data, dry_run=False, raise_errors=True)
        seconds = time.perf_counter() - start
    finally:
        post_save.connect(post_save_signal_handler, sender=Initiative)
    assert not result.has_errors() and not result.has_validation_errors()
    return {"rows": sample, "seconds": seconds, "rows_per_s": sample / seconds}


def copy_in(csv_path, count):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TABLE bench_copy (country text, title text, year int, timeline text, "
            "body text, themes text, organisations text, source_name text, source_url text, "
            "status text)"
        )
        start = time.perf_counter()
        with (
            csv_path.open("rb") as source,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == count
        cursor.execute("DROP TABLE bench_copy")
    return {"rows": count, "seconds": seconds, "rows_per_s": count / seconds}


def copy_out(limit):
    from django.db import connection

    sql = (
        "COPY (SELECT c.iso_code, i.title, i.year, i.slug, i.timeline, i.start_year, "
        "i.start_month, i.end_year, i.end_month, i.body, i.source_name, i.source_url, i.status "
        "FROM profiles_initiative i JOIN profiles_country c ON c.id = i.country_id "
        f"ORDER BY i.id LIMIT {int(limit)}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    )
    with connection.cursor() as cursor, tempfile.TemporaryFile() as target:
        start = time.perf_counter()
        with cursor.copy(sql) as copy:
            for chunk in copy:
                target.write(chunk)
        seconds = time.perf_counter() - start
    return {"rows": limit, "seconds": seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.child:
        return child(args.child)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup_django(url)
    from profiles.models import Initiative

    out = {"database": url.rsplit("@", 1)[-1], "rows": args.rows}
    say(f"Scratch database {out['database']}: reference data ...")
    reference_data()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    csv_path, xlsx_path = write_files(folder, args.rows)
    out["file_mb"] = {
        "csv": round(csv_path.stat().st_size / 1e6, 1),
        "xlsx": round(xlsx_path.stat().st_size / 1e6, 1),
    }
    limit = str(200 * 1024 * 1024)
    os.environ["PORTAL_IMPORT_MAX_BYTES"] = limit

    for kind, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        clear_initiatives()
        say(f"import_records {kind} ...")
        measured = run_child(url, "import_records", "initiatives", str(path))
        assert measured["ok"] is True, measured
        assert Initiative.objects.count() == args.rows
        history = Initiative.history.filter(history_type="+").count()
        measured.update(rows_per_s=args.rows / measured["seconds"], history_rows=history)
        out[f"ours_import_{kind}"] = measured

    say("export_records ...")
    # 10k vs 100k peak memory: export from a database holding 10k, then 100k rows.
    exports, small = {}, args.rows // 10
    exports[args.rows] = run_child(
        url, "export_records", "initiatives", "-o", str(folder / "out-all.csv")
    )
    exports[args.rows]["copy_to_seconds"] = copy_out(args.rows)["seconds"]
    keep_up_to(small)
    exports[small] = run_child(
        url, "export_records", "initiatives", "-o", str(folder / "out-10k.csv")
    )
    exports[small]["copy_to_seconds"] = copy_out(small)["seconds"]
    out["ours_export"] = {str(k): v for k, v in exports.items()}

    clear_initiatives()
    say(f"plain ModelResource, {args.sample} rows ...")
    out["plain_resource"] = plain_resource(args.sample)
    clear_initiatives()
    say("COPY ...")
    out["copy"] = copy_in(csv_path, args.rows)

    ours = out["ours_import_csv"]
    out["ratios"] = {
        "ours_vs_plain_rows_per_s": ours["rows_per_s"] / out["plain_resource"]["rows_per_s"],
        "ours_vs_copy_time": ours["seconds"] / out["copy"]["seconds"],
        "export_vs_copy_to_time": exports[args.rows]["seconds"]
        / exports[args.rows]["copy_to_seconds"],
        "export_peak_all_vs_tenth": exports[args.rows]["peak_mb"] / exports[small]["peak_mb"],
    }
    say(json.dumps(out, indent=2))
    report = ROOT / "artifacts" / "bench-import.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps(out, indent=2) + "\n")
    say(f"Written to {report.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
