"""List downloads through the real entry point: gunicorn with the project's configuration
(portal/gunicorn.py: threaded workers), production settings and the page cache on.

A reader that reads a download of several MB slowly keeps the transfer going for several times
gunicorn's worker timeout (here 2 s). With sync workers the worker writing it stops reporting to
the arbiter and is killed at the timeout, and the reader gets a cut file; with the threaded
workers of portal/gunicorn.py the reader gets every row.
"""

import csv
import http.client
import io
import json
import socket
import time

import pytest
from django.db import connection
from openpyxl import load_workbook

from library.models import Report
from portal.models import Status
from tests.portal.test_settings import PROD_ENV, clean_environment
from tests.servers import Gunicorn, local_port

WORKER_TIMEOUT = 2
REPORTS = 3000  # with their summaries, a CSV of about 6 MB: more than the sockets' buffers hold
RECENT = 40  # of year 2024: the XLSX and JSON downloads
DRAFTS = 25  # never downloaded
SUMMARY = "Children's online safety, measured and discussed at length. " * 34  # ~2 KB

CHUNK = 16 * 1024
PAUSE = 0.1
SLOW_SECONDS = 3.25 * WORKER_TIMEOUT


def _report(n, year, status=Status.PUBLISHED):
    return Report(
        title=f"Served report {n:05d}",
        slug=f"served-report-{n:05d}",
        year=year,
        summary=f"{n}: {SUMMARY}",
        report_type="survey",
        language="en",
        status=status,
    )


@pytest.fixture
def served_portal(transactional_db, tmp_path):
    """The portal under gunicorn on this test's database, whose records it commits (the
    transactional_db fixture empties the tables afterwards)."""
    Report.objects.bulk_create(
        [_report(n, 2000 + n % 24) for n in range(REPORTS)]
        + [_report(REPORTS + n, 2024) for n in range(RECENT)]
        + [_report(REPORTS + RECENT + n, 2024, Status.DRAFT) for n in range(DRAFTS)],
        batch_size=1000,
    )
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    environment = {
        **clean_environment(),
        **PROD_ENV,
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        ),
        # On, in the one worker's local memory (no Redis): streamed answers must pass it.
        "PAGE_CACHE_SECONDS": "600",
        "PORTAL_DATAPACKAGE_DIR": str(tmp_path / "data"),
    }
    server = Gunicorn(
        local_port(3),
        environment,
        tmp_path / "gunicorn.log",
        options=("--timeout", str(WORKER_TIMEOUT)),
    )
    server.start()
    yield server
    server.stop()


class _SmallWindowConnection(http.client.HTTPConnection):
    """A client with a small receive buffer: the server can run ahead of it by the server's
    own socket buffer only."""

    def connect(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        self.sock.settimeout(self.timeout)
        self.sock.connect((self.host, self.port))


def _slow_download(port, path):
    """(status, body, seconds, cut): `CHUNK` bytes every `PAUSE` s for `SLOW_SECONDS`, then the
    rest at once; `cut` says the server ended the answer before its end."""
    client = _SmallWindowConnection("127.0.0.1", port, timeout=30)
    started = time.monotonic()
    client.request("GET", path)
    response = client.getresponse()
    chunks, cut = [], False
    try:
        while True:
            slow = time.monotonic() - started < SLOW_SECONDS
            chunk = response.read(CHUNK if slow else 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            if slow:
                time.sleep(PAUSE)
    except http.client.IncompleteRead as error:
        chunks.append(error.partial)
        cut = True
    except OSError:
        cut = True
    finally:
        client.close()
    return response.status, b"".join(chunks), time.monotonic() - started, cut


def _get(port, path):
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", path)
        response = client.getresponse()
        return response, response.read()
    finally:
        client.close()


@pytest.mark.postgres
def test_a_slow_reader_gets_the_whole_csv_download_past_the_worker_timeout(served_portal):
    site = served_portal
    public = Report.objects.filter(status=Status.PUBLISHED).count()
    last_title = Report.objects.filter(status=Status.PUBLISHED).order_by("pk").last().title

    status, body, seconds, cut = _slow_download(site.port, "/library/?format=csv")

    log = site.log()
    assert status == 200, log[-3000:]
    assert not cut, f"the answer was cut after {len(body):,} bytes; log: {log[-2000:]}"
    assert "WORKER TIMEOUT" not in log, log[-3000:]
    assert seconds >= 3 * WORKER_TIMEOUT, seconds
    assert len(body) > 5_000_000, len(body)
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n"), text[-200:]
    rows = list(csv.reader(io.StringIO(text)))
    header, records = rows[0], rows[1:]
    assert len(records) == public == REPORTS + RECENT
    assert len(records[-1]) == len(header)
    assert records[-1][header.index("title")] == last_title


@pytest.mark.postgres
def test_xlsx_and_json_downloads_are_served_with_the_page_cache_on(served_portal):
    site = served_portal
    # The cache is on: a list's citation export (a plain answer) is kept and served again.
    first, _ = _get(site.port, "/library/?year_min=2024&format=ris")
    again, _ = _get(site.port, "/library/?year_min=2024&format=ris")
    assert (first.status, first.getheader("X-Page-Cache")) == (200, "miss"), site.log()[-3000:]
    assert (again.status, again.getheader("X-Page-Cache")) == (200, "hit")

    response, body = _get(site.port, "/library/?year_min=2024&format=xlsx")
    assert response.status == 200, site.log()[-3000:]
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 1 + RECENT  # the header and the rows

    response, body = _get(site.port, "/library/?year_min=2024&format=json")
    assert response.status == 200, site.log()[-3000:]
    records = json.loads(body)
    assert len(records) == RECENT
    assert {str(record["year"]) for record in records} == {"2024"}
    assert response.getheader("X-Page-Cache") is None  # streamed: never kept
