"""No edit, revert, restore or delete loses data or slips past the workflow.

Everything here goes through the admin views with CSRF checks on and the CSRF token taken from the
rendered form, as a browser would post it.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client

from laws.models import CountryInstrumentStatus, PenaltyRow
from library.models import Authorship, Report
from portal.admin import RecordAdmin
from portal.models import RecordModel, Status
from portal.roles import ADMINISTRATOR, EDITOR, PUBLISHER
from profiles.models import Initiative, InitiativeOrganisation, Organisation, Role, Theme
from tests.laws.factories import (
    CountryInstrumentStatusFactory,
    InstrumentFactory,
    PenaltyRowFactory,
    ProvisionFactory,
)
from tests.library.factories import AuthorFactory, ReportFactory
from tests.portal.admin_forms import csrf_token, form_data
from tests.portal.factories import make_member
from tests.profiles.factories import (
    CountryFactory,
    IndicatorDefinitionFactory,
    IndicatorValueFactory,
    InitiativeFactory,
    InitiativeOrganisationFactory,
    OrganisationFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lithuania():
    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")


@pytest.fixture
def latvia():
    return CountryFactory(iso_code="LV", name="Latvia", slug="latvia")


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def url(obj, view="change"):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{view}/"


def changelist(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def history_url(obj, entry):
    return f"{url(obj, 'history')}{entry.history_id}/"


def save(browser, obj, **changes):
    """Open the change form, change fields, save; returns the response."""
    data = form_data(browser.get(url(obj)))
    data.update({k: str(v) for k, v in changes.items()})
    return browser.post(url(obj), data)


def newest(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def non_field_errors(response):
    return " ".join(response.context["adminform"].form.non_field_errors())


def run_action(browser, model, action, objs, **extra):
    page = browser.get(changelist(model))
    data = {
        "csrfmiddlewaretoken": csrf_token(page),
        "action": action,
        "_selected_action": [str(o.pk) for o in objs],
        **extra,
    }
    return browser.post(changelist(model), data)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- a revert, a restore and every other write move the version on ----------------------------


def test_a_stale_form_saved_after_an_admin_revert_conflicts_and_the_revert_survives(
    browser, lithuania
):
    initiative = InitiativeFactory(country=lithuania, title="Original", status=Status.DRAFT)
    browser.force_login(make_member(EDITOR, lithuania, username="lt-editor"))
    assert save(browser, initiative, title="Changed").status_code == 302
    first = initiative.history.order_by("history_date", "history_id").first()

    stale = form_data(browser.get(url(initiative)))  # opened before the revert
    revert_page = browser.get(history_url(initiative, first))
    assert revert_page.status_code == 200
    assert browser.post(history_url(initiative, first), form_data(revert_page)).status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == "Original"
    assert initiative.version > int(stale["_portal_version"])

    stale["body"] = "Edited in the stale form."
    response = browser.post(url(initiative), stale)

    assert response.status_code == 200
    assert "while you were editing it" in non_field_errors(response)
    initiative.refresh_from_db()
    assert initiative.title == "Original"
    assert initiative.body != "Edited in the stale form."


def test_a_form_opened_before_a_delete_conflicts_after_the_restore(browser, lithuania):
    initiative = InitiativeFactory(country=lithuania, title="Deleted and back")
    browser.force_login(make_member(ADMINISTRATOR, username="boss"))
    stale = form_data(browser.get(url(initiative)))
    page = browser.get(url(initiative, "delete"))
    token = csrf_token(page)
    assert browser.post(url(initiative, "delete"), {"post": "yes", "csrfmiddlewaretoken": token})
    deleted = browser.get(f"{changelist(Initiative)}deleted/")
    restore = f"{changelist(Initiative)}deleted/{initiative.pk}/restore/"
    assert browser.post(restore, {"csrfmiddlewaretoken": csrf_token(deleted)}).status_code == 302

    stale["title"] = "From before the deletion"
    response = browser.post(url(initiative), stale)

    assert response.status_code == 200
    assert "while you were editing it" in non_field_errors(response)
    assert Initiative.objects.get(pk=initiative.pk).title == "Deleted and back"


def test_a_stale_form_saved_after_a_publish_action_conflicts(browser, lithuania):
    initiative = InitiativeFactory(country=lithuania, title="To publish", status=Status.DRAFT)
    browser.force_login(make_member(PUBLISHER, lithuania, username="lt-publisher"))
    stale = form_data(browser.get(url(initiative)))
    assert run_action(browser, Initiative, "publish", [initiative]).status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == Status.PUBLISHED

    response = browser.post(url(initiative), stale)  # would put the draft status back

    assert response.status_code == 200
    assert "while you were editing it" in non_field_errors(response)
    initiative.refresh_from_db()
    assert initiative.status == Status.PUBLISHED


# --- every part of a record is in its history and comes back with a revert ---------------------


def _inline_forms(data, prefix):
    return range(int(data[f"{prefix}-TOTAL_FORMS"]))


def test_reordered_authors_show_in_the_history_and_a_revert_restores_the_order(browser):
    livingstone = AuthorFactory(family_name="Livingstone", given_names="Sonia")
    haddon = AuthorFactory(family_name="Haddon", given_names="Leslie")
    report = ReportFactory(title="EU Kids Online", authors=[livingstone, haddon])
    browser.force_login(make_member(EDITOR, username="library-editor"))
    assert save(browser, report).status_code == 302  # the version the revert goes back to
    before = newest(report)

    data = form_data(browser.get(url(report)))
    for i in _inline_forms(data, "authorships"):
        author = data.get(f"authorships-{i}-author")
        if author:
            data[f"authorships-{i}-position"] = "2" if author == str(livingstone.pk) else "1"
    assert browser.post(url(report), data).status_code == 302
    assert [a.author for a in report.authorships.order_by("position")] == [haddon, livingstone]

    page = text(browser.get(url(report, "history")))
    assert "Authors in order:</strong> 1. Livingstone, Sonia; 2. Haddon, Leslie" in page
    assert "1. Haddon, Leslie; 2. Livingstone, Sonia" in page

    revert_page = browser.get(history_url(report, before))
    assert browser.post(history_url(report, before), form_data(revert_page)).status_code == 302
    assert [a.author for a in report.authorships.order_by("position")] == [livingstone, haddon]


def test_added_penalties_show_in_the_history_and_a_revert_removes_them(browser, lithuania):
    provision = ProvisionFactory(act__country=lithuania, title="Grooming", status=Status.DRAFT)
    PenaltyRowFactory(provision=provision, max_months=24)
    browser.force_login(make_member(EDITOR, lithuania, username="lt-editor"))
    assert save(browser, provision).status_code == 302
    before = newest(provision)

    data = form_data(browser.get(url(provision)))
    n = int(data["penalties-TOTAL_FORMS"])
    data.update(
        {
            "penalties-TOTAL_FORMS": str(n + 1),
            f"penalties-{n}-id": "",
            f"penalties-{n}-provision": str(provision.pk),
            f"penalties-{n}-option_set": "2",
            f"penalties-{n}-condition": PenaltyRow.Condition.VICTIM_CHILD,
            f"penalties-{n}-condition_note": "",
            f"penalties-{n}-sanction": PenaltyRow.Sanction.IMPRISONMENT,
            f"penalties-{n}-min_months": "36",
            f"penalties-{n}-max_months": "96",
        }
    )
    response = browser.post(url(provision), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert provision.penalties.count() == 2

    page = text(browser.get(url(provision, "history")))
    assert "Penalties:</strong> Base offence: imprisonment for up to 2 years &nbsp;&rarr;" in page
    assert "Victim a child: imprisonment for 3 to 8 years" in page

    revert_page = browser.get(history_url(provision, before))
    assert "Rows of this version" in text(revert_page)
    assert browser.post(history_url(provision, before), form_data(revert_page)).status_code == 302
    assert [(p.condition, p.max_months) for p in provision.penalties.all()] == [
        (PenaltyRow.Condition.BASE, 24)
    ]
    assert newest(provision).history_change_reason.startswith("Reverted to the version of")


def test_organisation_roles_come_back_with_a_revert(browser, lithuania):
    initiative = InitiativeFactory(country=lithuania, status=Status.DRAFT)
    lead, funder = OrganisationFactory(name="Lead body"), OrganisationFactory(name="Funder")
    InitiativeOrganisationFactory(initiative=initiative, organisation=lead, role=Role.LEAD)
    browser.force_login(make_member(EDITOR, lithuania, username="lt-editor"))
    assert save(browser, initiative).status_code == 302
    before = newest(initiative)
    data = form_data(browser.get(url(initiative)))
    n = [i for i in _inline_forms(data, "organisation_roles") if data[f"organisation_roles-{i}-id"]]
    data[f"organisation_roles-{n[0]}-role"] = Role.PARTNER
    free = next(i for i in _inline_forms(data, "organisation_roles") if i not in n)
    data[f"organisation_roles-{free}-organisation"] = str(funder.pk)
    data[f"organisation_roles-{free}-role"] = Role.FUNDER
    data[f"organisation_roles-{free}-order"] = "1"
    assert browser.post(url(initiative), data).status_code == 302
    page = text(browser.get(url(initiative, "history")))
    assert "Organisation roles:</strong> Lead body (lead) (order 0) &nbsp;&rarr;" in page

    revert_page = browser.get(history_url(initiative, before))
    assert browser.post(history_url(initiative, before), form_data(revert_page)).status_code == 302
    assert [(r.organisation, r.role) for r in initiative.organisation_roles.all()] == [
        (lead, Role.LEAD)
    ]


def test_every_inline_of_a_record_admin_is_kept_in_its_history():
    """An inline either edits rows that are part of the record (kept with each version) or
    records of their own with their own history (e.g. a country's initiatives)."""
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, RecordAdmin):
            continue
        kept = {child.related_model for child in map(model._meta.get_field, model.history_children)}
        for inline in model_admin.inlines:
            assert issubclass(inline.model, RecordModel) or inline.model in kept, (
                f"{model.__name__}: the rows of {inline.__name__} are not in its history"
            )


# --- one entry per save; the public change log says what the public saw ------------------------


def test_an_admin_save_writes_one_history_entry_with_the_relations(browser, lithuania):
    education = ThemeFactory(name="Education")
    lead = OrganisationFactory(name="Lead body")
    browser.force_login(make_member(EDITOR, lithuania, username="lt-editor"))
    add = "/admin/profiles/initiative/add/"
    data = form_data(browser.get(add))
    data.update(
        {
            "country": str(lithuania.pk),
            "title": "Safer Internet Day",
            "slug": "safer-internet-day",
            "year": "2010",
            "timeline": "national",
            "body": "Events in schools.",
            "themes": [str(education.pk)],
            "organisation_roles-0-organisation": str(lead.pk),
            "organisation_roles-0-role": Role.LEAD,
            "organisation_roles-0-order": "0",
        }
    )
    assert browser.post(add, data).status_code == 302
    initiative = Initiative.objects.get(slug="safer-internet-day")
    entry = initiative.history.get()
    assert entry.history_type == "+"
    assert [t.theme_id for t in entry.themes.all()] == [education.pk]
    assert entry.history_children["organisation_roles"][0]["organisation_id"] == lead.pk

    assert save(browser, initiative, title="Safer Internet Day 2010").status_code == 302
    assert initiative.history.count() == 2


def test_a_row_imported_with_django_import_export_writes_one_history_entry(lithuania):
    from tablib import Dataset

    from profiles.resources import InitiativeResource

    ThemeFactory(name="Education & awareness")
    importer = make_member(PUBLISHER, lithuania, username="importer")
    dataset = Dataset(headers=["country", "title", "year", "timeline", "body", "themes", "status"])
    dataset.append(
        ["LT", "Imported", "2014", "national", "Body.", "Education & awareness", "draft"]
    )
    result = InitiativeResource().import_data(dataset, dry_run=False, user=importer)
    assert not result.has_errors() and not result.has_validation_errors()
    entry = Initiative.objects.get(title="Imported").history.get()
    assert entry.history_type == "+" and entry.history_user == importer
    assert entry.themes.count() == 1


def test_the_change_log_says_published_changed_withdrawn_and_hides_draft_edits(
    browser, client, lithuania
):
    initiative = InitiativeFactory(country=lithuania, title="Hotline", status=Status.DRAFT)
    browser.force_login(make_member(PUBLISHER, lithuania, username="lt-publisher"))
    assert save(browser, initiative, title="Hotline (draft edit)").status_code == 302
    assert run_action(browser, Initiative, "publish", [initiative]).status_code == 302
    assert save(browser, initiative, title="Hotline opened").status_code == 302

    def rows():
        return re.findall(
            r'<td data-label="Change">(Published|Changed|Withdrawn|Added|Deleted)</td>\s*'
            r'<td data-label="Record type">Initiative</td>\s*<td data-label="Record">(.*?)</td>',
            client.get("/countries/lt/changes/").content.decode(),
        )

    # newest first; the draft's own save is not listed, the first publication is "Published"
    published = rows()
    assert [kind for kind, _ in published] == ["Changed", "Published"]
    assert "Hotline opened" in published[0][1]

    # a withdrawn record keeps only its withdrawal, with no link: it has no public page now
    assert run_action(browser, Initiative, "withdraw", [initiative]).status_code == 302
    withdrawn = rows()
    assert [kind for kind, _ in withdrawn] == ["Withdrawn"]
    assert "href" not in withdrawn[0][1]


def test_numbers_read_as_people_write_them_in_the_change_log_and_the_history(browser, lithuania):
    users = IndicatorDefinitionFactory(name="Internet users")
    value = IndicatorValueFactory(country=lithuania, definition=users, value=1700000)
    browser.force_login(make_member(PUBLISHER, lithuania, username="lt-publisher"))
    assert save(browser, value, value="1800000").status_code == 302

    log = text(Client().get("/countries/lt/changes/"))
    assert "1,800,000" in log and "1,700,000" in log
    assert "1700000.00" not in log and "1800000.00" not in log
    history = text(browser.get(url(value, "history")))
    assert "1,700,000" in history and "1,800,000" in history
    assert "1800000.00" not in history


# --- deleting shared reference data -------------------------------------------------------------


@pytest.fixture
def funder_of_a_latvian_initiative(latvia):
    organisation = OrganisationFactory(name="International Fund", scope="international")
    initiative = InitiativeFactory(country=latvia, title="Latvian helpline")
    InitiativeOrganisationFactory(
        initiative=initiative, organisation=organisation, role=Role.FUNDER
    )
    return organisation, initiative


def test_an_lt_editor_cannot_delete_an_organisation_funding_a_latvian_initiative(
    browser, lithuania, funder_of_a_latvian_initiative
):
    organisation, initiative = funder_of_a_latvian_initiative
    browser.force_login(make_member(EDITOR, lithuania, username="lt-editor"))

    page = browser.get(url(organisation, "delete"))
    assert page.status_code == 200
    body = text(page)
    assert "cannot be deleted" in body
    assert "Latvian helpline" in body and "Latvia" in body
    response = browser.post(
        url(organisation, "delete"), {"post": "yes", "csrfmiddlewaretoken": csrf_token(page)}
    )
    assert response.status_code in (200, 403)
    assert Organisation.objects.filter(pk=organisation.pk).exists()

    response = run_action(browser, Organisation, "delete_selected", [organisation], post="yes")
    assert response.status_code == 200
    assert "cannot be deleted" in text(response) and "Latvian helpline" in text(response)
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert InitiativeOrganisation.objects.filter(initiative=initiative, role=Role.FUNDER).exists()


def test_an_lt_editor_cannot_delete_a_theme_used_in_latvia(browser, lithuania, latvia):
    theme = ThemeFactory(name="Education")
    initiative = InitiativeFactory(country=latvia, title="Latvian schools", themes=[theme])
    browser.force_login(make_member(EDITOR, lithuania, username="lt-editor"))

    page = browser.get(url(theme, "delete"))
    assert "cannot be deleted" in text(page) and "Latvian schools" in text(page)
    browser.post(url(theme, "delete"), {"post": "yes", "csrfmiddlewaretoken": csrf_token(page)})
    response = run_action(browser, Theme, "delete_selected", [theme], post="yes")

    assert "cannot be deleted" in text(response)
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert list(initiative.themes.all()) == [theme]


def test_an_lt_editor_cannot_delete_an_instrument_ratified_by_latvia(browser, lithuania, latvia):
    instrument = InstrumentFactory(short_name="Lanzarote Convention")
    CountryInstrumentStatusFactory(country=latvia, instrument=instrument)
    browser.force_login(make_member(EDITOR, lithuania, username="lt-editor"))
    response = run_action(browser, type(instrument), "delete_selected", [instrument], post="yes")
    assert "cannot be deleted" in text(response) and "would be deleted with it" in text(response)
    assert CountryInstrumentStatus.objects.filter(country=latvia).exists()


def test_deleting_with_rights_over_every_country_records_the_effect_in_each_history(
    browser, lithuania, latvia, funder_of_a_latvian_initiative
):
    organisation, initiative = funder_of_a_latvian_initiative
    theme = ThemeFactory(name="Education")
    lt_initiative = InitiativeFactory(country=lithuania, title="LT schools", themes=[theme])
    lv_initiative = InitiativeFactory(country=latvia, title="LV schools", themes=[theme])
    versions = {i.pk: i.version for i in (initiative, lt_initiative, lv_initiative)}
    browser.force_login(make_member(EDITOR, lithuania, latvia, username="baltic-editor"))

    page = browser.get(url(organisation, "delete"))
    assert "Are you sure" in text(page)
    response = browser.post(
        url(organisation, "delete"), {"post": "yes", "csrfmiddlewaretoken": csrf_token(page)}
    )
    assert response.status_code == 302
    response = run_action(browser, Theme, "delete_selected", [theme], post="yes")
    assert response.status_code == 302

    assert not InitiativeOrganisation.objects.filter(initiative=initiative).exists()
    entry = newest(initiative)
    assert entry.history_change_reason.startswith("Link removed: organisation")
    assert entry.history_children["organisation_roles"] == []
    for record in (lt_initiative, lv_initiative):
        record.refresh_from_db()
        assert record.version == versions[record.pk] + 1
        assert newest(record).history_change_reason.startswith("Link removed: theme Education")
        assert list(newest(record).themes.all()) == []
    history = text(browser.get(url(lv_initiative, "history")))
    assert "Themes:" in history and "Link removed: theme Education" in history

    # a version from before the deletion still reverts; the deleted theme cannot come back
    first = lv_initiative.history.order_by("history_date", "history_id").first()
    revert_page = browser.get(history_url(lv_initiative, first))
    response = browser.post(history_url(lv_initiative, first), form_data(revert_page))
    assert response.status_code == 302
    assert list(lv_initiative.themes.all()) == []


def test_an_author_still_credited_is_protected_with_a_clear_message(browser):
    author = AuthorFactory(family_name="Livingstone")
    report = ReportFactory(title="Kept", authors=[author])
    browser.force_login(make_member(EDITOR, username="library-editor"))
    page = browser.get(url(author, "delete"))
    assert "cannot be deleted" in text(page)
    assert Authorship.objects.filter(report=report).exists()
    assert Report.objects.filter(pk=report.pk).exists()
