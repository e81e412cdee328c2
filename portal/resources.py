"""The spreadsheet declaration of a record type: a django-import-export Resource.

Each app declares one `RecordResource` per record type in `<app>/resources.py`, in the
vocabulary Django developers know: a `Field` per column (`RecordField` when a column needs a
help text or a rule of its own), widgets that name related records by their natural key, and
`Meta.import_id_fields` for the record's natural key. The class is the only place a type's
columns are written: `RecordResource.spec()` derives from it, once, the internal format the fast
engine runs (`portal.bulk.spec.RecordSpec`: columns, natural key, slug rule), and the admin, the
commands, the country workbook and the column reference in docs/spreadsheets.md read that.

The Resource's own entry points go through the same engine, so code that uses
django-import-export the usual way gets the same rules as the admin:

- `resource.import_data(dataset, dry_run=False, user=None)`: the whole dataset is checked first
  (maps loaded once, no query a row), one invalid row writes nothing, an editor's countries and
  role apply row by row, and history entries are written in bulk naming the user. It returns a
  django-import-export `Result` (rows "new", "update", "skip" or "invalid"; `invalid_rows` with
  the data row's number, counted from 1, and the errors by column name).
- `resource.export(queryset=None)`: a `tablib.Dataset` of the documented columns, read by pages
  with each page's relations in one query, every text cell formula-safe.

Meta options the engine reads besides django-import-export's own: `name` (the type's name on
the command line and its workbook sheet), `slug_from(values, ctx)` (the text a new record's slug
is made from when the file gives none) and `slug_scope` (the column whose record a slug is unique
within). A resource may define `validate_row(ctx, values, record, relations)` for checks of a
whole row ({column: message}).
"""

from functools import cache

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from import_export import fields, resources, widgets
from import_export.results import Error, Result, RowResult

from .bulk import engine
from .bulk.columns import FieldColumn, ForeignKeyColumn, ManyToManyColumn, upper
from .bulk.formats import Table, escape_formula, unescape_formula
from .bulk.spec import RecordSpec
from .records import country_model

STATUS_HELP = (
    "draft (default for new rows), in_review, published or withdrawn. Empty keeps an existing "
    "record's status. Only publishers import published or withdrawn rows or change the status "
    "of a published or withdrawn record."
)
IMPORT_TYPES = {
    engine.NEW: RowResult.IMPORT_TYPE_NEW,
    engine.UPDATED: RowResult.IMPORT_TYPE_UPDATE,
    engine.UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
    engine.INVALID: RowResult.IMPORT_TYPE_INVALID,
}


class RecordField(fields.Field):
    """A column with what editors read about it and the rules the engine applies.

    `help_text` overrides the model field's; `required` overrides "not blank and no default";
    with `keep_when_blank` an empty cell leaves an existing record's value as it is;
    `editor_only` columns are left out of public downloads."""

    def __init__(
        self,
        *args,
        help_text="",
        required=None,
        keep_when_blank=False,
        editor_only=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.help_text = help_text
        self.required = required
        self.keep_when_blank = keep_when_blank
        self.editor_only = editor_only

    def column_options(self):
        return {"help_text": self.help_text, "required": self.required}


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related record's natural key (`field`), e.g. an organisation
    by its name. `scope` names a column of the row and the related model's field that must
    match it (an act by its title within the row's country: `scope="country"`)."""

    def __init__(self, model, field, *, scope=None, normalise=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.scope = (scope, scope) if isinstance(scope, str) else scope
        self.normalise = normalise

    def column(self, name, attribute, **options):
        return ForeignKeyColumn(
            name, attribute, key=self.field, scope=self.scope, normalise=self.normalise, **options
        )


class CountryWidget(NaturalKeyWidget):
    """A country by its ISO code, case-insensitive (lt = LT); the model is
    PORTAL_COUNTRY_MODEL, so any app can name countries without importing their app."""

    def __init__(self, **kwargs):
        super().__init__(country_model(), "iso_code", normalise=upper, **kwargs)


class NaturalKeyListWidget(widgets.ManyToManyWidget):
    """A many-to-many field as a ";" list of natural keys; order does not matter."""

    def __init__(self, model, field, *, normalise=None, **kwargs):
        super().__init__(model, separator=";", field=field, **kwargs)
        self.normalise = normalise

    def column(self, name, attribute, **options):
        return ManyToManyColumn(
            name, attribute, key=self.field, normalise=self.normalise, **options
        )


class CountryListWidget(NaturalKeyListWidget):
    def __init__(self, **kwargs):
        super().__init__(country_model(), "iso_code", normalise=upper, **kwargs)


class RelationWidget(widgets.Widget):
    """A relation with a format of its own (an initiative's "LIA (lead)" roles, a report's
    authors): `column_class`, a portal.bulk.columns.RelationColumn, reads, compares, writes and
    exports it."""

    def __init__(self, column_class, **kwargs):
        super().__init__(**kwargs)
        self.column_class = column_class

    def column(self, name, attribute, **options):
        return self.column_class(name, attribute, **options)


def country_field(attribute="country", **kwargs):
    """The `country` column: an ISO code (LT)."""
    return RecordField(
        attribute=attribute, widget=CountryWidget(), help_text="ISO code, e.g. LT.", **kwargs
    )


def countries_field(attribute="countries", **kwargs):
    """A list of countries by ISO code, separated by ";"."""
    return RecordField(attribute=attribute, widget=CountryListWidget(), **kwargs)


class RecordResource(resources.ModelResource):
    """Base of every record type's resource: columns in `Meta.fields` order, status last."""

    # Left out of public downloads: every record they hold is published.
    status = RecordField(
        attribute="status", keep_when_blank=True, editor_only=True, help_text=STATUS_HELP
    )

    class Meta:
        name = ""
        slug_from = None
        slug_scope = None

    validate_row = None

    @classmethod
    @cache
    def spec(cls):
        """The engine's format of this type, derived from the declaration (once)."""
        meta = cls._meta
        if meta.model is None or not meta.name or not meta.fields:
            raise ImproperlyConfigured(f"{cls.__name__}: Meta needs model, name and fields.")
        columns = [_column(cls, name) for name in meta.fields]
        key = [cls._field(name).column_name for name in meta.import_id_fields]
        return RecordSpec(
            meta.name,
            meta.model,
            columns,
            key=key,
            slug_from=meta.slug_from,
            slug_scope=meta.slug_scope,
            row_check=cls.validate_row,
        )

    @classmethod
    def _field(cls, name):
        try:
            return cls.fields[name]
        except KeyError:
            field = cls._meta.model._meta.get_field(name)
            if field.is_relation:
                raise ImproperlyConfigured(
                    f"{cls.__name__}.{name}: declare the relation with a widget that names the "
                    "related record by its natural key (NaturalKeyWidget, ...)."
                ) from None
            return fields.Field(attribute=name, column_name=name)

    def export(self, queryset=None, **kwargs):
        spec = self.spec()
        queryset = spec.queryset() if queryset is None else queryset.order_by("pk")
        dataset = tablib.Dataset(headers=spec.headers, title=spec.name)
        for row in spec.export_rows(engine.Context(), queryset):
            dataset.append([escape_formula(c) if isinstance(c, str) else c for c in row])
        return dataset

    def import_data(
        self, dataset, dry_run=False, raise_errors=False, *, user=None, filename="", **kwargs
    ):
        """Import `dataset` through the fast engine (module docstring); django-import-export's
        other options (transactions, rollback on validation errors) are what it always does."""
        spec = self.spec()
        headers = list(dataset.headers or [])
        rows = (
            (number, [unescape_formula(cell) for cell in cells])
            for number, cells in enumerate(dataset, start=1)
        )
        outcome = engine.run_import(
            [(spec, Table(spec.name, headers, rows))],
            user=user,
            dry_run=dry_run,
            filename=filename,
        )
        result = _result(outcome, headers)
        if raise_errors and not outcome.valid:
            problems = [str(e.error) for e in result.base_errors]
            problems += [f"row {r.number}: {r.error_dict}" for r in result.invalid_rows]
            raise ValidationError(problems)
        return result


def _column(resource_class, name):
    field = resource_class._field(name)
    options = field.column_options() if isinstance(field, RecordField) else {}
    widget = field.widget
    if hasattr(widget, "column"):
        column = widget.column(field.column_name, field.attribute, **options)
    else:
        keep = isinstance(field, RecordField) and field.keep_when_blank
        column = FieldColumn(field.column_name, field.attribute, keep_when_blank=keep, **options)
    column.editor_only = isinstance(field, RecordField) and field.editor_only
    return column


def _result(outcome, headers):
    """A django-import-export Result of the engine's ImportResult (one table)."""
    result = Result()
    result.diff_headers = headers
    problems = list(outcome.problems)
    for table in outcome.tables:
        problems.extend(table.problems)
        for row in table.rows:
            row_result = RowResult()
            row_result.import_type = IMPORT_TYPES[row.outcome]
            if row.outcome == engine.INVALID:
                errors = {}
                for column, message in row.errors:
                    errors.setdefault(column or NON_FIELD_ERRORS, []).append(message)
                row_result.validation_error = ValidationError(errors)
                result.append_invalid_row(row.number, {}, row_result.validation_error)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
    for problem in problems:
        result.append_base_error(Error(ValueError(problem)))
    result.total_rows = sum(len(t.rows) for t in outcome.tables)
    return result
