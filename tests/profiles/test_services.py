import pytest
from django.core.exceptions import ValidationError

from profiles.models import Membership
from profiles.services import initiative_set_organisations, organisation_add_membership

from .factories import InitiativeFactory, InitiativeOrganisationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_initiative_set_organisations_replaces_roles_in_order():
    initiative = InitiativeFactory()
    InitiativeOrganisationFactory(initiative=initiative)
    lead, funder = OrganisationFactory(), OrganisationFactory()
    initiative_set_organisations(initiative=initiative, roles=[(lead, "lead"), (funder, "funder")])
    assert list(initiative.organisation_roles.values_list("organisation", "role", "order")) == [
        (lead.pk, "lead", 0),
        (funder.pk, "funder", 1),
    ]


def test_initiative_set_organisations_rejects_unknown_role_and_keeps_old_ones():
    initiative = InitiativeFactory()
    old = InitiativeOrganisationFactory(initiative=initiative)
    with pytest.raises(ValidationError):
        initiative_set_organisations(initiative=initiative, roles=[(old.organisation, "boss")])
    assert list(initiative.organisation_roles.all()) == [old]


def test_organisation_add_membership_creates_then_updates():
    hotline, inhope = OrganisationFactory(), OrganisationFactory()
    organisation_add_membership(member=hotline, organisation=inhope, since_year=2008)
    organisation_add_membership(member=hotline, organisation=inhope, kind="founding_member")
    membership = Membership.objects.get()
    assert (membership.kind, membership.since_year) == ("founding_member", None)
    with pytest.raises(ValidationError):
        organisation_add_membership(member=hotline, organisation=inhope, since_year=20155)
