"""Readers' suggested corrections: the public form (no JavaScript, CSRF, honeypot, per-address
limit, length limits), routing to the editors of the record's countries, the decision in the
admin and the mail to the reader; an LV editor never sees an LT suggestion; hostile text stays
plain text everywhere."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase

from portal.models import Status, Suggestion
from portal.roles import EDITOR, PUBLISHER
from portal.suggestions import record_key
from tests.portal.admin_client import sign_in
from tests.portal.factories import make_member
from tests.profiles.factories import InitiativeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE_URL = "https://example.org/?q=<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the per-address counts of other tests


@pytest.fixture
def initiative(lt):
    return InitiativeFactory(country=lt, title="2010 – Hotline", status=Status.PUBLISHED)


@pytest.fixture
def lt_editor(lt):
    return make_member(EDITOR, lt, username="lt-editor")


@pytest.fixture
def lv_editor(lv):
    return make_member(EDITOR, lv, username="lv-editor")


@pytest.fixture
def reader():
    return Client(enforce_csrf_checks=True)


def form_page(reader, record, section=""):
    params = {"record": record_key(record)}
    if section:
        params["section"] = section
    response = reader.get("/suggest/", params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def submit(reader, record, *, section="", address="203.0.113.7", **fields):
    page = form_page(reader, record, section)
    data = {
        "csrfmiddlewaretoken": page.context["csrf_token"],
        "record": record_key(record),
        "problem": "The year is wrong.",
        "proposed_text": "It started in 2011.",
        "source_url": "https://example.org/report",
        "email": "",
        "website": "",
        **fields,
    }
    if section:
        data["section"] = section
    with TestCase.captureOnCommitCallbacks(execute=True):
        return reader.post("/suggest/", data, REMOTE_ADDR=address)


def test_the_link_is_on_every_record_page_and_each_country_section(client, initiative, lt):
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert f"/suggest/?record=profiles.initiative:{initiative.pk}" in page
    country_page = client.get(lt.get_absolute_url()).content.decode()
    links = re.findall(r'href="(/suggest/\?record=profiles\.country:\d+[^"]*)"', country_page)
    assert any("&amp;section=" in link for link in links)
    assert f'href="/suggest/?record=profiles.country:{lt.pk}"' in country_page


def test_a_reader_suggests_without_javascript(reader, initiative, lt, lt_editor, lv_editor):
    page = form_page(reader, initiative)
    html = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert "<script" not in html
    assert 'name="csrfmiddlewaretoken"' in html
    response = submit(reader, initiative, email="reader@example.net")
    assert response.status_code == 200
    assert "has reached the editors" in response.content.decode()
    suggestion = Suggestion.objects.get()
    assert suggestion.record == initiative
    assert list(suggestion.countries.all()) == [lt]
    assert suggestion.status == Suggestion.State.NEW
    # Routed to the editors of Lithuania only.
    assert [m.to for m in mail.outbox] == [[lt_editor.email]]
    assert "The year is wrong." in mail.outbox[0].body


def test_a_country_section_is_stored_against_the_country_and_its_key(reader, lt, initiative):
    submit(reader, lt, section="national-initiatives")
    suggestion = Suggestion.objects.get()
    assert (suggestion.record, suggestion.section) == (lt, "national-initiatives")
    assert suggestion.record_label == "Lithuania — National initiatives"


def test_csrf_is_required(initiative):
    reader = Client(enforce_csrf_checks=True)
    response = reader.post(
        "/suggest/", {"record": record_key(initiative), "problem": "Wrong"}, REMOTE_ADDR="1.2.3.4"
    )
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_the_honeypot_refuses_with_a_message_and_stores_nothing(reader, initiative):
    response = submit(reader, initiative, website="http://spam.example")
    assert response.status_code == 200
    assert "must stay empty" in response.content.decode()
    assert not Suggestion.objects.exists()
    assert mail.outbox == []


def test_length_limits_and_bad_values(reader, initiative):
    response = submit(reader, initiative, problem="x" * 2001, source_url="javascript:alert(1)")
    errors = response.context["form"].errors
    assert "problem" in errors and "source_url" in errors
    response = submit(reader, initiative, problem="   ", email="not an address")
    assert set(response.context["form"].errors) == {"problem", "email"}
    assert not Suggestion.objects.exists()


def test_header_injection_through_the_address_is_refused(reader, initiative):
    response = submit(reader, initiative, email="a@example.org\r\nBcc: all@example.org")
    assert "email" in response.context["form"].errors
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"record": ""},
        {"record": "nonsense"},
        {"record": "auth.user:1"},
        {"record": "profiles.initiative:abc"},
        {"record": "profiles.initiative:" + "9" * 30},
        {"record": "profiles.country:{lt}", "section": "<script>"},
    ],
)
def test_a_bad_record_parameter_is_a_400_not_a_500(client, lt, query):
    query = {key: value.replace("{lt}", str(lt.pk)) for key, value in query.items()}
    response = client.get("/suggest/", query)
    assert response.status_code == 400
    assert b"<script>" not in response.content


def test_drafts_and_unknown_records_are_404(client, lt):
    draft = InitiativeFactory(country=lt, status=Status.DRAFT)
    assert client.get("/suggest/", {"record": record_key(draft)}).status_code == 404
    gone = "profiles.initiative:999999"
    assert client.get("/suggest/", {"record": gone}).status_code == 404


def test_rate_limit_per_address(reader, initiative, settings):
    settings.PORTAL_SUGGESTIONS_PER_HOUR = 2
    for _ in range(2):
        assert submit(reader, initiative).status_code == 200
    refused = submit(reader, initiative)
    assert refused.status_code == 429
    assert "Nothing was stored" in refused.content.decode()
    assert Suggestion.objects.count() == 2
    # Another address is not limited.
    assert submit(reader, initiative, address="198.51.100.9").status_code == 200
    assert Suggestion.objects.count() == 3


def test_rate_limit_holds_when_the_cache_is_down(reader, initiative, settings):
    settings.PORTAL_SUGGESTIONS_PER_HOUR = 2
    # A Redis nobody listens on (a port of this test run's range): every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache_backend.PortalRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert submit(reader, initiative).status_code == 200
    assert submit(reader, initiative).status_code == 200
    assert submit(reader, initiative).status_code == 429
    assert Suggestion.objects.count() == 2


def test_shared_reference_data_goes_to_the_administrators(reader, lt_editor):
    chief = make_member("Administrator", username="chief")
    organisation = OrganisationFactory(status=Status.PUBLISHED)
    organisation.countries.clear()
    submit(reader, organisation)
    assert [m.to for m in mail.outbox] == [[chief.email]]


# --- in the admin ------------------------------------------------------------------------------


def change_url(suggestion):
    return f"/admin/portal/suggestion/{suggestion.pk}/change/"


def test_an_lv_editor_never_sees_an_lt_suggestion(reader, initiative, lt_editor, lv_editor):
    submit(reader, initiative)
    suggestion = Suggestion.objects.get()
    lv = Client(enforce_csrf_checks=True)
    sign_in(lv, lv_editor)
    assert "Hotline" not in lv.get("/admin/").content.decode()
    listing = lv.get("/admin/portal/suggestion/")
    assert listing.status_code == 200
    assert "Hotline" not in listing.content.decode()
    assert lv.get(change_url(suggestion)).status_code == 404
    assert lv.get(f"/admin/portal/suggestion/{suggestion.pk}/history/").status_code == 404
    assert lv.get(f"/admin/portal/suggestion/{suggestion.pk}/delete/").status_code in (403, 404)
    response = lv.post(change_url(suggestion), {"status": "rejected", "note": "no"}, follow=False)
    assert response.status_code in (403, 404)
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.State.NEW

    lt = Client(enforce_csrf_checks=True)
    sign_in(lt, lt_editor)
    assert "Hotline" in lt.get("/admin/portal/suggestion/").content.decode()
    assert lt.get(change_url(suggestion)).status_code == 200


def decide(client, suggestion, status, note=""):
    page = client.get(change_url(suggestion))
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            change_url(suggestion),
            {"status": status, "note": note, "csrfmiddlewaretoken": page.context["csrf_token"]},
        )


def test_accepting_opens_the_record_with_the_suggestion_and_tells_the_reader(
    reader, initiative, lt_editor
):
    submit(reader, initiative, email="reader@example.net")
    suggestion = Suggestion.objects.get()
    mail.outbox.clear()
    editor = Client(enforce_csrf_checks=True)
    sign_in(editor, lt_editor)
    response = decide(editor, suggestion, "accepted", "Thank you, corrected.")
    expected = f"/admin/profiles/initiative/{initiative.pk}/change/?suggestion={suggestion.pk}"
    assert response.status_code == 302 and response["Location"] == expected
    record_page = editor.get(expected).content.decode()
    assert 'class="suggestion-panel"' in record_page and "The year is wrong." in record_page
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.State.ACCEPTED
    assert suggestion.decided_by == lt_editor and suggestion.reader_told_at is not None
    assert [m.to for m in mail.outbox] == [["reader@example.net"]]
    assert "Accepted" in mail.outbox[0].body and "Thank you, corrected." in mail.outbox[0].body
    # Decided once: the reader is not told twice, the decision stays.
    again = decide(editor, suggestion, "rejected", "changed my mind")
    assert again.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.State.ACCEPTED and len(mail.outbox) == 1


def test_rejecting_needs_a_note(reader, initiative, lt_editor):
    submit(reader, initiative)
    suggestion = Suggestion.objects.get()
    editor = Client(enforce_csrf_checks=True)
    sign_in(editor, lt_editor)
    response = decide(editor, suggestion, "rejected")
    assert response.status_code == 200
    assert "note" in response.context["adminform"].form.errors
    response = decide(editor, suggestion, "duplicate", "Same as the one of Monday.")
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.State.DUPLICATE


def test_hostile_input_stays_escaped_in_the_admin_and_plain_in_mails(reader, initiative, lt_editor):
    publisher = make_member(PUBLISHER, initiative.country, username="lt-publisher")
    response = submit(
        reader,
        initiative,
        problem=HOSTILE,
        proposed_text=HOSTILE,
        source_url=HOSTILE_URL,
        email="reader@example.net",
    )
    assert response.status_code == 200
    assert HOSTILE.encode() not in response.content
    suggestion = Suggestion.objects.get()
    assert suggestion.problem == HOSTILE
    editor = Client(enforce_csrf_checks=True)
    sign_in(editor, lt_editor)
    for url in (
        "/admin/",
        "/admin/portal/suggestion/",
        change_url(suggestion),
        f"/admin/profiles/initiative/{initiative.pk}/change/?suggestion={suggestion.pk}",
    ):
        html = editor.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert" in html, url
    decide(editor, suggestion, "rejected", HOSTILE)
    assert len(mail.outbox) == 3  # the two editors, then the reader
    for message in mail.outbox:
        assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
        assert "\n" not in message.subject and "<" not in message.subject
        assert HOSTILE in message.body  # plain text: shown as the characters, never as markup
        assert "&lt;" not in message.body
    assert {tuple(m.to) for m in mail.outbox[:2]} == {(lt_editor.email,), (publisher.email,)}


def test_the_form_runs_a_fixed_number_of_queries(client, lt, initiative):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/suggest/", params).status_code == 200
        return len(captured)

    record = {"record": record_key(initiative)}
    section = {"record": record_key(lt), "section": "national-initiatives"}
    before = queries(record), queries(section)
    for year in range(2000, 2020):
        InitiativeFactory(country=lt, year=year, status=Status.PUBLISHED)
    assert (queries(record), queries(section)) == before
    assert before[0] <= 2  # the record, nothing else
