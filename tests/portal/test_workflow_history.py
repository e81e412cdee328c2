"""History, revert, restore and edit conflicts."""

import feedparser
import pytest
from django.core.management import call_command
from tablib import Dataset

from portal.changes import record_models
from portal.history import record_restore, record_revert
from portal.models import Status
from portal.permissions import country_relation
from portal.roles import EDITOR, PUBLISHER
from profiles.models import Initiative, InitiativeFigure, InitiativeOrganisation
from profiles.resources import InitiativeResource
from tests.portal.admin_forms import change_form_data
from tests.portal.factories import make_member
from tests.profiles.factories import (
    CountryFactory,
    InitiativeFactory,
    InitiativeFigureFactory,
    InitiativeOrganisationFactory,
    OrganisationFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lithuania():
    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")


def change_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def snapshot(initiative):
    initiative.refresh_from_db()
    fields = {
        f.attname: getattr(initiative, f.attname)
        for f in Initiative._meta.concrete_fields
        if f.name not in ("version", "updated_at")
    }
    fields["themes"] = set(initiative.themes.values_list("pk", flat=True))
    return fields


def test_a_revert_restores_every_field(lithuania):
    education, policy = ThemeFactory(name="Education"), ThemeFactory(name="Policy")
    initiative = InitiativeFactory(
        country=lithuania, title="Original", body="First body.", year=2008, themes=[education]
    )
    original = snapshot(initiative)
    first_version = initiative.history.order_by("history_date").last().history_id
    initiative.title, initiative.body, initiative.year = "Changed", "Second body.", 2009
    initiative.start_month, initiative.source_name = 3, "A source"
    initiative.save()
    initiative.themes.set([policy])
    assert snapshot(initiative) != original

    record_revert(record=initiative, history_id=first_version)

    assert snapshot(initiative) == original


def test_a_revert_through_the_admin_history_form_restores_fields_and_themes(client, lithuania):
    education, policy = ThemeFactory(name="Education"), ThemeFactory(name="Policy")
    initiative = InitiativeFactory(
        country=lithuania, title="Original", status=Status.DRAFT, themes=[education]
    )
    first_version = initiative.history.order_by("history_date").last().history_id
    initiative.title = "Changed"
    initiative.save()
    initiative.themes.set([policy])
    editor = make_member(EDITOR, lithuania, username="lt-editor")
    client.force_login(editor)
    url = f"/admin/profiles/initiative/{initiative.pk}/history/{first_version}/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, change_form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    initiative.refresh_from_db()
    assert initiative.title == "Original"
    assert list(initiative.themes.all()) == [education]


def test_a_deleted_record_is_restored_with_its_relations(client, lithuania):
    theme = ThemeFactory(name="Education")
    initiative = InitiativeFactory(country=lithuania, title="Deleted one", themes=[theme])
    role = InitiativeOrganisationFactory(initiative=initiative, organisation=OrganisationFactory())
    figure = InitiativeFigureFactory(initiative=initiative, number=20000)
    admin_user = make_member("Administrator", username="boss")
    client.force_login(admin_user)
    response = client.post(f"/admin/profiles/initiative/{initiative.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Initiative.objects.filter(pk=initiative.pk).exists()
    listing = client.get("/admin/profiles/initiative/deleted/")
    assert "Deleted one" in listing.content.decode()

    response = client.post(f"/admin/profiles/initiative/deleted/{initiative.pk}/restore/")

    assert response.status_code == 302
    restored = Initiative.objects.get(pk=initiative.pk)
    assert restored.title == "Deleted one"
    assert list(restored.themes.all()) == [theme]
    assert InitiativeOrganisation.objects.get(pk=role.pk).organisation == role.organisation
    assert InitiativeFigure.objects.get(pk=figure.pk).number == 20000
    assert restored.history.first().history_user == admin_user


def test_restore_refuses_a_record_that_exists(lithuania):
    initiative = InitiativeFactory(country=lithuania)
    with pytest.raises(ValueError):
        record_restore(model=Initiative, pk=initiative.pk)


def test_the_second_of_two_concurrent_saves_is_refused(client, lithuania):
    initiative = InitiativeFactory(
        country=lithuania, title="Shared", body="Body.", status=Status.DRAFT
    )
    first = make_member(EDITOR, lithuania, username="first-editor")
    second = make_member(EDITOR, lithuania, username="second-editor")
    client.force_login(first)
    first_form = change_form_data(client.get(change_url(initiative)))
    client.force_login(second)
    second_form = change_form_data(client.get(change_url(initiative)))

    client.force_login(first)
    first_form["title"] = "Title by the first editor"
    assert client.post(change_url(initiative), first_form).status_code == 302

    client.force_login(second)
    second_form["body"] = "Body by the second editor."
    response = client.post(change_url(initiative), second_form)

    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "first-editor" in message
    assert "Title by the first editor" in message
    initiative.refresh_from_db()
    assert initiative.title == "Title by the first editor"
    assert initiative.body == "Body."


def test_an_imported_row_leaves_a_history_entry_naming_the_importer(lithuania):
    importer = make_member(PUBLISHER, lithuania, username="importer")
    dataset = Dataset(headers=["country", "title", "year", "timeline", "body", "status"])
    dataset.append(["LT", "Imported initiative", "2014", "national", "Body.", "published"])
    result = InitiativeResource().import_data(dataset, dry_run=False, user=importer)
    assert not result.has_errors() and not result.has_validation_errors()
    entry = Initiative.objects.get(title="Imported initiative").history.get()
    assert entry.history_user == importer
    assert entry.history_type == "+"


def test_change_feed_is_atom_and_lists_published_changes_only(client, lithuania):
    InitiativeFactory(country=lithuania, title="Published initiative", status=Status.PUBLISHED)
    InitiativeFactory(country=lithuania, title="Draft initiative", status=Status.DRAFT)
    response = client.get("/countries/lt/changes/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [entry.title for entry in feed.entries]
    assert any("Published initiative" in title for title in titles)
    assert not any("Draft initiative" in title for title in titles)
    page = client.get("/countries/lt/changes/").content.decode()
    assert "Published initiative" in page and "Draft initiative" not in page


@pytest.mark.parametrize("extra", [0, 30])
def test_change_log_query_count_does_not_grow(client, lithuania, extra, django_assert_num_queries):
    InitiativeFactory.create_batch(extra + 1, country=lithuania)
    tied = [m for m in record_models() if country_relation(m)[0] is not None]
    # The country, the dates and kinds of every type tied to countries, then the records of the
    # types on the page (the country's own entry and the initiatives).
    expected = 1 + len(tied) + 2
    with django_assert_num_queries(expected):
        response = client.get("/countries/lt/changes/")
    assert response.status_code == 200


def test_demo_data_gets_an_initial_history(lithuania):
    call_command("load_demo_data", verbosity=0)
    initiative = Initiative.objects.published().filter(country__iso_code="LT").first()
    assert initiative.history.exists()


def test_history_page_shows_who_changed_which_field(client, lithuania):
    initiative = InitiativeFactory(country=lithuania, title="Before the change")
    editor = make_member(EDITOR, lithuania, username="history-editor")
    initiative.title = "After the change"
    initiative._history_user = editor
    initiative.save()
    client.force_login(editor)
    page = client.get(f"/admin/profiles/initiative/{initiative.pk}/history/").content.decode()
    assert "history-editor" in page
    assert "Before the change" in page and "After the change" in page


def test_country_assignment_is_managed_on_the_user_page(client, lithuania):
    editor = make_member(EDITOR, lithuania, username="assigned-editor")
    client.force_login(make_member("Administrator", username="boss"))
    page = client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    assert "Assigned countries" in page
    assert "Lithuania" in page


def test_a_report_merge_is_undone_from_the_history(lithuania):
    from library.models import Report
    from library.services import report_merge
    from tests.library.factories import AuthorFactory, ReportFactory, TopicFactory

    livingstone, haddon = (
        AuthorFactory(family_name="Livingstone"),
        AuthorFactory(family_name="Haddon"),
    )
    survey, policy = TopicFactory(name="Surveys"), TopicFactory(name="Policy")
    keep = ReportFactory(title="National perspectives", authors=[livingstone], topics=[survey])
    other = ReportFactory(title="EU Kids Online: National perspectives", authors=[haddon])
    other.topics.set([policy])
    before_merge = keep.history.order_by("-history_date", "-history_id").first().history_id

    report_merge(keep=keep, others=[other])
    assert not Report.objects.filter(pk=other.pk).exists()

    restored, children = record_restore(model=Report, pk=other.pk)
    record_revert(record=Report.objects.get(pk=keep.pk), history_id=before_merge)

    assert restored.title == "EU Kids Online: National perspectives"
    assert [a.author for a in restored.authorships.order_by("position")] == [haddon]
    assert list(restored.topics.all()) == [policy]
    assert children >= 1
    assert list(Report.objects.get(pk=keep.pk).topics.all()) == [survey]
