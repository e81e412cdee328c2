"""The health check's database probe, bounded in time whatever the database does.

A request's own connection would wait `DJANGO_DB_CONNECT_TIMEOUT` for a database that accepts
connections but never answers. The probe opens a connection of its own with short timeouts, in a
thread the request stops waiting for at `DEADLINE_SECONDS`, so a load balancer hears "unavailable"
in time; at most one probe per process waits for the database at once. The thread is kept for
the next probes (one per process).

With persistent connections (`CONN_MAX_AGE`, on in production) the probe's connection is kept for
the next probe too (a load balancer asks every few seconds, and a new PostgreSQL connection costs
more than the `SELECT 1`); a kept connection that fails is replaced by a new one within the same
probe, so a restarted database is not reported down.
"""

import copy
import logging
import os
import queue
import threading
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, Error, connections
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers

log = logging.getLogger(__name__)

# libpq waits at least 2 seconds for a connection, whatever is asked.
PROBE_TIMEOUT_SECONDS = 2
DEADLINE_SECONDS = 2.5

_probing = threading.Lock()


def _probe_settings(database):
    settings_dict = copy.deepcopy(database.settings_dict)
    options = settings_dict.setdefault("OPTIONS", {})
    if database.vendor == "postgresql":
        options.pop("pool", None)  # a connection of its own, not one from a pool
        options["connect_timeout"] = PROBE_TIMEOUT_SECONDS
        statement_timeout = f"-c statement_timeout={PROBE_TIMEOUT_SECONDS * 1000}"
        options["options"] = f"{options.get('options', '')} {statement_timeout}".strip()
    elif database.vendor == "sqlite":
        options["timeout"] = PROBE_TIMEOUT_SECONDS
    settings_dict["CONN_MAX_AGE"] = 0
    return settings_dict


class _KeptConnection:
    """The probe connection of this process; used by one probe thread at a time (`_probing`)."""

    def __init__(self):
        self.wrapper = None
        self.pid = None

    def get(self, wrapper_class, settings_dict):
        if self.wrapper is None or self.pid != os.getpid():
            # A connection inherited from a parent process is never used, nor closed: its socket
            # is the parent's.
            self.wrapper = wrapper_class(settings_dict, alias="healthz")
            self.wrapper.inc_thread_sharing()  # each probe runs in a thread of its own
            self.pid = os.getpid()
        return self.wrapper

    def discard(self):
        if self.wrapper is not None and self.pid == os.getpid():
            try:
                self.wrapper.close()
            except DatabaseError:
                pass
        self.wrapper = None


_kept = _KeptConnection()


class _Probe:
    """One `SELECT 1`, run by the process's probe thread; `done` is set when it is over."""

    def __init__(self, wrapper_class, settings_dict, keep):
        self.wrapper_class = wrapper_class
        self.settings_dict = settings_dict
        self.keep = keep
        self.answered = False
        self.done = threading.Event()

    def _select_one(self):
        wrapper = _kept.get(self.wrapper_class, self.settings_dict)
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            return True
        except Error:  # InterfaceError too: a connection closed under it
            _kept.discard()
            return False

    def run(self):
        try:
            reused = _kept.wrapper is not None and _kept.pid == os.getpid()
            # A kept connection may have been closed by a database restart: one new try.
            self.answered = self._select_one() or (reused and self._select_one())
            if not self.keep:
                _kept.discard()
        except Exception:  # the probe thread outlives any one probe: "unavailable", and logged
            log.exception("The health probe failed")
            self.answered = False
        finally:
            _probing.release()
            self.done.set()


class _ProbeThread:
    """The thread of this process that runs the probes, one at a time (`_probing`), started at
    the first probe; kept, as starting a thread per probe costs about what the probe does."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queue = None
        self._thread = None
        self._pid = None

    def _run(self, probes):
        while True:
            probes.get().run()

    def submit(self, probe):
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                # A thread is not inherited by a forked worker: each process starts its own.
                self._queue = queue.SimpleQueue()
                self._thread = threading.Thread(
                    target=self._run, args=(self._queue,), name="healthz-probe", daemon=True
                )
                self._pid = os.getpid()
                self._thread.start()
            self._queue.put(probe)


_probe_thread = _ProbeThread()


def database_answers():
    """True when the default database runs `SELECT 1` within the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    if not _probing.acquire(timeout=DEADLINE_SECONDS):
        return False  # an earlier probe still waits for the database
    try:
        database = connections[DEFAULT_DB_ALIAS]
        keep = bool(database.settings_dict.get("CONN_MAX_AGE"))
        probe = _Probe(type(database), _probe_settings(database), keep)
        _probe_thread.submit(probe)
    except BaseException:
        _probing.release()
        raise
    return probe.done.wait(max(0.0, deadline - time.monotonic())) and probe.answered


HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answers `/healthz` (GET, HEAD): 200 `{"status": "ok", "database": "ok"}` when the database
    answers, 503 when it does not, never stored by a cache.

    A middleware placed right after the ones that set the headers every response carries
    (security, CSP, permissions, the request guard): a load balancer's probe then costs the
    probe, not the sessions, CSRF, authentication, URL resolution and the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if database_answers():
            response = JsonResponse({"status": "ok", "database": "ok"})
        else:
            response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        add_never_cache_headers(response)
        return response
