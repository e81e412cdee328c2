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

"Import time" is the whole command: reading the file, validating every row, writing (records,
relations, history, the commit) and the search indexing after the commit; the command's summary
gives each step, and the figures without the indexing step are reported too. The summary goes to
bench-out/import_summary.txt and .json.

Usage: .venv/bin/python bench/import_bench.py [--rows 100000] [--sample 20000] [--out DIR]
"""

import argparse
import contextlib
import csv
import io
import json
import os
import re
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
    out = io.StringIO()
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        try:
            call_command(*args, stdout=out, stderr=quiet)
            ok = True
        except Exception as error:  # reported, not raised: the parent prints it
            ok = str(error)
    measured = {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "ok": ok}
    # import_records' summary ends with "(seconds: read 0.10, validate 5.05, write 11.64, ...)"
    steps = re.search(r"\(seconds: ([^)]*)\)", out.getvalue())
    if steps:
        measured["steps"] = {
            name: float(value)
            for name, value in (part.split() for part in steps.group(1).split(", "))
        }
    sys.stdout.write(json.dumps(measured) + "\n")


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
            "published" if n % 2 else "draft",  # half of them public: in the search index
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
            "profiles_initiative_themes, profiles_historicalinitiative_themes, "
            "profiles_initiativeorganisation, profiles_historicalinitiativeorganisation CASCADE"
        )
        cursor.execute("DELETE FROM search_entry")
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


@contextlib.contextmanager
def without_search_signals():
    """Model signals reach no search-index receiver (portal.search's) inside."""
    from django.db.models import signals

    def is_search(receiver):
        module = getattr(receiver, "__module__", "") or ""
        return module.startswith("portal.search")

    patched = []
    for signal in (signals.post_save, signals.post_delete, signals.m2m_changed):
        original = signal._live_receivers

        def live(sender, _original=original):
            sync, asynchronous = _original(sender)
            return [r for r in sync if not is_search(r)], [
                r for r in asynchronous if not is_search(r)
            ]

        signal._live_receivers = live
        patched.append(signal)
    try:
        yield
    finally:
        for signal in patched:
            del signal._live_receivers  # back to the class's method


def plain_resource(sample):
    """The same rows through django-import-export's plain ModelResource, default settings."""
    import tablib
    from django.utils.text import slugify
    from import_export import resources

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
    # Measured without the search index's per-save signals: django-import-export's own
    # row-by-row cost only (ours is compared with and without its search indexing step).
    with without_search_signals():
        start = time.perf_counter()
        # in one transaction, as it ran when the project set IMPORT_EXPORT_USE_TRANSACTIONS
        result = PlainInitiativeResource().import_data(
            data, dry_run=False, raise_errors=True, use_transactions=True
        )
        seconds = time.perf_counter() - start
    assert not result.has_errors() and not result.has_validation_errors()
    return {"rows": sample, "seconds": seconds, "rows_per_s": sample / seconds}


def history_counts(rows_count):
    """History written by the import: one "+" entry per initiative, its themes in the m2m
    history of that entry, one "+" entry per organisation role."""
    from portal.bulk.writer import m2m_history_model
    from profiles.models import Initiative, InitiativeOrganisation

    history = Initiative.history.model
    themes_history = m2m_history_model(Initiative, Initiative._meta.get_field("themes"))
    counts = {
        "initiatives": Initiative.objects.count(),
        "initiative_history_plus": history.objects.filter(history_type="+").count(),
        "initiatives_without_history": Initiative.objects.exclude(
            pk__in=history.objects.values("id")
        ).count(),
        "theme_links": Initiative.themes.through.objects.count(),
        "theme_links_in_history": themes_history.objects.count(),
        "organisation_roles": InitiativeOrganisation.objects.count(),
        "organisation_role_history_plus": InitiativeOrganisation.history.filter(
            history_type="+"
        ).count(),
    }
    counts["complete"] = (
        counts["initiatives"] == rows_count
        and counts["initiative_history_plus"] == rows_count
        and counts["initiatives_without_history"] == 0
        and counts["theme_links_in_history"] == counts["theme_links"]
        and counts["organisation_role_history_plus"] == counts["organisation_roles"]
    )
    return counts


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


# Every table the CSV import writes to (the search index last: written after the commit).
WRITTEN_TABLES = (
    "profiles_initiative",
    "profiles_historicalinitiative",
    "profiles_initiative_themes",
    "profiles_historicalinitiative_themes",
    "profiles_initiativeorganisation",
    "profiles_historicalinitiativeorganisation",
)
INDEX_TABLES = ("search_entry",)


def copy_floor_written():
    """COPY of every row the import wrote, table by table, back into scratch copies of those
    tables: bare (no indexes) and with the same indexes. The physical floor of writing what the
    import writes (still without foreign-key checks, validation or computed search vectors)."""
    from django.db import connection
    from psycopg import sql

    result = {"tables": {}}
    with connection.cursor() as cursor, tempfile.TemporaryDirectory() as folder:
        for table in WRITTEN_TABLES + INDEX_TABLES:
            dump = Path(folder) / f"{table}.bin"
            with dump.open("wb") as target:
                query = sql.SQL("COPY {} TO STDOUT WITH (FORMAT binary)").format(
                    sql.Identifier(table)
                )
                with cursor.copy(query.as_string(cursor.connection)) as copy:
                    for chunk in copy:
                        target.write(chunk)
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - constant names
            rows = cursor.fetchone()[0]
            timings = {}
            for variant, like in (("bare", "INCLUDING DEFAULTS"), ("indexed", "INCLUDING ALL")):
                scratch = sql.Identifier(f"bench_floor_{table}")
                cursor.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}").format(scratch).as_string(cursor.connection)
                )
                cursor.execute(
                    sql.SQL("CREATE TABLE {} (LIKE {} " + like + ")")
                    .format(scratch, sql.Identifier(table))
                    .as_string(cursor.connection)
                )
                start = time.perf_counter()
                copy_in_sql = sql.SQL("COPY {} FROM STDIN WITH (FORMAT binary)").format(scratch)
                with (
                    dump.open("rb") as source,
                    cursor.copy(copy_in_sql.as_string(cursor.connection)) as copy,
                ):
                    while chunk := source.read(1 << 20):
                        copy.write(chunk)
                timings[variant] = time.perf_counter() - start
                cursor.execute(
                    sql.SQL("DROP TABLE {}").format(scratch).as_string(cursor.connection)
                )
            result["tables"][table] = {"rows": rows, **timings}
    tables = result["tables"]
    for variant in ("bare", "indexed"):
        records = sum(tables[t][variant] for t in WRITTEN_TABLES)
        result[f"{variant}_seconds"] = records
        result[f"{variant}_seconds_with_search_index"] = records + sum(
            tables[t][variant] for t in INDEX_TABLES
        )
    result["rows"] = sum(tables[t]["rows"] for t in WRITTEN_TABLES)
    return result


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


TARGETS = {
    "ours_vs_plain_rows_per_s": ("at least", 10),
    "ours_vs_copy_time": ("at most", 8),
    "import_peak_mb": ("under", 500),
    "export_vs_copy_to_time": ("at most", 3),
    "export_peak_all_vs_tenth": ("about (flat)", 1),
}


def summary_text(out):
    """The human-readable summary of one run (bench-out/import_summary.txt)."""
    n, ratios = out["rows"], out["ratios"]
    lines = [
        f"Spreadsheet import/export benchmark, {out['when']}, database {out['database']}",
        f"{n:,} initiative rows across {COUNTRIES} countries, {ORGANISATIONS} organisations, "
        f"{THEMES} themes; files: CSV {out['file_mb']['csv']} MB, XLSX {out['file_mb']['xlsx']} MB",
        f"load average at start / end: {out['load_start']} / {out['load_end']} "
        f"({os.cpu_count()} cores; other work on the machine makes times noisy: read the ratios)",
        "",
        "import time = the whole import_records command: read + validate + write (records, "
        "relations, history, commit) + search indexing after the commit; steps in seconds:",
    ]
    for kind in ("csv", "xlsx"):
        m = out[f"ours_import_{kind}"]
        steps = ", ".join(f"{k} {v:.2f}" for k, v in m.get("steps", {}).items())
        lines.append(
            f"  ours {kind.upper():4}: {m['seconds']:.1f} s, {m['rows_per_s']:,.0f} rows/s, "
            f"peak {m['peak_mb']:.0f} MB; without search indexing {m['seconds_without_index']:.1f}"
            f" s ({m['rows_per_s_without_index']:,.0f} rows/s) [{steps}]"
        )
    h = out["history"]
    lines += [
        f"  history after the CSV import: {h['initiative_history_plus']:,} initiative entries for "
        f"{h['initiatives']:,} initiatives ({h['initiatives_without_history']} without), "
        f"{h['theme_links_in_history']:,} theme rows in their m2m history for "
        f"{h['theme_links']:,} theme links, {h['organisation_role_history_plus']:,} organisation "
        f"role entries for {h['organisation_roles']:,} roles: "
        f"{'complete' if h['complete'] else 'INCOMPLETE'}",
        "",
        f"plain django-import-export ModelResource, {out['plain_resource']['rows']:,} rows "
        f"(no search signals): {out['plain_resource']['seconds']:.1f} s, "
        f"{out['plain_resource']['rows_per_s']:,.0f} rows/s",
        f"PostgreSQL COPY of the {n:,} CSV rows into a scratch table: "
        f"{out['copy']['seconds']:.2f} s",
        f"COPY of all {out['copy_written']['rows']:,} rows the CSV import wrote (records, links, "
        f"history), table by table: {out['copy_written']['bare_seconds']:.2f} s into bare "
        f"tables, {out['copy_written']['indexed_seconds']:.2f} s with their indexes; with the "
        f"search index rows too: {out['copy_written']['indexed_seconds_with_search_index']:.2f} s",
        "",
        "export_records (CSV, all columns) vs COPY ... TO STDOUT of the initiative columns with "
        "the country code (no theme or organisation lists):",
    ]
    for count, m in out["ours_export"].items():
        lines.append(
            f"  {int(count):>7,} rows: {m['seconds']:.1f} s, peak {m['peak_mb']:.0f} MB; "
            f"COPY TO {m['copy_to_seconds']:.2f} s"
        )
    lines += ["", "ratios (target):"]
    for name, value in ratios.items():
        target = TARGETS.get(name)
        wanted = f" ({target[0]} {target[1]})" if target else ""
        lines.append(f"  {name}: {value:.2f}{wanted}")
    return "\n".join(lines) + "\n"


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--out", default=str(ROOT / "bench-out"))
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.child:
        return child(args.child)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup_django(url)
    from django.utils import timezone

    from profiles.models import Initiative

    out = {
        "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "database": url.rsplit("@", 1)[-1],
        "rows": args.rows,
        "load_start": load(),
    }
    say(f"Scratch database {out['database']}: reference data ...")
    reference_data()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    csv_path, xlsx_path = write_files(folder, args.rows)
    out["file_mb"] = {
        "csv": round(csv_path.stat().st_size / 1e6, 1),
        "xlsx": round(xlsx_path.stat().st_size / 1e6, 1),
    }
    limit = str(500 * 1024 * 1024)
    os.environ["PORTAL_IMPORT_MAX_BYTES"] = limit

    for kind, path in (("xlsx", xlsx_path), ("csv", csv_path)):  # CSV last: its data stays
        clear_initiatives()
        say(f"import_records {kind} ...")
        measured = run_child(url, "import_records", "initiatives", str(path))
        assert measured["ok"] is True, measured
        assert Initiative.objects.count() == args.rows
        without_index = measured["seconds"] - measured.get("steps", {}).get("index", 0.0)
        measured.update(
            rows_per_s=args.rows / measured["seconds"],
            seconds_without_index=without_index,
            rows_per_s_without_index=args.rows / without_index,
        )
        out[f"ours_import_{kind}"] = measured
    out["history"] = history_counts(args.rows)
    say("COPY of every row the import wrote ...")
    out["copy_written"] = copy_floor_written()

    say("export_records ...")
    # 10k vs 100k peak memory: export from a database holding 100k, then 10k rows.
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
    out["ours_export"] = {str(k): v for k, v in sorted(exports.items())}

    clear_initiatives()
    say(f"plain ModelResource, {args.sample} rows ...")
    out["plain_resource"] = plain_resource(args.sample)
    clear_initiatives()
    say("COPY ...")
    out["copy"] = copy_in(csv_path, args.rows)
    out["load_end"] = load()

    ours, plain = out["ours_import_csv"], out["plain_resource"]
    out["ratios"] = {
        "ours_vs_plain_rows_per_s": ours["rows_per_s"] / plain["rows_per_s"],
        "ours_without_index_vs_plain_rows_per_s": ours["rows_per_s_without_index"]
        / plain["rows_per_s"],
        "ours_vs_copy_time": ours["seconds"] / out["copy"]["seconds"],
        "ours_without_index_vs_copy_time": ours["seconds_without_index"] / out["copy"]["seconds"],
        "ours_vs_copy_of_all_written_rows_with_indexes": ours["seconds"]
        / out["copy_written"]["indexed_seconds_with_search_index"],
        "ours_without_index_vs_copy_of_written_rows_with_indexes": ours["seconds_without_index"]
        / out["copy_written"]["indexed_seconds"],
        "import_peak_mb": max(out[f"ours_import_{k}"]["peak_mb"] for k in ("csv", "xlsx")),
        "export_vs_copy_to_time": exports[args.rows]["seconds"]
        / exports[args.rows]["copy_to_seconds"],
        "export_peak_all_vs_tenth": exports[args.rows]["peak_mb"] / exports[small]["peak_mb"],
    }
    text = summary_text(out)
    say(text)
    target = Path(args.out)
    target.mkdir(parents=True, exist_ok=True)
    (target / "import_summary.json").write_text(json.dumps(out, indent=2) + "\n")
    (target / "import_summary.txt").write_text(text)
    say(f"Written to {target}/import_summary.{{txt,json}}")


if __name__ == "__main__":
    main()
