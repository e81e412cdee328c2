"""The editorial roles and their permissions, created idempotently by `manage.py setup_roles`."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

RECORD_APPS = ("profiles", "laws", "library")
EDITOR = "Editor"
PUBLISHER = "Publisher"
ADMINISTRATOR = "Administrator"


def _record_permissions():
    return Permission.objects.filter(content_type__app_label__in=RECORD_APPS)


def role_permissions():
    # Adding or deleting a whole country is an administrator's decision.
    records = _record_permissions().exclude(
        content_type__app_label="profiles", codename__in=("add_country", "delete_country")
    )
    publish = Permission.objects.filter(
        content_type__app_label="portal", codename="publish_records"
    )
    administration = Permission.objects.filter(
        Q(content_type__app_label__in=("auth", "portal", "axes"))
        | Q(content_type__app_label="import_export")
    )
    return {
        EDITOR: records,
        PUBLISHER: records | publish,
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
