"""Public reads on a streaming replica, everything else on the primary.

With DATABASE_REPLICA_URL set, the `replica` database alias is a read-only standby of `default`
(PostgreSQL streaming replication). `ReadRoutingMiddleware` opens a read scope for the requests
that may use it: GET and HEAD without a session cookie, outside the admin. Everything else (a
signed-in editor's requests, the admin, every POST, management commands, the test client outside a
request) reads and writes on the primary, so an editor sees their own change at once.

Inside a public read scope the first query decides, once per request, where the request reads:

- the replica, when it answers and has replayed everything the primary had flushed when the
  request began (`pg_last_wal_replay_lsn() >= pg_current_wal_flush_lsn()` of the primary; a
  commit returns once its WAL is flushed, with PostgreSQL's default synchronous_commit): a change
  is on every page at the next request, and a page rendered from a lagging replica is never
  cached as the new version;
- else the primary. A replica that does not answer is left alone for
  PORTAL_REPLICA_RETRY_SECONDS, so a stopped replica costs one refused connection per process
  and interval, not one per request.

A replica that fails in the middle of a request (stopped, restarted, network gone) makes the
middleware run that safe request once more on the primary, so the reader gets the page rather
than a 500.
"""

import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")


class _Scope:
    """One request's read decision: None until its first query."""

    __slots__ = ("alias", "failed")

    def __init__(self, alias=None):
        self.alias = alias
        self.failed = False


_scope = contextvars.ContextVar("portal_read_scope", default=None)


class _ReplicaState:
    """Per-process memory of a replica that did not answer."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0

    def usable_now(self):
        return time.monotonic() >= self.down_until

    def mark_down(self, error):
        seconds = getattr(settings, "PORTAL_REPLICA_RETRY_SECONDS", 5.0)
        with self.lock:
            first = self.usable_now()
            self.down_until = time.monotonic() + seconds
        if first:
            logger.warning(
                "Replica database unusable (%s): public reads use the primary for %s s.",
                error.__class__.__name__,
                seconds,
            )
        _close_quietly(REPLICA)

    def reset(self):
        self.down_until = 0.0


replica_state = _ReplicaState()


def replica_configured():
    return REPLICA in settings.DATABASES


def _close_quietly(alias):
    try:
        connections[alias].close()
    except DatabaseError:
        pass


def _primary_lsn():
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        return cursor.fetchone()[0]


def _replica_has_replayed(lsn):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [lsn])
        return cursor.fetchone()[0]


def choose_read_alias():
    """The alias a public request reads from: the replica when it answers and has caught up."""
    if not replica_state.usable_now():
        return PRIMARY
    lsn = _primary_lsn()
    try:
        caught_up = _replica_has_replayed(lsn)
    except (OperationalError, InterfaceError) as error:
        replica_state.mark_down(error)
        return PRIMARY
    return REPLICA if caught_up else PRIMARY


class ReplicaRouter:
    """Database router: reads of public requests on the replica (see the module docstring)."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if scope is None:
            return PRIMARY
        if scope.alias is None:
            scope.alias = choose_read_alias()
        return scope.alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: records read from either relate freely.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _is_public_read(request):
    if request.method not in SAFE_METHODS:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return not request.path.startswith("/admin/")


class ReadRoutingMiddleware:
    """Opens the public read scope (see the module docstring); first in MIDDLEWARE after the
    security headers, so a retry re-runs everything that could have read the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured() or not _is_public_read(request):
            return self.get_response(request)
        scope = _Scope()
        token = _scope.set(scope)
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(token)
        if not scope.failed:
            return response
        token = _scope.set(_Scope(alias=PRIMARY))
        try:
            return self.get_response(request)
        finally:
            _scope.reset(token)

    def process_exception(self, request, exception):
        scope = _scope.get()
        if (
            scope is not None
            and scope.alias == REPLICA
            and isinstance(exception, (OperationalError, InterfaceError))
        ):
            replica_state.mark_down(exception)
            scope.failed = True
            # Any response ends this attempt quietly; __call__ discards it and runs the request
            # again on the primary.
            return HttpResponse(status=503)
        return None
