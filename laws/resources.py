"""Spreadsheet import/export of the legislation records, by natural keys only.

Columns name related records the way editors know them: a country by its ISO code (LT), an
instrument by its short name, an act by its title (within the row's country), topics by slug
separated by commas. Related tables are read once per file, not once per row.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from import_export import fields, widgets
from import_export.widgets import CachedForeignKeyWidget, ManyToManyWidget

from portal.bulk.columns import FieldColumn, ForeignKeyColumn, ManyToManyColumn, upper
from portal.bulk.spec import RecordSpec, status_column
from portal.resources import RecordResource
from profiles.models import Country

from .models import (
    Assessment,
    ChildDefinition,
    CountryInstrumentStatus,
    Criterion,
    Framework,
    Instrument,
    LegalAct,
    LegalAge,
    Provision,
    Topic,
)


class CountryWidget(CachedForeignKeyWidget):
    """A country by ISO code, case-insensitive (lt = LT)."""

    def __init__(self, **kwargs):
        super().__init__(Country, field="iso_code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip().upper()
        try:
            return super().clean(value, row, **kwargs)
        except Country.DoesNotExist as exc:
            raise ValueError(f"No country with ISO code {value!r}.") from exc


class InstrumentWidget(CachedForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Instrument, field="short_name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Instrument.DoesNotExist as exc:
            raise ValueError(f"No instrument with short name {value!r}.") from exc


class ActWidget(CachedForeignKeyWidget):
    """An act by its title, within the country named in the row's `country` column."""

    def __init__(self, **kwargs):
        super().__init__(LegalAct, field="title", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        if not hasattr(self, "_acts"):
            self._acts = {
                (act.country.iso_code, act.title): act
                for act in LegalAct.objects.select_related("country")
            }
        iso = str((row or {}).get("country") or "").strip().upper()
        try:
            return self._acts[(iso, value.strip())]
        except KeyError:
            raise ValueError(f"No act titled {value!r} in country {iso or '(none)'}.") from None

    def render(self, value, obj=None, **kwargs):
        return value.title if value is not None else ""


class TopicsWidget(ManyToManyWidget):
    """Topic slugs separated by commas; an unknown slug is an error, not silently dropped."""

    def __init__(self, **kwargs):
        super().__init__(Topic, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        topics = super().clean(value, row, **kwargs)
        if not value:
            return topics
        wanted = {slug.strip() for slug in str(value).split(self.separator) if slug.strip()}
        found = list(topics)
        missing = wanted - {topic.slug for topic in found}
        if missing:
            raise ValueError(f"Unknown topic(s): {', '.join(sorted(missing))}.")
        return found


class LawsResource(RecordResource):
    """RecordResource reading an empty cell of a text field as "" (django-import-export maps
    TextField to a plain Widget, which would give None and fail on a NOT NULL column)."""

    class Meta(RecordResource.Meta):
        pass

    def _clean_columns(self, names, row):
        errors = {}
        for name in names:
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                field.clean(row)
            except (ValueError, ArithmeticError, ObjectDoesNotExist) as exc:
                errors[field.column_name] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A number widget fed "eighteen" raises decimal.InvalidOperation, which the base class
        # would report as a crash of the row; make it a ValueError so the column is named.
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ArithmeticError as exc:
            raise ValueError(f"{row.get(field.column_name)!r} is not a number.") from exc

    def get_instance(self, instance_loader, row):
        # An unknown country or act in a key column is an invalid row naming its column, not a
        # crash of the row.
        self._clean_columns(self.get_import_id_fields(), row)
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        # Many-to-many columns are only read when saving; check them with the other columns.
        many = [
            name
            for name, field in self.fields.items()
            if isinstance(field.widget, ManyToManyWidget) and name in self._meta.fields
        ]
        errors = {}
        try:
            self._clean_columns(many, row)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.TextField):
            return widgets.CharWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.TextField) and django_field.blank:
            kwargs.update({"coerce_to_string": True, "allow_blank": True})
        return kwargs


def country_field():
    return fields.Field(attribute="country", column_name="country", widget=CountryWidget())


class TopicResource(LawsResource):
    class Meta(LawsResource.Meta):
        model = Topic
        fields = ("slug", "name", "description", "status")
        import_id_fields = ("slug",)


class InstrumentResource(LawsResource):
    class Meta(LawsResource.Meta):
        model = Instrument
        fields = ("short_name", "title", "kind", "body", "year_adopted", "summary", "status")
        import_id_fields = ("short_name",)


class LegalAgeResource(LawsResource):
    country = country_field()

    class Meta(LawsResource.Meta):
        model = LegalAge
        fields = ("country", "kind", "age", "lowered_age", "exceptions", "source", "status")
        import_id_fields = ("country", "kind")


class ChildDefinitionResource(LawsResource):
    country = country_field()
    act = fields.Field(attribute="act", column_name="act", widget=ActWidget())

    class Meta(LawsResource.Meta):
        model = ChildDefinition
        fields = (
            "country",
            "term",
            "act",
            "min_age",
            "max_age",
            "definition",
            "source",
            "status",
        )
        import_id_fields = ("country", "term")


class CountryInstrumentStatusResource(LawsResource):
    country = country_field()
    instrument = fields.Field(
        attribute="instrument", column_name="instrument", widget=InstrumentWidget()
    )

    class Meta(LawsResource.Meta):
        model = CountryInstrumentStatus
        fields = (
            "country",
            "instrument",
            "status_kind",
            "date",
            "date_precision",
            "notes",
            "source",
            "status",
        )
        import_id_fields = ("country", "instrument", "status_kind")


class LegalActResource(LawsResource):
    country = country_field()

    class Meta(LawsResource.Meta):
        model = LegalAct
        fields = ("country", "title", "short_title", "slug", "kind", "summary", "source", "status")
        import_id_fields = ("country", "title")


class ProvisionResource(LawsResource):
    """One row per provision: country + act title + number identify it. Penalty rows are edited
    in the admin, inline on the provision."""

    country = country_field()
    act = fields.Field(attribute="act", column_name="act", widget=ActWidget())
    topics = fields.Field(attribute="topics", column_name="topics", widget=TopicsWidget())

    class Meta(LawsResource.Meta):
        model = Provision
        fields = (
            "country",
            "act",
            "number",
            "slug",
            "title",
            "summary",
            "penalty_note",
            "topics",
            "source",
            "status",
        )
        import_id_fields = ("country", "act", "number")

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related("country", "act").prefetch_related("topics")


# --- benchmarks: records named by keys that span several fields --------------------------------

# How a spreadsheet names a criterion and an assessment's evidence, in both formats below: one
# text per record, unique across countries (so evidence of another country can be named, and is
# then flagged to editors like in the admin).
COMPOSITE_KEYS = {
    # icmec-csam-model-legislation: Possession
    Criterion: (("framework",), lambda c: f"{c.framework.slug}: {c.short_label}"),
    # lt-criminal-code/309 (the provision's page is /laws/lt-criminal-code/309/)
    Provision: (("act",), lambda p: f"{p.act.slug}/{p.slug}"),
    # LT: child
    ChildDefinition: (("country",), lambda d: f"{d.country.iso_code}: {d.term}"),
    # LT: Convention on Cybercrime: in_force
    CountryInstrumentStatus: (
        ("country", "instrument"),
        lambda s: f"{s.country.iso_code}: {s.instrument.short_name}: {s.status_kind}",
    ),
}
COMPOSITE_HELP = {
    Criterion: "The framework's slug and the criterion's short label: “icmec-csam-model-"
    "legislation: Possession”.",
    Provision: "Act slug / provision slug, as in the provision's address: “lt-criminal-code/309”.",
    ChildDefinition: "ISO code and term: “LT: child”.",
    CountryInstrumentStatus: "ISO code, instrument short name and step: “LT: Convention on "
    "Cybercrime: in_force”.",
}


def _fold(text):
    return " ".join(str(text).split()).casefold()


class CompositeKeys:
    """Key text <-> id of every record of one model (COMPOSITE_KEYS), read in one query."""

    def __init__(self, model):
        self.model = model
        self.related, self.key = COMPOSITE_KEYS[model]
        self._by_key = self._by_id = None

    def load(self):
        if self._by_key is None:
            self._by_key, self._by_id = {}, {}
            records = self.model._default_manager.select_related(*self.related).order_by()
            for record in records.iterator(chunk_size=2000):
                text = self.key(record)
                self._by_key[_fold(text)] = record.pk
                self._by_id[record.pk] = text
        return self

    def id_for(self, text, scope_id=None):
        return self.load()._by_key.get(_fold(text))

    def key_for(self, pk):
        return self.load()._by_id.get(pk, "")

    def add(self, pk, key, scope_id=None):
        self.load()
        self._by_key[_fold(key)] = pk
        self._by_id[pk] = key


class CompositeForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key named by its COMPOSITE_KEYS text (django-import-export)."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if not hasattr(self, "_keys"):
            self._keys = CompositeKeys(self.model)
        pk = self._keys.id_for(value)
        if pk is None:
            raise ValueError(f"No {self.model._meta.verbose_name} “{value}”.")
        return self.model._default_manager.get(pk=pk)

    def render(self, value, obj=None, **kwargs):
        return COMPOSITE_KEYS[self.model][1](value) if value is not None else ""


class CompositeManyToManyWidget(ManyToManyWidget):
    """Records named by their COMPOSITE_KEYS texts, separated by ";"; an unknown one is an error."""

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=";", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if not value:
            return self.model._default_manager.none()
        if not hasattr(self, "_keys"):
            self._keys = CompositeKeys(self.model)
        wanted = [part.strip() for part in str(value).split(self.separator) if part.strip()]
        ids = {part: self._keys.id_for(part) for part in wanted}
        missing = [part for part, pk in ids.items() if pk is None]
        if missing:
            name = self.model._meta.verbose_name_plural
            raise ValueError(f"Unknown {name}: {', '.join(missing)}.")
        return self.model._default_manager.filter(pk__in=ids.values())

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        key = COMPOSITE_KEYS[self.model][1]
        return f"{self.separator} ".join(sorted(key(record) for record in value.all()))


class FrameworkResource(LawsResource):
    class Meta(LawsResource.Meta):
        model = Framework
        fields = (
            "slug",
            "name",
            "publisher",
            "edition",
            "year",
            "url",
            "description",
            "status",
        )
        import_id_fields = ("slug",)


class CriterionResource(LawsResource):
    framework = fields.Field(
        attribute="framework",
        column_name="framework",
        widget=CachedForeignKeyWidget(Framework, field="slug"),
    )

    class Meta(LawsResource.Meta):
        model = Criterion
        fields = ("framework", "order", "short_label", "wording", "group", "status")
        import_id_fields = ("framework", "short_label")


def _evidence_field(name, model):
    return fields.Field(
        attribute=name, column_name=name, widget=CompositeManyToManyWidget(model), m2m_add=False
    )


class AssessmentResource(LawsResource):
    """One row per country and criterion; the evidence columns list records by COMPOSITE_KEYS."""

    country = country_field()
    criterion = fields.Field(
        attribute="criterion",
        column_name="criterion",
        widget=CompositeForeignKeyWidget(Criterion),
    )
    provisions = _evidence_field("provisions", Provision)
    instrument_statuses = _evidence_field("instrument_statuses", CountryInstrumentStatus)
    definitions = _evidence_field("definitions", ChildDefinition)

    class Meta(LawsResource.Meta):
        model = Assessment
        fields = (
            "country",
            "criterion",
            "answer",
            "provisions",
            "instrument_statuses",
            "definitions",
            "reasoning",
            "as_of",
            "source",
            "status",
        )
        import_id_fields = ("country", "criterion")

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related("country", "criterion__framework").prefetch_related(
            *(
                models.Prefetch(name, queryset=model._default_manager.select_related(*related))
                for name, (model, related) in {
                    "provisions": (Provision, ("act",)),
                    "instrument_statuses": (CountryInstrumentStatus, ("country", "instrument")),
                    "definitions": (ChildDefinition, ("country",)),
                }.items()
            )
        )


# --- the fast bulk path (portal.bulk): one documented column format per record type ----------


class CompositeForeignKeyColumn(ForeignKeyColumn):
    """A foreign key named by its COMPOSITE_KEYS text; rendered in Python (no SQL form)."""

    def __init__(self, name, **kwargs):
        super().__init__(name, key="key", **kwargs)

    def bind(self, model):
        super().bind(model)
        self.help_text = self.help_text or COMPOSITE_HELP[self.related]
        self.type_name = f"{self.related._meta.verbose_name} by key"
        return self

    def keymap(self, ctx):
        return ctx._keymaps.setdefault(
            (self.related, "composite", None), CompositeKeys(self.related)
        )

    def sql(self, alias, quote):
        return None


class CompositeManyToManyColumn(ManyToManyColumn):
    """Records named by their COMPOSITE_KEYS texts, separated by ";"."""

    def __init__(self, name, **kwargs):
        super().__init__(name, key="key", **kwargs)

    def bind(self, model):
        super().bind(model)
        self.help_text = self.help_text or COMPOSITE_HELP[self.related]
        self.type_name = f"list of {self.related._meta.verbose_name_plural} by key, separated by ;"
        return self

    def keymap(self, ctx):
        return ctx._keymaps.setdefault(
            (self.related, "composite", None), CompositeKeys(self.related)
        )

    def sql_aggregate(self, quote):
        return None


def _country():
    return ForeignKeyColumn(
        "country", key="iso_code", normalise=upper, help_text="ISO code, e.g. LT."
    )


def _act(**kwargs):
    return ForeignKeyColumn(
        "act",
        key="title",
        scope=("country", "country"),
        help_text="The act's exact title, within the row's country.",
        **kwargs,
    )


def _provision_slug(values, ctx):
    return f"{values.get('number', '')} {values.get('title', '')}"


BULK_SPECS = [
    RecordSpec(
        "law-topics",
        Topic,
        [FieldColumn("slug"), FieldColumn("name"), FieldColumn("description"), status_column()],
        key=("slug",),
    ),
    RecordSpec(
        "instruments",
        Instrument,
        [
            FieldColumn("short_name"),
            FieldColumn("title"),
            FieldColumn("kind"),
            FieldColumn("body"),
            FieldColumn("year_adopted"),
            FieldColumn("summary"),
            status_column(),
        ],
        key=("short_name",),
    ),
    RecordSpec(
        "legal-acts",
        LegalAct,
        [
            _country(),
            FieldColumn("title"),
            FieldColumn("short_title"),
            FieldColumn("slug", help_text="Made from the title when empty."),
            FieldColumn("kind"),
            FieldColumn("summary"),
            FieldColumn("source"),
            status_column(),
        ],
        key=("country", "title"),
        slug_from=lambda values, ctx: values.get("short_title") or values.get("title", ""),
    ),
    RecordSpec(
        "legal-ages",
        LegalAge,
        [
            _country(),
            FieldColumn("kind"),
            FieldColumn("age"),
            FieldColumn("lowered_age"),
            FieldColumn("exceptions"),
            FieldColumn("source"),
            status_column(),
        ],
        key=("country", "kind"),
    ),
    RecordSpec(
        "child-definitions",
        ChildDefinition,
        [
            _country(),
            FieldColumn("term"),
            _act(),
            FieldColumn("min_age"),
            FieldColumn("max_age"),
            FieldColumn("definition"),
            FieldColumn("source"),
            status_column(),
        ],
        key=("country", "term"),
    ),
    RecordSpec(
        "instrument-statuses",
        CountryInstrumentStatus,
        [
            _country(),
            ForeignKeyColumn("instrument", key="short_name"),
            FieldColumn("status_kind"),
            FieldColumn("date"),
            FieldColumn(
                "date_precision",
                help_text=(
                    "Required when `date` is given, empty when it is not: year, month or day, "
                    "as much of the date as the source gives ('July 2004' is month)."
                ),
            ),
            FieldColumn("notes"),
            FieldColumn("source"),
            status_column(),
        ],
        key=("country", "instrument", "status_kind"),
    ),
    RecordSpec(
        "provisions",
        Provision,
        [
            _country(),
            _act(),
            FieldColumn("number"),
            FieldColumn("slug", help_text="Made from number and title when empty."),
            FieldColumn("title"),
            FieldColumn("summary"),
            FieldColumn("penalty_note"),
            ManyToManyColumn("topics", key="slug"),
            FieldColumn("source"),
            status_column(),
        ],
        key=("country", "act", "number"),
        slug_from=_provision_slug,
        slug_scope="act",
    ),
    RecordSpec(
        "frameworks",
        Framework,
        [
            FieldColumn("slug"),
            FieldColumn("name"),
            FieldColumn("publisher"),
            FieldColumn("edition"),
            FieldColumn("year"),
            FieldColumn("url"),
            FieldColumn("description"),
            status_column(),
        ],
        key=("slug",),
    ),
    RecordSpec(
        "criteria",
        Criterion,
        [
            ForeignKeyColumn("framework", key="slug"),
            FieldColumn("order"),
            FieldColumn("short_label"),
            FieldColumn("wording"),
            FieldColumn("group"),
            status_column(),
        ],
        key=("framework", "short_label"),
    ),
    RecordSpec(
        "assessments",
        Assessment,
        [
            _country(),
            CompositeForeignKeyColumn("criterion"),
            FieldColumn("answer"),
            CompositeManyToManyColumn("provisions"),
            CompositeManyToManyColumn("instrument_statuses"),
            CompositeManyToManyColumn("definitions"),
            FieldColumn("reasoning"),
            FieldColumn("as_of"),
            FieldColumn("source"),
            status_column(),
        ],
        key=("country", "criterion"),
    ),
]
