import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from laws.models import (
    Assessment,
    ChildDefinition,
    CountryInstrumentStatus,
    Criterion,
    Framework,
    Instrument,
    LegalAct,
    LegalAge,
    PenaltyRow,
    Provision,
    Topic,
    provision_sort_key,
)
from tests.profiles.factories import CountryFactory

from .factories import (
    AssessmentFactory,
    ChildDefinitionFactory,
    CountryInstrumentStatusFactory,
    LegalAgeFactory,
    PenaltyRowFactory,
    ProvisionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

RECORD_MODELS = [
    Topic,
    Instrument,
    LegalAge,
    ChildDefinition,
    CountryInstrumentStatus,
    LegalAct,
    Provision,
    Framework,
    Criterion,
    Assessment,
]


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def data():
    provision = ProvisionFactory(number="149", title="Rape", topics=[TopicFactory()])
    PenaltyRowFactory(provision=provision, max_months=84)
    LegalAgeFactory(country=provision.country)
    ChildDefinitionFactory(country=provision.country, act=provision.act)
    CountryInstrumentStatusFactory(country=provision.country)
    AssessmentFactory(country=provision.country, provisions=[provision])
    return provision


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:laws_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_every_model_has_changelist_add_and_change_pages(admin_client, data, model):
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_every_editable_field_has_help_text(model):
    for field in model._meta.get_fields():
        if getattr(field, "editable", False) and not field.auto_created and field.concrete:
            if field.name in ("id",):
                continue
            assert field.help_text, f"{model.__name__}.{field.name}"
            assert field.verbose_name


def test_penalty_fields_have_help_text_where_not_obvious():
    for name in ("option_set", "condition", "condition_note", "min_months", "max_months"):
        assert PenaltyRow._meta.get_field(name).help_text


def test_provision_search_by_number_and_text(admin_client, data):
    other = ProvisionFactory(number="309", title="Pornographic material")
    response = admin_client.get(admin_url(Provision), {"q": "149"})
    assert list(response.context["cl"].result_list) == [data]
    response = admin_client.get(admin_url(Provision), {"q": "pornographic"})
    assert list(response.context["cl"].result_list) == [other]


def test_provision_filters(admin_client, data):
    other = ProvisionFactory()
    PenaltyRowFactory(provision=other, sanction="fine", max_months=None)
    url = admin_url(Provision)
    assert list(
        admin_client.get(url, {"penalties__sanction": "fine"}).context["cl"].result_list
    ) == [other]
    assert list(
        admin_client.get(url, {"country__id__exact": data.country_id}).context["cl"].result_list
    ) == [data]
    assert list(
        admin_client.get(url, {"act__id__exact": other.act_id}).context["cl"].result_list
    ) == [other]
    topic = data.topics.get()
    assert list(
        admin_client.get(url, {"topics__id__exact": topic.pk}).context["cl"].result_list
    ) == [data]
    html = admin_client.get(url).content.decode()
    assert "7 years" in html  # the annotated maximum imprisonment column


def test_new_act_with_inline_provision(admin_client):
    country = CountryFactory()
    response = admin_client.post(
        admin_url(LegalAct, "add"),
        {
            "country": country.pk,
            "title": "Criminal Code",
            "short_title": "",
            "slug": "xx-criminal-code",
            "kind": "code",
            "summary": "",
            "source": "",
            "status": "draft",
            "provisions-TOTAL_FORMS": "2",
            "provisions-INITIAL_FORMS": "0",
            "provisions-MIN_NUM_FORMS": "0",
            "provisions-MAX_NUM_FORMS": "1000",
            "provisions-0-number": "151.1",
            "provisions-0-title": "Paying a minor",
            "provisions-1-number": "Chapter 30",
            "provisions-1-title": "Computer crimes",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    act = LegalAct.objects.get()
    provisions = list(act.provisions.all())
    assert [p.number for p in provisions] == ["151.1", "Chapter 30"]
    assert all(p.country == country and p.status == "draft" for p in provisions)
    assert provisions[0].sort_key == provision_sort_key("151.1")
    assert provisions[0].slug == "151-1"


def test_provision_change_with_penalty_inline(admin_client, data):
    row = data.penalties.get()
    response = admin_client.post(
        admin_url(Provision, "change", data.pk),
        {
            "act": data.act_id,
            "number": "149",
            "slug": data.slug,
            "title": "Rape",
            "summary": "",
            "topics": [t.pk for t in data.topics.all()],
            "penalty_note": "",
            "status": "published",
            "source": "",
            "penalties-TOTAL_FORMS": "2",
            "penalties-INITIAL_FORMS": "1",
            "penalties-MIN_NUM_FORMS": "0",
            "penalties-MAX_NUM_FORMS": "1000",
            "penalties-0-id": row.pk,
            "penalties-0-provision": data.pk,
            "penalties-0-option_set": "1",
            "penalties-0-condition": "base",
            "penalties-0-condition_note": "",
            "penalties-0-sanction": "imprisonment",
            "penalties-0-min_months": "",
            "penalties-0-max_months": "84",
            "penalties-1-provision": data.pk,
            "penalties-1-option_set": "2",
            "penalties-1-condition": "victim_child",
            "penalties-1-condition_note": "",
            "penalties-1-sanction": "imprisonment",
            "penalties-1-min_months": "",
            "penalties-1-max_months": "180",
        },
    )
    assert response.status_code == 302
    assert Provision.objects.with_max_imprisonment().get(pk=data.pk).max_imprisonment_months == 180


def test_penalty_inline_rejects_inverted_terms(admin_client, data):
    response = admin_client.post(
        admin_url(Provision, "change", data.pk),
        {
            "act": data.act_id,
            "number": "149",
            "slug": data.slug,
            "title": "Rape",
            "status": "published",
            "penalties-TOTAL_FORMS": "1",
            "penalties-INITIAL_FORMS": "0",
            "penalties-MIN_NUM_FORMS": "0",
            "penalties-MAX_NUM_FORMS": "1000",
            "penalties-0-provision": data.pk,
            "penalties-0-option_set": "1",
            "penalties-0-condition": "base",
            "penalties-0-sanction": "imprisonment",
            "penalties-0-min_months": "48",
            "penalties-0-max_months": "12",
        },
    )
    assert response.status_code == 200
    assert data.penalties.count() == 1


def test_export_from_admin(admin_client, data):
    response = admin_client.get(reverse("admin:laws_provision_bulk_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "149" in body and data.act.title in body
