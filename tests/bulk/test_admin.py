import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from portal.models import ImportLog, Status
from profiles.models import Initiative
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory, InitiativeFactory

from .helpers import ImportPage, csv_bytes, rows_of

pytestmark = pytest.mark.django_db

IMPORT = "admin:profiles_initiative_bulk_import"


@pytest.fixture
def editor(client, lt):
    user = make_member("Editor", lt)
    client.force_login(user)
    return user


def upload(client, rows, name="i.csv"):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, csv_bytes(rows))})


ROWS = [["country", "title", "year", "body"], ["LT", "Hotline", "2005", "Opened."]]


def test_changelist_links_to_import_export_and_templates(client, editor):
    page = client.get(reverse("admin:profiles_initiative_changelist")).content.decode()
    assert reverse(IMPORT) in page
    assert reverse("admin:profiles_initiative_bulk_export") in page
    assert reverse("admin:profiles_initiative_bulk_template", args=["xlsx"]) in page


def test_preview_then_confirm_imports_and_logs(client, editor):
    response = upload(client, ROWS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview: nothing is written until you confirm" in page
    assert "1 new, 0 updated, 0 unchanged, 0 invalid" in page
    assert not Initiative.objects.exists()
    token = response.context["token"]
    response = client.post(reverse(IMPORT), {"token": token, "confirm": "1"})
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.history.get().history_user == editor
    log = ImportLog.objects.get()
    assert (log.user, log.new, log.written, log.source) == (editor, 1, True, "admin")
    # a used preview cannot be confirmed twice
    again = client.post(reverse(IMPORT), {"token": token, "confirm": "1"}, follow=True)
    assert "was already confirmed or cancelled" in again.content.decode()
    assert Initiative.objects.count() == 1 and ImportLog.objects.count() == 1


def test_cancel_writes_nothing(client, editor):
    token = upload(client, ROWS).context["token"]
    response = client.post(reverse(IMPORT), {"token": token, "cancel": "1"}, follow=True)
    assert "Import cancelled" in response.content.decode()
    assert not Initiative.objects.exists() and not ImportLog.objects.exists()


def test_preview_lists_invalid_rows_with_column_and_offers_no_confirm(client, editor):
    rows = ROWS + [["LV", "Latvian", "2005", "B."], ["LT", "Bad", "soon", "B."]]
    page = upload(client, rows).content.decode()
    assert "The file cannot be imported: nothing was written" in page
    assert "<strong>country</strong>: No country with iso code “LV”" in page
    assert "<strong>year</strong>: “soon” is not a whole number." in page
    assert 'name="confirm"' not in page


def test_updated_rows_show_their_changed_values(client, editor, lt):
    InitiativeFactory(country=lt, title="Hotline", year=2005, body="Old.", status="draft")
    page = upload(client, ROWS).content.decode()
    assert "<strong>body</strong>: Old. → Opened.</li>" in page


def test_another_users_preview_token_is_refused(client, editor, lt):
    token = upload(client, ROWS).context["token"]
    client.force_login(make_member("Editor", lt))
    client.post(reverse(IMPORT), {"token": token, "confirm": "1"})
    assert not Initiative.objects.exists()


def test_oversize_upload_is_refused_with_a_message(client, editor, settings):
    settings.PORTAL_IMPORT_MAX_BYTES = 10
    page = upload(client, ROWS).content.decode()
    assert f"The file is {len(csv_bytes(ROWS))} bytes; at most 10 bytes are accepted." in page


def test_export_streams_csv_with_the_country_filter(client, editor, lt):
    InitiativeFactory(country=lt, title="=1+1")
    InitiativeFactory(country=CountryFactory(iso_code="LV"), title="Latvian")
    url = reverse("admin:profiles_initiative_bulk_export")
    assert client.get(url).status_code == 200  # the form
    response = client.get(url, {"format": "csv", "country": "LT"})
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert "'=1+1" in body and "Latvian" not in body
    xlsx = client.get(url, {"format": "xlsx"})
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_export_queries_do_not_grow_with_rows(client, editor, lt, django_assert_max_num_queries):
    url = reverse("admin:profiles_initiative_bulk_export")
    InitiativeFactory.create_batch(3, country=lt)
    with django_assert_max_num_queries(20) as small:
        b"".join(client.get(url, {"format": "json"}).streaming_content)
    InitiativeFactory.create_batch(60, country=lt)
    with django_assert_max_num_queries(20) as large:
        b"".join(client.get(url, {"format": "json"}).streaming_content)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_empty_template_download(client, editor):
    response = client.get(reverse("admin:profiles_initiative_bulk_template", args=["csv"]))
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    assert body.startswith("country,title,year,slug,timeline")
    assert body.count("\n") == 1


def test_import_log_and_workbook_pages(client, editor, lt):
    InitiativeFactory(country=lt)
    assert client.get(reverse("admin:portal_importlog_changelist")).status_code == 200
    export = client.get(reverse("admin:portal_bulk_workbook_export"), {"country": "LT"})
    data = b"".join(export.streaming_content)
    response = client.post(
        reverse("admin:portal_bulk_workbook_import"),
        {"file": SimpleUploadedFile("lt.xlsx", data)},
    )
    page = response.content.decode()
    assert "initiatives (sheet “initiatives”): 0 new, 0 updated, 1 unchanged, 0 invalid" in page
    assert response.context["token"]


def test_users_without_rights_cannot_import(client, lt):
    viewer = make_member("Editor", lt)
    viewer.groups.clear()
    client.force_login(viewer)
    assert client.get(reverse(IMPORT)).status_code == 403


STATUS_HEADER = ["country", "title", "year", "body", "status"]


def test_the_import_page_refuses_a_post_without_its_csrf_token(csrf_client, lt):
    csrf_client.force_login(make_member("Editor", lt))
    upload = SimpleUploadedFile("i.csv", csv_bytes(ROWS))
    assert csrf_client.post(reverse(IMPORT), {"file": upload}).status_code == 403
    assert not Initiative.objects.exists()


def test_an_editor_cannot_unpublish_by_import_and_a_blank_status_keeps_it(csrf_client, lt):
    csrf_client.force_login(make_member("Editor", lt))
    page = ImportPage(csrf_client, reverse(IMPORT))
    live = InitiativeFactory(
        country=lt, title="Hotline", year=2005, body="Opened.", status=Status.PUBLISHED
    )
    # an empty status cell keeps the record published
    preview = page.upload(csv_bytes([STATUS_HEADER, ["LT", "Hotline", "2005", "Opened.", ""]]))
    assert "0 new, 0 updated, 1 unchanged, 0 invalid" in preview.content.decode()
    preview = page.upload(csv_bytes([STATUS_HEADER, ["LT", "Hotline", "2005", "In May.", ""]]))
    assert rows_of(preview)[2].changes == ("body",)
    assert page.submit(preview).status_code == 302
    live.refresh_from_db()
    assert (live.status, live.body, live.version) == (Status.PUBLISHED, "In May.", 2)
    assert live in Initiative.objects.published()
    # "draft" (or any other status) from an editor: the row is invalid, the file refused
    reasons = {
        "draft": "The record is published: only publishers change its status (this row makes it "
        "draft). Leave the cell empty to keep its status.",
        "in_review": "The record is published: only publishers change its status",
        "withdrawn": "Only publishers may import published or withdrawn records.",
    }
    for cell, reason in reasons.items():
        rows = [
            STATUS_HEADER,
            ["LT", "New one", "2006", "Body.", ""],
            ["LT", "Hotline", "2005", "Closed.", cell],
        ]
        preview = page.upload(csv_bytes(rows))
        html = preview.content.decode()
        assert "The file cannot be imported: nothing was written" in html
        assert 'name="confirm"' not in html
        invalid = [(n, row.errors) for n, row in rows_of(preview).items() if row.errors]
        assert [(n, [column for column, _ in errors]) for n, errors in invalid] == [(3, ["status"])]
        assert "<td>3</td>" in html and f"<strong>status</strong>: {reason}" in html
    assert not Initiative.objects.filter(title="New one").exists()
    live.refresh_from_db()
    assert (live.status, live.body, live.version) == (Status.PUBLISHED, "In May.", 2)


def test_a_publisher_changes_the_status_by_import(csrf_client, lt):
    csrf_client.force_login(make_member("Publisher", lt))
    page = ImportPage(csrf_client, reverse(IMPORT))
    live = InitiativeFactory(
        country=lt, title="Hotline", year=2005, body="Opened.", status=Status.PUBLISHED
    )
    rows = [
        STATUS_HEADER,
        ["LT", "Hotline", "2005", "Opened.", "draft"],
        ["LT", "New one", "2006", "Body.", ""],
    ]
    preview = page.upload(csv_bytes(rows))
    assert rows_of(preview)[2].changes == ("status",)
    assert page.submit(preview).status_code == 302
    live.refresh_from_db()
    assert live.status == Status.DRAFT and live not in Initiative.objects.published()
    assert Initiative.objects.get(title="New one").status == Status.DRAFT


def test_a_csv_row_with_extra_cells_is_refused_in_the_preview(csrf_client, lt):
    csrf_client.force_login(make_member("Editor", lt))
    page = ImportPage(csrf_client, reverse(IMPORT))
    data = b"country,title,year,body\nLT,Hotline,2005,Opened in 2005, closed in 2009\n"
    html = page.upload(data).content.decode()
    assert "The file cannot be imported: nothing was written" in html
    assert "<strong>cell 5 (no header)</strong>: Row 2 has 5 cells but the header has 4" in html
    assert 'name="confirm"' not in html
    assert not Initiative.objects.exists()


def test_the_admin_has_one_spreadsheet_import_and_export(client, editor):
    """django-import-export's own Import/Export pages are gone: Spreadsheet import is the one."""
    page = client.get(reverse("admin:profiles_initiative_changelist")).content.decode()
    assert page.count("/import/") == 1 and page.count("/export/") == 1
    for name in ("profiles_initiative_import", "profiles_initiative_export"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{name}")
    # the admin reads "import" as a record id: no such record, back to the admin index
    assert client.get("/admin/profiles/initiative/import/").status_code in (302, 404)
