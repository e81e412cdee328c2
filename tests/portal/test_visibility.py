"""One visibility rule on every public surface, for every declared record type.

For each record type in the registry (portal/records.py) the test makes a record through the
type's sample (`VISIBILITY` in tests/<app>/factories.py) as a draft, in review, withdrawn after
being published, and published under an unpublished parent (for types with parents), and checks
that no public surface shows it: the home page, every public list and its CSV, XLSX and JSON
downloads (and the library's citation exports), the data package, the country page, the
legislation overview, the compare page, the change log and its Atom feed, search, sitemap.xml and
every list of the API (/api/v1/); its own page and its API address are 404s. The same records
published are on the
surfaces the registry and the sample say they are on, so the absence means something.
"""

import io
import zipfile
from importlib import import_module

import feedparser
import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from portal.api.routes import detail_url, endpoints
from portal.downloads import public_spec
from portal.models import Status
from portal.permissions import record_country_ids
from portal.records import country_model, record_types
from tests.profiles.factories import CountryFactory

pytestmark = pytest.mark.django_db

WORD = "Quokkamark"  # in every sample's text, and in no other data of the test
HIDDEN = (Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN)


def samples():
    found = {}
    for app_label in sorted({t.app_label for t in record_types()}):
        found.update(import_module(f"tests.{app_label}.factories").VISIBILITY)
    return found


def mark_of(record_type, extra=""):
    return f"{WORD} {record_type.model._meta.model_name}{extra}"


def make(record_type, *, status, country, mark=None, **parents):
    """A record of the type through its sample; withdrawn records are published first."""
    mark = mark or mark_of(record_type)
    first = Status.PUBLISHED if status == Status.WITHDRAWN else status
    record = samples()[record_type.model].make(mark, status=first, country=country, **parents)
    if status == Status.WITHDRAWN:
        record.status = Status.WITHDRAWN
        record.save()
    return record, mark


def markers(record_type, record, mark):
    found = samples()[record_type.model].markers(record, mark)
    return [*found, str(record)]


def paths(templates, country):
    code = country.iso_code
    return [t.format(iso=code.lower(), ISO=code) for t in templates]


@pytest.fixture
def lithuania():
    CountryFactory(iso_code="LV", name="Latvia", slug="latvia")  # the second compared country
    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")


def hidden_records(kind, country):
    """(record type, record, mark) of every type: hidden by `kind`, a status or "parent"."""
    made = []
    for record_type in record_types():
        if kind != "parent":
            record, mark = make(record_type, status=kind, country=country)
            made.append((record_type, record, mark))
            continue
        for n, name in enumerate(record_type.public_parents):
            parent_type = next(
                t
                for t in record_types()
                if t.model is record_type.model._meta.get_field(name).related_model
            )
            parent, parent_mark = make(
                parent_type,
                status=Status.DRAFT,
                country=country,
                mark=mark_of(parent_type, f" parent {record_type.model._meta.model_name} {n}"),
            )
            record, mark = make(
                record_type,
                status=Status.PUBLISHED,
                country=parent if name == "country" else country,
                mark=mark_of(record_type, f" under {name}"),
                **({} if name == "country" else {name: parent}),
            )
            made += [(parent_type, parent, parent_mark), (record_type, record, mark)]
    return made


DOWNLOADS = ("csv", "xlsx", "json", "bibtex", "ris", "csljson")


def page_text(response):
    """A public page's text: HTML, a download (a workbook's cells), or the data package's files."""
    data = b"".join(response) if response.streaming else response.content
    kind = response["Content-Type"]
    if kind.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "\n".join(package.read(name).decode() for name in package.namelist())
    if kind.startswith("application/vnd.openxmlformats"):
        sheets = load_workbook(io.BytesIO(data), read_only=True).worksheets
        cells = (c for sheet in sheets for row in sheet.iter_rows(values_only=True) for c in row)
        return "\t".join(str(c) for c in cells if c is not None)
    return data.decode()


def package_rows(table):
    return len(table.splitlines()) - 1  # a header, then a line a record (no line breaks here)


def public_pages(country):
    """Every public page a record of any type may show on, for `country`."""
    pages = {"/", reverse("sitemap"), reverse("data-package")}
    for record_type in record_types():
        if record_type.list_page:
            url = reverse(record_type.list_page.url_name)
            pages.add(url)
            pages.update(f"{url}?format={fmt}" for fmt in DOWNLOADS)
    for sample in samples().values():
        pages.update(paths(sample.pages, country))
    code = country.iso_code.lower()
    pages.add(reverse("country-changes", kwargs={"iso_code": code}))
    pages.add(reverse("country-changes-feed", kwargs={"iso_code": code}))
    return sorted(pages)


def api_lists(client):
    """{API list URL: every page of it as text}: the lists of every type the API serves."""
    texts = {}
    for declared in endpoints():
        url = reverse(f"api:{declared.api.path}-list") + "?page_size=500"
        start, pages = url, []
        while url:
            response = client.get(url)
            assert response.status_code == 200, url
            pages.append(response.content.decode())
            url = response.json()["next"]
        texts[start] = "\n".join(pages)
    return texts


def search_hits(client):
    response = client.get(reverse("search"), {"q": WORD})
    assert response.status_code == 200
    return {(type(hit.obj), hit.obj.pk) for hit in response.context["results"].hits}


def test_every_record_type_has_a_sample():
    declared = {t.model for t in record_types()}
    assert declared == set(samples()), "add a Sample to tests/<app>/factories.py VISIBILITY"
    assert len(declared) >= 14


@pytest.mark.parametrize("kind", [*HIDDEN, "parent"])
def test_hidden_records_are_on_no_public_surface(client, lithuania, kind):
    made = hidden_records(kind, lithuania)
    assert made
    pages = public_pages(lithuania)
    if kind == "withdrawn":
        # The change log announces a withdrawal: its entries name the record, say "Withdrawn"
        # and link nowhere; no other entry of it stays.
        code = lithuania.iso_code.lower()
        log = reverse("country-changes", kwargs={"iso_code": code})
        feed_url = reverse("country-changes-feed", kwargs={"iso_code": code})
        entries = feedparser.parse(client.get(feed_url).content).entries
        named = [e for e in entries if WORD.lower() in e.title.lower()]
        assert named and all(e.title.startswith("Withdrawn") for e in named), named
        log_html = client.get(log).content.decode()
        for _, record, _ in made:
            if hasattr(record, "get_absolute_url"):
                assert f'href="{record.get_absolute_url()}"' not in log_html, record
        pages = [page for page in pages if page not in (log, feed_url)]
    texts = {}
    for page in pages:
        response = client.get(page)
        if "format=" in page and response.status_code == 400:
            continue  # a citation format of another list
        assert response.status_code == 200, page
        texts[page] = page_text(response)
        assert WORD.lower() not in texts[page].lower(), page
    assert not {(type(r), r.pk) for _, r, _ in made} & search_hits(client)
    with zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("data-package"))))) as package:
        for record_type in record_types():
            table = package.read(f"data/{public_spec(record_type.model).name}.csv").decode()
            assert package_rows(table) == record_type.public().count(), record_type.label
    for url, text in api_lists(client).items():
        assert WORD.lower() not in text.lower(), url
        texts[url] = text
    for record_type, record, mark in made:
        for marker in markers(record_type, record, mark):
            for page, text in texts.items():
                assert marker not in text and escape(marker) not in text, (marker, page)
        if record_type.has_page:
            assert client.get(record.get_absolute_url()).status_code == 404, record
        if record_type.api:
            assert detail_url(record) not in "".join(texts.values()), record
            assert client.get(detail_url(record)).status_code == 404, record
        if record_type.country_field == "self":
            for name in ("country-changes", "country-changes-feed"):
                url = reverse(name, kwargs={"iso_code": record.iso_code.lower()})
                assert client.get(url).status_code == 404, url


def test_published_records_are_on_their_surfaces(client, lithuania, committed):
    with committed():  # the search index is kept after the commit
        made = [
            (record_type, *make(record_type, status=Status.PUBLISHED, country=lithuania))
            for record_type in record_types()
        ]
    hits = search_hits(client)
    sitemap = client.get(reverse("sitemap")).content.decode()
    with zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("data-package"))))) as package:
        tables = {name: package.read(name).decode() for name in package.namelist()}
    api = "".join(api_lists(client).values())
    pages = {}

    def text(page):
        if page not in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            pages[page] = page_text(response)
        return pages[page]

    def shows(page, found):
        return any(m in text(page) or escape(m) in text(page) for m in found)

    for record_type, record, mark in made:
        found = markers(record_type, record, mark)
        surfaces = list(paths(samples()[record_type.model].pages, lithuania))
        if record_type.list_page:
            surfaces.append(reverse(record_type.list_page.url_name))
            for fmt in ("csv", "json"):
                download = f"{reverse(record_type.list_page.url_name)}?format={fmt}"
                assert WORD in text(download), (record_type.label, download)
        table = f"data/{public_spec(record_type.model).name}.csv"
        assert package_rows(tables[table]) == record_type.public().count() >= 1, table
        if record_type.has_page:
            surfaces.append(record.get_absolute_url())
        if record_type.country_field:
            for country in country_model().objects.filter(pk__in=record_country_ids(record)):
                surfaces.append(reverse("country-changes", kwargs={"iso_code": country.iso_code}))
                feed = reverse("country-changes-feed", kwargs={"iso_code": country.iso_code})
                entries = feedparser.parse(client.get(feed).content).entries
                assert any(str(record) in entry.title for entry in entries), (record, feed)
        for page in surfaces:
            assert shows(page, found), (record_type.label, page)
        if record_type.search:
            assert (type(record), record.pk) in hits, record_type.label
        if record_type.sitemap:
            assert f"{record.get_absolute_url()}</loc>" in sitemap, record_type.label
        if record_type.api:
            assert f'"http://testserver{detail_url(record)}"' in api, record_type.label
            response = client.get(detail_url(record))
            assert response.status_code == 200, record_type.label
            assert response.json()["api_url"] == f"http://testserver{detail_url(record)}"
