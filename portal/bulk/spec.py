"""RecordSpec: the documented spreadsheet format of one record type."""

from django.utils.text import slugify

from portal.models import Status
from portal.permissions import country_relation

from .columns import FieldColumn, ForeignKeyColumn, ManyToManyColumn, RelationColumn


class RecordSpec:
    """Columns in their documented order, the natural key, and optional hooks.

    `name` is the type's name on the command line and the workbook's sheet name (e.g.
    "initiatives"); `key` names the columns that identify a record (its natural key);
    `slug_from` builds the slug of a new record from its parsed values when the file gives none.
    """

    def __init__(
        self, name, model, columns, *, key, slug_from=None, slug_scope=None, description=""
    ):
        self.name = name
        self.model = model
        self.columns = [column.bind(model) for column in columns]
        self.by_name = {column.name: column for column in self.columns}
        self.key = tuple(key)
        self.slug_from = slug_from
        self.slug_scope = slug_scope  # a column whose record the slug is unique within
        self.description = description
        self.field_columns = [c for c in self.columns if not c.after_save]
        self.relation_columns = [c for c in self.columns if c.after_save]
        self.country_attribute, self.country_many = country_relation(model)
        if self.country_attribute == "self":
            self.country_attribute = None
        self.country_column = next(
            (c for c in self.columns if c.attribute == self.country_attribute), None
        )
        if "slug" in self.by_name and "slug" not in self.key:
            self.by_name["slug"]._required = False  # made from the row when empty
        assert all(k in self.by_name for k in self.key), f"{name}: key columns must be columns"

    @property
    def headers(self):
        return [column.name for column in self.columns]

    @property
    def verbose_name_plural(self):
        return str(self.model._meta.verbose_name_plural)

    def make_slug(self, values, ctx):
        base = slugify(self.slug_from(values, ctx)) if self.slug_from else ""
        return base or self.name.rstrip("s")

    def validate_row(self, ctx, values, record, relations):
        """Extra checks of one row: {column name: message}. Override per type if needed."""
        return {}

    def queryset(self, country=None):
        queryset = self.model._default_manager.all()
        if country is not None and self.country_attribute:
            queryset = queryset.filter(**{self.country_attribute: country}).distinct()
        return queryset.order_by("pk")

    def export_rows(self, ctx, queryset, chunk_size=2000):
        """Rows of cells for `queryset`, read by primary-key pages so memory stays flat."""
        last = None
        while True:
            page = queryset
            if last is not None:
                page = page.filter(pk__gt=last)
            records = list(page[:chunk_size])
            if not records:
                return
            ids = [record.pk for record in records]
            currents = {c.name: c.load_current(ctx, ids) for c in self.relation_columns}
            for record in records:
                row = []
                for column in self.columns:
                    if column.after_save:
                        row.append(column.render_value(currents[column.name][record.pk], ctx))
                    else:
                        row.append(column.render(record, ctx))
                yield row
            last = ids[-1]


def status_column():
    column = FieldColumn(
        "status",
        keep_when_blank=True,
        help_text=(
            "draft (default for new rows), in_review, published or withdrawn. Empty keeps an "
            "existing record's status. Only publishers import published or withdrawn rows or "
            "change the status of a published or withdrawn record."
        ),
    )
    column.editor_only = True  # every record a public download holds is published
    return column


def default_status():
    return Status.DRAFT


__all__ = [
    "FieldColumn",
    "ForeignKeyColumn",
    "ManyToManyColumn",
    "RecordSpec",
    "RelationColumn",
    "status_column",
]
