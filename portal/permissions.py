"""Who may change which record.

Rules (docs/editorial-workflow.md):
- Superusers and members of the Administrator role may change everything.
- An Editor changes records of the countries assigned to them. A record tied to one country (FK)
  needs that country; a record tied to several countries (M2M) needs every one of them; a record
  tied to no country (international organisations, instruments, topics) may be changed by any
  Editor.
- Only Publishers (and Administrators) publish or withdraw.
"""

from django.db import models

PUBLISH_PERMISSION = "portal.publish_records"
ADMINISTRATOR_ROLE = "Administrator"  # portal.roles.ADMINISTRATOR


def is_administrator(user):
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR_ROLE).exists()


def can_publish(user):
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def assigned_country_ids(user):
    """The ids of the countries the user may edit, or None for every country."""
    if not hasattr(user, "_portal_country_ids"):
        if is_administrator(user):
            user._portal_country_ids = None
        else:
            from portal.models import EditorProfile

            user._portal_country_ids = set(
                EditorProfile.countries.through.objects.filter(
                    editorprofile__user=user
                ).values_list("country_id", flat=True)
            )
    return user._portal_country_ids


def country_relation(model):
    """(field name, is_many) for the record's relation to Country, or (None, False).

    A Country record itself declares `country_field = "self"`.
    """
    name = getattr(model, "country_field", None)
    if not name or name == "self":
        return (name or None), False
    field = model._meta.get_field(name)
    return name, isinstance(field, models.ManyToManyField)


def record_country_ids(obj):
    """Ids of the countries the saved record is tied to (from the database for M2M)."""
    name, many = country_relation(type(obj))
    if name is None:
        return set()
    if name == "self":
        return {obj.pk} if obj.pk is not None else set()
    if many:
        if obj.pk is None:
            return set()
        return set(getattr(obj, name).values_list("pk", flat=True))
    value = getattr(obj, f"{name}_id")
    return {value} if value is not None else set()


def can_edit_countries(user, country_ids):
    allowed = assigned_country_ids(user)
    return allowed is None or set(country_ids) <= allowed


def can_edit_record(user, obj):
    return can_edit_countries(user, record_country_ids(obj))


def selectable(user, queryset):
    """The part of `queryset` the user may pick in a form of a record they edit.

    Countries: the user's own. Records tied to one country (the legal act of a provision or of a
    definition): those of the user's countries, since picking one ties the edited record to that
    country. Anything else (organisations, themes, instruments, authors) is shared reference
    data: referring to it changes nothing of it, so every entry stays offered.
    """
    allowed = assigned_country_ids(user)
    if allowed is None:
        return queryset
    name, many = country_relation(queryset.model)
    if name == "self":
        return queryset.filter(pk__in=allowed)
    if name and not many:
        return queryset.filter(**{f"{name}__in": allowed})
    return queryset
