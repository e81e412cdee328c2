"""Editorial rules, one test per rule (docs/editorial-workflow.md)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from tablib import Dataset

from portal.models import Status
from portal.roles import EDITOR, PUBLISHER
from profiles.models import Initiative
from profiles.resources import InitiativeResource
from tests.library.factories import ReportFactory
from tests.portal.admin_forms import change_form_data
from tests.portal.factories import make_member
from tests.profiles.factories import CountryFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def countries():
    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania"), CountryFactory(
        iso_code="LV", name="Latvia", slug="latvia"
    )


@pytest.fixture
def lt_editor(countries):
    return make_member(EDITOR, countries[0], username="lt-editor")


def change_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def test_lt_editor_changes_an_lt_initiative(client, countries, lt_editor):
    initiative = InitiativeFactory(country=countries[0], title="Old title", status=Status.DRAFT)
    client.force_login(lt_editor)
    data = change_form_data(client.get(change_url(initiative)))
    data["title"] = "New title"
    response = client.post(change_url(initiative), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    initiative.refresh_from_db()
    assert initiative.title == "New title"
    assert initiative.history.first().history_user == lt_editor


def test_lt_editor_cannot_change_an_lv_initiative(client, countries, lt_editor):
    initiative = InitiativeFactory(country=countries[1], title="Latvian")
    client.force_login(lt_editor)
    # The change page is read-only for them, and a crafted POST is refused.
    page = client.get(change_url(initiative))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    response = client.post(
        change_url(initiative), {"title": "Hijacked", "country": countries[1].pk}
    )
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.title == "Latvian"


def test_lt_editor_cannot_move_a_record_to_a_country_they_do_not_hold(client, countries, lt_editor):
    initiative = InitiativeFactory(country=countries[0], status=Status.DRAFT)
    client.force_login(lt_editor)
    data = change_form_data(client.get(change_url(initiative)))
    data["country"] = str(countries[1].pk)
    response = client.post(change_url(initiative), data)
    assert response.status_code == 200
    assert "country" in response.context["adminform"].form.errors
    initiative.refresh_from_db()
    assert initiative.country == countries[0]


def test_lt_editor_cannot_delete_an_lv_initiative(client, countries, lt_editor):
    initiative = InitiativeFactory(country=countries[1])
    client.force_login(lt_editor)
    url = f"/admin/profiles/initiative/{initiative.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/profiles/initiative/",
        {"action": "delete_selected", "_selected_action": [initiative.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert Initiative.objects.filter(pk=initiative.pk).exists()


def test_lt_editor_cannot_import_an_lv_row(countries, lt_editor):
    existing_lv = InitiativeFactory(country=countries[1], title="Latvian", year=2010)
    resource = InitiativeResource()
    dataset = Dataset(headers=["country", "title", "year", "timeline", "body", "status"])
    dataset.append(["LT", "Lithuanian row", "2011", "national", "Body.", "draft"])
    dataset.append(["LV", "Latvian row", "2012", "national", "Body.", "draft"])
    dataset.append(["LV", "Latvian", "2010", "national", "Changed.", "draft"])
    result = resource.import_data(dataset, dry_run=False, user=lt_editor)
    assert result.has_validation_errors()
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {2, 3}
    assert "country" in invalid[2]
    assert not Initiative.objects.filter(title__in=["Lithuanian row", "Latvian row"]).exists()
    existing_lv.refresh_from_db()
    assert existing_lv.body != "Changed."


def test_an_editor_cannot_publish(client, countries, lt_editor):
    initiative = InitiativeFactory(country=countries[0], status=Status.IN_REVIEW)
    client.force_login(lt_editor)
    client.post(
        "/admin/profiles/initiative/",
        {"action": "publish", "_selected_action": [initiative.pk]},
    )
    initiative.refresh_from_db()
    assert initiative.status == Status.IN_REVIEW
    data = change_form_data(client.get(change_url(initiative)))
    data["status"] = Status.PUBLISHED
    response = client.post(change_url(initiative), data)
    assert "status" in response.context["adminform"].form.errors
    initiative.refresh_from_db()
    assert initiative.status == Status.IN_REVIEW


def test_an_editor_submits_for_review_and_a_publisher_publishes(client, countries, lt_editor):
    initiative = InitiativeFactory(country=countries[0], status=Status.DRAFT)
    client.force_login(lt_editor)
    client.post(
        "/admin/profiles/initiative/",
        {"action": "submit_for_review", "_selected_action": [initiative.pk]},
    )
    initiative.refresh_from_db()
    assert initiative.status == Status.IN_REVIEW
    client.force_login(make_member(PUBLISHER, countries[0], username="lt-publisher"))
    client.post(
        "/admin/profiles/initiative/", {"action": "publish", "_selected_action": [initiative.pk]}
    )
    initiative.refresh_from_db()
    assert initiative.status == Status.PUBLISHED


def test_a_publisher_of_lt_cannot_publish_an_lv_record(client, countries):
    initiative = InitiativeFactory(country=countries[1], status=Status.IN_REVIEW)
    client.force_login(make_member(PUBLISHER, countries[0], username="lt-publisher"))
    client.post(
        "/admin/profiles/initiative/", {"action": "publish", "_selected_action": [initiative.pk]}
    )
    initiative.refresh_from_db()
    assert initiative.status == Status.IN_REVIEW


def test_a_multi_country_report_needs_every_country(client, countries, lt_editor):
    lt, lv = countries
    shared = ReportFactory(countries=[lt, lv], status=Status.DRAFT)
    own = ReportFactory(countries=[lt], status=Status.DRAFT)
    international = ReportFactory(countries=[], status=Status.DRAFT)
    client.force_login(lt_editor)
    assert client.get(change_url(shared)).context["has_change_permission"] is False
    assert client.get(change_url(own)).context["has_change_permission"] is True
    assert client.get(change_url(international)).context["has_change_permission"] is True


def test_anonymous_users_reach_no_admin_page(client, countries):
    initiative = InitiativeFactory(country=countries[0])
    response = client.get(change_url(initiative))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not AnonymousUser().has_perm("portal.publish_records")
