"""A preview is confirmed at most once: a second click, another tab or two requests at the same
moment import the file once, and the other request gets a message instead of an error."""

import os
import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from portal.bulk import admin as bulk_admin
from portal.bulk import engine
from portal.models import ImportLog
from profiles.models import Initiative
from tests.portal.factories import make_member
from tests.profiles.factories import InitiativeFactory

from .helpers import ImportPage, csv_bytes

IMPORT = "admin:profiles_initiative_bulk_import"
ROWS = [
    ["country", "title", "year", "body"],
    ["LT", "Hotline", "2005", "Changed."],
    ["LT", "Brand new", "2006", "Body."],
]
ALREADY = "was already confirmed or cancelled (a second click, or another tab): nothing more"


def imported_once(existing):
    """The file's two rows were written exactly once."""
    existing.refresh_from_db()
    assert (existing.body, existing.version) == ("Changed.", 2)
    assert existing.history.filter(history_type="~").count() == 1
    assert Initiative.objects.filter(title="Brand new").count() == 1
    assert Initiative.history.filter(title="Brand new").count() == 1
    log = ImportLog.objects.get()
    assert (log.new, log.updated, log.written) == (1, 1, True)


@pytest.mark.django_db
def test_a_second_confirm_or_cancel_gets_a_message_and_writes_nothing(csrf_client, lt):
    csrf_client.force_login(make_member("Editor", lt))
    existing = InitiativeFactory(country=lt, title="Hotline", year=2005, body="Old.")
    page = ImportPage(csrf_client, reverse(IMPORT))
    preview = page.upload(csv_bytes(ROWS))
    assert page.submit(preview).status_code == 302
    again = page.submit(preview, follow=True)
    assert again.status_code == 200 and ALREADY in again.content.decode()
    cancel = page.submit(preview, action="cancel", follow=True)
    assert ALREADY in cancel.content.decode()
    imported_once(existing)


@pytest.mark.django_db
def test_a_cancelled_preview_cannot_be_confirmed_afterwards(csrf_client, lt):
    csrf_client.force_login(make_member("Editor", lt))
    page = ImportPage(csrf_client, reverse(IMPORT))
    preview = page.upload(csv_bytes(ROWS))
    assert "Import cancelled" in page.submit(preview, action="cancel", follow=True).content.decode()
    assert ALREADY in page.submit(preview, follow=True).content.decode()
    assert not Initiative.objects.exists() and not ImportLog.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_the_same_moment_import_once(lt, monkeypatch):
    """Two requests (a double click: one browser session, one preview) reach the view together;
    the import of whichever gets there is held open until the other has its answer, so the two
    overlap for certain."""
    editor = make_member("Editor", lt)
    existing = InitiativeFactory(country=lt, title="Hotline", year=2005, body="Old.")
    url = reverse(IMPORT)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    preview = ImportPage(browser, url).upload(csv_bytes(ROWS))
    assert preview.context["result"].counts["new"] == 1

    answered = threading.Event()
    importing = []
    real_import = bulk_admin.import_file

    def held_import(**kwargs):
        if not kwargs["dry_run"]:
            importing.append(threading.current_thread().name)
            answered.wait(timeout=10)
        return real_import(**kwargs)

    monkeypatch.setattr(bulk_admin, "import_file", held_import)
    start = threading.Barrier(2, timeout=10)
    responses, errors = {}, []

    def click(name):
        client = Client(enforce_csrf_checks=True)
        for key, morsel in browser.cookies.items():  # the same session and CSRF cookie
            client.cookies[key] = morsel.value
        try:
            start.wait()
            responses[name] = ImportPage(client, url).submit(preview, follow=True)
        except Exception as error:  # a 500 raises in the test client
            errors.append(error)
        finally:
            answered.set()
            connections.close_all()

    threads = [threading.Thread(target=click, args=(n,), name=n) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(importing) == 1
    pages = {name: response.content.decode() for name, response in responses.items()}
    assert all(response.status_code == 200 for response in responses.values())
    winner = importing[0]
    loser = "two" if winner == "one" else "one"
    assert "Imported i.csv: 2 rows: 1 new, 1 updated" in pages[winner]
    assert ALREADY in pages[loser] and "Imported i.csv" not in pages[loser]
    imported_once(existing)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_previews_creating_the_same_record_at_once_give_no_error_page(lt, monkeypatch):
    """Two editors confirm their own previews, each with the same new record, together: both
    are planned before either writes, so the second write meets the first's unique keys. That
    file is refused with a message and the log says so; it is never a server error."""
    url = reverse(IMPORT)
    browsers, previews = [], []
    for name in ("ona", "jonas"):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(make_member("Editor", lt, username=name))
        previews.append(ImportPage(browser, url).upload(csv_bytes(ROWS[:1] + ROWS[2:])))
        browsers.append(browser)
    both_planned = threading.Barrier(2, timeout=10)
    real_apply = engine.apply_plan

    def apply_together(plan, ctx, progress=None):
        both_planned.wait()
        return real_apply(plan, ctx, progress)

    monkeypatch.setattr(engine, "apply_plan", apply_together)
    pages, errors = [], []

    def confirm(browser, preview):
        try:
            response = ImportPage(browser, url).submit(preview, follow=True)
            pages.append((response.status_code, response.content.decode()))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=confirm, args=pair) for pair in zip(browsers, previews, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(status for status, _ in pages) == [200, 200]
    texts = sorted(pages, key=lambda page: "Refused" in page[1])
    assert "Imported i.csv: 1 rows: 1 new" in texts[0][1]
    refused = texts[1][1]
    assert "Refused: nothing was written" in refused
    assert "The database refused the file, nothing was written" in refused
    assert Initiative.objects.filter(title="Brand new").count() == 1
    assert sorted(ImportLog.objects.values_list("written", flat=True)) == [False, True]


@pytest.mark.django_db
def test_previews_and_marks_older_than_a_token_are_removed_at_the_next_upload(
    csrf_client, lt, upload_dir
):
    csrf_client.force_login(make_member("Editor", lt))
    page = ImportPage(csrf_client, reverse(IMPORT))
    page.submit(page.upload(csv_bytes(ROWS)), action="cancel")
    [mark] = upload_dir.iterdir()
    assert mark.name.endswith(".used")
    old = time.time() - bulk_admin.TOKEN_MAX_AGE - 120
    os.utime(mark, (old, old))
    page.upload(csv_bytes(ROWS))
    assert [path.suffix for path in upload_dir.iterdir()] == [".csv"]
