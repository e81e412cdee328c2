import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles import models as profile_models
from profiles.models import Country, Initiative, Organisation

pytestmark = pytest.mark.django_db

PROFILE_MODELS = [
    profile_models.Country,
    profile_models.Theme,
    profile_models.IndicatorDefinition,
    profile_models.IndicatorValue,
    profile_models.Initiative,
    profile_models.Organisation,
    profile_models.ReportingChannel,
]
CHILD_MODELS = [
    profile_models.Membership,
    profile_models.InitiativeOrganisation,
    profile_models.InitiativeFigure,
    profile_models.ReportingChannelFigure,
]


def admin_url(model, view="changelist", *args):
    from django.urls import reverse

    return reverse(f"admin:profiles_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", PROFILE_MODELS + CHILD_MODELS, ids=lambda m: m.__name__)
def test_every_editable_field_has_verbose_name_and_help_text(model):
    parent_links = {"initiative", "channel"}  # set by the inline's parent, never shown
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.auto_created or not field.concrete:
            continue
        if field.name in {"created_at", "updated_at"} | parent_links:
            continue
        assert field.verbose_name, (model, field.name)
        assert field.help_text, f"{model.__name__}.{field.name} has no help_text"


def test_record_models_declare_their_country_field():
    expected = {
        profile_models.Country: "self",
        profile_models.IndicatorValue: "country",
        profile_models.Initiative: "country",
        profile_models.Organisation: "countries",
        profile_models.ReportingChannel: "country",
    }
    for model, name in expected.items():
        assert model.country_field == name
        if name != "self":
            assert model._meta.get_field(name).related_model is Country


@pytest.mark.parametrize("model", PROFILE_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_filters_and_forms_load(admin_client, lithuania, model):
    assert admin.site.is_registered(model)
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model) + "?q=Lithuania").status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields


RESOURCE_MODELS = [
    Initiative,
    Organisation,
    profile_models.IndicatorValue,
    profile_models.ReportingChannel,
]


@pytest.mark.parametrize("model", RESOURCE_MODELS, ids=lambda m: m.__name__)
def test_record_admins_import_and_export(admin_client, lithuania, model):
    assert admin.site._registry[model].bulk_spec.model is model
    assert admin_client.get(admin_url(model, "bulk_import")).status_code == 200
    assert admin_client.get(admin_url(model, "bulk_export")).status_code == 200


def test_list_filters_by_country_theme_year_and_kind(admin_client, lithuania):
    response = admin_client.get(
        admin_url(Initiative) + f"?country__id__exact={lithuania.pk}&year=2010&timeline=national"
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    theme = profile_models.Theme.objects.get(slug="hotlines-helplines")
    response = admin_client.get(admin_url(Initiative) + f"?themes__id__exact={theme.pk}")
    assert response.context["cl"].result_count == 2
    response = admin_client.get(admin_url(Organisation) + "?kind__exact=regulator")
    assert [o.name for o in response.context["cl"].result_list] == [
        "Communications Regulatory Authority"
    ]


def test_country_admin_edits_initiatives_and_indicator_values_inline(admin_client, lithuania):
    response = admin_client.get(admin_url(Country, "change", lithuania.pk))
    inline_models = {formset.formset.model for formset in response.context["inline_admin_formsets"]}
    assert inline_models == {Initiative, profile_models.IndicatorValue}


def test_initiative_admin_inlines_and_autocomplete(admin_client, lithuania):
    initiative = Initiative.objects.get(title="Safer Internet (Saugesnis internetas) project")
    response = admin_client.get(admin_url(Initiative, "change", initiative.pk))
    inline_models = {formset.formset.model for formset in response.context["inline_admin_formsets"]}
    assert inline_models == {profile_models.InitiativeOrganisation, profile_models.InitiativeFigure}
    assert "admin-autocomplete" in response.content.decode()
    found = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "RRT",
            "app_label": "profiles",
            "model_name": "initiativeorganisation",
            "field_name": "organisation",
        },
    ).json()
    assert "Communications Regulatory Authority (RRT)" in [r["text"] for r in found["results"]]


def test_organisation_admin_has_membership_inline(admin_client, lithuania):
    hotline = Organisation.objects.get(name="Safer Internet LT hotline")
    response = admin_client.get(admin_url(Organisation, "change", hotline.pk))
    [formset] = response.context["inline_admin_formsets"]
    assert formset.formset.model is profile_models.Membership
    assert formset.formset.queryset.count() == 2


def test_admin_import_with_a_bad_row_writes_nothing(admin_client, lithuania):
    before = Initiative.objects.count()
    csv = (
        "country,title,year,timeline,body,status\n"
        "LT,Fine row,2017,national,Body,draft\n"
        "XX,Bad row,20155,national,Body,draft\n"
    )
    response = admin_client.post(
        admin_url(Initiative, "bulk_import"),
        {"file": SimpleUploadedFile("rows.csv", csv.encode(), "text/csv")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "No country with iso code" in html and "2100" in html
    assert "Confirm import" not in html
    assert Initiative.objects.count() == before
