"""The health check's database probe, bounded in time whatever the database does.

A request's own connection would wait `DJANGO_DB_CONNECT_TIMEOUT` for a database that accepts
connections but never answers. The probe opens a connection of its own with short timeouts, in a
thread the request stops waiting for at `DEADLINE_SECONDS`, so a load balancer hears "unavailable"
in time; at most one probe per process waits for the database at once.

With persistent connections (`CONN_MAX_AGE`, on in production) the probe's connection is kept for
the next probe too (a load balancer asks every few seconds, and a new PostgreSQL connection costs
more than the `SELECT 1`); a kept connection that fails is replaced by a new one within the same
probe, so a restarted database is not reported down.
"""

import copy
import os
import threading
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, Error, connections

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


class _Probe(threading.Thread):
    def __init__(self, wrapper_class, settings_dict, keep):
        super().__init__(name="healthz-probe", daemon=True)
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
        finally:
            _probing.release()
            self.done.set()


def database_answers():
    """True when the default database runs `SELECT 1` within the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    if not _probing.acquire(timeout=DEADLINE_SECONDS):
        return False  # an earlier probe still waits for the database
    try:
        database = connections[DEFAULT_DB_ALIAS]
        keep = bool(database.settings_dict.get("CONN_MAX_AGE"))
        probe = _Probe(type(database), _probe_settings(database), keep)
        probe.start()
    except BaseException:
        _probing.release()
        raise
    return probe.done.wait(max(0.0, deadline - time.monotonic())) and probe.answered
