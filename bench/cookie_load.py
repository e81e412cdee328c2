"""Load figure of the page cache under cookies (`make bench-cookies`; not part of CI).

Serves the portal the way production does: gunicorn with its configuration (portal/gunicorn.py,
`--workers` on the command line) and `portal.settings.prod`, a Redis of its own (redis-server, no
persistence) and a scratch PostgreSQL database with the Lithuania demo data (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/portal_bench_cookies; created, and dropped at the end).
All on loopback. Then it loads the cached country page with wrk (Debian's `wrk`; a Python load loop
when it is missing, less accurate), `--runs` runs of `--seconds` each, `--connections` connections,
for each kind of request:

- anonymous, no cookie (what most readers send);
- a forged `sessionid=x` cookie;
- a forged session, editor marker and messages cookie together;
- a real signed-in editor (a fresh page every time: what a forged cookie cost before the marker).

It reports requests per second (median of the runs) and the ratio of each to the anonymous figure,
to stdout and to bench-out/cookie_load.{txt,json}. `--code DIR` serves another checkout of the
project (e.g. an older commit, for a before/after figure); the scratch database is migrated with it.

Usage: .venv/bin/python bench/cookie_load.py [--seconds 10] [--runs 2] [--connections 8]
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_cookies"
COUNTRY_PATH = "/countries/lt/"
EDITOR = ("bench-editor", secrets.token_urlsafe(16))


def log(message):
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# --- the scratch database ------------------------------------------------------------------------


def _maintenance(url):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    return psycopg.connect(server, autocommit=True, connect_timeout=5), name


def create_database(url):
    connection, name = _maintenance(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url):
    connection, name = _maintenance(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- servers -------------------------------------------------------------------------------------


def wait_for_port(port, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def portal_environment(database_url, redis_url):
    own = ("DJANGO_", "DATABASE_URL", "GUNICORN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    for name in ("REDIS_URL", "PAGE_CACHE_SECONDS", "PYTHONPATH"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_LOG_LEVEL="WARNING",
        # No access log: what the benchmarks measure is the portal, as their earlier figures did.
        GUNICORN_ACCESS_LOG="",
    )
    return env


def gunicorn_command(code, port, *options):
    """gunicorn serving the checkout `code` on `port` with the project's configuration
    (portal/gunicorn.py; an older checkout without one runs gunicorn's defaults); `options`,
    command-line flags, override the configuration (`--workers 2`)."""
    command = [str(Path(sys.executable).with_name("gunicorn"))]
    if (Path(code) / "portal" / "gunicorn.py").exists():
        command += ["-c", "python:portal.gunicorn"]
    return [*command, "portal.wsgi", "--bind", f"127.0.0.1:{port}", *options]


def gunicorn_kind(code):
    """What `gunicorn_command` runs for `code`, for the reports."""
    if (Path(code) / "portal" / "gunicorn.py").exists():
        return "portal/gunicorn.py: gthread workers"
    return "sync workers"


def manage(code, env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=code, env=env, check=True)


def prepare(code, env):
    log("migrating the scratch database and loading the demo data ...")
    manage(code, env, "migrate", "--noinput", "-v", "0")
    manage(code, env, "load_demo_data", "-v", "0")
    manage(code, env, "collectstatic", "--noinput", "-v", "0")
    env = {**env, "DJANGO_SUPERUSER_PASSWORD": EDITOR[1]}
    manage(code, env, "createsuperuser", "--noinput", "--username", EDITOR[0], "--email", "b@x.org")


def start(command, cwd, env, port, log_file):
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log_file, stderr=log_file, start_new_session=True
    )
    try:
        wait_for_port(port)
    except TimeoutError:
        stop(process)
        raise
    return process


def stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


# --- HTTP ----------------------------------------------------------------------------------------


def get(port, path, cookie=None, method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    all_headers = {**(headers or {})}
    if cookie:
        all_headers["Cookie"] = cookie
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def set_cookies(response):
    cookies = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            cookies[key.strip()] = val.strip()
    return cookies


def sign_in(port):
    """The admin login form over HTTP: returns the Cookie header of the signed-in editor."""
    response, html = get(port, "/admin/login/")
    cookies = set_cookies(response)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    form = urllib.parse.urlencode(
        {
            "username": EDITOR[0],
            "password": EDITOR[1],
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        }
    )
    response, _ = get(
        port,
        "/admin/login/",
        cookie="; ".join(f"{k}={v}" for k, v in cookies.items()),
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if response.status != 302:
        raise RuntimeError(f"sign-in failed: HTTP {response.status}")
    cookies.update(set_cookies(response))
    return "; ".join(f"{k}={v}" for k, v in cookies.items() if v)


# --- load ----------------------------------------------------------------------------------------


def wrk(url, cookie, seconds, connections):
    # A fresh page can take seconds under load: counted, not dropped as a wrk timeout.
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, url], check=True, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", out)
    return {
        "requests_per_second": rate,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def python_load(port, cookie, seconds, connections):
    """A bounded load loop of keep-alive connections, one thread each (when wrk is missing)."""
    deadline = time.monotonic() + seconds
    counts, failures = [0] * connections, [0] * connections
    headers = {"Cookie": cookie} if cookie else {}

    def worker(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            connection.request("GET", COUNTRY_PATH, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1
            else:
                failures[index] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "requests_per_second": sum(counts) / elapsed,
        "non_2xx": sum(failures),
        "timeouts": 0,
    }


def scenarios(editor_cookie):
    forged_marker = "x:1vAbCd:" + secrets.token_urlsafe(32)
    return [
        ("anonymous, no cookie", None),
        ("forged sessionid=x", "sessionid=x"),
        (
            "forged sessionid + editor marker + messages",
            f"sessionid={secrets.token_hex(16)}; portal_editor={forged_marker}; messages=forged",
        ),
        ("signed-in editor (fresh page)", editor_cookie),
    ]


def measure(port, args):
    editor_cookie = sign_in(port)
    for _ in range(3):  # fill the cache and warm every worker
        get(port, COUNTRY_PATH)
    tool = "wrk" if shutil.which("wrk") else "python"
    log(f"load tool: {tool}")
    kinds = scenarios(editor_cookie)
    served, runs = {}, {label: [] for label, _ in kinds}
    for label, cookie in kinds:
        response, _ = get(port, COUNTRY_PATH, cookie=cookie)
        served[label] = response.getheader("X-Page-Cache") or "rendered"
    # Runs interleaved, so a change in the machine's load is shared by every kind of request.
    for run in range(args.runs):
        for label, cookie in kinds:
            if tool == "wrk":
                url = f"http://127.0.0.1:{port}{COUNTRY_PATH}"
                figures = wrk(url, cookie, args.seconds, args.connections)
            else:
                figures = python_load(port, cookie, args.seconds, args.connections)
            runs[label].append(figures)
            log(f"  {label}, run {run + 1}: {figures['requests_per_second']:.1f} req/s")
    results = []
    for label, _ in kinds:
        rates = [r["requests_per_second"] for r in runs[label]]
        results.append(
            {
                "scenario": label,
                "served_from": served[label],
                "runs_requests_per_second": rates,
                "median_requests_per_second": statistics.median(rates),
                "non_2xx": sum(r["non_2xx"] for r in runs[label]),
                "timeouts": sum(r["timeouts"] for r in runs[label]),
            }
        )
    baseline = results[0]["median_requests_per_second"]
    for result in results:
        result["ratio_to_anonymous"] = result["median_requests_per_second"] / baseline
    return tool, results


def report(tool, results, args, code):
    lines = [
        f"Page cache under cookies: {COUNTRY_PATH} (Lithuania demo data), gunicorn "
        f"{args.workers} workers ({gunicorn_kind(code)}), portal.settings.prod, Redis, "
        f"PostgreSQL; {tool}, "
        f"{args.connections} connections, {args.runs} x {args.seconds} s; code: {code}",
        "",
        "| request | served | req/s per run | median req/s | vs anonymous |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        runs = " / ".join(f"{rate:,.1f}" for rate in r["runs_requests_per_second"])
        problems = (
            f" ({r['non_2xx']} non-2xx, {r['timeouts']} timeouts)"
            if (r["non_2xx"] or r["timeouts"])
            else ""
        )
        lines.append(
            f"| {r['scenario']} | {r['served_from']} | {runs} | "
            f"{r['median_requests_per_second']:,.1f}{problems} | {r['ratio_to_anonymous']:.3f}x |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18490")))
    parser.add_argument(
        "--redis-port", type=int, default=int(os.environ.get("BENCH_REDIS_PORT", "18491"))
    )
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    args = parser.parse_args()
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        sys.exit("redis-server is missing (apt-get install redis-server)")
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    code = args.code.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="portal-cookie-bench-"))
    redis = server = None
    create_database(database_url)
    try:
        with (scratch / "servers.log").open("ab") as server_log:
            redis = start(
                [redis_server, "--bind", "127.0.0.1", "--port", str(args.redis_port)]
                + ["--save", "", "--appendonly", "no", "--dir", str(scratch)],
                scratch,
                os.environ,
                args.redis_port,
                server_log,
            )
            env = portal_environment(database_url, f"redis://127.0.0.1:{args.redis_port}/0")
            prepare(code, env)
            server = start(
                gunicorn_command(code, args.port, "--workers", str(args.workers), "--preload"),
                code,
                env,
                args.port,
                server_log,
            )
            tool, results = measure(args.port, args)
    finally:
        stop(server)
        stop(redis)
        drop_database(database_url)
        shutil.rmtree(scratch, ignore_errors=True)
    text = report(tool, results, args, code)
    sys.stdout.write(text)
    args.out.mkdir(exist_ok=True)
    (args.out / "cookie_load.txt").write_text(text)
    (args.out / "cookie_load.json").write_text(
        json.dumps({"tool": tool, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
