"""Serializers derived from the models: every public field, related records as identifier + link.

A related record of a type the API serves is `{"id": ..., "api_url": ...}`, shown only when the
public may read it (a draft organisation of a public channel is null; draft authors of a report
are left out). Related rows of other models (themes, indicator definitions, library topics) are
their slug.
"""

from functools import cache

from django.db import models
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import RecordModel
from portal.records import record_type

from .routes import detail_url, key_of

# The portal's bookkeeping: how a record is published and versioned, not what it says.
BOOKKEEPING = frozenset({"id", "status", "version", "created_at"})


class LinkSerializer(serializers.Serializer):
    """Only for the schema: what a related record looks like."""

    id = serializers.CharField(
        help_text="The record's natural identifier, as filters take it (country=LT)."
    )
    api_url = serializers.URLField(help_text="The record in this API.")


def link(record, request):
    return {"id": key_of(record), "api_url": request.build_absolute_uri(detail_url(record))}


@extend_schema_field(OpenApiTypes.URI)
class SelfLinkField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return self.context["request"].build_absolute_uri(detail_url(record))


@extend_schema_field(LinkSerializer)
class RecordLinkField(serializers.Field):
    """A foreign key to a record type of the API; null when the public may not read it."""

    def __init__(self, *, checked, **kwargs):
        self.checked = checked  # the queryset annotated `<name>_is_public`
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        if self.checked and not getattr(instance, f"{self.field_name}_is_public"):
            return None
        return super().get_attribute(instance)

    def to_representation(self, record):
        return link(record, self.context["request"])


@extend_schema_field(LinkSerializer(many=True))
class RecordLinksField(serializers.Field):
    """A many-to-many relation to a record type of the API, prefetched through `.public()`."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, manager):
        request = self.context["request"]
        return [link(record, request) for record in manager.all()]


class OptionalURLField(serializers.URLField):
    """A web address the record may leave empty: null then, not "" (which is no URI)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


def public_fields(model, endpoint):
    """The model fields the API shows, in the model's order."""
    hidden = BOOKKEEPING | set(endpoint.private)
    fields = [f for f in model._meta.concrete_fields if f.name not in hidden]
    fields += [f for f in model._meta.many_to_many if f.name not in hidden]
    return fields


def served(model):
    """True when `model` is a record type with an API endpoint."""
    declared = record_type(model) if issubclass(model, RecordModel) else None
    return declared is not None and declared.api is not None


def related_paths(name, model):
    """select_related() paths a link to a record of `model` reached by `name` reads."""
    lookups = record_type(model).api.lookup
    paths = {name}
    for lookup in lookups:
        parts = lookup.split("__")[:-1]
        if parts:
            paths.add("__".join([name, *parts]))
    return paths


def api_queryset(declared):
    """The public records of the type, with what the serializer reads, in a fixed number of
    queries whatever the number of records (one, plus one per many-to-many field)."""
    model = declared.model
    queryset = declared.public()
    select, checked, prefetch = set(), [], []
    for lookup in declared.api.lookup:
        parts = lookup.split("__")[:-1]
        if parts:
            select.add("__".join(parts))
    for field in public_fields(model, declared.api):
        if not field.is_relation:
            continue
        related = field.related_model
        if field.many_to_many:
            if served(related):
                public = related._default_manager.public()
                paths = related_paths("x", related) - {"x"}
                if paths:
                    public = public.select_related(*(p.removeprefix("x__") for p in paths))
                prefetch.append(Prefetch(field.name, queryset=public))
            else:
                prefetch.append(field.name)
        elif served(related):
            select |= related_paths(field.name, related)
            if field.name not in model.public_parents:
                checked.append(field.name)
        else:
            select.add(field.name)
    if select:
        queryset = queryset.select_related(*sorted(select))
    if checked:
        queryset = queryset.with_public(*checked)
    return queryset.prefetch_related(*prefetch)


@cache
def serializer_for(declared):
    model = declared.model
    fields = public_fields(model, declared.api)
    # Not "url": reports and reporting channels have a field of that name (their web address).
    attrs = {"api_url": SelfLinkField(help_text="This record in the API.")}
    for field in fields:
        help_text = str(field.help_text or "")
        if isinstance(field, models.URLField) and field.blank:
            attrs[field.name] = OptionalURLField(help_text=help_text)
        if not field.is_relation:
            continue
        if served(field.related_model):
            if field.many_to_many:
                attrs[field.name] = RecordLinksField(help_text=help_text)
            else:
                attrs[field.name] = RecordLinkField(
                    checked=field.name not in model.public_parents,
                    allow_null=field.null or field.name not in model.public_parents,
                    help_text=help_text,
                )
        else:
            attrs[field.name] = serializers.SlugRelatedField(
                slug_field="slug",
                read_only=True,
                many=field.many_to_many,
                help_text=help_text,
            )
    # No read_only_fields: DRF then drops allow_null and allow_blank, and the schema would call
    # an empty choice or a null number invalid. The viewsets only read anyway.
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": ("api_url", *(f.name for f in fields)),
        },
    )
    attrs["Meta"] = meta
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), attrs)
