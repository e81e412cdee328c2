import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse

from library import models as library_models
from library.models import Author, Report
from portal.models import Status
from tests.profiles.factories import CountryFactory

from .factories import AuthorFactory, ReportFactory, TopicFactory

pytestmark = pytest.mark.django_db

MODELS = [
    library_models.Topic,
    library_models.Author,
    library_models.Report,
    library_models.Authorship,
    library_models.ReportTitle,
]


def url(model, view="changelist", *args):
    return reverse(f"admin:library_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_editable_field_has_verbose_name_and_help_text(model):
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.auto_created or not field.concrete:
            continue
        if field.name in {"created_at", "updated_at", "report"}:  # report: the inline's parent
            continue
        assert field.verbose_name, (model, field.name)
        assert field.help_text, f"{model.__name__}.{field.name} has no help_text"


def test_country_fields():
    assert Report.country_field == "countries"
    assert Author.country_field is None


def test_changelists_search_and_filter(admin_client):
    lt = CountryFactory(iso_code="LT")
    topic = TopicFactory()
    sonia = AuthorFactory(family_name="Livingstone", given_names="Sonia")
    ReportFactory(title="Zero to Eight", year=2013, authors=[sonia], topics=[topic], countries=[lt])
    ReportFactory(title="Other", year=2010, summary="About hotlines.")
    for query, expected in [
        ({"q": "livingstone"}, ["Zero to Eight"]),
        ({"q": "hotlines"}, ["Other"]),
        ({"q": "zero"}, ["Zero to Eight"]),
        ({"year": 2010}, ["Other"]),
        ({"topics__id__exact": topic.pk}, ["Zero to Eight"]),
        ({"countries__id__exact": lt.pk}, ["Zero to Eight"]),
        ({"report_type__exact": "survey"}, ["Zero to Eight", "Other"]),
    ]:
        response = admin_client.get(url(Report), query)
        assert response.status_code == 200
        got = [r.title for r in response.context["cl"].result_list]
        assert sorted(got) == sorted(expected), query
    assert admin_client.get(url(Author), {"q": "sonia"}).context["cl"].result_count == 1
    for model in (Author, library_models.Topic):
        assert admin_client.get(url(model)).status_code == 200


def test_report_form_has_ordered_author_inline_and_autocompletes(admin_client):
    report = ReportFactory(authors=[AuthorFactory(), AuthorFactory()])
    response = admin_client.get(url(Report, "change", report.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "authorships-0-position" in content and "authorships-1-author" in content
    assert 'data-ajax--url="/admin/autocomplete/"' in content
    model_admin = response.context["adminform"].model_admin
    assert set(model_admin.autocomplete_fields) == {"topics", "countries"}
    inline = model_admin.inlines[0]
    assert inline.autocomplete_fields == ("author",)
    assert inline.ordering == ("position", "pk")


def post_report(admin_client, title, year, **extra):
    country = CountryFactory(iso_code="LT")
    data = {
        "title": title,
        "slug": extra.pop("slug", "new-report"),
        "year": year,
        "report_type": "survey",
        "status": Status.DRAFT,
        "summary": "",
        "countries": [country.pk],
        "authorships-TOTAL_FORMS": 0,
        "authorships-INITIAL_FORMS": 0,
        "titles-TOTAL_FORMS": 0,
        "titles-INITIAL_FORMS": 0,
        **extra,
    }
    return admin_client.post(url(Report, "add"), data, follow=True)


def test_saving_a_duplicate_warns(admin_client):
    ReportFactory(title="Country classification: opportunities, risks", year=2013)
    response = post_report(
        admin_client, "COUNTRY CLASSIFICATION - Opportunities, Risks", 2013, slug="cc"
    )
    assert response.status_code == 200
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        "Possible duplicate" in m and "Country classification: opportunities, risks (2013)" in m
        for m in messages
    ), messages
    assert Report.objects.count() == 2  # a warning, not a refusal


def test_saving_a_new_title_does_not_warn(admin_client):
    ReportFactory(title="Country classification", year=2013)
    response = post_report(admin_client, "Country classification", 2014, slug="cc-2014")
    assert not any("duplicate" in str(m) for m in get_messages(response.wsgi_request))
    assert Report.objects.count() == 2


def test_merge_action_asks_which_report_to_keep_then_merges(admin_client):
    a, b, c = AuthorFactory(), AuthorFactory(), AuthorFactory()
    keep = ReportFactory(
        title="Excessive Internet Use by European Children", year=2012, authors=[a, b]
    )
    other = ReportFactory(
        title="EU Kids Online: Excessive Internet Use among European Children",
        year=2012,
        authors=[a, c],
    )
    selected = {"action": "merge_reports", ACTION_CHECKBOX_NAME: [keep.pk, other.pk]}
    confirm = admin_client.post(url(Report), selected)
    assert confirm.status_code == 200
    assert "admin/library/report/merge_confirmation.html" in [t.name for t in confirm.templates]
    content = confirm.content.decode()
    assert f'value="{keep.pk}"' in content and f'value="{other.pk}"' in content
    assert Report.objects.count() == 2  # nothing merged before confirming

    response = admin_client.post(url(Report), {**selected, "confirm": "yes", "keep": keep.pk})
    assert response.status_code == 302
    assert list(Report.objects.all()) == [keep]
    assert [x.author for x in keep.authorships.order_by("position")] == [a, b, c]
    assert list(keep.titles.values_list("title", flat=True)) == [other.title]


def test_merge_action_needs_two_reports(admin_client):
    report = ReportFactory()
    response = admin_client.post(
        url(Report), {"action": "merge_reports", ACTION_CHECKBOX_NAME: [report.pk]}, follow=True
    )
    assert any("at least two" in str(m) for m in get_messages(response.wsgi_request))


def test_author_form_refuses_a_second_record_for_the_same_person(admin_client):
    AuthorFactory(family_name="Livingstone", given_names="Sonia")
    response = admin_client.post(
        url(Author, "add"),
        {"family_name": "Livingstone", "given_names": "S.", "slug": "l-s", "status": "draft"},
    )
    assert response.status_code == 200
    assert "already has this name" in response.content.decode()
    assert Author.objects.count() == 1
    response = admin_client.post(
        url(Author, "add"),
        {"family_name": "Haddon", "given_names": "Leslie", "slug": "haddon", "status": "draft"},
    )
    assert response.status_code == 302
    haddon = Author.objects.get(slug="haddon")
    assert (haddon.match_key, haddon.initials) == ("haddon|l", "L.")


def test_admin_import_and_export_pages(admin_client):
    assert admin_client.get(url(Report, "bulk_import")).status_code == 200
    assert admin_client.get(url(Report, "bulk_export")).status_code == 200


def test_admin_import_preview_shows_the_duplicate_and_writes_nothing(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    CountryFactory(iso_code="LT")
    ReportFactory(title="Zero to Eight", year=2013)
    csv = (
        "title,year,authors,countries,status\n"
        'New one,2014,"Haddon, Leslie",LT,draft\n'
        'ZERO to eight!,2013,"Livingstone, S.",LT,draft\n'
    )
    response = admin_client.post(
        url(Report, "bulk_import"),
        {"file": SimpleUploadedFile("rows.csv", csv.encode(), "text/csv")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Possible duplicate of the existing report" in html and "Zero to Eight (2013)" in html
    assert Report.objects.count() == 1
    assert Author.objects.count() == 0
