"""Build the POST data of an admin change form from the page the admin rendered."""

import datetime
import re


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)


def _add_form(data, form):
    for name in form.fields:
        value = _encode(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value


def _lookup(context, key):
    try:
        return context[key]
    except KeyError:
        return None


def _version_of(context):
    original = _lookup(context, "original")
    return getattr(original, "version", "") if original is not None and original.pk else ""


def change_form_data(response):
    """The data the change form would submit unchanged (main form, inlines, version)."""
    context = response.context
    data = {}
    _add_form(data, context["adminform"].form)
    try:
        inlines = context["inline_admin_formsets"]
    except KeyError:  # the history (revert) form has no inlines
        inlines = []
    for inline in inlines:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _encode(management[name].value())
        for form in formset.forms:
            _add_form(data, form)
    data["_portal_version"] = str(_lookup(context, "current_version") or _version_of(context))
    return data


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(response):
    """The CSRF token of the form on a rendered page (for Client(enforce_csrf_checks=True))."""
    match = CSRF_INPUT.search(response.content.decode())
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def form_data(response):
    """change_form_data plus the page's CSRF token: what the browser would post."""
    return {**change_form_data(response), "csrfmiddlewaretoken": csrf_token(response)}
