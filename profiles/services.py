"""Multi-step writes of the profiles app (keyword-only, atomic, validated)."""

from django.db import transaction

from .models import InitiativeOrganisation, Membership


@transaction.atomic
def initiative_set_organisations(*, initiative, roles):
    """Replace the initiative's organisations by `roles`, a list of (organisation, role)."""
    unique_roles = list(dict.fromkeys((organisation, role) for organisation, role in roles))
    links = [
        InitiativeOrganisation(
            initiative=initiative, organisation=organisation, role=role, order=order
        )
        for order, (organisation, role) in enumerate(unique_roles)
    ]
    for link in links:  # uniqueness holds: the old rows go and duplicates were dropped
        link.full_clean(validate_unique=False, validate_constraints=False)
    initiative.organisation_roles.all().delete()
    return InitiativeOrganisation.objects.bulk_create(links)


@transaction.atomic
def organisation_add_membership(*, member, organisation, kind="member", since_year=None):
    """Record that `member` belongs to `organisation` (updates kind and year if already there)."""
    membership = Membership.objects.filter(member=member, organisation=organisation).first()
    membership = membership or Membership(member=member, organisation=organisation)
    membership.kind = kind
    membership.since_year = since_year
    membership.full_clean()
    membership.save()
    return membership
