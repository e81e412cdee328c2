import datetime

import pytest
from django.core.exceptions import ValidationError

from laws.models import (
    ChildDefinition,
    CountryInstrumentStatus,
    PenaltyRow,
    Provision,
    group_penalties,
    provision_slug,
    provision_sort_key,
)
from portal.models import Status

from .factories import (
    ChildDefinitionFactory,
    CountryInstrumentStatusFactory,
    LegalActFactory,
    LegalAgeFactory,
    PenaltyRowFactory,
    ProvisionFactory,
)

IMPRISONMENT = PenaltyRow.Sanction.IMPRISONMENT


def test_sort_key_orders_numbers_naturally():
    written = [
        "309",
        "Chapter 30",
        "151.1",
        "153",
        "Chapter 9",
        "150",
        "151",
        "149",
        "10",
        "151.10",
        "151.2",
        "Article 152",
        "308",
    ]
    assert sorted(written, key=provision_sort_key) == [
        "10",
        "149",
        "150",
        "151",
        "151.1",
        "151.2",
        "151.10",
        "Article 152",
        "153",
        "308",
        "309",
        "Chapter 9",
        "Chapter 30",
    ]


def test_sort_key_puts_unnumbered_last():
    assert provision_sort_key("") > provision_sort_key("Chapter 99")
    assert provision_sort_key("Annex") > provision_sort_key("Chapter 99")


def test_provision_slug():
    assert provision_slug("151.1") == "151-1"
    assert provision_slug("Chapter 30") == "chapter-30"
    assert provision_slug("", "Public information") == "public-information"


@pytest.mark.django_db
def test_provisions_come_back_in_natural_order():
    act = LegalActFactory()
    for number in ["309", "Chapter 30", "151.1", "153", "150", "151", "149"]:
        provision = Provision(act=act, number=number, title=f"Offence {number}")
        provision.full_clean()
        provision.save()
    assert list(act.provisions.values_list("number", flat=True)) == [
        "149",
        "150",
        "151",
        "151.1",
        "153",
        "309",
        "Chapter 30",
    ]


@pytest.mark.django_db
def test_clean_derives_country_sort_key_and_slug_from_act_and_number():
    act = LegalActFactory()
    provision = Provision(act=act, number="151.1", title="Paying a minor")
    provision.full_clean()
    assert (provision.country_id, provision.sort_key, provision.slug) == (
        act.country_id,
        provision_sort_key("151.1"),
        "151-1",
    )


@pytest.mark.django_db
def test_provision_label_and_url():
    provision = ProvisionFactory(number="151.1", act__slug="lt-criminal-code")
    assert provision.label == "Article 151.1"
    assert provision.get_absolute_url() == "/laws/lt-criminal-code/151-1/"
    assert ProvisionFactory(number="Chapter 30").label == "Chapter 30"


@pytest.mark.django_db
def test_max_imprisonment_is_annotated_from_imprisonment_rows_only():
    provision = ProvisionFactory()
    PenaltyRowFactory(provision=provision, sanction=IMPRISONMENT, max_months=84)
    PenaltyRowFactory(provision=provision, option_set=2, sanction=IMPRISONMENT, max_months=180)
    PenaltyRowFactory(provision=provision, option_set=3, sanction="arrest", max_months=240)
    no_prison = ProvisionFactory()
    PenaltyRowFactory(provision=no_prison, sanction="fine", max_months=None)
    found = dict(
        Provision.objects.with_max_imprisonment().values_list("pk", "max_imprisonment_months")
    )
    assert found == {provision.pk: 180, no_prison.pk: None}


@pytest.mark.django_db
def test_queryset_filters():
    heavy = ProvisionFactory()
    PenaltyRowFactory(provision=heavy, max_months=120, condition="victim_child")
    light = ProvisionFactory()
    PenaltyRowFactory(provision=light, max_months=119)
    PenaltyRowFactory(provision=light, sanction="fine", max_months=None, option_set=2)
    qs = Provision.objects.all()
    assert list(qs.max_imprisonment_at_least_months(120)) == [heavy]
    assert set(qs.max_imprisonment_at_least_months(119)) == {heavy, light}
    assert list(qs.with_sanction("fine")) == [light]
    assert list(qs.aggravated_for_child_victims()) == [heavy]


@pytest.mark.django_db
def test_public_hides_provisions_of_unpublished_acts_and_countries():
    visible = ProvisionFactory()
    ProvisionFactory(status=Status.DRAFT)
    ProvisionFactory(act__status=Status.DRAFT)
    ProvisionFactory(act__country__status=Status.WITHDRAWN)
    assert list(Provision.objects.public()) == [visible]


def test_penalty_text_and_grouping():
    rows = [
        PenaltyRow(option_set=1, condition="base", sanction="fine"),
        PenaltyRow(option_set=1, condition="base", sanction="restriction_of_liberty"),
        PenaltyRow(option_set=1, condition="base", sanction="arrest"),
        PenaltyRow(option_set=1, condition="base", sanction=IMPRISONMENT, max_months=24),
        PenaltyRow(
            option_set=2,
            condition="victim_minor",
            sanction=IMPRISONMENT,
            min_months=36,
            max_months=120,
        ),
        PenaltyRow(option_set=3, condition="other", sanction=IMPRISONMENT, max_months=6),
    ]
    groups = group_penalties(rows)
    assert [g["text"] for g in groups] == [
        "fine, restriction of liberty, arrest or imprisonment for up to 2 years",
        "imprisonment for 3 to 10 years",
        "imprisonment for up to 6 months",
    ]
    assert [g["condition"] for g in groups] == [
        "Base offence",
        "Victim a minor",
        "Other aggravating circumstance",
    ]


def test_penalty_terms_must_be_ordered():
    row = PenaltyRow(sanction=IMPRISONMENT, min_months=36, max_months=24)
    with pytest.raises(ValidationError) as error:
        row.clean()
    assert "max_months" in error.value.message_dict


@pytest.mark.django_db
def test_penalty_terms_constraint_in_database():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        PenaltyRowFactory(min_months=36, max_months=24)


def test_definition_bounds_are_inclusive_exclusive():
    minor = ChildDefinition(term="minor", min_age=14, max_age=18)
    assert [minor.includes_age(a) for a in (13, 14, 17, 18)] == [False, True, True, False]
    assert minor.age_range == "14 to under 18"
    assert ChildDefinition(term="young child", max_age=10).age_range == "under 10"


@pytest.mark.django_db
def test_definition_rejects_inverted_bounds_and_foreign_act():
    definition = ChildDefinitionFactory.build(
        country=ChildDefinitionFactory().country, min_age=18, max_age=14
    )
    with pytest.raises(ValidationError) as error:
        definition.full_clean()
    assert "max_age" in error.value.message_dict
    other = ChildDefinitionFactory()
    definition = ChildDefinitionFactory.build(
        country=other.country, term="x", act=LegalActFactory()
    )
    with pytest.raises(ValidationError) as error:
        definition.full_clean()
    assert "act" in error.value.message_dict


@pytest.mark.django_db
def test_legal_age_exception_cannot_be_above_rule():
    age = LegalAgeFactory.build(
        country=LegalAgeFactory().country, kind="marriage", age=18, lowered_age=19
    )
    with pytest.raises(ValidationError) as error:
        age.full_clean()
    assert "lowered_age" in error.value.message_dict


@pytest.mark.django_db
def test_status_date_precision():
    status = CountryInstrumentStatusFactory(date=datetime.date(2004, 7, 1), date_precision="month")
    assert (status.date_display, status.date_iso) == ("July 2004", "2004-07")
    status.date_precision = "day"
    assert (status.date_display, status.date_iso) == ("1 July 2004", "2004-07-01")
    status.date_precision = "year"
    assert (status.date_display, status.date_iso) == ("2004", "2004")
    with pytest.raises(ValidationError) as error:
        status.full_clean()  # year precision needs 1 January
    assert "date" in error.value.message_dict
    status.date = datetime.date(2004, 7, 15)
    status.date_precision = "month"
    with pytest.raises(ValidationError):
        status.full_clean()
    status.date_precision = ""
    with pytest.raises(ValidationError) as error:
        status.full_clean()
    assert "date_precision" in error.value.message_dict


@pytest.mark.django_db
def test_natural_keys_round_trip():
    provision = ProvisionFactory(number="151.1")
    key = provision.natural_key()
    assert key == (provision.country.iso_code, provision.act.title, "151.1")
    assert Provision.objects.get_by_natural_key(*key) == provision
    status = CountryInstrumentStatusFactory()
    assert CountryInstrumentStatus.objects.get_by_natural_key(*status.natural_key()) == status


def test_every_record_declares_its_country_field():
    from laws import models

    expected = {
        models.Topic: None,
        models.Instrument: None,
        models.LegalAge: "country",
        models.ChildDefinition: "country",
        models.CountryInstrumentStatus: "country",
        models.LegalAct: "country",
        models.Provision: "country",
    }
    for model, field in expected.items():
        assert model.country_field == field


@pytest.mark.django_db
def test_penalty_rows_keep_history():
    row = PenaltyRowFactory()
    row.max_months = 36
    row.save()
    assert row.history.count() == 2
