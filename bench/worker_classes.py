"""Sync against threaded gunicorn workers on the same pages, side by side (not part of CI).

Serves the portal three times at once, as cookie_load.py does (portal.settings.prod, a Redis of its
own, a scratch PostgreSQL database with the Lithuania demo data: BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_bench_workers, created and dropped at the end): once with
portal/gunicorn.py's threaded workers, once with the same file and `--worker-class sync --threads
1`, each with `--workers` processes. Then wrk (`--connections`, `--seconds` per run) against a
static file, /healthz and the cached country page, each target on one server right after the other
(a third server runs gthread without keep-alive, as behind a proxy that opens a connection per
request), in `--rounds` rounds (the order reversed every round, so a change in the machine's load
is shared). Reports requests per second and p99 latency of each, to stdout and to
bench-out/worker_classes.{txt,json}.

Usage: .venv/bin/python bench/worker_classes.py [--seconds 10] [--connections 32] [--rounds 2]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from cookie_load import (
    COUNTRY_PATH,
    create_database,
    drop_database,
    gunicorn_command,
    log,
    portal_environment,
    prepare,
    start,
    stop,
)
from loadtest import fetch, settle, wrk

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_workers"
# gthread without keep-alive: a proxy that opens a connection per request (nginx's default
# HTTP/1.0 to its upstream), which sync workers always answer that way.
KINDS = {
    "sync": ("--worker-class", "sync", "--threads", "1"),
    "gthread, no keep-alive": ("--keep-alive", "0"),
    "gthread": (),
}
STATIC = """
import django
django.setup()
from django.templatetags.static import static
print(static("css/site.css"))
"""


def static_path(env):
    out = subprocess.run(
        [sys.executable, "-c", STATIC], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return out.stdout.decode().strip()


def measure(ports, targets, args, scratch):
    runs = {(label, kind): [] for label, _ in targets for kind in KINDS}
    static = targets[0][1]
    for round_number in range(args.rounds):
        kinds = list(KINDS) if round_number % 2 == 0 else list(reversed(KINDS))  # load drifts
        for label, path in targets:
            for kind in kinds:
                for _ in range(3):  # fill the caches, warm the workers
                    fetch(ports[kind], path)
                figures = wrk(ports[kind], [path], args.seconds, args.connections, scratch)
                log(
                    f"round {round_number + 1}, {label}, {kind}: "
                    f"{figures['requests_per_second']:,.1f} req/s, "
                    f"p99 {figures['p99_us'] / 1000:.1f} ms, {figures['errors']} errors"
                )
                runs[label, kind].append(figures)
                settle(ports[kind], static)
    return runs


def report(runs, targets, args):
    lines = [
        f"gunicorn worker classes: {args.workers} workers each (gthread: portal/gunicorn.py's "
        "threads), portal.settings.prod, Redis, PostgreSQL, Lithuania demo data; "
        f"wrk, {args.connections} connections, {args.seconds} s per run, {args.rounds} rounds "
        "(median of the rounds; p99 in ms)",
        "",
        "| target | " + " | ".join(f"{k} req/s | {k} p99" for k in KINDS) + " | errors |",
        "|---|" + "---|---|" * len(KINDS) + "---|",
    ]
    for label, _path in targets:
        cells = []
        for kind in KINDS:
            figures = runs[label, kind]
            rate = statistics.median(r["requests_per_second"] for r in figures)
            p99 = statistics.median(r["p99_us"] for r in figures) / 1000
            cells.append(f"{rate:,.1f} | {p99:.1f}")
        errors = sum(r["errors"] for kind in KINDS for r in runs[label, kind])
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {errors} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("BENCH_PORT", "18494")))
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    args = parser.parse_args()
    for tool in ("redis-server", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing (apt-get install {tool})")
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ports = {kind: args.port_base + n for n, kind in enumerate(KINDS)}
    redis_port = args.port_base + len(KINDS)
    scratch = Path(tempfile.mkdtemp(prefix="portal-worker-bench-"))
    redis, servers = None, []
    create_database(database_url)
    try:
        with (scratch / "servers.log").open("ab") as server_log:
            redis = start(
                [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(redis_port)]
                + ["--save", "", "--appendonly", "no", "--dir", str(scratch)],
                scratch,
                os.environ,
                redis_port,
                server_log,
            )
            env = portal_environment(database_url, f"redis://127.0.0.1:{redis_port}/0")
            env["DJANGO_STATIC_ROOT"] = str(scratch / "static")
            prepare(ROOT, env)
            for kind, options in KINDS.items():
                command = gunicorn_command(
                    ROOT, ports[kind], "--workers", str(args.workers), "--preload", *options
                )
                servers.append(start(command, ROOT, env, ports[kind], server_log))
            targets = [
                ("static file", static_path(env)),
                ("/healthz", "/healthz"),
                ("cached country page", COUNTRY_PATH),
            ]
            runs = measure(ports, targets, args, scratch)
    finally:
        for server in servers:
            stop(server)
        stop(redis)
        drop_database(database_url)
        shutil.rmtree(scratch, ignore_errors=True)
    text = report(runs, targets, args)
    sys.stdout.write(text)
    args.out.mkdir(exist_ok=True)
    (args.out / "worker_classes.txt").write_text(text)
    serialisable = {f"{label} / {kind}": figures for (label, kind), figures in runs.items()}
    (args.out / "worker_classes.json").write_text(json.dumps(serialisable, indent=2))


if __name__ == "__main__":
    main()
