"""Spreadsheet import/export (CSV, XLSX, JSON) with natural keys only.

Countries are written as ISO codes (LT), organisations, themes and indicators by name. Lists go in
one cell separated by ";". An initiative's organisations are written "Name (role)", e.g.
"LIA (lead); Microsoft (funder)". Rows are matched on their natural key, so a spreadsheet never
holds database ids.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from import_export import fields, widgets

from portal.bulk.columns import (
    FieldColumn,
    ForeignKeyColumn,
    ManyToManyColumn,
    RelationColumn,
    upper,
    visible_rows,
)
from portal.bulk.spec import RecordSpec, status_column
from portal.bulk.writer import replace_relation_rows
from portal.resources import RecordResource

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
from .services import initiative_set_organisations


class CachedLookupMixin:
    """Looks objects up by one field, loading the whole table once per import (not once a row)."""

    def _lookup(self):
        if not hasattr(self, "_by_key"):
            self._by_key = {
                str(getattr(obj, self.field)): obj for obj in self.model._default_manager.all()
            }
        return self._by_key

    def _get(self, key):
        key = key.strip()
        if self.field == "iso_code":
            key = key.upper()
        try:
            return self._lookup()[key]
        except KeyError:
            name = self.model._meta.verbose_name
            raise ValueError(f"No {name} with {self.field.replace('_', ' ')} “{key}”.") from None


class NaturalKeyWidget(CachedLookupMixin, widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        return self._get(str(value))


class NaturalKeyListWidget(CachedLookupMixin, widgets.ManyToManyWidget):
    def __init__(self, model, field):
        super().__init__(model, separator=";", field=field)

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return []
        return [self._get(part) for part in str(value).split(self.separator) if part.strip()]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "; ".join(str(getattr(o, self.field)) for o in value.all())


def country_field(attribute="country", many=False):
    if many:
        return fields.Field(
            attribute=attribute,
            column_name=attribute,
            widget=NaturalKeyListWidget(Country, "iso_code"),
        )
    return fields.Field(
        attribute=attribute, column_name=attribute, widget=NaturalKeyWidget(Country, "iso_code")
    )


class ProfileResource(RecordResource):
    """RecordResource for profile records.

    - A row with an unknown natural key still names the faulty column.
    """

    def get_or_init_instance(self, instance_loader, row):
        try:
            return super().get_or_init_instance(instance_loader, row)
        except (ValueError, ArithmeticError):
            # A key column does not clean (unknown country code, year "abc"): treat the row as
            # new; import_instance() and full_clean() then report every error by column.
            return self.init_instance(row), True

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ArithmeticError:  # decimal.InvalidOperation from a number widget, e.g. year "abc"
            raise ValueError(f"“{row.get(field.column_name)}” is not a number.") from None

    def import_instance(self, instance, row, **kwargs):
        """Also checks list columns (saved after the row) so their errors name their column."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if errors:
            raise ValidationError(errors)


class SlugFromKeyMixin:
    """A row without a slug gets one made from its natural key."""

    def slug_source(self, instance):
        raise NotImplementedError

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if not instance.slug:
                instance.slug = slugify(self.slug_source(instance))[:200].strip("-")


ROLES = frozenset(Role.values)
ROLE_ITEM = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<role>[^()]+)\))?$")


class InitiativeResource(SlugFromKeyMixin, ProfileResource):
    country = country_field()
    themes = fields.Field(
        attribute="themes", column_name="themes", widget=NaturalKeyListWidget(Theme, "name")
    )
    organisations = fields.Field(column_name="organisations", readonly=False)

    class Meta(RecordResource.Meta):
        model = Initiative
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = True
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
        export_order = fields

    def slug_source(self, instance):
        iso = instance.country.iso_code if instance.country_id else ""
        return f"{iso} {instance.year or ''} {instance.title}"

    def dehydrate_organisations(self, obj):
        if obj.pk is None:
            return ""
        return "; ".join(
            f"{link.organisation.name} ({link.role})"
            for link in obj.organisation_roles.select_related("organisation")
        )

    def _organisation_names(self):
        if not hasattr(self, "_org_by_name"):
            self._org_by_name = {o.name: o for o in Organisation.objects.all()}
        return self._org_by_name

    def parse_organisations(self, value):
        """[(organisation, role)] from "LIA (lead); Microsoft (funder)"; ValueError if unknown."""
        links, problems = [], []
        for part in str(value or "").split(";"):
            if not part.strip():
                continue
            match = ROLE_ITEM.match(part.strip())
            name, role = match["name"].strip(), (match["role"] or Role.PARTNER).strip().lower()
            organisation = self._organisation_names().get(name)
            if organisation is None:
                problems.append(f"no organisation named “{name}”")
            elif role not in Role.values:
                problems.append(f"unknown role “{role}” (use {', '.join(Role.values)})")
            else:
                links.append((organisation, role))
        if problems:
            message = "; ".join(problems)
            raise ValueError(message[0].upper() + message[1:] + ".")
        return links

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "organisations" in row:
            try:
                instance._import_roles = self.parse_organisations(row["organisations"])
            except ValueError as error:
                errors["organisations"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        if skip and hasattr(instance, "_import_roles") and original.pk:
            current = sorted(
                (link.organisation_id, link.role) for link in original.organisation_roles.all()
            )
            wanted = sorted((org.pk, role) for org, role in instance._import_roles)
            return current == wanted
        return skip

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        roles = getattr(instance, "_import_roles", None)
        if roles is None or instance.pk is None:
            return
        initiative_set_organisations(initiative=instance, roles=roles)


class OrganisationResource(SlugFromKeyMixin, ProfileResource):
    countries = country_field("countries", many=True)
    member_of = fields.Field(column_name="member of (export only)", readonly=True)

    class Meta(RecordResource.Meta):
        model = Organisation
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = True
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
            "member_of",
            "status",
        )
        export_order = fields

    def slug_source(self, instance):
        return instance.name

    def dehydrate_member_of(self, obj):
        if obj.pk is None:
            return ""
        parts = []
        for row in obj.membership_rows.select_related("organisation"):
            since = f" since {row.since_year}" if row.since_year else ""
            parts.append(f"{row.organisation.name} ({row.get_kind_display().lower()}{since})")
        return "; ".join(parts)


class IndicatorValueResource(ProfileResource):
    country = country_field()
    definition = fields.Field(
        attribute="definition",
        column_name="indicator",
        widget=NaturalKeyWidget(IndicatorDefinition, "name"),
    )

    class Meta(RecordResource.Meta):
        model = IndicatorValue
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = True
        import_id_fields = ("country", "definition", "year")
        fields = (
            "country",
            "definition",
            "year",
            "value",
            "source_name",
            "source_url",
            "as_of",
            "note",
            "status",
        )
        export_order = fields


class ReportingChannelResource(SlugFromKeyMixin, ProfileResource):
    country = country_field()
    organisation = fields.Field(
        attribute="organisation",
        column_name="organisation",
        widget=NaturalKeyWidget(Organisation, "name"),
    )

    class Meta(RecordResource.Meta):
        model = ReportingChannel
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = True
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
        export_order = fields

    def slug_source(self, instance):
        iso = instance.country.iso_code if instance.country_id else ""
        return f"{iso} {instance.name}"


# --- the fast bulk path (portal.bulk): one documented column format per record type ----------


def country_column(**kwargs):
    return ForeignKeyColumn(
        "country", key="iso_code", normalise=upper, help_text="ISO code, e.g. LT.", **kwargs
    )


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


def _initiative_slug(values, ctx):
    iso = ctx.keymap(Country, "iso_code").key_for(values.get("country"))
    return f"{iso} {values.get('year') or ''} {values.get('title', '')}"


def _country_slug(name):
    def slug_from(values, ctx):
        iso = ctx.keymap(Country, "iso_code").key_for(values.get("country"))
        return f"{iso} {values.get(name, '')}"

    return slug_from


BULK_SPECS = [
    RecordSpec(
        "organisations",
        Organisation,
        [
            FieldColumn("name"),
            FieldColumn("slug", help_text="Made from the name when empty."),
            FieldColumn("acronym"),
            FieldColumn("national_name"),
            FieldColumn("kind"),
            FieldColumn("scope"),
            ManyToManyColumn("countries", key="iso_code", normalise=upper),
            FieldColumn("founding_year"),
            FieldColumn("website"),
            FieldColumn("description"),
            status_column(),
        ],
        key=("name",),
        slug_from=lambda values, ctx: values.get("name", ""),
    ),
    RecordSpec(
        "initiatives",
        Initiative,
        [
            country_column(),
            FieldColumn("title"),
            FieldColumn("year"),
            FieldColumn("slug", help_text="Made from country, year and title when empty."),
            FieldColumn("timeline"),
            FieldColumn("start_year"),
            FieldColumn("start_month"),
            FieldColumn("end_year"),
            FieldColumn("end_month"),
            FieldColumn("body"),
            ManyToManyColumn("themes", key="name"),
            OrganisationRolesColumn(
                "organisations",
                help_text=(
                    "Each organisation by its name, with its role in brackets: "
                    + ", ".join(Role.values)
                    + " (no role: partner). E.g. LIA (lead); Microsoft (funder)."
                ),
            ),
            FieldColumn("source_name"),
            FieldColumn("source_url"),
            status_column(),
        ],
        key=("country", "title", "year"),
        slug_from=_initiative_slug,
    ),
    RecordSpec(
        "indicator-values",
        IndicatorValue,
        [
            country_column(),
            ForeignKeyColumn("indicator", "definition", key="name"),
            FieldColumn("year"),
            FieldColumn("value"),
            FieldColumn("source_name"),
            FieldColumn("source_url"),
            FieldColumn("as_of"),
            FieldColumn("note"),
            status_column(),
        ],
        key=("country", "indicator", "year"),
    ),
    RecordSpec(
        "reporting-channels",
        ReportingChannel,
        [
            country_column(),
            FieldColumn("name"),
            FieldColumn("slug", help_text="Made from country and name when empty."),
            FieldColumn("kind"),
            ForeignKeyColumn("organisation", key="name"),
            FieldColumn("accepts"),
            FieldColumn("how_to_reach"),
            FieldColumn("phone"),
            FieldColumn("url"),
            FieldColumn("since_year"),
            FieldColumn("description"),
            status_column(),
        ],
        key=("country", "name"),
        slug_from=_country_slug("name"),
    ),
]
