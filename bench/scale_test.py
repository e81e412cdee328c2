"""More than one machine, on loopback: haproxy, two app servers, a primary and a streaming replica.

`make scale-test` stands up, on 127.0.0.1 only (ports 18500-18509 by default, SCALE_PORT_BASE moves
them):

- a PostgreSQL primary of its own (initdb) with the Lithuania demo data, and a streaming replica
  made from it with pg_basebackup, which the portal reads public pages from through its database
  router (portal/db_routing.py);
- a Redis of its own, shared by both app servers (page cache, sessions' cache);
- two gunicorn app servers (portal.settings.prod), each pinned to a CPU of its own when the
  machine has two, standing in for two machines;
- haproxy in front (round robin, health checks on /healthz, retries of failed safe requests on the
  other server).

Then it loads the site through haproxy with wrk (a Lua script cycling over the home page, the
country page, every list page, a detail page of each type, searches and /healthz) and reports:

1. requests per second with one app server (the other disabled in haproxy) and with two, and the
   ratio;
2. a run during which one app server is killed (SIGKILL) a third of the way in;
3. a run during which the replica is stopped, then started again;
4. a run during which Redis is restarted;

each with its errors (non-2xx/3xx responses and socket errors; the target is none), and how many
statements the replica and the primary ran. Everything it started is stopped and deleted at the
end, also on failure. It needs Debian's haproxy, wrk, redis-server and PostgreSQL 15 server.

Usage: .venv/bin/python bench/scale_test.py [--seconds 15] [--connections 16]
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cookie_load import gunicorn_command, log, manage, portal_environment  # noqa: E402

from tests.servers import PostgresCluster, RedisServer, wait_for_port  # noqa: E402

DATABASE = "portal"


def scale_environment(primary_url, redis_url, static_root):
    """cookie_load's production environment, with the static files of this run's own and
    persistent connections (which the replica's fallback is tested with)."""
    env = portal_environment(primary_url, redis_url)
    env.update(
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_CONN_MAX_AGE="60",
        PORTAL_REPLICA_RETRY_SECONDS="2",
    )
    return env


class AppServer:
    def __init__(self, name, port, env, cpu, workers, threads, log_path):
        self.name, self.port, self.env, self.log_path = name, port, env, log_path
        self.command = gunicorn_command(
            ROOT, port, "--workers", str(workers), "--threads", str(threads), "--preload"
        )
        if cpu is not None and shutil.which("taskset"):
            self.command = ["taskset", "-c", str(cpu), *self.command]
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
            )
        wait_for_port(self.port, seconds=60)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Haproxy:
    def __init__(self, port, stats_port, servers, folder, maxconn):
        self.port, self.stats_port, self.folder = port, stats_port, Path(folder)
        self.socket = self.folder / "haproxy.sock"
        self.config = self.folder / "haproxy.cfg"
        lines = "\n".join(
            f"    server {s.name} 127.0.0.1:{s.port} maxconn {maxconn}"
            " check inter 500ms fall 2 rise 2"
            # A refused connection marks the server down at once, before the next check.
            " observe layer4 error-limit 1 on-error mark-down"
            for s in servers
        )
        self.config.write_text(
            textwrap.dedent(
                f"""\
                global
                    maxconn 2000
                    stats socket {self.socket} mode 600 level admin
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 60s
                    timeout server 30s
                    # Requests wait in haproxy's queue, not in a busy server's backlog, so the
                    # health checks (which bypass the queue) answer at once under load.
                    timeout queue 30s
                    timeout check 5s
                    retries 10
                    option redispatch 1
                    retry-on all-retryable-errors
                    option http-server-close
                frontend site
                    bind 127.0.0.1:{port}
                    default_backend app
                frontend stats
                    bind 127.0.0.1:{stats_port}
                    stats enable
                    stats uri /stats
                backend app
                    balance roundrobin
                    option httpchk
                    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
                    http-check expect status 200
                """
            )
            + lines
            + "\n"
        )
        self.process = None

    def start(self):
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self.process = subprocess.Popen(
            [haproxy, "-f", str(self.config), "-db"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def command(self, text):
        import socket

        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(self.socket))
            connection.sendall(text.encode() + b"\n")
            reply = b""
            while chunk := connection.recv(65536):
                reply += chunk
        return reply.decode()

    def served(self):
        """Requests each app server answered so far (haproxy's stats)."""
        counts = {}
        for line in self.command("show stat").splitlines():
            fields = line.split(",")
            if len(fields) > 8 and fields[0] == "app" and fields[1] not in ("BACKEND", "FRONTEND"):
                counts[fields[1]] = int(fields[7])  # stot: sessions in total
        return counts

    def wait_until_up(self, names, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status = {}
            for line in self.command("show stat").splitlines():
                fields = line.split(",")
                if len(fields) > 17 and fields[0] == "app":
                    status[fields[1]] = fields[17]
            if all(status.get(name) == "UP" for name in names):
                return
            time.sleep(0.2)
        raise TimeoutError(f"haproxy does not see {names} up")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)


def paths(port):
    """Public pages to cycle over: every URL of the sitemap plus searches and /healthz."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/sitemap.xml", timeout=30) as response:
        sitemap = response.read().decode()
    found = [
        re.sub(r"^https?://[^/]+", "", url) for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)
    ]
    found += ["/search/?q=internet", "/search/?q=grooming", "/search/?q=police", "/healthz"]
    return found


def check_paths(port, page_paths):
    """Every path answers 200 through haproxy before the load starts."""
    problems = []
    for path in page_paths:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            problems.append(f"{status} {path}")
    if problems:
        raise RuntimeError("pages that do not answer 200: " + "; ".join(problems[:20]))


def lua_script(page_paths, folder):
    script = Path(folder) / "paths.lua"
    items = ", ".join(json.dumps(p) for p in page_paths)
    script.write_text(
        "local paths = {" + items + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
        # The first few failed responses of each thread, for the report's reader.
        "local bad = 0\n"
        "response = function(status, headers, body)\n"
        "  if status >= 400 and bad < 5 then\n"
        "    bad = bad + 1\n"
        "    local excerpt = string.sub(body, 1, 200)\n"
        "    io.stderr:write(status .. ' ' .. paths[i] .. ' ' .. excerpt .. '\\n')\n"
        "  end\n"
        "end\n"
    )
    return script


def wrk(port, script, seconds, connections, during=None):
    """One bounded wrk run; `during(elapsed_fraction)` events run in a thread meanwhile."""
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    command += ["-s", str(script), "--latency", f"http://127.0.0.1:{port}/"]
    events = []
    if during:
        stopper = threading.Event()

        def run_events():
            started = time.monotonic()
            for at, label, action in during:
                wait = started + at * seconds - time.monotonic()
                if stopper.wait(max(0, wait)):
                    return
                log(f"    {label}")
                action()
                events.append((round(time.monotonic() - started, 1), label))

        thread = threading.Thread(target=run_events)
        thread.start()
    done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 90)
    out = done.stdout
    if done.stderr.strip():  # the first failed responses, written by the Lua script
        log("failed responses:\n" + done.stderr[:3000])
    if during:
        stopper.set()
        thread.join()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "requests_per_second": rate,
        "requests": total,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
        "events": events,
    }


def statements(cluster):
    """Transactions the cluster has run in the portal's database so far."""
    import psycopg

    url = cluster.database_url(DATABASE).replace("postgres://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [DATABASE],
        ).fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--port-base", type=int, default=int(os.environ.get("SCALE_PORT_BASE", "18500"))
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    args = parser.parse_args()
    for tool in ("haproxy", "wrk", "redis-server"):
        if not shutil.which(tool) and not Path("/usr/sbin", tool).exists():
            sys.exit(f"{tool} is missing (apt-get install {tool.replace('-server', '-server')})")
    base = args.port_base
    scratch = Path(tempfile.mkdtemp(prefix="portal-scale-"))
    primary = PostgresCluster(base)
    replica = PostgresCluster(base + 1)
    redis = RedisServer(base + 2, scratch)
    apps, proxy, results = [], None, {}
    cpus = os.cpu_count() or 1
    try:
        log("primary: initdb, migrate, demo data ...")
        primary.init().start()
        primary.create_database(DATABASE)
        redis.start()
        env = scale_environment(primary.database_url(DATABASE), redis.url, scratch / "static")
        manage(ROOT, env, "migrate", "--noinput", "-v", "0")
        manage(ROOT, env, "load_demo_data", "-v", "0")
        manage(ROOT, env, "collectstatic", "--noinput", "-v", "0")
        log("replica: pg_basebackup, streaming ...")
        replica.replica_of(primary).start()
        env["DATABASE_REPLICA_URL"] = replica.database_url(DATABASE)
        for index, name in enumerate(("app1", "app2")):
            server = AppServer(
                name,
                base + 3 + index,
                env,
                cpu=index if cpus >= 2 else None,
                workers=args.workers,
                threads=args.threads,
                log_path=scratch / f"{name}.log",
            )
            server.start()
            apps.append(server)
        proxy = Haproxy(base + 5, base + 6, apps, scratch, maxconn=args.workers * args.threads)
        proxy.start()
        proxy.wait_until_up(["app1", "app2"])
        page_paths = paths(proxy.port)
        check_paths(proxy.port, page_paths)
        script = lua_script(page_paths, scratch)
        log(f"{len(page_paths)} public paths; warming up ...")
        wrk(proxy.port, script, 3, args.connections)

        def run(label, during=None):
            before_primary, before_replica = statements(primary), statements(replica)
            before_served = proxy.served()
            figures = wrk(proxy.port, script, args.seconds, args.connections, during)
            figures["primary_transactions"] = statements(primary) - before_primary
            figures["replica_transactions"] = statements(replica) - before_replica
            after = proxy.served()
            figures["per_app_server"] = {
                name: after.get(name, 0) - before_served.get(name, 0) for name in after
            }
            log(
                f"  {label}: {figures['requests_per_second']:.1f} req/s, "
                f"{figures['non_2xx']} non-2xx, {figures['socket_errors']} socket errors"
            )
            results[label] = figures

        log("one app server vs two ...")
        proxy.command("disable server app/app2")
        run("one app server")
        proxy.command("enable server app/app2")
        proxy.wait_until_up(["app1", "app2"])
        run("two app servers")

        log("faults ...")
        run("app server app1 killed", during=[(1 / 3, "SIGKILL app1", apps[0].kill)])
        apps[0].start()
        proxy.wait_until_up(["app1", "app2"])
        run(
            "replica stopped, then started",
            during=[(1 / 4, "stop the replica", replica.stop), (2 / 3, "start it", replica.start)],
        )
        run(
            "Redis restarted",
            during=[(1 / 3, "stop Redis", redis.stop), (1 / 2, "start Redis", redis.start)],
        )
    finally:
        if proxy is not None:
            proxy.stop()
        for server in apps:
            server.stop()
        redis.kill()
        replica.remove()
        primary.remove()
        shutil.rmtree(scratch, ignore_errors=True)
    text = report(results, args, cpus)
    sys.stdout.write(text)
    args.out.mkdir(exist_ok=True)
    (args.out / "scale_test.txt").write_text(text)
    (args.out / "scale_test.json").write_text(json.dumps(results, indent=2))
    failed = sum(r["non_2xx"] + r["socket_errors"] for r in results.values())
    sys.exit(1 if failed else 0)


def report(results, args, cpus):
    one = results["one app server"]["requests_per_second"]
    lines = [
        f"Scale test: haproxy -> 2 gunicorn app servers ({args.workers} workers of "
        f"{args.threads} threads each, "
        f"{'one CPU each' if cpus >= 2 else 'sharing the CPU'}), PostgreSQL primary + streaming "
        f"replica, Redis; wrk {args.connections} connections, {args.seconds} s per run, "
        "cycling over the sitemap's pages, three searches and /healthz.",
        "",
        "| run | req/s | vs one server | p99 | errors | per app server | primary / replica txns |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, r in results.items():
        errors = r["non_2xx"] + r["socket_errors"]
        spread = ", ".join(f"{k} {v}" for k, v in sorted(r["per_app_server"].items()))
        lines.append(
            f"| {label} | {r['requests_per_second']:,.1f} | {r['requests_per_second'] / one:.2f}x"
            f" | {r['p99_ms']:.0f} ms | {errors} | {spread} | "
            f"{r['primary_transactions']:,} / {r['replica_transactions']:,} |"
        )
        for at, event in r["events"]:
            lines.append(f"|   at {at} s: {event} | | | | | | |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
