"""The editorial roles and their permissions, created idempotently by `manage.py setup_roles`."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .records import content_apps, record_types

EDITOR = "Editor"
PUBLISHER = "Publisher"
ADMINISTRATOR = "Administrator"


def _record_permissions():
    """Every permission of the apps that declare record types (their other models too)."""
    return Permission.objects.filter(content_type__app_label__in=content_apps())


def _administrator_only():
    """The actions record types keep for Administrators (e.g. adding a whole country)."""
    rule = Q(pk__in=[])
    for record_type in record_types():
        model = record_type.model._meta
        codenames = [f"{action}_{model.model_name}" for action in record_type.administrator_only]
        if codenames:
            rule |= Q(content_type__app_label=model.app_label, codename__in=codenames)
    return rule


def role_permissions():
    records = _record_permissions().exclude(_administrator_only())
    publish = Permission.objects.filter(
        content_type__app_label="portal", codename="publish_records"
    )
    # Readers' suggested corrections: editors read and decide those of their countries.
    suggestions = Permission.objects.filter(
        content_type__app_label="portal", codename__in=("view_suggestion", "change_suggestion")
    )
    administration = Permission.objects.filter(
        content_type__app_label__in=("auth", "portal", "axes")
    )
    return {
        EDITOR: records | suggestions,
        PUBLISHER: records | publish | suggestions,
        ADMINISTRATOR: _record_permissions() | publish | administration,
    }


def setup_roles():
    """Create or update the three roles; returns {role name: number of permissions}."""
    counts = {}
    for name, permissions in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions.distinct())
        counts[name] = group.permissions.count()
    return counts
