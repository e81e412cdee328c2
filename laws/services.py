"""Writes that take more than one step: a provision with its topics and penalty rows."""

from django.db import transaction

from .models import PenaltyRow, Provision


@transaction.atomic
def provision_create(
    *, act, number, title, summary="", topics=(), penalties=(), status=None, **fields
):
    """Create a provision (number, sort key and slug validated by full_clean) with its topics and
    penalties. `penalties` is a list of option sets: (condition, condition_note, [(sanction,
    min_months, max_months), ...])."""
    provision = Provision(act=act, number=number, title=title, summary=summary, **fields)
    if status is not None:
        provision.status = status
    provision.full_clean()
    provision.save()
    provision.topics.set(topics)
    provision_set_penalties(provision=provision, penalties=penalties)
    return provision


@transaction.atomic
def provision_update(*, provision, **fields):
    """Change fields of a provision; a changed number re-computes its sort key."""
    if "number" in fields and fields["number"] != provision.number and "slug" not in fields:
        provision.slug = ""  # re-derived from the new number by clean()
    for name, value in fields.items():
        setattr(provision, name, value)
    provision.full_clean()
    provision.save()
    return provision


@transaction.atomic
def provision_set_penalties(*, provision, penalties):
    """Replace the penalty rows of a provision with the given option sets."""
    provision.penalties.all().delete()
    rows = []
    for option_set, (condition, note, sanctions) in enumerate(penalties, start=1):
        for sanction, min_months, max_months in sanctions:
            row = PenaltyRow(
                provision=provision,
                option_set=option_set,
                condition=condition,
                condition_note=note,
                sanction=sanction,
                min_months=min_months,
                max_months=max_months,
            )
            row.full_clean()
            row.save()
            rows.append(row)
    return rows
