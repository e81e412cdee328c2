"""gunicorn's configuration for the portal: `gunicorn -c python:portal.gunicorn portal.wsgi`.

Every value can be set from the environment (GUNICORN_*, README "Configuration"), and a
command-line flag overrides both (`--workers 1`, `--bind ...`): gunicorn applies the command line
after this file.

Threaded workers (`gthread`). A sync worker serves one request at a time in its main loop, and
the arbiter kills it when it has not reported for `timeout` seconds, whatever it is doing: a
streamed download of a long list (portal/downloads.py), or any answer to a reader that reads
slowly, was cut off at the timeout, and a slow reader held a whole process meanwhile. A gthread
worker serves requests in a pool of threads while its main thread keeps reporting to the arbiter
(gunicorn's documentation of `timeout`: for the non-sync workers it "just means that the worker
process is still communicating and is not tied to the length of time required to handle a single
request"). `timeout` now bounds a stuck process (its main loop blocked), not a long request.

A request's own limits remain those of the portal: the database's statement timeout
(DJANGO_DB_STATEMENT_TIMEOUT_MS) and connect timeout. Nothing in gunicorn cuts a request that
runs long inside a thread; the TLS proxy in front should keep buffering responses (nginx's
default `proxy_buffering on`), so a slow reader holds the proxy's buffer, not a thread.
"""

import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus():
    try:
        return len(os.sched_getaffinity(0))  # what `taskset` or a container allows
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Processes give CPU parallelism (one Python interpreter lock each); threads cover waiting (the
# database, Redis, a slow reader), which is what gunicorn's "2 x CPUs + 1" sync rule made extra
# processes for. So one process per CPU and one more, capped at 8: the database keeps
# workers x threads connections per app server (README, "Database connections").
workers = _int("GUNICORN_WORKERS", min(_cpus() + 1, 8))
# Four requests at once per process: enough to keep a process busy while some of its requests
# wait, few enough that CPU-bound pages do not queue behind each other on the interpreter lock.
threads = _int("GUNICORN_THREADS", 4)
# gunicorn runs `sync` as `gthread` while threads > 1: sync workers need GUNICORN_THREADS=1 too.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")

# Loopback: the TLS proxy runs on the same machine. An app server behind a proxy or load
# balancer of another machine sets GUNICORN_BIND=0.0.0.0:8000 (docs/deploy.md).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# A process whose main loop has not reported for this long is killed and replaced (with gthread
# workers: a process stuck as a whole, never a request that is merely long; see above).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On a restart or reload, how long requests under way (a download among them) may finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection is kept: a gthread worker keeps it in its main loop, not
# in a thread, so a few seconds cost no request capacity and save the proxy a new connection.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# The access log to stdout (GUNICORN_ACCESS_LOG: a file instead; empty: none), the error log (and
# the portal's own logging) to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"

# gunicorn's control socket (`gunicornc`) is off unless GUNICORN_CONTROL_SOCKET names a path: its
# default path is one per user, which every gunicorn of that user on the host would try to use
# (two app servers of one machine, tests and benchmarks running side by side).
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control_socket:
    control_socket = _control_socket
control_socket_disable = not _control_socket
