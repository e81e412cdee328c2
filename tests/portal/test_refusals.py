"""A refusal says why and what to do: whose country, which role, whom to ask."""

import pytest
from django.test import Client

from portal.models import Status
from portal.roles import ADMINISTRATOR, EDITOR, PUBLISHER
from profiles.models import Country, Initiative
from tests.portal.admin_forms import change_form_data
from tests.portal.factories import make_member
from tests.profiles.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

ADMIN_HEADER = "Child Online Safety Portal — editors"


@pytest.fixture
def people(lt, lv):
    make_member(ADMINISTRATOR, username="boss")
    make_member(EDITOR, lt, username="jonas")
    make_member(PUBLISHER, lt, username="ona")


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_post(client, url, data):
    client.get("/admin/")  # sets the CSRF cookie, as a browser has it
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def text(response):
    return response.content.decode()


LT_RECORD_REASON = (
    "You cannot change this initiative “2010 – Hotline”: it belongs to Lithuania, and you are "
    "assigned to Latvia. Changing it needs an Editor or Publisher assigned to Lithuania. Ask an "
    "Administrator (boss &lt;boss@example.org&gt;) to assign you Lithuania, or ask an editor of "
    "Lithuania (jonas &lt;jonas@example.org&gt;, ona &lt;ona@example.org&gt;) to make the change."
)


def test_an_lv_editor_posting_to_an_lt_record_is_told_whose_country_it_is(lt, lv, people):
    initiative = InitiativeFactory(country=lt, title="Hotline", status=Status.DRAFT)
    client = signed_in(make_member(EDITOR, lv, username="lv-editor"))
    url = f"/admin/profiles/initiative/{initiative.pk}/change/"
    response = csrf_post(client, url, {"title": "Hijacked", "country": lt.pk})
    assert response.status_code == 403
    page = text(response)
    assert LT_RECORD_REASON in page
    assert ADMIN_HEADER in page  # the admin's own layout, not a bare page
    assert "Your role: Editor. Your countries: Latvia." in page
    initiative.refresh_from_db()
    assert initiative.title == "Hotline"


def test_an_lv_editor_opening_an_lt_record_sees_why_it_is_read_only(lt, lv, people):
    initiative = InitiativeFactory(country=lt, title="Hotline", status=Status.DRAFT)
    client = signed_in(make_member(EDITOR, lv, username="lv-editor"))
    response = client.get(f"/admin/profiles/initiative/{initiative.pk}/change/")
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert f"Read only. {LT_RECORD_REASON}" in text(response)


def test_an_lv_editor_deleting_an_lt_record_is_told_why(lt, lv, people):
    initiative = InitiativeFactory(country=lt, title="Hotline")
    client = signed_in(make_member(EDITOR, lv, username="lv-editor"))
    url = f"/admin/profiles/initiative/{initiative.pk}/delete/"
    response = csrf_post(client, url, {"post": "yes"})
    assert response.status_code == 403
    assert "You cannot delete this initiative “2010 – Hotline”: it belongs to Lithuania" in text(
        response
    )
    assert "Deleting it needs an Editor or Publisher assigned to Lithuania." in text(response)
    assert Initiative.objects.filter(pk=initiative.pk).exists()


def test_a_record_of_several_countries_needs_every_one(lt, lv, people):
    from tests.library.factories import ReportFactory

    report = ReportFactory(title="Kids online", countries=[lt, lv], status=Status.DRAFT)
    client = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    response = csrf_post(client, f"/admin/library/report/{report.pk}/change/", {"title": "X"})
    assert response.status_code == 403
    page = text(response)
    assert "it belongs to Latvia and Lithuania, and you are assigned to Lithuania." in page
    assert "needs an Editor or Publisher assigned to every one of Latvia and Lithuania." in page
    assert "to assign you Latvia" in page


PUBLISHER_REASON = (
    "Publishing and withdrawing records need the Publisher role (or Administrator); your role: "
    "Editor. Set the status to “In review” (or use the action “Submit selected records for "
    "review”) and ask a Publisher of Lithuania (ona &lt;ona@example.org&gt;) to publish it."
)


def test_an_editor_running_the_publish_action_is_told_it_needs_a_publisher(lt, people):
    initiative = InitiativeFactory(country=lt, status=Status.IN_REVIEW)
    client = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    response = csrf_post(
        client,
        "/admin/profiles/initiative/",
        {"action": "publish", "_selected_action": [initiative.pk], "index": "0"},
    )
    assert response.status_code == 403
    assert PUBLISHER_REASON in text(response)
    initiative.refresh_from_db()
    assert initiative.status == Status.IN_REVIEW


def test_an_editor_publishing_in_the_form_is_told_it_needs_a_publisher(lt, people):
    initiative = InitiativeFactory(country=lt, status=Status.IN_REVIEW)
    client = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    url = f"/admin/profiles/initiative/{initiative.pk}/change/"
    data = change_form_data(client.get(url))
    data["status"] = Status.PUBLISHED
    response = csrf_post(client, url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        PUBLISHER_REASON.replace("&lt;", "<").replace("&gt;", ">")
    ]
    initiative.refresh_from_db()
    assert initiative.status == Status.IN_REVIEW


def test_an_editor_adding_a_country_is_told_it_is_an_administrators_task(lt, people):
    client = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    assert client.get("/admin/profiles/country/add/").status_code == 403
    response = csrf_post(
        client, "/admin/profiles/country/add/", {"iso_code": "EE", "name": "Estonia"}
    )
    assert response.status_code == 403
    assert (
        "Adding countries needs a right your role (Editor) does not give: the Administrator "
        "role gives it. Ask an Administrator (boss &lt;boss@example.org&gt;)."
    ) in text(response)
    assert not Country.objects.filter(iso_code="EE").exists()


@pytest.mark.urls("tests.portal.urls_refused")
def test_a_public_refusal_uses_the_site_layout_and_gives_the_reason(client):
    response = client.get("/refused/")
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403.html", "base.html"]
    assert "Only the owner may open this page." in text(response)
