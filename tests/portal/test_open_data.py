"""Open data: the downloads of every public list, the data package at /data/ and the schema.org
metadata of the pages, read the way their users read them (csv, json, openpyxl, frictionless)."""

import csv
import io
import json
import re
import zipfile
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from frictionless import Package, validate
from openpyxl import load_workbook

from laws.models import LegalAct, Provision
from library.models import Report
from portal import datapackage
from portal.downloads import public_spec
from portal.management.commands.load_demo_data import demo_fixture_files
from portal.models import Status
from portal.records import record_types
from profiles.models import Country, Organisation
from tests.library.factories import AuthorFactory, ReportFactory
from tests.profiles.factories import (
    CountryFactory,
    InitiativeFactory,
    InitiativeOrganisationFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


@contextmanager
def counted_queries():
    """The SQL statements run inside (counted at the cursor: the test client's request signals
    reset Django's own query log)."""
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield statements


JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture
def demo(db):
    call_command("loaddata", *[str(f) for f in demo_fixture_files()], verbosity=0)
    call_command("rebuild_search_index", verbosity=0)


def list_pages():
    return [t for t in record_types() if t.list_page]


def content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_records(response):
    text = content(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_records(response):
    sheet = load_workbook(io.BytesIO(content(response)), read_only=True).worksheets[0]
    rows = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def download(client, url, query, fmt):
    response = client.get(url, {**query, "format": fmt})
    assert response.status_code == 200, (url, query, fmt, content(response)[:300])
    reader = {"csv": csv_records, "xlsx": xlsx_records, "json": lambda r: json.loads(content(r))}
    return reader[fmt](response)


def identity(model):
    """The column that names one record in a download, and the model field it holds."""
    spec = public_spec(model)
    return "iso_code" if "iso_code" in spec.by_name else "slug"


def queries_for(record_type):
    """An unfiltered list and a few filters its FilterSet has (text search among them)."""
    view = reverse(record_type.list_page.url_name)
    from django.urls import resolve

    filters = getattr(resolve(view).func.view_class, "filterset_class", None)
    names = set(filters.base_filters) if filters else set()
    queries = [{}]
    if "q" in names:
        queries += [{"q": "online"}, {"q": "child"}]
    if "country" in names:
        queries.append({"country": "LT"})
    if "year_min" in names:
        queries.append({"year_min": "2015"})
    return view, queries


def test_downloads_hold_exactly_what_the_filters_select_on_every_list(client, demo):
    checked = 0
    for record_type in list_pages():
        url, queries = queries_for(record_type)
        key = identity(record_type.model)
        for query in queries:
            page = client.get(url, query)
            assert page.status_code == 200
            selected = list(page.context["paginator"].object_list)  # every page's records
            expected = sorted(getattr(r, key) for r in selected)
            for fmt in ("csv", "xlsx", "json"):
                rows = download(client, url, query, fmt)
                got = sorted(row[key] for row in rows)
                assert got == expected, (url, query, fmt)
            ids = set(record_type.model.objects.filter(**{f"{key}__in": got}).values_list("pk"))
            assert ids == {(r.pk,) for r in selected}, (url, query)
            checked += bool(expected)
    assert checked >= 8  # most of the queries select something in the demo data

    # the columns: the spreadsheet format's, less the status
    for record_type in list_pages():
        spec = public_spec(record_type.model)
        rows = download(client, reverse(record_type.list_page.url_name), {}, "json")
        assert rows, record_type.label
        expected = [c.name for c in spec.columns if c.name != "status"]
        assert list(rows[0]) == expected, record_type.label

    # the links, with the page's filters
    response = client.get(reverse("profiles:initiative-list"), {"country": "LT", "page": "2"})
    html = response.content.decode()
    count = response.context["paginator"].count
    assert f"Download these {count} records" in html
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="?country=LT&amp;format={fmt}"' in html
    assert '<link rel="alternate" type="text/csv" href="?country=LT&amp;format=csv"' in html
    assert (
        '<link rel="alternate" type="application/json" href="?country=LT&amp;format=json"' in html
    )
    library = client.get(reverse("library:report-list")).content.decode()
    assert "format=bibtex" in library and "format=csv" in library  # the citations stay
    for url in ("/", reverse("library:report-list"), "/countries/lt/"):
        assert f'href="{reverse("data")}"' in client.get(url).content.decode(), url


@pytest.mark.parametrize(
    "query",
    [
        {"format": "pdf"},
        {"format": "CSV"},
        {"format": "csv", "year_min": "abc"},
        {"format": "json", "country": "ZZ"},
    ],
)
def test_bad_download_requests_are_400(client, lt, query):
    response = client.get(reverse("profiles:initiative-list"), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_downloads_escape_formulas(client, lt):
    InitiativeFactory(
        country=lt, title='=HYPERLINK("http://evil.example","x")', status=Status.PUBLISHED
    )
    OrganisationFactory(name="+SUM(A1)", description="@cmd", status=Status.PUBLISHED)
    url = reverse("profiles:initiative-list")
    for fmt in ("csv", "xlsx", "json"):
        (row,) = download(client, url, {}, fmt)
        assert row["title"] == '\'=HYPERLINK("http://evil.example","x")', fmt
        (org,) = download(client, reverse("profiles:organisation-list"), {}, fmt)
        assert (org["name"], org["description"]) == ("'+SUM(A1)", "'@cmd"), fmt


def test_downloads_name_no_related_record_the_public_may_not_read(client, lt):
    hidden_country = CountryFactory(iso_code="ZZ", name="Hidden", status=Status.DRAFT)
    draft_author = AuthorFactory(family_name="Draftauthor", status=Status.DRAFT)
    author = AuthorFactory(family_name="Shown", status=Status.PUBLISHED)
    ReportFactory(
        title="Public report",
        status=Status.PUBLISHED,
        countries=[lt, hidden_country],
        authors=[author, draft_author],
    )
    initiative = InitiativeFactory(country=lt, status=Status.PUBLISHED)
    for name, status in (("Draft org", Status.DRAFT), ("Public org", Status.PUBLISHED)):
        InitiativeOrganisationFactory(
            initiative=initiative, organisation=OrganisationFactory(name=name, status=status)
        )
    (report,) = download(client, reverse("library:report-list"), {}, "csv")
    assert report["countries"] == "LT" and "Draftauthor" not in report["authors"]
    assert "Shown" in report["authors"]
    (row,) = download(client, reverse("profiles:initiative-list"), {}, "csv")
    assert "Public org" in row["organisations"] and "Draft org" not in row["organisations"]


def test_download_query_count_does_not_grow_with_the_data(client, lt):
    def queries(extra):
        for _ in range(extra):
            ReportFactory(countries=[lt], authors=[AuthorFactory()], status=Status.PUBLISHED)
        with counted_queries() as statements:
            rows = download(client, reverse("library:report-list"), {"country": "LT"}, "csv")
        return len(rows), len(statements)

    small, large = queries(3), queries(30)
    assert (small[0], large[0]) == (3, 33)
    assert small[1] == large[1] > 0


# --- the data package ------------------------------------------------------------------------


def package_files(client):
    response = client.get(reverse("data-package"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(content(response)))


def test_the_data_package_is_valid_and_holds_every_public_record(client, demo, tmp_path):
    Report.objects.filter(pk=Report.objects.order_by("pk").first().pk).update(status=Status.DRAFT)
    package = package_files(client)
    package.extractall(tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]

    descriptor = json.loads(package.read("datapackage.json"))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["created"] and descriptor["sources"]
    resources = {r["name"]: r for r in descriptor["resources"]}
    loaded = Package(str(tmp_path / "datapackage.json"))
    for record_type in record_types():
        name = public_spec(record_type.model).name
        rows = loaded.get_resource(name).read_rows()
        assert len(rows) == record_type.public().count(), name
        assert resources[name]["stats"]["rows"] == len(rows)
    # typed fields, keys between the tables
    reports = resources["reports"]["schema"]
    assert {"name": "year", "type": "integer"}.items() <= next(
        f for f in reports["fields"] if f["name"] == "year"
    ).items()
    provisions = resources["provisions"]["schema"]
    assert provisions["primaryKey"] and provisions["foreignKeys"]
    assert {"resource": "legal-acts", "fields": ["country", "title"]} in [
        fk["reference"] for fk in provisions["foreignKeys"]
    ]
    assert "status" not in {f["name"] for f in reports["fields"]}

    # the page that explains it
    response = client.get(reverse("data"))
    html = response.content.decode()
    assert "CC BY 4.0" in html and "frictionless" in html and "pandas" in html
    assert f'href="{reverse("data-package")}"' in html
    reports = Report.objects.public().count()
    assert re.search(rf"<code>data/reports.csv</code></td><td>{reports}</td>", html)
    (dataset,) = [json.loads(block) for block in JSON_LD.findall(html)]
    assert dataset["@type"] == "Dataset" and dataset["license"].endswith("/by/4.0/")
    assert dataset["distribution"][0]["contentUrl"].endswith(reverse("data-package"))
    with counted_queries() as statements:
        assert client.get(reverse("data")).status_code == 200
    assert statements == []  # a fresh package's page reads its meta file only


def test_publishing_gets_the_package_rebuilt_once_old_enough(client, lt, settings):
    first = json.loads(package_files(client).read("datapackage.json"))
    assert {r["name"]: r["stats"]["rows"] for r in first["resources"]}["initiatives"] == 0
    settings.PORTAL_DATAPACKAGE_MIN_AGE = 3600  # a burst of edits waits for the age
    InitiativeFactory(country=lt, status=Status.PUBLISHED)
    again = json.loads(package_files(client).read("datapackage.json"))
    assert again["resources"] == first["resources"]
    settings.PORTAL_DATAPACKAGE_MIN_AGE = 0
    rebuilt = json.loads(package_files(client).read("datapackage.json"))
    assert {r["name"]: r["stats"]["rows"] for r in rebuilt["resources"]}["initiatives"] == 1


def test_build_datapackage_command(lt, tmp_path):
    out = io.StringIO()
    call_command("build_datapackage", "--dir", str(tmp_path), stdout=out)
    assert "countries 1" in out.getvalue()
    assert (tmp_path / datapackage.PACKAGE_NAME).exists()
    assert datapackage.read_meta(tmp_path)["tables"][0] == {
        "name": "countries",
        "title": "Countries",
        "rows": 1,
    }


# --- schema.org metadata ---------------------------------------------------------------------


def json_ld(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    blocks = JSON_LD.findall(response.content.decode())
    assert len(blocks) == 1, url
    return json.loads(blocks[0])


def test_detail_pages_describe_their_record_in_json_ld(client, demo):
    report = Report.objects.public().filter(authorships__isnull=False).first()
    data = json_ld(client, report.get_absolute_url())
    assert (data["@context"], data["@type"], data["name"]) == (
        "https://schema.org",
        "Report",
        report.title,
    )
    assert data["author"][0]["@type"] in ("Person", "Organization")

    provision = Provision.objects.public().select_related("act").first()
    data = json_ld(client, provision.get_absolute_url())
    assert data["@type"] == "Legislation" and data["isPartOf"]["@type"] == "Legislation"
    assert data["isPartOf"]["name"] == provision.act.title

    organisation = Organisation.objects.public().first()
    data = json_ld(client, organisation.get_absolute_url())
    assert (data["@type"], data["name"]) == ("Organization", organisation.name)

    data = json_ld(client, reverse("laws:country-legislation", kwargs={"iso_code": "lt"}))
    acts = LegalAct.objects.public().filter(country__iso_code="LT")
    assert {a["name"] for a in data["@graph"]} == {a.title for a in acts}
    assert all(a["@type"] == "Legislation" for a in data["@graph"])

    assert json_ld(client, reverse("data"))["@type"] == "Dataset"

    # the metadata costs no query a record
    country = Country.objects.get(iso_code="LT")
    url = reverse("laws:country-legislation", kwargs={"iso_code": "lt"})
    with counted_queries() as before:
        client.get(url)
    LegalAct.objects.create(country=country, title="One more act", slug="lt-one-more", kind="law")
    LegalAct.objects.filter(slug="lt-one-more").update(status=Status.PUBLISHED)
    with counted_queries() as after:
        client.get(url)
    assert len(before) == len(after) > 0


def test_json_ld_cannot_be_closed_by_a_record_text(client, lt):
    title = "</script><script>alert(1)</script> & <!-- more"
    report = ReportFactory(title=title, status=Status.PUBLISHED, countries=[lt])
    html = client.get(report.get_absolute_url()).content.decode()
    (block,) = JSON_LD.findall(html)
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["name"] == title
