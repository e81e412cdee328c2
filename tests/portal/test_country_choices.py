"""Forms and admin autocompletes offer only the countries (and acts) the editor may pick."""

import pytest
from django.test import Client

from portal.roles import ADMINISTRATOR, EDITOR
from tests.laws.factories import LegalActFactory
from tests.portal.admin_forms import change_form_data
from tests.portal.factories import make_member
from tests.profiles.factories import InitiativeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/"


@pytest.fixture
def acts(lt, lv):
    return (
        LegalActFactory(country=lt, title="Lithuanian Criminal Code"),
        LegalActFactory(country=lv, title="Latvian Criminal Law"),
    )


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def offered(client, app_label, model_name, field_name, term=""):
    response = client.get(
        AUTOCOMPLETE,
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200, response.content
    return {item["text"] for item in response.json()["results"]}


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    [
        ("profiles", "initiative", "country"),
        ("profiles", "indicatorvalue", "country"),
        ("profiles", "reportingchannel", "country"),
        ("profiles", "organisation", "countries"),
        ("laws", "legalact", "country"),
        ("laws", "legalage", "country"),
        ("laws", "childdefinition", "country"),
        ("laws", "countryinstrumentstatus", "country"),
        ("library", "report", "countries"),
    ],
)
def test_country_autocomplete_offers_the_editors_countries(
    lt, lv, app_label, model_name, field_name
):
    lt_editor = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    lv_editor = signed_in(make_member(EDITOR, lv, username="lv-editor"))
    administrator = signed_in(make_member(ADMINISTRATOR, username="boss"))
    assert offered(lt_editor, app_label, model_name, field_name) == {"Lithuania"}
    assert offered(lv_editor, app_label, model_name, field_name) == {"Latvia"}
    # A search term narrows within the editor's countries, never beyond them.
    assert offered(lt_editor, app_label, model_name, field_name, term="Latvia") == set()
    assert offered(administrator, app_label, model_name, field_name) == {"Lithuania", "Latvia"}


@pytest.mark.parametrize(
    ("model_name", "field_name"), [("provision", "act"), ("childdefinition", "act")]
)
def test_act_autocomplete_offers_acts_of_the_editors_countries(
    lt, lv, acts, model_name, field_name
):
    lt_editor = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    lv_editor = signed_in(make_member(EDITOR, lv, username="lv-editor"))
    assert offered(lt_editor, "laws", model_name, field_name) == {
        "Lithuanian Criminal Code (Lithuania)"
    }
    assert offered(lv_editor, "laws", model_name, field_name) == {"Latvian Criminal Law (Latvia)"}


def test_shared_records_stay_offered_to_every_editor(lt, lv):
    # Naming an organisation as a partner changes nothing of it: every organisation is offered.
    OrganisationFactory(name="Latvian Safer Internet Centre", countries=[lv])
    OrganisationFactory(name="INHOPE", countries=[])
    lt_editor = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    assert offered(lt_editor, "profiles", "initiativeorganisation", "organisation") == {
        "Latvian Safer Internet Centre",
        "INHOPE",
    }


def test_the_changelist_search_of_countries_still_lists_every_country(lt, lv):
    lt_editor = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    page = lt_editor.get("/admin/profiles/country/", {"q": "a"})
    assert page.status_code == 200
    assert {c.name for c in page.context["cl"].result_list} == {"Lithuania", "Latvia"}


def test_change_forms_list_only_the_editors_countries_and_acts(lt, lv, acts):
    lt_editor = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    lv_editor = signed_in(make_member(EDITOR, lv, username="lv-editor"))
    for client, country, act in ((lt_editor, lt, acts[0]), (lv_editor, lv, acts[1])):
        form = client.get("/admin/profiles/initiative/add/").context["adminform"].form
        assert list(form.fields["country"].queryset) == [country]
        form = client.get("/admin/library/report/add/").context["adminform"].form
        assert list(form.fields["countries"].queryset) == [country]
        form = client.get("/admin/laws/provision/add/").context["adminform"].form
        assert list(form.fields["act"].queryset) == [act]
        form = client.get("/admin/laws/childdefinition/add/").context["adminform"].form
        assert list(form.fields["act"].queryset) == [act]


def test_a_country_outside_the_editors_gets_a_message_naming_their_countries(lt, lv):
    initiative = InitiativeFactory(country=lt, title="Hotline", status="draft")
    lt_editor = signed_in(make_member(EDITOR, lt, username="lt-editor"))
    url = f"/admin/profiles/initiative/{initiative.pk}/change/"
    data = change_form_data(lt_editor.get(url))
    data["country"] = str(lv.pk)
    data["csrfmiddlewaretoken"] = lt_editor.cookies["csrftoken"].value
    response = lt_editor.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["country"]
    assert errors == [
        "Choose one of your countries (Lithuania). Records of another country need an editor "
        "assigned to it; an Administrator assigns countries."
    ]
    initiative.refresh_from_db()
    assert initiative.country == lt
