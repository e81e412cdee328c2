"""The editors' guides are pages the admin serves, linked from the import page, and say what the
code does (roles, date precision, size limit, column formats, adding a country and its editors)."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.bulk.formats import DEFAULT_MAX_BYTES
from portal.models import EditorProfile, Status
from portal.roles import ADMINISTRATOR, EDITOR
from profiles.models import Country, Role
from tests.laws.factories import InstrumentFactory
from tests.portal.admin_forms import change_form_data
from tests.portal.factories import make_member

pytestmark = pytest.mark.django_db

DOCS = settings.BASE_DIR / "docs"


class Page(HTMLParser):
    """The links, element ids and headings of a page, read as a browser would."""

    def __init__(self, html):
        super().__init__()
        self.links, self.ids, self.headings, self._heading = [], set(), [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in ("h1", "h2", "h3"):
            self._heading = [tag, ""]

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data

    def handle_endtag(self, tag):
        if self._heading is not None and tag == self._heading[0]:
            self.headings.append((tag, self._heading[1].strip()))
            self._heading = None


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_post(client, url, data):
    client.get("/admin/")
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def help_links(client, url):
    page = Page(client.get(url).content.decode())
    return [link for link in page.links if link.startswith("/admin/help/")]


def test_the_import_page_links_to_the_spreadsheet_guide_the_site_serves(lt):
    client = signed_in(make_member(EDITOR, lt))
    links = help_links(client, reverse("admin:profiles_initiative_bulk_import"))
    assert "/admin/help/spreadsheets/" in links
    response = client.get("/admin/help/spreadsheets/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    headings = Page(response.content.decode()).headings
    assert ("h1", "Spreadsheets: import and export") in headings
    for title in ("Rules for every file", "Saving CSV UTF-8", "Column formats by record type"):
        assert ("h2", title) in headings
    assert ("h3", "initiatives — initiatives") in headings


def test_the_workbook_import_page_links_to_the_guides(lt):
    client = signed_in(make_member(ADMINISTRATOR, username="boss"))
    links = help_links(client, reverse("admin:portal_bulk_workbook_import"))
    assert {"/admin/help/spreadsheets/", "/admin/help/editorial-workflow/"} <= set(links)


def test_the_editorial_guide_is_served_with_its_sections(lt):
    client = signed_in(make_member(EDITOR, lt))
    page = Page(client.get("/admin/help/editorial-workflow/").content.decode())
    assert ("h1", "Editorial workflow") in page.headings
    for title in ("Roles", "When something is refused", "Penalties of a provision"):
        assert ("h2", title) in page.headings
    assert ("h3", "Adding a country and its editors (Administrators)") in page.headings


def test_every_link_between_the_guides_answers_and_every_anchor_exists(lt):
    client = signed_in(make_member(EDITOR, lt))
    index = [link for link in help_links(client, "/admin/help/") if link != "/admin/help/"]
    assert index == ["/admin/help/editorial-workflow/", "/admin/help/spreadsheets/"]
    for url in index:
        for link in help_links(client, url):
            path, _, anchor = link.partition("#")
            response = client.get(path)
            assert response.status_code == 200, link
            if anchor:
                assert anchor in Page(response.content.decode()).ids, link
    assert "/admin/help/" in help_links(client, "/admin/")  # "Help" in every admin page's header


def test_help_pages_are_for_signed_in_staff_and_unknown_ones_are_404(lt):
    assert Client().get("/admin/help/spreadsheets/").status_code == 302  # to the sign-in page
    client = signed_in(make_member(EDITOR, lt))
    assert client.get("/admin/help/architecture/").status_code == 404
    assert client.get("/admin/help/..%2Fsettings/").status_code == 404


def test_html_in_a_guide_is_shown_as_text(lt, settings, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "spreadsheets.md").write_text(
        "# Guide\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) "
        "[rules](editorial-workflow.md#roles)\n",
        encoding="utf-8",
    )
    settings.BASE_DIR = tmp_path
    client = signed_in(make_member(EDITOR, lt))
    body = client.get("/admin/help/spreadsheets/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="javascript:' not in body
    assert 'href="/admin/help/editorial-workflow/#roles"' in body


def test_the_docs_list_the_organisation_roles_and_the_column_formats():
    spreadsheets = (DOCS / "spreadsheets.md").read_text(encoding="utf-8")
    for role in Role.values:
        assert f"`{role}`" in spreadsheets
    # The column tables are the ones the import uses (portal.bulk.reference writes them).
    from portal.bulk.reference import column_reference

    assert column_reference() in spreadsheets


def test_the_size_limit_is_given_in_the_unit_of_the_message(lt, settings):
    assert settings.PORTAL_IMPORT_MAX_BYTES == DEFAULT_MAX_BYTES == 50_000_000
    spreadsheets = (DOCS / "spreadsheets.md").read_text(encoding="utf-8")
    assert "files larger than 50 MB" in spreadsheets
    assert "default 50,000,000 bytes" in spreadsheets
    client = signed_in(make_member(EDITOR, lt))
    url = reverse("admin:profiles_initiative_bulk_import")
    assert "CSV (UTF-8), Excel (.xlsx) or JSON, at most 50 MB." in client.get(url).content.decode()
    settings.PORTAL_IMPORT_MAX_BYTES = 2_000_000
    big = SimpleUploadedFile("big.csv", b"country,title,year,body\n" + b"x" * 2_000_000)
    page = csrf_post(client, url, {"file": big}).content.decode()
    assert "The file is 2.01 MB; at most 2 MB are accepted." in page


def test_a_date_without_its_precision_is_an_invalid_row_as_the_docs_say(lt):
    spreadsheets = (DOCS / "spreadsheets.md").read_text(encoding="utf-8")
    assert "when `date` is\n  given, `date_precision` is required" in spreadsheets
    InstrumentFactory(short_name="Lanzarote Convention")
    client = signed_in(make_member(EDITOR, lt))
    rows = (
        "country,instrument,status_kind,date,date_precision\n"
        "LT,Lanzarote Convention,ratified,2013-01-01,\n"
    )
    response = csrf_post(
        client,
        reverse("admin:laws_countryinstrumentstatus_bulk_import"),
        {"file": SimpleUploadedFile("statuses.csv", rows.encode())},
    )
    page = response.content.decode()
    assert "date_precision" in page
    assert "Say how precise the date is." in page
    assert "Confirm import" not in page


def test_an_administrator_adds_a_country_and_assigns_an_editor_as_the_docs_say(lt):
    client = signed_in(make_member(ADMINISTRATOR, username="boss"))
    # 1. The country, as a draft.
    data = change_form_data(client.get("/admin/profiles/country/add/"))
    data.update({"iso_code": "EE", "name": "Estonia", "slug": "estonia", "status": "draft"})
    response = csrf_post(client, "/admin/profiles/country/add/", data)
    assert response.status_code == 302, [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ]
    estonia = Country.objects.get(iso_code="EE")
    # 2. The editor's account, then staff status, the role and the country on the user's page.
    data = change_form_data(client.get("/admin/auth/user/add/"))
    data.update(
        {
            "username": "mari",
            "usable_password": "true",
            "password1": "Tallinn-2026-x",
            "password2": "Tallinn-2026-x",
            "editor_profile-0-countries": [],
        }
    )
    response = csrf_post(client, "/admin/auth/user/add/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    user_url = response["Location"]
    data = change_form_data(client.get(user_url))
    data.update(
        {
            "is_staff": "on",
            "email": "mari@example.org",
            "groups": [str(Group.objects.get(name=EDITOR).pk)],
            "editor_profile-0-countries": [str(estonia.pk)],
            # the admin splits the date the account was made into date and time boxes
            "date_joined_0": "2026-12-01",
            "date_joined_1": "09:00:00",
        }
    )
    response = csrf_post(client, user_url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    # The new editor signs in and may add Estonian records, and only those.
    mari = EditorProfile.objects.get(user__username="mari").user
    editor = signed_in(mari)
    form = editor.get("/admin/profiles/initiative/add/").context["adminform"].form
    assert list(form.fields["country"].queryset) == [estonia]
    # 3. Going public is a Publisher's or an Administrator's step.
    csrf_post(
        client,
        "/admin/profiles/country/",
        {"action": "publish", "_selected_action": [estonia.pk], "index": "0"},
    )
    estonia.refresh_from_db()
    assert estonia.status == Status.PUBLISHED


def test_a_deployment_without_docs_answers_404_not_500(lt, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    client = signed_in(make_member(EDITOR, lt))
    assert client.get("/admin/help/spreadsheets/").status_code == 404
    assert client.get("/admin/help/").status_code == 200
