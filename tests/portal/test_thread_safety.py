"""Per-request state under threaded workers (portal/gunicorn.py: one process serves several
requests at once, one per thread): what one request decides is never seen by another."""

import threading

from django.http import HttpResponse
from django.test import RequestFactory

from portal import db_routing, page_cache

TIMEOUT = 10


def test_the_replica_decision_belongs_to_its_own_request(monkeypatch):
    """A public read that chose the replica, and an editor's request in another thread of the
    same process at the same moment: the editor's request reads the primary."""
    monkeypatch.setattr(db_routing, "replica_configured", lambda: True)
    monkeypatch.setattr(db_routing, "choose_read_alias", lambda: db_routing.REPLICA)
    router = db_routing.ReplicaRouter()
    public_has_chosen, editor_has_read = threading.Event(), threading.Event()
    seen = {}

    def public_view(request):
        seen["public, first"] = router.db_for_read(None)
        public_has_chosen.set()
        assert editor_has_read.wait(TIMEOUT)
        seen["public, after the editor's read"] = router.db_for_read(None)
        return HttpResponse("public")

    def editor_view(request):
        assert public_has_chosen.wait(TIMEOUT)
        seen["editor"] = router.db_for_read(None)
        editor_has_read.set()
        return HttpResponse("editor")

    factory = RequestFactory()
    signed_in = factory.get("/countries/lt/")
    signed_in.COOKIES["sessionid"] = "abc"
    requests = [
        (db_routing.ReadRoutingMiddleware(public_view), factory.get("/countries/lt/")),
        (db_routing.ReadRoutingMiddleware(editor_view), signed_in),
    ]
    threads = [threading.Thread(target=m, args=(r,)) for m, r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert seen == {
        "public, first": "replica",
        "editor": "default",
        "public, after the editor's read": "replica",
    }
    assert db_routing._scope.get() is None  # nothing left behind in this thread either


def test_cache_failures_from_many_threads_are_all_counted(monkeypatch):
    """The page cache's health is one object per process, shared by its threads, behind a lock:
    no failure is lost (a lost one could let a thread trust the cache after a failed write)."""
    health = page_cache.CacheHealth()
    monkeypatch.setattr(page_cache.log, "warning", lambda *args: None)
    start = threading.Barrier(8)

    def fail_many():
        start.wait(TIMEOUT)
        for _ in range(500):
            health.failed(ConnectionError("down"))

    threads = [threading.Thread(target=fail_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert (health.failures, health.trusted) == (8 * 500, False)
