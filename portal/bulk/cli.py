"""Shared pieces of the import_records / export_records commands."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from tqdm import tqdm

from .registry import all_specs, get_spec

WORKBOOK = "workbook"


def type_choices():
    return [spec.name for spec in all_specs()] + [WORKBOOK]


def resolve_spec(name):
    try:
        return get_spec(name)
    except KeyError:
        raise CommandError(
            f"Unknown record type “{name}”; choose one of: {', '.join(type_choices())}."
        ) from None


def resolve_user(username):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named “{username}”.") from None


def progress_bar(stdout, total=None, description=""):
    return tqdm(
        total=total,
        desc=description,
        unit="rows",
        file=stdout,
        mininterval=0.5,
        dynamic_ncols=True,
        leave=True,
    )
