"""The spreadsheet columns of the profile records: one django-import-export Resource per type.

Countries are written as ISO codes (LT), organisations, themes and indicators by name. Lists go
in one cell separated by ";". An initiative's organisations are written "Name (role)", e.g.
"LIA (lead); Microsoft (funder)". Rows are matched on their natural key, so a spreadsheet never
holds database ids. portal.resources.RecordResource runs them through the fast engine.
"""

import re

from portal.bulk.columns import RelationColumn, visible_rows
from portal.bulk.writer import replace_relation_rows
from portal.resources import (
    NaturalKeyListWidget,
    NaturalKeyWidget,
    RecordField,
    RecordResource,
    RelationWidget,
    countries_field,
    country_field,
)

from .models import (
    Country,
    IndicatorDefinition,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    Organisation,
    ReportingChannel,
    Role,
    Theme,
)

ROLES = frozenset(Role.values)
ROLE_ITEM = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<role>[^()]+)\))?$")


class OrganisationRolesColumn(RelationColumn):
    """An initiative's organisations in order: "LIA (lead); Microsoft (funder)"."""

    type_name = "list of “organisation name (role)”, separated by ; (order kept)"
    needs_records = False

    def parse(self, raw, ctx, values):
        keymap = ctx.keymap(Organisation, "name")
        links, problems = [], []
        for part in self.split(raw):
            match = ROLE_ITEM.match(part)
            name, role = match["name"].strip(), (match["role"] or Role.PARTNER).strip().lower()
            pk = keymap.id_for(name)
            if pk is None:
                problems.append(f"no organisation named “{name}”")
            elif role not in ROLES:
                problems.append(f"unknown role “{role}” (use {', '.join(Role.values)})")
            else:
                links.append((pk, role))
        if problems:
            message = "; ".join(problems)
            raise ValueError(message[0].upper() + message[1:] + ".")
        return tuple(dict.fromkeys(links))

    def load_current(self, ctx, ids):
        current = {pk: [] for pk in ids}
        rows = InitiativeOrganisation.objects.filter(initiative_id__in=ids).order_by("order", "pk")
        rows = visible_rows(ctx, rows, Organisation, "organisation")
        for initiative, organisation, role in rows.values_list(
            "initiative_id", "organisation_id", "role"
        ):
            current[initiative].append((organisation, role))
        return {pk: tuple(links) for pk, links in current.items()}

    def write(self, ctx, changes):
        # Old roles of stored initiatives go with a "-" history entry each, new ones get "+".
        replace_relation_rows(
            InitiativeOrganisation,
            "initiative_id",
            [record.pk for record, _ in changes if record.version > 1],
            ["initiative_id", "organisation_id", "role", "order"],
            [
                (record.pk, organisation, role, order)
                for record, value in changes
                for order, (organisation, role) in enumerate(value)
            ],
            history=ctx.history,
            batch_size=ctx.batch_size,
        )

    def render_value(self, value, ctx):
        keymap = ctx.keymap(Organisation, "name")
        return "; ".join(f"{keymap.key_for(pk)} ({role})" for pk, role in value)

    def sql_aggregate(self, quote):
        roles, organisations = InitiativeOrganisation._meta, Organisation._meta
        tables = (
            f"{quote(roles.db_table)} l JOIN {quote(organisations.db_table)} o "
            "ON o.id = l.organisation_id"
        )
        order = f"l.{quote('order')}, l.id"
        value = f"string_agg(o.name || ' (' || l.role || ')', '; ' ORDER BY {order})"
        return "l.initiative_id", tables, value


def _iso(values, ctx):
    return ctx.keymap(Country, "iso_code").key_for(values.get("country"))


def _organisation_slug(values, ctx):
    return values.get("name", "")


def _initiative_slug(values, ctx):
    return f"{_iso(values, ctx)} {values.get('year') or ''} {values.get('title', '')}"


def _channel_slug(values, ctx):
    return f"{_iso(values, ctx)} {values.get('name', '')}"


class OrganisationResource(RecordResource):
    slug = RecordField(attribute="slug", help_text="Made from the name when empty.")
    countries = countries_field()

    class Meta:
        model = Organisation
        name = "organisations"
        import_id_fields = ("name",)
        fields = (
            "name",
            "slug",
            "acronym",
            "national_name",
            "kind",
            "scope",
            "countries",
            "founding_year",
            "website",
            "description",
            "status",
        )
        slug_from = _organisation_slug


class InitiativeResource(RecordResource):
    country = country_field()
    slug = RecordField(attribute="slug", help_text="Made from country, year and title when empty.")
    themes = RecordField(attribute="themes", widget=NaturalKeyListWidget(Theme, "name"))
    organisations = RecordField(
        attribute="organisations",
        widget=RelationWidget(OrganisationRolesColumn),
        help_text=(
            "Each organisation by its name, with its role in brackets: "
            + ", ".join(Role.values)
            + " (no role: partner). E.g. LIA (lead); Microsoft (funder)."
        ),
    )

    class Meta:
        model = Initiative
        name = "initiatives"
        import_id_fields = ("country", "title", "year")
        fields = (
            "country",
            "title",
            "year",
            "slug",
            "timeline",
            "start_year",
            "start_month",
            "end_year",
            "end_month",
            "body",
            "themes",
            "organisations",
            "source_name",
            "source_url",
            "status",
        )
        slug_from = _initiative_slug


class IndicatorValueResource(RecordResource):
    country = country_field()
    indicator = RecordField(
        attribute="definition", widget=NaturalKeyWidget(IndicatorDefinition, "name")
    )

    class Meta:
        model = IndicatorValue
        name = "indicator-values"
        import_id_fields = ("country", "indicator", "year")
        fields = (
            "country",
            "indicator",
            "year",
            "value",
            "source_name",
            "source_url",
            "as_of",
            "note",
            "status",
        )


class ReportingChannelResource(RecordResource):
    country = country_field()
    slug = RecordField(attribute="slug", help_text="Made from country and name when empty.")
    organisation = RecordField(
        attribute="organisation", widget=NaturalKeyWidget(Organisation, "name")
    )

    class Meta:
        model = ReportingChannel
        name = "reporting-channels"
        import_id_fields = ("country", "name")
        fields = (
            "country",
            "name",
            "slug",
            "kind",
            "organisation",
            "accepts",
            "how_to_reach",
            "phone",
            "url",
            "since_year",
            "description",
            "status",
        )
        slug_from = _channel_slug
