"""Why the server refuses a request, for the editor: whose country, which role, whom to ask.

The rules themselves live in portal.permissions; these texts explain a refusal already decided
there. They go into PermissionDenied (shown by the 403 page) and into form errors.
"""

from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q

from .permissions import assigned_country_ids, record_country_ids
from .records import country_model
from .roles import ADMINISTRATOR, EDITOR, PUBLISHER

PEOPLE_NAMED = 3
GERUNDS = {"add": "Adding", "change": "Changing", "delete": "Deleting", "view": "Viewing"}


def _and(names):
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def country_names(ids):
    """'Latvia and Lithuania' for a set of country ids (sorted by name)."""
    Country = country_model()
    if not ids:
        return ""
    return _and(Country.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))


def _people(users):
    shown = []
    for user in users.order_by("username")[: PEOPLE_NAMED + 1]:
        name = user.get_full_name() or user.username
        shown.append(f"{name} <{user.email}>" if user.email else name)
    if len(shown) > PEOPLE_NAMED:
        shown[PEOPLE_NAMED:] = ["others"]
    return ", ".join(shown)


def _active_staff():
    return get_user_model().objects.filter(is_active=True, is_staff=True)


def ask_administrator():
    """'an Administrator (ona <ona@example.org>)', naming who holds the role."""
    admins = _active_staff().filter(Q(is_superuser=True) | Q(groups__name=ADMINISTRATOR)).distinct()
    names = _people(admins)
    return f"an Administrator ({names})" if names else "an Administrator"


def _members_of(roles, country_ids):
    users = _active_staff().filter(groups__name__in=roles)
    if country_ids:
        users = users.filter(editor_profile__countries__in=country_ids)
    return users.distinct()


def role_names(user):
    if user.is_superuser:
        return "superuser"
    return ", ".join(user.groups.order_by("name").values_list("name", flat=True)) or "no role"


def assignment(user):
    """'Lithuania', 'every country' or 'no country': the countries the user may edit."""
    allowed = assigned_country_ids(user)
    if allowed is None:
        return "every country"
    return country_names(allowed) or "no country"


def record_refusal(user, obj, action="change"):
    """Why the user may not change (or delete) a record tied to countries they do not hold."""
    opts = type(obj)._meta
    record = set(record_country_ids(obj))
    allowed = assigned_country_ids(user) or set()
    missing = record - allowed
    belongs = country_names(record)
    if len(record) > 1:
        needed = f"an Editor or Publisher assigned to every one of {belongs}"
    else:
        needed = f"an Editor or Publisher assigned to {belongs}"
    missing_names = country_names(missing)
    colleagues = _people(_members_of((EDITOR, PUBLISHER), missing))
    colleague = f"an editor of {missing_names}" + (f" ({colleagues})" if colleagues else "")
    return (
        f"You cannot {action} this {opts.verbose_name} “{obj}”: it belongs to {belongs}, and you "
        f"are assigned to {assignment(user)}. {GERUNDS.get(action, action)} it needs {needed}. "
        f"Ask {ask_administrator()} to assign you {missing_names}, or ask {colleague} to make the "
        "change."
    )


def publish_refusal(user, country_ids=()):
    """Why an Editor may not publish or withdraw, and who can."""
    where = country_names(country_ids)
    publishers = _people(_members_of((PUBLISHER,), country_ids))
    if publishers:
        ask = f"a Publisher{f' of {where}' if where else ''} ({publishers})"
    else:
        ask = f"a Publisher{f' of {where}' if where else ''} or {ask_administrator()}"
    return (
        "Publishing and withdrawing records need the Publisher role (or Administrator); your "
        f"role: {role_names(user)}. Set the status to “In review” (or use the action “Submit "
        f"selected records for review”) and ask {ask} to publish it."
    )


def permission_refusal(user, model, action):
    """Why the user may not add, change or delete records of this type at all."""
    opts = model._meta
    codename = get_permission_codename(action, opts)
    granting = Group.objects.filter(
        permissions__content_type__app_label=opts.app_label, permissions__codename=codename
    ).order_by("name")
    roles = _and(granting.values_list("name", flat=True).distinct())
    given_by = f"the {roles} role gives it" if roles else "only superusers have it"
    return (
        f"{GERUNDS.get(action, action)} {opts.verbose_name_plural} needs a right your role "
        f"({role_names(user)}) does not give: {given_by}. Ask {ask_administrator()}."
    )


def choice_refusal(user, model):
    """The form error for a choice outside the user's countries (a crafted or stale form)."""
    yours = assignment(user)
    if model._meta.label == "profiles.Country":
        what = f"one of your countries ({yours})"
    else:
        what = f"a {model._meta.verbose_name} of your countries ({yours})"
    return (
        f"Choose {what}. Records of another country need an editor assigned to it; "
        f"{ask_administrator()} assigns countries."
    )
