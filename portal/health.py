"""The health check's database probe, bounded in time whatever the database does.

A request's own connection would wait `DJANGO_DB_CONNECT_TIMEOUT` for a database that accepts
connections but never answers. The probe opens a connection of its own with short timeouts, in a
thread the request stops waiting for at `DEADLINE_SECONDS`, so a load balancer hears "unavailable"
in time; at most one probe per process waits for the database at once, and the requests that
arrive meanwhile share the next probe (`_Prober`).

With persistent connections (`CONN_MAX_AGE`, on in production) the probe's connection is kept for
the next probe too (a load balancer asks every few seconds, and a new PostgreSQL connection costs
more than the `SELECT 1`); a kept connection that fails is replaced by a new one within the same
probe, so a restarted database is not reported down.
"""

import copy
import json
import logging
import os
import threading

from django.db import DEFAULT_DB_ALIAS, DatabaseError, Error, connections
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.http import http_date

log = logging.getLogger(__name__)

# libpq waits at least 2 seconds for a connection, whatever is asked.
PROBE_TIMEOUT_SECONDS = 2
DEADLINE_SECONDS = 2.5


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
    """The probe connection of this process; used by its probe thread only."""

    def __init__(self):
        self.wrapper = None
        self.pid = None

    def get(self, wrapper_class, settings_dict):
        if self.wrapper is None or self.pid != os.getpid():
            # A connection inherited from a parent process is never used, nor closed: its socket
            # is the parent's.
            self.wrapper = wrapper_class(settings_dict, alias="healthz")
            # Made in the probe thread; a probe thread that replaced a dead one may use it.
            self.wrapper.inc_thread_sharing()
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


def _select_one(wrapper_class, settings_dict):
    wrapper = _kept.get(wrapper_class, settings_dict)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Error:  # InterfaceError too: a connection closed under it
        _kept.discard()
        return False


def _probe():
    """One probe: `SELECT 1` on the kept connection, or a new one. Never raises: the probe thread
    outlives any one probe."""
    try:
        database = connections[DEFAULT_DB_ALIAS]  # the settings; its connection is never opened
        wrapper_class, settings_dict = type(database), _probe_settings(database)
        keep = bool(database.settings_dict.get("CONN_MAX_AGE"))
        reused = _kept.wrapper is not None and _kept.pid == os.getpid()
        # A kept connection may have been closed by a database restart: one new try.
        answered = _select_one(wrapper_class, settings_dict) or (
            reused and _select_one(wrapper_class, settings_dict)
        )
        if not keep:
            _kept.discard()
        return answered
    except Exception:  # "unavailable", and logged
        log.exception("The health probe failed")
        return False


class _Prober:
    """The probes of this process, run one at a time by a thread of its own (started at the
    first request, kept: starting a thread costs about what the probe does).

    A request waits for the first probe that starts after it arrived, never for one already
    running, so its answer is never older than the request; requests that arrive while a probe
    runs share the next one. Many probes at once (several load balancers, a burst) then cost the
    database one `SELECT 1` at a time per process, and a request waits at most two probes."""

    def __init__(self):
        self._reset()

    def _reset(self):
        lock = threading.Lock()
        self._wanted = threading.Condition(lock)  # the thread waits for a request
        self._over = threading.Condition(lock)  # requests wait for a probe
        self._started = 0  # probes started
        self._finished = 0  # number of the last probe that ended; its answer:
        self._answered = False
        self._next_wanted = False  # a request waits for a probe that has not started
        self._thread = None

    def _run(self):
        while True:
            with self._wanted:
                while not self._next_wanted:
                    self._wanted.wait()
                self._next_wanted = False
                self._started += 1
                number = self._started
            answered = _probe()
            with self._over:
                self._finished, self._answered = number, answered
                self._over.notify_all()

    def answers(self, timeout):
        """True when a probe that starts after this call answers within `timeout` seconds."""
        with self._wanted:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="healthz-probe", daemon=True)
                self._thread.start()
            wanted = self._started + 1
            self._next_wanted = True
            self._wanted.notify()
            over = self._over.wait_for(lambda: self._finished >= wanted, timeout)
            return over and self._answered


_prober = _Prober()
# A forked worker inherits no thread, and must not inherit a lock held at the fork.
os.register_at_fork(after_in_child=_prober._reset)


def database_answers():
    """True when the default database runs `SELECT 1` within the deadline."""
    return _prober.answers(DEADLINE_SECONDS)


HEALTH_PATH = "/healthz"
# Built once: a load balancer may ask many times a second.
ANSWERS = {
    answered: (status, json.dumps({"status": status_text, "database": database}).encode())
    for answered, status, status_text, database in (
        (True, 200, "ok", "ok"),
        (False, 503, "error", "unavailable"),
    )
}
NEVER_CACHED = "max-age=0, no-cache, no-store, must-revalidate, private"


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
        status, body = ANSWERS[database_answers()]
        response = HttpResponse(body, status=status, content_type="application/json")
        # What `add_never_cache_headers` writes (the tests compare), without its parsing of the
        # headers, which under load was a measurable share of this answer (docs/performance.md).
        response["Expires"] = http_date()
        response["Cache-Control"] = NEVER_CACHED
        response["Content-Length"] = str(len(body))
        return response
