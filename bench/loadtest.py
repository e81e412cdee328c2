"""`make loadtest`: the public site under concurrent load, production stack on loopback; not CI.

Stands up what production runs: gunicorn with its configuration (portal/gunicorn.py; `--workers`,
default 3, on the command line) and `portal.settings.prod`, a Redis of its own (redis-server, no
persistence) and a scratch PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_loadtest; created, and dropped at the end) holding the
benchmark's generated data (bench/generate.py, `--countries` countries at `--scale`). Then, with
wrk (Debian's `wrk`), a bounded run of `--seconds` per target and `--connections` connections
against: a static file, `/healthz`, a country page, every record type's list page, a detail page of
every record type that has one and three searches. For each: requests per second, p50 and p99
latency, errors (non-2xx answers, socket errors, timeouts) and the ratio to a run of the static
file made right before it: each target is paired with a static run of its own, after uncounted
warm-up runs (`--warmup`), so a change in the machine's load during the whole run does not move the
ratios. Requests send a browser's Accept-Encoding (`--accept-encoding ''`: none), so the static
file and the cached pages are answered compressed, as readers get them.

With `--mixed SECONDS` (on by default; 0 skips it) it then loads the country pages of every
generated country in random order, first read-only, then while an editor process (the ORM in a
process of its own, with the signals an admin save sends) changes one record a second: a published
initiative's title, then a draft initiative's. It reports p50/p95/p99 of both runs, their ratio,
errors, how many responses showed a draft's marker (must be 0), and how many times the editor, right
after its save, read the country page over HTTP without the change on it (must be 0).

`--code DIR` serves another checkout (a before/after figure); the scratch database is migrated and
filled with that checkout's code. Everything listens on 127.0.0.1 and is stopped at the end.
Summary on stdout and in bench-out/loadtest.{txt,json}.

Usage: .venv/bin/python bench/loadtest.py [--seconds 8] [--connections 32] [--countries 200]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cookie_load import (
    create_database,
    drop_database,
    gunicorn_command,
    gunicorn_kind,
    log,
    manage,
    portal_environment,
    start,
    stop,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_loadtest"
DRAFT_MARKER = "Unpublished-loadtest-draft"

# Ratio to the static file each kind of target must reach.
TARGETS = {"static": 1.0, "cached": 0.8, "list": 0.5, "detail": 0.5, "search": 0.1}

GENERATE = """
import os, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from bench.generate import Generator
countries, scale = int(sys.argv[1]), float(sys.argv[2])
started = time.perf_counter()
generator = Generator()
generator.make_authors(max(50, int(5000 * scale)))
for n in range(countries):
    generator.make_country(n, scale)
call_command("rebuild_search_index", verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(round(time.perf_counter() - started, 1))
"""

DISCOVER = """
import json, os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.templatetags.static import static
from django.urls import reverse
from library.models import Author
from portal.records import country_model, record_types
targets = [("static", "static file", static("css/site.css")), ("cached", "/healthz", "/healthz")]
countries = list(country_model().objects.public().order_by("iso_code"))
targets.append(("cached", "country page", countries[len(countries) // 2].get_absolute_url()))
for record_type in record_types():
    if record_type.list_page:
        path = reverse(record_type.list_page.url_name)
        targets.append(("list", f"list {path}", path))
for record_type in record_types():
    first = record_type.public().order_by("pk").first()
    if record_type.has_page and first is not None and record_type.model is not country_model():
        targets.append(("detail", f"detail {record_type.label}", first.get_absolute_url()))
authors = Author.objects.public().order_by("pk")
name = authors[authors.count() // 2].family_name
for words in ("internet", "online safety", name):
    targets.append(("search", f"search {words!r}", "/search/?q=" + words.replace(" ", "+")))
print(json.dumps({"targets": targets, "countries": [c.get_absolute_url() for c in countries]}))
"""

EDITOR = """
import json, os, random, sys, time, http.client
sys.path.insert(0, os.getcwd())
import django
django.setup()
from portal.models import Status
from profiles.models import Country, Initiative
port, seconds, marker = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
rng = random.Random(16)
countries = list(Country.objects.public())
deadline = time.monotonic() + seconds
edits = drafts = stale = errors = 0
tick = 0
while time.monotonic() < deadline:
    started = time.monotonic()
    country = rng.choice(countries)
    tick += 1
    try:
        if tick % 2:
            initiative = Initiative.objects.public().filter(country=country).order_by("?").first()
            initiative.title = f"Edited under load {tick}"
            initiative.save()
            edits += 1
            # The change must be on the country page at the next request.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", country.get_absolute_url(), headers={"Host": "127.0.0.1"})
            response = connection.getresponse()
            body = response.read().decode()
            if response.status != 200 or initiative.title not in body:
                stale += 1
        else:
            draft, _ = Initiative.objects.get_or_create(
                slug=f"loadtest-draft-{country.iso_code.lower()}",
                defaults={"country": country, "title": marker, "year": 2024},
            )
            draft.title = f"{marker} {tick}"
            draft.status = Status.DRAFT
            draft.save()
            drafts += 1
    except Exception as error:
        errors += 1
        print(f"editor: {type(error).__name__}: {error}", file=sys.stderr)
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
print(json.dumps({"edits": edits, "draft_saves": drafts, "stale_after_save": stale,
                  "errors": errors}))
"""

LUA = """
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do table.insert(paths, line) end
  marker = args[2]
  drafts = 0
  math.randomseed(id * 7919 + os.time())
end
function request()
  return wrk.format("GET", paths[math.random(#paths)], {Host = "127.0.0.1"HEADERS})
end
CHECK_BODY
function done(summary, latency, requests)
  local seen = 0
  for _, thread in ipairs(threads) do seen = seen + (thread:get("drafts") or 0) end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "drafts": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout, seen))
end
"""

CHECK_BODY = """
function response(status, headers, body)
  if body and string.find(body, marker, 1, true) then drafts = drafts + 1 end
end
"""


def fetch(port, path, timeout=120):
    """One GET; the status, or None when it failed (a slow page under load is not fatal here)."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status
    except OSError:
        return None


def settle(port, static_path, seconds=180):
    """Wait until the requests wrk left queued are served: a static file answers at once."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        if fetch(port, static_path, timeout=30) == 200 and time.monotonic() - started < 0.5:
            return
        time.sleep(0.5)


def wrk(port, paths, seconds, connections, scratch, check_drafts=False, accept_encoding=""):
    """One bounded wrk run over `paths` (chosen at random per request); wrk's own figures.

    `accept_encoding`: the Accept-Encoding header each request sends (a browser's, or none);
    the drafts check reads bodies, so it runs without one."""
    paths_file = scratch / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = scratch / ("check.lua" if check_drafts else "plain.lua")
    headers = f', ["Accept-Encoding"] = "{accept_encoding}"' if accept_encoding else ""
    lua = LUA.replace("CHECK_BODY", CHECK_BODY if check_drafts else "")
    script.write_text(lua.replace("HEADERS", "" if check_drafts else headers))
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}/", "--", str(paths_file), DRAFT_MARKER]
    out = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    figures = json.loads(re.search(r"^RESULT (.*)$", out, re.M).group(1))
    figures["requests_per_second"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return figures


def discover(code, env):
    out = subprocess.run(
        [sys.executable, "-c", DISCOVER], cwd=code, env=env, check=True, capture_output=True
    ).stdout
    return json.loads(out)


def generate(code, env, countries, scale):
    log(f"generating {countries} countries at scale {scale} and the search index ...")
    out = subprocess.run(
        [sys.executable, "-c", GENERATE, str(countries), str(scale)],
        cwd=code,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def load_targets(port, targets, args, scratch):
    """Each target's wrk run right after one of the static file: its ratio is to that run, so a
    change in the machine's load during the whole run does not move it. A warm-up run of each
    first (not counted): a server just started and a database just filled (autovacuum, ANALYZE)
    measure low."""
    static_kind, static_label, static_path = targets[0]

    def run(path, seconds):
        for _ in range(3):  # fill the caches, warm every worker
            fetch(port, path)
        figures = wrk(
            port, [path], seconds, args.connections, scratch, accept_encoding=args.accept_encoding
        )
        settle(port, static_path)
        return figures

    if args.warmup > 0:
        for _, _, path in targets[:2]:
            run(path, args.warmup)
    results, statics = [], []
    for kind, label, path in targets[1:]:
        static = run(static_path, args.seconds)
        figures = run(path, args.seconds)
        figures.update(kind=kind, label=label, path=path)
        figures["static_requests_per_second"] = static["requests_per_second"]
        figures["ratio"] = figures["requests_per_second"] / static["requests_per_second"]
        figures["target"] = TARGETS[kind]
        figures["met"] = figures["ratio"] >= figures["target"] and figures["errors"] == 0
        log(
            f"  {label}: {figures['requests_per_second']:.1f} req/s against "
            f"{static['requests_per_second']:.1f} static ({figures['ratio']:.2f}), "
            f"{figures['errors']} errors"
        )
        statics.append(static)
        results.append(figures)
    rates = [static["requests_per_second"] for static in statics]
    summary = {
        key: sum(static[key] for static in statics) // len(statics) for key in ("p50_us", "p99_us")
    }
    summary.update(
        kind=static_kind,
        label=static_label,
        path=static_path,
        requests_per_second=sum(rates) / len(rates),
        static_range=(min(rates), max(rates)),
        errors=sum(static["errors"] for static in statics),
        ratio=1.0,
        target=TARGETS[static_kind],
    )
    summary["met"] = summary["errors"] == 0
    return [summary, *results]


def mixed_load(port, code, env, country_paths, static_path, args, scratch):
    log(f"mixed load: {len(country_paths)} country pages, read-only for {args.mixed} s ...")
    for path in country_paths:  # every page once, so both runs start from the same cache
        fetch(port, path)
    read_only = wrk(port, country_paths, args.mixed, args.connections, scratch, check_drafts=True)
    settle(port, static_path)
    log("mixed load: the same with an editor changing one record a second ...")
    editor = subprocess.Popen(
        [sys.executable, "-c", EDITOR, str(port), str(args.mixed), DRAFT_MARKER],
        cwd=code,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        with_editor = wrk(
            port, country_paths, args.mixed, args.connections, scratch, check_drafts=True
        )
        editor_out, _ = editor.communicate(timeout=args.mixed + 60)
    finally:
        if editor.poll() is None:
            editor.kill()
            editor.wait()
    return {
        "read_only": read_only,
        "with_editor": with_editor,
        "editor": json.loads(editor_out.strip().splitlines()[-1]),
        "p95_ratio": with_editor["p95_us"] / read_only["p95_us"],
    }


def report(results, mixed, args, code, generate_s):
    lines = [
        f"Load test: gunicorn {args.workers} workers ({gunicorn_kind(code)}), "
        "portal.settings.prod, PostgreSQL, Redis; "
        f"wrk, {args.connections} connections, {args.seconds} s per target, "
        f"Accept-Encoding: {args.accept_encoding or 'none'}; "
        f"{args.countries} countries at scale {args.scale} (generated and indexed in "
        f"{generate_s} s); code: {code}",
        "",
        "| target | path | req/s | p50 ms | p99 ms | errors | static right before, req/s "
        "| ratio to static | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        before = (
            "{:,.0f}–{:,.0f} (mean of every run)".format(*r["static_range"])
            if "static_range" in r
            else f"{r['static_requests_per_second']:,.1f}"
        )
        lines.append(
            f"| {r['label']} | `{r['path']}` | {r['requests_per_second']:,.1f} | "
            f"{r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors']} | {before} | "
            f"{r['ratio']:.2f} | ≥ {r['target']} {'met' if r['met'] else 'MISSED'} |"
        )
    if mixed:
        lines += [
            "",
            f"Mixed load: {args.countries} country pages in random order, {args.mixed} s each run",
            "",
            "| run | req/s | p50 ms | p95 ms | p99 ms | errors | drafts seen |",
            "|---|---|---|---|---|---|---|",
        ]
        for label, key in (("read-only", "read_only"), ("editor, 1 change/s", "with_editor")):
            r = mixed[key]
            lines.append(
                f"| {label} | {r['requests_per_second']:,.1f} | {r['p50_us'] / 1000:.1f} | "
                f"{r['p95_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors']} | "
                f"{r['drafts']} |"
            )
        editor = mixed["editor"]
        lines += [
            "",
            f"p95 with the editor / read-only: {mixed['p95_ratio']:.2f} (target ≤ 3); editor: "
            f"{editor['edits']} published edits, {editor['draft_saves']} draft saves, "
            f"{editor['stale_after_save']} pages read right after a save without the change, "
            f"{editor['errors']} errors",
        ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--mixed", type=int, default=20, help="seconds per mixed-load run; 0: off")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of the uncounted warm-up runs; 0: none"
    )
    parser.add_argument(
        "--accept-encoding",
        default="gzip, deflate, br",
        help="the Accept-Encoding header of the targets' requests (a browser's; '': none)",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18492")))
    parser.add_argument(
        "--redis-port", type=int, default=int(os.environ.get("BENCH_REDIS_PORT", "18493"))
    )
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    args = parser.parse_args()
    for tool in ("redis-server", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing (apt-get install {tool})")
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    code = args.code.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="portal-loadtest-"))
    redis = server = None
    started = time.monotonic()
    create_database(database_url)
    try:
        with (scratch / "servers.log").open("ab") as server_log:
            redis = start(
                [shutil.which("redis-server"), "--bind", "127.0.0.1"]
                + ["--port", str(args.redis_port), "--save", "", "--appendonly", "no"]
                + ["--dir", str(scratch)],
                scratch,
                os.environ,
                args.redis_port,
                server_log,
            )
            env = portal_environment(database_url, f"redis://127.0.0.1:{args.redis_port}/0")
            log("migrating the scratch database ...")
            manage(code, env, "migrate", "--noinput", "-v", "0")
            manage(code, env, "collectstatic", "--noinput", "-v", "0")
            generate_s = generate(code, env, args.countries, args.scale)
            found = discover(code, env)
            server = start(
                gunicorn_command(code, args.port, "--workers", str(args.workers)),
                code,
                env,
                args.port,
                server_log,
            )
            log(f"loading {len(found['targets'])} targets ...")
            results = load_targets(args.port, found["targets"], args, scratch)
            mixed = None
            if args.mixed > 0:
                mixed = mixed_load(
                    args.port, code, env, found["countries"], found["targets"][0][2], args, scratch
                )
    finally:
        stop(server)
        stop(redis)
        drop_database(database_url)
        shutil.rmtree(scratch, ignore_errors=True)
    text = report(results, mixed, args, code, generate_s)
    text += f"\nTotal run time {time.monotonic() - started:.0f} s\n"
    sys.stdout.write(text)
    args.out.mkdir(exist_ok=True)
    (args.out / "loadtest.txt").write_text(text)
    (args.out / "loadtest.json").write_text(
        json.dumps({"targets": results, "mixed": mixed}, indent=2)
    )


if __name__ == "__main__":
    main()
