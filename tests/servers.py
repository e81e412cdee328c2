"""Servers that fault tests start and stop themselves, on loopback ports of their own.

Each pytest-xdist worker gets its own block of ten ports (18400-18479 by default;
bench/cookie_load.py uses 18490-18491), so parallel runs never share a server.
PORTAL_TEST_PORT_BASE moves the whole range, for two test runs on one machine at once.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

BASE_PORT = int(os.environ.get("PORTAL_TEST_PORT_BASE", "18400"))
ROOT = Path(__file__).resolve().parent.parent


def local_port(slot):
    """Port `slot` (0-9) of this test process's block."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return BASE_PORT + (int(worker.removeprefix("gw")) % 8) * 10 + slot


def wait_for_port(port, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class RedisServer:
    """A redis-server of the test's own; a snapshot taken with `stop(snapshot=True)` survives
    into the next `start()`, like a Redis restarted with its data."""

    def __init__(self, port, folder):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (.ci/run installs Debian's redis-server)")
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        self.command += ["--appendonly", "no", "--dir", str(folder)]
        self.process = None

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self):
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self, snapshot=False):
        if snapshot:
            self.client().save()
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self):
        """Freeze the server: connections are accepted by the kernel, nothing is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)


class SilentServer:
    """Listens, accepts every connection and never sends a byte: a database that hangs."""

    def __init__(self, port):
        self.port = port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=5)
        for connection in self.accepted:
            connection.close()


class Gunicorn:
    """The portal under gunicorn with production's configuration (portal/gunicorn.py) and
    `environment` as its whole environment; what it logs goes to `log_path`. The flags here, then
    `options` (e.g. `("--timeout", "2")`), override the configuration file."""

    def __init__(self, port, environment, log_path, options=()):
        self.port = port
        self.log_path = Path(log_path)
        self.url = f"http://127.0.0.1:{port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.command = [str(gunicorn), "-c", "python:portal.gunicorn", "portal.wsgi"]
        self.command += ["--bind", f"127.0.0.1:{port}"]
        self.command += ["--workers", "1", "--timeout", "30", "--graceful-timeout", "1"]
        # Loaded before the port opens: the first request is not slowed by Django's start-up.
        self.command += ["--preload", *options]
        self.environment = environment
        self.process = None

    def start(self):
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.environment, stdout=log, stderr=log
            )
        try:
            wait_for_port(self.port, seconds=30)
        except TimeoutError:
            self.stop()
            raise TimeoutError(self.log()) from None

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresCluster:
    """A PostgreSQL server of the test's own, on loopback `port`, in a folder of its own under
    /tmp (which the `postgres` user can reach; pytest's tmp_path is private to root).

    `replica_of(primary)` makes a streaming standby with pg_basebackup instead of initdb. Run as
    the `postgres` user when the tests run as root (initdb refuses root). fsync is off: these
    clusters hold scratch data and are deleted afterwards.
    """

    def __init__(self, port, *, log_statements=False):
        if not (PG_BIN / "initdb").exists():
            pytest.skip("PostgreSQL 15's server binaries are not installed")
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix=f"portal-pg-{port}-", dir="/tmp"))
        self.data = self.folder / "data"
        self.logfile = self.folder / "server.log"
        self.log_statements = log_statements
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *command, **kwargs):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *map(str, command)], check=True, **kwargs)

    def _prepare_folder(self):
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.folder.chmod(0o700)

    def _settings(self):
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.folder}'",
            "fsync = off",
            "full_page_writes = off",
            "wal_level = replica",
            "max_wal_senders = 5",
            "max_connections = 100",
            "shared_buffers = 64MB",
        ]
        if self.log_statements:
            lines.append("log_statement = 'all'")
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def init(self):
        self._prepare_folder()
        self._run(
            PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self._settings()
        return self

    def replica_of(self, primary):
        self._prepare_folder()
        self._run(
            PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres",
            "-D", self.data, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._settings()
        return self

    def start(self):
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-l", self.logfile, "-w", "-t", "60", "start",
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self, mode="fast"):
        if (self.data / "postmaster.pid").exists():
            self._run(
                PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop",
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip

    def log(self):
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def database_url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        import psycopg

        with psycopg.connect(
            self.url.replace("postgres://", "postgresql://"), autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{name}"')
