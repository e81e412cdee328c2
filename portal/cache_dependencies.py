"""What a cached page depends on, and which of those dependencies a write changes.

Dependencies are *version keys* in the cache, derived from the models the apps declare (their
country relation, `country_field`, and their relations), never listed by hand:

- `page-cache:v:c:<ISO>:<label>`: the records of one type that a country's pages show, for types
  with a country relation (an initiative, an organisation of several countries, a report);
- `page-cache:v:t:<label>`: every record of one type (lists, detail pages, search; types without a
  country relation, such as authors or themes; and the country type itself, whose names appear on
  other countries' pages);
- `page-cache:v:r:<label>:<pk>`: one record and the rows that belong to it (its many-to-many links,
  its penalty rows, its figures): what a cached fragment of that one record depends on
  (`page_cache.cached_records`), beside the keys of the other types it shows.

A write to a record moves on its type's key and its per-country key for every country it is
shown under, before and after the write: its own countries and those of the records directly
related to it (a channel of Lithuania run by an organisation of Latvia: an edit of the
organisation refreshes both countries' pages). A write to a row that belongs to records (a penalty
row of a provision, an authorship of a report) counts as a write to those records.

What a page depends on is read from the SQL it ran while it was rendered (`reading`): each table
maps to the types it belongs to. So a page or a section of the country page depends on exactly the
types it read, and a new section or template that reads another table needs no declaration. Tables
of the search index depend on every change (`SEARCH_KEY`).
"""

import re
from contextlib import ExitStack, contextmanager
from functools import cache as once

from django.apps import apps
from django.db import connections

from .records import content_apps, country_model, record_models

SEARCH_APP = "search"
KEY_PREFIX = "page-cache:v"
# Quoted (the ORM) or not (raw SQL of the search backends).
NAME = re.compile(r"[A-Za-z0-9_]+")


def type_key(label):
    return f"{KEY_PREFIX}:t:{label}"


def country_key(iso_code, label):
    return f"{KEY_PREFIX}:c:{iso_code.upper()}:{label}"


def one_record_key(label, pk):
    return f"{KEY_PREFIX}:r:{label}:{pk}"


def _label(model):
    return model._meta.label_lower


@once
def _content_models():
    apps_with_records = content_apps()
    return tuple(
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in apps_with_records
    )


def country_path(model):
    """ORM path from `model` to its countries' ISO codes, or None (no country relation)."""
    if model not in record_models():
        return None
    field = getattr(model, "country_field", None)
    if field is None:
        return None
    return "iso_code" if field == "self" else f"{field}__iso_code"


def _history_of(model):
    """The model whose change history `model` holds (django-simple-history), or None."""
    return getattr(model, "instance_type", None) if hasattr(model, "history_id") else None


@once
def owners(model):
    """The record types a row of `model` belongs to (labels): a record model is its own; a row
    edited with records (a penalty row, an authorship, a many-to-many link) belongs to the records
    it points at; a row of neither kind (a theme) is a type of its own."""
    if model in record_models():
        return frozenset({_label(model)})
    recorded = _history_of(model)
    if recorded is not None:  # a change-history table: that of its records
        return owners(recorded)
    if model._meta.auto_created:  # a many-to-many table: the model that declares the relation
        return owners(model._meta.auto_created)
    labels = set()
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.related_model in record_models():
            labels |= owners(field.related_model)
    return frozenset(labels or {_label(model)})


@once
def _label_models():
    return {_label(model): model for model in _content_models()}


@once
def _tables():
    tables = {model._meta.db_table: owners(model) for model in _content_models()}
    search_app = apps.get_app_config(SEARCH_APP) if apps.is_installed("portal.search") else None
    if search_app is not None:
        for model in search_app.get_models(include_auto_created=True):
            tables[model._meta.db_table] = None  # every change
    return tables


def labels_read(statements):
    """The type labels the SQL `statements` read, and whether they read the search index."""
    tables = _tables()
    labels, search = set(), False
    for sql in statements:
        for name in set(NAME.findall(sql)):
            if name in tables:
                if tables[name] is None:
                    search = True
                else:
                    labels |= tables[name]
    return labels, search


def keys_for(labels, *, iso_code=None):
    """The version keys of `labels` as read by a page about the country `iso_code` (or by a page
    about no one country)."""
    models = _label_models()
    country_label = _label(country_model())
    keys = set()
    for label in labels:
        model = models.get(label)
        scoped = (
            iso_code is not None
            and model is not None
            and label != country_label
            and country_path(model) is not None
        )
        keys.add(country_key(iso_code, label) if scoped else type_key(label))
    return keys


def candidate_keys(*, iso_code=None):
    """Every version key a page about `iso_code` (or about no one country) could depend on."""
    return keys_for(_label_models(), iso_code=iso_code)


@contextmanager
def reading():
    """Collects the SQL run inside the block on every database connection of this thread."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(record))
        yield statements


# --- what a write changes ------------------------------------------------------------------------


def _countries(model, **lookup):
    path = country_path(model)
    if path is None:
        return set()
    rows = model._base_manager.filter(**lookup).values_list(path, flat=True)
    return {iso for iso in rows if iso}


def _related_countries(record, old_values):
    """Countries of the records directly related to `record` (not through the country model)."""
    model = type(record)
    countries = set()
    country = country_model()
    for field in model._meta.get_fields():
        other = field.related_model
        if not field.is_relation or other is None or other is country:
            continue
        if other not in record_models() or country_path(other) is None:
            continue
        if field.concrete and field.many_to_one:
            values = {getattr(record, field.attname), old_values.get(field.attname)}
            values.discard(None)
            if values:
                countries |= _countries(other, pk__in=values)
        elif field.concrete and field.many_to_many:
            through = model._base_manager.filter(pk=record.pk).values(field.name)
            countries |= _countries(other, pk__in=through)
        elif field.auto_created and not field.concrete:  # a reverse relation
            countries |= _countries(other, **{field.field.name: record.pk})
    return countries


def record_keys(record):
    """The version keys a write to `record` (a record model instance) changes."""
    model = type(record)
    label = _label(model)
    keys = {type_key(label)}
    if record.pk is not None:
        keys.add(one_record_key(label, record.pk))
    if country_path(model) is None or record.pk is None:
        return keys
    old_values = getattr(record, "_page_cache_before", None) or {}
    countries = _countries(model, pk=record.pk)
    field = model.country_field
    if field not in ("self", None) and not model._meta.get_field(field).many_to_many:
        # A record moved to another country: the old one's pages show it too.
        attname = model._meta.get_field(field).attname
        moved = {getattr(record, attname), old_values.get(attname)} - {None}
        countries |= _countries(country_model(), pk__in=moved)
    if model is not country_model():
        countries |= _related_countries(record, old_values)
    return keys | {country_key(iso, label) for iso in countries}


def row_keys(instance):
    """The version keys a write to `instance`, a row of any content model, changes."""
    model = type(instance)
    if model in record_models():
        return record_keys(instance)
    if _history_of(model) is not None:
        # Written with a change of its record, which moves the keys on; a history entry alone
        # changes the pages that read history (change log, "last updated") of its type.
        return {type_key(label) for label in owners(model)}
    keys = set()
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.related_model in record_models():
            parent = field.related_model._base_manager.filter(
                pk=getattr(instance, field.attname)
            ).first()
            if parent is not None:
                keys |= record_keys(parent)
    return keys or {type_key(label) for label in owners(model)}


def m2m_keys(instance, model, pk_set, reverse):
    """The version keys a change of a many-to-many relation changes: those of the records whose
    relation it is (the declaring side: `instance`, or the `pk_set` records when reversed); None
    when they cannot be told (a reverse `clear()`, which names no records)."""
    if not reverse:
        return row_keys(instance)
    if pk_set is None:
        return None
    keys = set()
    for record in model._base_manager.filter(pk__in=pk_set):
        keys |= row_keys(record)
    return keys


def foreign_keys_before(model, pk):
    """The foreign keys of record `pk` as stored, before a save changes them."""
    if model not in record_models() or pk is None:
        return None
    names = [field.attname for field in model._meta.concrete_fields if field.many_to_one]
    if not names:
        return None
    return model._base_manager.filter(pk=pk).values(*names).first()


def is_content(model):
    return model._meta.app_label in content_apps()
