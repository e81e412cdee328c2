"""The spreadsheet columns of the legislation records: one django-import-export Resource per type.

Columns name related records the way editors know them: a country by its ISO code (LT), an
instrument by its short name, an act by its title (within the row's country), topics by slug
separated by ";" as every list. portal.resources.RecordResource runs them through the fast
engine: related tables are read once per file, not once per row.
"""

from import_export import widgets

from portal.bulk.columns import ForeignKeyColumn, ManyToManyColumn
from portal.resources import (
    NaturalKeyListWidget,
    NaturalKeyWidget,
    RecordField,
    RecordResource,
    country_field,
)

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
    provision_slug,
)


def act_field():
    return RecordField(
        attribute="act",
        widget=NaturalKeyWidget(LegalAct, "title", scope="country"),
        help_text="The act's exact title, within the row's country.",
    )


def _act_slug(values, ctx):
    return values.get("short_title") or values.get("title", "")


def _provision_slug(values, ctx):
    return provision_slug(values.get("number", ""), values.get("title", ""))


class TopicResource(RecordResource):
    class Meta:
        model = Topic
        name = "law-topics"
        import_id_fields = ("slug",)
        fields = ("slug", "name", "description", "status")


class InstrumentResource(RecordResource):
    class Meta:
        model = Instrument
        name = "instruments"
        import_id_fields = ("short_name",)
        fields = ("short_name", "title", "kind", "body", "year_adopted", "summary", "status")


class LegalActResource(RecordResource):
    country = country_field()
    slug = RecordField(attribute="slug", help_text="Made from the title when empty.")

    class Meta:
        model = LegalAct
        name = "legal-acts"
        import_id_fields = ("country", "title")
        fields = ("country", "title", "short_title", "slug", "kind", "summary", "source", "status")
        slug_from = _act_slug


class LegalAgeResource(RecordResource):
    country = country_field()

    class Meta:
        model = LegalAge
        name = "legal-ages"
        import_id_fields = ("country", "kind")
        fields = ("country", "kind", "age", "lowered_age", "exceptions", "source", "status")


class ChildDefinitionResource(RecordResource):
    country = country_field()
    act = act_field()

    class Meta:
        model = ChildDefinition
        name = "child-definitions"
        import_id_fields = ("country", "term")
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


class CountryInstrumentStatusResource(RecordResource):
    country = country_field()
    instrument = RecordField(
        attribute="instrument", widget=NaturalKeyWidget(Instrument, "short_name")
    )
    date_precision = RecordField(
        attribute="date_precision",
        help_text=(
            "Required when `date` is given, empty when it is not: year, month or day, as much "
            "of the date as the source gives ('July 2004' is month)."
        ),
    )

    class Meta:
        model = CountryInstrumentStatus
        name = "instrument-statuses"
        import_id_fields = ("country", "instrument", "status_kind")
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


class ProvisionResource(RecordResource):
    """One row per provision: country + act title + number identify it. Penalty rows are edited
    in the admin, inline on the provision."""

    country = country_field()
    act = act_field()
    slug = RecordField(
        attribute="slug",
        help_text="Made from the number when empty (151.1: 151-1), or from the title without one.",
    )
    topics = RecordField(attribute="topics", widget=NaturalKeyListWidget(Topic, "slug"))

    class Meta:
        model = Provision
        name = "provisions"
        import_id_fields = ("country", "act", "number")
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
        slug_from = _provision_slug
        slug_scope = "act"


# --- benchmarks: records named by keys that span several fields --------------------------------

# How a spreadsheet names a criterion and an assessment's evidence: one text per record, unique
# across countries (so evidence of another country can be named, and is then flagged to editors
# as in the admin).
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
    """Key text <-> id of every record of one model (COMPOSITE_KEYS), read in one query; the
    engine's key map for the columns below."""

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


def _composite_keymap(column, ctx):
    return ctx._keymaps.setdefault(
        (column.related, "composite", None), CompositeKeys(column.related)
    )


class CompositeForeignKeyColumn(ForeignKeyColumn):
    """A foreign key named by its COMPOSITE_KEYS text; rendered in Python (no SQL form)."""

    def __init__(self, name, attribute=None, **kwargs):
        super().__init__(name, attribute, key="key", **kwargs)

    def bind(self, model):
        super().bind(model)
        self.help_text = self.help_text or COMPOSITE_HELP[self.related]
        self.type_name = f"{self.related._meta.verbose_name} by key"
        return self

    def keymap(self, ctx):
        return _composite_keymap(self, ctx)

    def sql(self, alias, quote):
        return None


class CompositeManyToManyColumn(ManyToManyColumn):
    """Records named by their COMPOSITE_KEYS texts, separated by ";"."""

    def __init__(self, name, attribute=None, **kwargs):
        super().__init__(name, attribute, key="key", **kwargs)

    def bind(self, model):
        super().bind(model)
        self.help_text = self.help_text or COMPOSITE_HELP[self.related]
        self.type_name = f"list of {self.related._meta.verbose_name_plural} by key, separated by ;"
        return self

    def keymap(self, ctx):
        return _composite_keymap(self, ctx)

    def sql_aggregate(self, quote):
        return None


class CompositeKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key named by its COMPOSITE_KEYS text (a criterion: "framework-slug: label")."""

    def column(self, name, attribute, **options):
        return CompositeForeignKeyColumn(name, attribute, **options)


class CompositeKeyListWidget(widgets.ManyToManyWidget):
    """Records named by their COMPOSITE_KEYS texts, separated by ";" (an assessment's evidence)."""

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=";", **kwargs)

    def column(self, name, attribute, **options):
        return CompositeManyToManyColumn(name, attribute, **options)


class FrameworkResource(RecordResource):
    class Meta:
        model = Framework
        name = "frameworks"
        import_id_fields = ("slug",)
        fields = ("slug", "name", "publisher", "edition", "year", "url", "description", "status")


class CriterionResource(RecordResource):
    framework = RecordField(attribute="framework", widget=NaturalKeyWidget(Framework, "slug"))

    class Meta:
        model = Criterion
        name = "criteria"
        import_id_fields = ("framework", "short_label")
        fields = ("framework", "order", "short_label", "wording", "group", "status")


class AssessmentResource(RecordResource):
    """One row per country and criterion; the evidence columns list records by COMPOSITE_KEYS."""

    country = country_field()
    criterion = RecordField(attribute="criterion", widget=CompositeKeyWidget(Criterion))
    provisions = RecordField(attribute="provisions", widget=CompositeKeyListWidget(Provision))
    instrument_statuses = RecordField(
        attribute="instrument_statuses", widget=CompositeKeyListWidget(CountryInstrumentStatus)
    )
    definitions = RecordField(
        attribute="definitions", widget=CompositeKeyListWidget(ChildDefinition)
    )

    class Meta:
        model = Assessment
        name = "assessments"
        import_id_fields = ("country", "criterion")
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
