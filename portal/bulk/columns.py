"""Columns of the spreadsheet format: how one cell is read, compared, written and exported.

A column either maps to a concrete model field (text, number, date, choice, or a foreign key
written as the related record's natural key) or to a relation saved after the row (a ";" list of
natural keys, or an ordered list with its own writer such as an initiative's organisations).
"""

import datetime
import decimal
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from .formats import Verbatim

LIST_SEPARATOR = ";"


class _Keep:
    """What an empty cell of a `keep_when_blank` column parses to: the stored value stays."""

    def __repr__(self):
        return "KEEP"


KEEP = _Keep()


class Column:
    """One column. `after_save` columns hold relations written once the records exist."""

    after_save = False
    editor_only = False  # left out of public downloads (the publishing status)
    type_name = "text"

    def __init__(self, name, attribute=None, *, required=None, help_text=""):
        self.name = name
        self.attribute = attribute or name
        self._required = required
        self.help_text = help_text

    def bind(self, model):
        self.model = model
        return self

    @property
    def required(self):
        return bool(self._required)

    def describe(self):
        return self.help_text

    def sql(self, alias, quote):
        """An SQL expression of this column's exported text for the record row `alias` (the
        same text `render` gives, before formula escaping), or None when it has none; `quote`
        quotes an identifier. Used by the CSV export on PostgreSQL (COPY ... TO)."""
        return None


class FieldColumn(Column):
    """A concrete field of the model, converted and validated in Python (no query a row).

    With `keep_when_blank` an empty cell leaves an existing record's value as it is (it parses
    to KEEP) and gives a new record the field's default."""

    def __init__(self, name, attribute=None, *, keep_when_blank=False, **kwargs):
        super().__init__(name, attribute, **kwargs)
        self.keep_when_blank = keep_when_blank

    def bind(self, model):
        super().bind(model)
        self.field = model._meta.get_field(self.attribute)
        self.attname = self.field.attname
        self.choices = {str(v): v for v, _ in self.field.choices} if self.field.choices else None
        self.labels = (
            {str(label).lower(): v for v, label in self.field.choices} if self.choices else {}
        )
        self.max_length = getattr(self.field, "max_length", None)
        self.url = isinstance(self.field, models.URLField)
        self.url_validator = _url_validator() if self.url else None
        self.decimal = isinstance(self.field, models.DecimalField)
        self.extra_validators = [
            v for v in self.field.validators if not _is_builtin_length_validator(v)
        ]
        if isinstance(self.field, models.BooleanField):
            self.type_name = "yes/no"
        elif isinstance(self.field, models.IntegerField | models.PositiveSmallIntegerField):
            self.type_name = "whole number"
        elif isinstance(self.field, models.DecimalField):
            self.type_name = "number"
        elif isinstance(self.field, models.DateField):
            self.type_name = "date (YYYY-MM-DD)"
        elif self.choices:
            self.type_name = "one of: " + ", ".join(self.choices)
        elif self.url:
            self.type_name = "web address"
        elif self.max_length:
            self.type_name = f"text, at most {self.max_length} characters"
        return self

    @property
    def required(self):
        if self._required is not None:
            return self._required
        field = self.field
        return not field.blank and not field.has_default()

    def empty_value(self):
        if self.field.has_default():
            return self.field.get_default()
        return None if self.field.null else ""

    def parse(self, raw, ctx, values):
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if self.required:
                raise ValueError("A value is required.")
            return KEEP if self.keep_when_blank else self.empty_value()
        value = self.convert(raw)
        self.validate(value)
        return value

    def convert(self, raw):
        field = self.field
        if isinstance(field, models.BooleanField):
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "y"):
                return True
            if text in ("0", "false", "no", "n"):
                return False
            raise ValueError(f"“{raw}” is not yes or no.")
        if isinstance(field, models.IntegerField):
            if isinstance(raw, float) and raw.is_integer():
                return int(raw)
            text = str(raw).strip().removesuffix(".0")
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"“{raw}” is not a whole number.") from None
        if isinstance(field, models.DecimalField):
            try:
                value = decimal.Decimal(str(raw).strip())
            except decimal.InvalidOperation:
                raise ValueError(f"“{raw}” is not a number.") from None
            if not value.is_finite():
                raise ValueError(f"“{raw}” is not a number.")
            return value
        if isinstance(field, models.DateField):
            if isinstance(raw, datetime.datetime):
                return raw.date()
            if isinstance(raw, datetime.date):
                return raw
            try:
                return datetime.date.fromisoformat(str(raw).strip()[:10])
            except ValueError:
                raise ValueError(f"“{raw}” is not a date (YYYY-MM-DD).") from None
        text = str(raw) if isinstance(raw, Verbatim) else str(raw).strip()
        if self.choices is not None:
            if text in self.choices:
                return self.choices[text]
            if text.lower() in self.labels:
                return self.labels[text.lower()]
            raise ValueError(f"“{text}” is not one of {', '.join(self.choices)}.")
        return text

    def validate(self, value):
        if self.max_length and isinstance(value, str) and len(value) > self.max_length:
            raise ValueError(
                f"Too long: {len(value)} characters, at most {self.max_length} allowed."
            )
        try:
            if self.url and value:
                self.url_validator(value)
            for validator in self.extra_validators:
                validator(value)
            if self.decimal:
                self.field.clean(value, None)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None

    def current(self, obj, ctx):
        return getattr(obj, self.attname)

    def assign(self, obj, value):
        setattr(obj, self.attname, value)

    def sql(self, alias, quote):
        return _field_sql(self.field, f"{alias}.{quote(self.field.column)}")

    def render(self, obj, ctx):
        return self.text(getattr(obj, self.attname), ctx)

    def text(self, value, ctx):
        """The cell text of a value of this column, as the export writes it."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return str(value)


def _field_sql(field, expression):
    if isinstance(field, models.BooleanField):
        return f"CASE WHEN {expression} THEN 'yes' WHEN NOT {expression} THEN 'no' END"
    if isinstance(field, models.DateTimeField):
        return None  # Python's isoformat() with its offset: rendered in Python
    if isinstance(field, models.DateField):
        return f"to_char({expression}, 'YYYY-MM-DD')"
    if isinstance(field, models.DecimalField):
        return (
            f"CASE WHEN {expression} = trunc({expression}) THEN trunc({expression})::text "
            f"ELSE {expression}::text END"
        )
    if isinstance(field, models.IntegerField | models.CharField | models.TextField):
        return f"{expression}::text"
    return None


def _url_validator():
    """Django's URLValidator for http(s), made once, its lazily compiled pattern compiled now
    (resolving the lazy pattern on every call cost more than the check itself)."""
    validator = URLValidator(schemes=("http", "https"))
    validator.regex = re.compile(validator.regex.pattern, validator.regex.flags)
    return validator


def _is_builtin_length_validator(validator):
    from django.core.validators import MaxLengthValidator, URLValidator

    return isinstance(validator, MaxLengthValidator | URLValidator)


def visible_rows(ctx, rows, model, path):
    """`rows` less those whose record at `path` (a `model`) the public may not read, when `ctx`
    is a public download's (`public_only`): its natural key must not leave the portal."""
    if getattr(ctx, "public_only", False) and hasattr(model, "public_filter"):
        return rows.filter(model.public_filter(path))
    return rows


class KeyMap:
    """Natural key <-> id of one related model, loaded once per import or export.

    With `public_only` it knows only the records the public may read (a public download): the
    key of any other is empty."""

    def __init__(self, model, key, *, scope=None, normalise=None, public_only=False):
        self.model = model
        self.key = key
        self.scope = scope  # a field of the related model that must equal a value of the row
        self.normalise = normalise or (lambda text: text.strip())
        self.public_only = public_only
        self._by_key = None
        self._by_id = None

    def records(self):
        manager = self.model._default_manager
        if self.public_only and hasattr(manager, "public"):
            return manager.public()
        return manager.all()

    def load(self):
        if self._by_key is None:
            fields = ["pk", self.key] + ([f"{self.scope}_id"] if self.scope else [])
            self._by_key, self._by_id = {}, {}
            for row in self.records().values_list(*fields).iterator():
                key = (row[2], row[1]) if self.scope else row[1]
                self._by_key[key] = row[0]
                self._by_id[row[0]] = row[1]
        return self

    def id_for(self, text, scope_id=None):
        key = self.normalise(str(text))
        self.load()
        return self._by_key.get((scope_id, key) if self.scope else key)

    def key_for(self, pk):
        self.load()
        return self._by_id.get(pk, "")

    def add(self, pk, key, scope_id=None):
        self.load()
        self._by_key[(scope_id, key) if self.scope else key] = pk
        self._by_id[pk] = key


def upper(text):
    return text.strip().upper()


class ForeignKeyColumn(FieldColumn):
    """A foreign key written as the related record's natural key (country as ISO code LT)."""

    def __init__(self, name, attribute=None, *, key, scope=None, normalise=None, **kwargs):
        super().__init__(name, attribute, **kwargs)
        self.key = key
        self.scope = scope  # (column name of this row, field of the related model)
        self.normalise = normalise

    def bind(self, model):
        super().bind(model)
        self.related = self.field.related_model
        self.type_name = f"{self.related._meta.verbose_name} by {self.key.replace('_', ' ')}"
        return self

    def keymap(self, ctx):
        scope = self.scope[1] if self.scope else None
        return ctx.keymap(self.related, self.key, scope=scope, normalise=self.normalise)

    def parse(self, raw, ctx, values):
        if raw is None or str(raw).strip() == "":
            if self.required:
                raise ValueError("A value is required.")
            return None
        scope_id = values.get(self.scope[0]) if self.scope else None
        pk = self.keymap(ctx).id_for(raw, scope_id)
        if pk is None:
            name = self.related._meta.verbose_name
            where = ""
            if self.scope:
                where = f" in this row's {self.scope[0]}"
            raise ValueError(f"No {name} with {self.key.replace('_', ' ')} “{raw}”{where}.")
        return pk

    def text(self, pk, ctx):
        return "" if pk is None else str(self.keymap(ctx).key_for(pk))

    def sql(self, alias, quote):
        """The related record's key through a join named `j<column name>` (sql_join)."""
        related = self.related._meta
        key_field = related.get_field(self.key)
        return _field_sql(key_field, f"{quote('j_' + self.name)}.{quote(key_field.column)}")

    def sql_join(self, alias, quote):
        related = self.related._meta
        name = quote("j_" + self.name)
        return (
            f"LEFT JOIN {quote(related.db_table)} {name} "
            f"ON {name}.{quote(related.pk.column)} = {alias}.{quote(self.field.column)}"
        )


class RelationColumn(Column):
    """A relation written after the records are saved; values are compared as a whole.

    `write` gets (record, value) pairs. With `needs_records` False the new records are passed
    as light objects holding only `pk` and `version` (1 for a new record), not model instances.
    """

    after_save = True
    needs_records = True

    @property
    def required(self):
        return bool(self._required)

    def parse(self, raw, ctx, values):
        raise NotImplementedError

    def load_current(self, ctx, ids):
        """{record id: current value} for the given record ids (one query)."""
        raise NotImplementedError

    def write(self, ctx, changes):
        """Make the relation of each (record, value) in `changes` equal to value."""
        raise NotImplementedError

    def render_value(self, value, ctx):
        raise NotImplementedError

    def sql_aggregate(self, quote):
        """(record id expression, FROM tables, aggregate expression) giving this column's text
        per record in SQL (the same text as `render_value`), or None when it has none."""
        return None

    @staticmethod
    def split(raw):
        if raw is None:
            return []
        return [part.strip() for part in str(raw).split(LIST_SEPARATOR) if part.strip()]


class ManyToManyColumn(RelationColumn):
    """A plain many-to-many field as a ";" list of natural keys; order does not matter."""

    needs_records = False

    def __init__(self, name, attribute=None, *, key, normalise=None, **kwargs):
        super().__init__(name, attribute, **kwargs)
        self.key = key
        self.normalise = normalise

    def bind(self, model):
        super().bind(model)
        self.field = model._meta.get_field(self.attribute)
        self.related = self.field.related_model
        self.through = self.field.remote_field.through
        self.source_name = self.field.m2m_field_name()
        self.target_name = self.field.m2m_reverse_field_name()
        name = self.related._meta.verbose_name_plural
        self.type_name = f"list of {name} by {self.key.replace('_', ' ')}, separated by ;"
        return self

    def keymap(self, ctx):
        return ctx.keymap(self.related, self.key, normalise=self.normalise)

    def parse(self, raw, ctx, values):
        keymap, ids, missing = self.keymap(ctx), set(), []
        for part in self.split(raw):
            pk = keymap.id_for(part)
            if pk is None:
                missing.append(part)
            else:
                ids.add(pk)
        if missing:
            name = self.related._meta.verbose_name
            raise ValueError(f"Unknown {name}: {', '.join(missing)}.")
        if self.required and not ids:
            raise ValueError("At least one value is required.")
        return frozenset(ids)

    def load_current(self, ctx, ids):
        current = {pk: set() for pk in ids}
        rows = self.through._default_manager.filter(**{f"{self.source_name}_id__in": ids})
        rows = visible_rows(ctx, rows, self.related, self.target_name)
        for source, target in rows.values_list(f"{self.source_name}_id", f"{self.target_name}_id"):
            current[source].add(target)
        return {pk: frozenset(value) for pk, value in current.items()}

    def write(self, ctx, changes):
        from .writer import replace_relation_rows

        source, target = f"{self.source_name}_id", f"{self.target_name}_id"
        replace_relation_rows(
            self.through,
            source,
            [record.pk for record, _ in changes if record.version > 1],
            [source, target],
            [(record.pk, pk) for record, value in changes for pk in sorted(value)],
            batch_size=ctx.batch_size,
        )

    def render_value(self, value, ctx):
        keymap = self.keymap(ctx)
        return f"{LIST_SEPARATOR} ".join(sorted(str(keymap.key_for(pk)) for pk in value))

    def sql_aggregate(self, quote):
        related, through = self.related._meta, self.through._meta
        key_field = related.get_field(self.key)
        key = _field_sql(key_field, f"k.{quote(key_field.column)}")
        if key is None:
            return None
        source = through.get_field(self.source_name).column
        target = through.get_field(self.target_name).column
        tables = (
            f"{quote(through.db_table)} t JOIN {quote(related.db_table)} k "
            f"ON k.{quote(related.pk.column)} = t.{quote(target)}"
        )
        # sorted as Python sorts str (by code point): the "C" collation
        value = f"string_agg({key}, '{LIST_SEPARATOR} ' ORDER BY {key} COLLATE \"C\")"
        return f"t.{quote(source)}", tables, value
