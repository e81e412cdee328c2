"""The editor's desk (the admin's start page) and the review of a record in review: what each
user sees for their countries, the review's change against the published version, publish and
send back with a note, and the desk's query count at 1 and 50 countries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import ImportLog, ReviewNote, Status, Suggestion
from portal.roles import EDITOR, PUBLISHER
from profiles.models import Initiative
from tests.portal.admin_client import sign_in
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


def saved(record, user, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record._history_user = user
    record.save()
    return record


def review_url(record):
    return f"/admin/profiles/initiative/{record.pk}/review/"


def change_url(record):
    return f"/admin/profiles/initiative/{record.pk}/change/"


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, user)
    return client


@pytest.fixture
def people(lt, lv):
    return {
        "lt_editor": make_member(EDITOR, lt, username="lt-editor"),
        "lt_publisher": make_member(PUBLISHER, lt, username="lt-publisher"),
        "lv_editor": make_member(EDITOR, lv, username="lv-editor"),
    }


@pytest.fixture
def in_review(lt, people):
    initiative = InitiativeFactory(country=lt, title="Helpline for children", year=2015)
    saved(initiative, people["lt_publisher"], status=Status.PUBLISHED)
    # Taken back to draft for a rework, edited and sent to review again.
    saved(initiative, people["lt_publisher"], status=Status.DRAFT)
    saved(initiative, people["lt_editor"], title="Helpline for children and parents")
    return saved(initiative, people["lt_editor"], status=Status.IN_REVIEW)


def desk(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.context["desk"], response.content.decode()


def test_a_publisher_sees_what_is_ready_to_publish_with_a_review_link(people, in_review):
    data, html = desk(signed_in(people["lt_publisher"]))
    assert data["review"].count == 1
    assert [item.record for item in data["review"].items] == [in_review]
    assert "Ready to publish" in html and f'href="{review_url(in_review)}"' in html
    # An editor sees it in review, with the change form's link.
    data, html = desk(signed_in(people["lt_editor"]))
    assert [item.url for item in data["review"].items] == [change_url(in_review)]


def test_an_lv_editor_sees_nothing_of_lithuania(people, in_review, lt):
    draft = saved(InitiativeFactory(country=lt, status=Status.DRAFT), people["lt_editor"])
    suggestion = Suggestion.objects.create(
        content_type_id=_content_type(draft),
        object_id=draft.pk,
        record_label="LT draft",
        problem="x",
    )
    suggestion.countries.set([lt])
    data, html = desk(signed_in(people["lv_editor"]))
    assert (data["review"].count, data["drafts"].count, data["suggestion_count"]) == (0, 0, 0)
    assert "Helpline" not in html and "LT draft" not in html
    lt_data, _ = desk(signed_in(people["lt_editor"]))
    assert lt_data["suggestion_count"] == 1 and lt_data["drafts"].count == 1


def _content_type(record):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(record).pk


def test_own_drafts_stale_records_and_imports(people, lt, settings):
    settings.PORTAL_STALE_AFTER_DAYS = 30
    editor = people["lt_editor"]
    mine = saved(InitiativeFactory(country=lt, status=Status.DRAFT, title="Mine"), editor)
    saved(
        InitiativeFactory(country=lt, status=Status.DRAFT, title="A colleague's"),
        people["lt_publisher"],
    )
    old = InitiativeFactory(country=lt, status=Status.PUBLISHED, title="Old one")
    older = InitiativeFactory(country=lt, status=Status.PUBLISHED, title="Older one")
    InitiativeFactory(country=lt, status=Status.PUBLISHED, title="Fresh one")
    now = timezone.now()
    Initiative.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=40))
    Initiative.objects.filter(pk=older.pk).update(updated_at=now - timedelta(days=400))
    ImportLog.objects.create(
        user=editor,
        filename="lt.xlsx",
        record_types="Initiatives",
        source="admin",
        written=True,
        rows=3,
        new=2,
        updated=1,
    )
    data, html = desk(signed_in(editor))
    assert [item.record for item in data["drafts"].items] == [mine]
    assert [item.record.title for item in data["stale"].items] == ["Older one", "Old one"]
    assert data["stale"].count == 2
    assert data["import_count"] == 1 and "lt.xlsx" in html and "2 new, 1 updated" in html
    label, count, url = data["stale"].by_type[0]
    assert count == 2 and url.startswith("/admin/profiles/initiative/?status__exact=published")
    assert signed_in(editor).get(url).status_code == 200


# --- review -------------------------------------------------------------------------------------


def test_review_shows_the_change_against_the_published_version_and_publishes(people, in_review):
    publisher = signed_in(people["lt_publisher"])
    page = publisher.get(review_url(in_review))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Helpline for children and parents" in html
    changes = {str(row["field"]): row for row in page.context["changes"]}
    assert changes["Title"]["old"] == "Helpline for children", page.context["changes"]
    assert set(changes) == {"Title"}
    response = publisher.post(
        review_url(in_review),
        {
            "action": "publish",
            "version": in_review.version,
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    in_review.refresh_from_db()
    assert in_review.status == Status.PUBLISHED
    assert in_review.history.first().history_user == people["lt_publisher"]


def test_send_back_with_a_note_the_editor_sees_on_their_desk(people, in_review):
    publisher = signed_in(people["lt_publisher"])
    page = publisher.get(review_url(in_review))
    token = page.context["csrf_token"]
    empty = publisher.post(
        review_url(in_review),
        {
            "action": "send_back",
            "version": in_review.version,
            "note": "",
            "csrfmiddlewaretoken": token,
        },
    )
    assert empty.status_code == 200  # the form again, with the error; nothing changed
    assert "note" in empty.context["send_back_form"].errors
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW
    note = "Name the <b>source</b> of the 2015 date."
    response = publisher.post(
        review_url(in_review),
        {
            "action": "send_back",
            "version": in_review.version,
            "note": note,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == Status.DRAFT
    assert ReviewNote.objects.get().editor == people["lt_editor"]

    editor = signed_in(people["lt_editor"])
    data, html = desk(editor)
    assert [(item.record, item.note) for item in data["drafts"].items] == [(in_review, note)]
    assert "Name the &lt;b&gt;source&lt;/b&gt;" in html
    # Not the Publisher's draft although they saved it last.
    assert desk(publisher)[0]["drafts"].count == 0
    # Once the editor saves the record again the note has been dealt with.
    saved(in_review, people["lt_editor"], title="Helpline (source: ministry)")
    data, _ = desk(editor)
    assert [item.note for item in data["drafts"].items] == [""]


def test_review_needs_a_publisher_of_the_country_and_the_version_seen(people, in_review, lv):
    assert signed_in(people["lt_editor"]).get(review_url(in_review)).status_code == 403
    lv_publisher = make_member(PUBLISHER, lv, username="lv-publisher")
    assert signed_in(lv_publisher).get(review_url(in_review)).status_code == 403
    publisher = signed_in(people["lt_publisher"])
    page = publisher.get(review_url(in_review))
    stale = publisher.post(
        review_url(in_review),
        {
            "action": "publish",
            "version": in_review.version - 1,
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
    )
    assert stale.status_code == 302 and stale["Location"] == review_url(in_review)
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW


# --- a fixed number of queries ------------------------------------------------------------------


def build_countries(count, editor, publisher):
    countries = [CountryFactory() for _ in range(count)]
    stale = timezone.now() - timedelta(days=800)
    for country in countries:
        saved(InitiativeFactory(country=country, status=Status.IN_REVIEW), editor)
        saved(InitiativeFactory(country=country, status=Status.DRAFT), editor)
        sent_back = saved(InitiativeFactory(country=country, status=Status.DRAFT), publisher)
        ReviewNote.objects.create(
            content_type_id=_content_type(sent_back),
            object_id=sent_back.pk,
            note="Fix it",
            editor=editor,
            written_by=publisher,
        )
        old = InitiativeFactory(country=country, status=Status.PUBLISHED)
        Initiative.objects.filter(pk=old.pk).update(updated_at=stale)
        suggestion = Suggestion.objects.create(
            content_type_id=_content_type(old), object_id=old.pk, record_label=str(old), problem="x"
        )
        suggestion.countries.set([country])
        ImportLog.objects.create(
            user=editor,
            filename=f"{country.iso_code}.csv",
            record_types="Initiatives",
            source="admin",
            written=True,
        )
    return countries


def desk_queries(user):
    client = Client()
    client.force_login(user)
    client.get("/admin/")  # warm: content types, sessions
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/")
    assert response.status_code == 200
    return len(queries), response.context["desk"]


@pytest.mark.parametrize("role", [EDITOR, PUBLISHER])
def test_the_desk_runs_a_fixed_number_of_queries_at_1_and_50_countries(role):
    publisher = make_member(PUBLISHER, username="publisher")
    one_user = make_member(role, username="one")
    one = build_countries(1, one_user, publisher)
    one_user.editor_profile.countries.set(one)
    small, small_desk = desk_queries(one_user)
    assert small_desk["review"].count == 1 and small_desk["drafts"].count == 2

    many_user = make_member(role, username="many")
    many = build_countries(50, many_user, publisher)
    many_user.editor_profile.countries.set(many)
    large, large_desk = desk_queries(many_user)
    assert large_desk["review"].count == 50 and large_desk["drafts"].count == 100
    assert large_desk["stale"].count == 50 and large_desk["suggestion_count"] == 50
    assert len(large_desk["drafts"].items) == 10
    notes = [item.note for item in large_desk["drafts"].items]
    assert "Fix it" in notes
    assert small == large, (small, large)
    assert large <= 16  # sessions, user, permissions, countries, the lists: no growth
