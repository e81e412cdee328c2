import pytest
from django.core.exceptions import ValidationError

from profiles.models import Initiative, Organisation, ReportingChannel

from .factories import (
    IndicatorValueFactory,
    InitiativeFactory,
    InitiativeFigureFactory,
    MembershipFactory,
    OrganisationFactory,
    ReportingChannelFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"start_year": 2006, "start_month": 3, "end_year": 2008, "end_month": 8},
         "March 2006 – August 2008"),
        ({"start_year": 2011, "end_year": 2019}, "2011 – 2019"),
        ({"start_year": None, "end_year": 2018}, "through 2018"),
        ({"start_year": 2005}, "2005"),
        ({"start_year": None}, ""),
    ],
)  # fmt: skip
def test_initiative_period(dates, expected):
    assert Initiative(year=2010, **dates).period == expected


@pytest.mark.parametrize(
    ("field", "value"), [("year", 20155), ("year", 1800), ("start_month", 13), ("end_year", 99999)]
)
def test_initiative_dates_are_validated(field, value):
    initiative = InitiativeFactory()
    setattr(initiative, field, value)
    with pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert field in error.value.error_dict


def test_natural_keys_round_trip():
    initiative = InitiativeFactory(title="Alpha", year=2011)
    assert Initiative.objects.get_by_natural_key(*initiative.natural_key()) == initiative
    organisation = OrganisationFactory(name="INHOPE")
    assert Organisation.objects.get_by_natural_key("INHOPE") == organisation
    channel = ReportingChannelFactory()
    assert ReportingChannel.objects.get_by_natural_key(*channel.natural_key()) == channel


def test_str_and_display_helpers():
    assert str(OrganisationFactory(name="Communications Regulatory Authority", acronym="RRT")) == (
        "Communications Regulatory Authority (RRT)"
    )
    assert str(OrganisationFactory(name="LIA", acronym="LIA")) == "LIA"
    figure = InitiativeFigureFactory(number=4667, qualifier="around", unit="reports received")
    assert str(figure) == "around 4,667 reports received"
    membership = MembershipFactory(kind="part_of")
    assert membership.relation_label == "part of"
    assert MembershipFactory(kind="founding_member").relation_label == "founding member of"
    unknown = IndicatorValueFactory(value=None, year=None)
    assert unknown.is_unknown and str(unknown) == f"{unknown.definition} ({unknown.country})"


def test_for_country_and_published():
    initiative = InitiativeFactory()
    InitiativeFactory(status="draft", country=initiative.country)
    InitiativeFactory()
    assert list(Initiative.objects.published().for_country(initiative.country)) == [initiative]
