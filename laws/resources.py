"""The spreadsheet columns of the legislation records: one django-import-export Resource per type.

Columns name related records the way editors know them: a country by its ISO code (LT), an
instrument by its short name, an act by its title (within the row's country), topics by slug
separated by ";" as every list. portal.resources.RecordResource runs them through the fast
engine: related tables are read once per file, not once per row.
"""

from portal.resources import (
    NaturalKeyListWidget,
    NaturalKeyWidget,
    RecordField,
    RecordResource,
    country_field,
)

from .models import (
    ChildDefinition,
    CountryInstrumentStatus,
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
