"""Where a record is in the API: its collection and its natural identifier in the URL.

A type's `ApiEndpoint.lookup` names the fields that identify one record, in URL order; each
becomes one path segment, matched by the converter its model field calls for (a country code,
a slug, a number, or any text).
"""

from django.db import models
from django.urls import reverse

from portal.converters import OptionalNumberConverter
from portal.records import country_model, record_type, record_types


def endpoints():
    """The record types the API serves, in registration order."""
    return [t for t in record_types() if t.api is not None]


def url_name(declared, action):
    return f"api:{declared.api.path}-{action}"


def kwarg(lookup):
    """The URL parameter of a lookup: "act__slug" is `act`, "iso_code" is `iso_code`."""
    return lookup.split("__")[0]


def lookup_field(model, lookup):
    field = None
    for part in lookup.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    return field


def converter(model, lookup):
    field = lookup_field(model, lookup)
    if field.model is country_model() and field.name == "iso_code":
        return "iso"
    if isinstance(field, models.SlugField):
        return "slug"
    if isinstance(field, models.IntegerField):
        return "number-or-unknown" if field.null else "int"
    # Free text may hold a slash ("Directive 2011/93/EU"); the other parts of a key never do, so
    # the segments still split one way only.
    return "text"


def detail_route(declared):
    """The detail route's path, e.g. "provisions/<slug:act>/<slug:slug>/"."""
    segments = [
        f"<{converter(declared.model, lookup)}:{kwarg(lookup)}>" for lookup in declared.api.lookup
    ]
    return "/".join([declared.api.path, *segments]) + "/"


def lookup_filter(declared, kwargs):
    """The queryset filter naming the record of a detail URL's parameters."""
    found = {}
    for lookup in declared.api.lookup:
        value = kwargs[kwarg(lookup)]
        if converter(declared.model, lookup) == "iso":
            value = value.upper()  # stored upper case; URLs are lower case
        found[lookup] = value
    return found


def _value(record, lookup):
    value = record
    for part in lookup.split("__"):
        value = getattr(value, part)
    return value


def detail_url(record):
    declared = record_type(type(record))
    kwargs = {kwarg(lookup): _value(record, lookup) for lookup in declared.api.lookup}
    return reverse(url_name(declared, "detail"), kwargs=kwargs)


def key_of(record):
    """The natural identifier as the filters take it ("LT", "criminal-code"); the parts of a
    composite one joined by "/", as in the URL (an empty number is "unknown")."""
    declared = record_type(type(record))
    return "/".join(
        OptionalNumberConverter.UNKNOWN if value is None else str(value)
        for value in (_value(record, lookup) for lookup in declared.api.lookup)
    )
