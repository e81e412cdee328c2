"""Spreadsheet import/export of reports (natural key: title + year)."""

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from portal.bulk.columns import (
    FieldColumn,
    ManyToManyColumn,
    RelationColumn,
    upper,
    visible_rows,
)
from portal.bulk.spec import RecordSpec, status_column
from portal.resources import RecordResource
from profiles.models import Country

from .models import Author, Authorship, Report, ReportTitle, Topic
from .names import parse_author_cell
from .services import (
    author_resolve,
    find_duplicate_reports,
    report_set_alternative_titles,
    report_set_authors,
    report_slug,
)

SEPARATOR = ";"


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """A ";" list of natural keys; an unknown value is an error instead of being dropped."""

    def __init__(self, model, field, normalise=str.strip, **kwargs):
        self.normalise = normalise
        super().__init__(model, separator=SEPARATOR, field=field, **kwargs)

    def keys(self, value):
        if value in (None, ""):
            return []
        return [self.normalise(v) for v in str(value).split(self.separator) if v.strip()]

    def clean(self, value, row=None, **kwargs):
        keys = self.keys(value)
        found = self.model.objects.filter(**{f"{self.field}__in": keys})
        missing = set(keys) - {getattr(obj, self.field) for obj in found}
        if missing:
            name = self.model._meta.verbose_name
            raise ValueError(f"Unknown {name}: {', '.join(sorted(missing))}")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:  # an unsaved report has no relations yet
            return ""
        return f"{self.separator} ".join(sorted(str(getattr(o, self.field)) for o in value.all()))


class ReportResource(RecordResource):
    authors = fields.Field(
        column_name="authors",
        attribute=None,
        dehydrate_method="dehydrate_authors",
    )
    alternative_titles = fields.Field(
        column_name="alternative_titles", attribute=None, dehydrate_method="dehydrate_titles"
    )
    topics = fields.Field(
        column_name="topics", attribute="topics", widget=StrictManyToManyWidget(Topic, "name")
    )
    countries = fields.Field(
        column_name="countries",
        attribute="countries",
        widget=StrictManyToManyWidget(Country, "iso_code", normalise=lambda v: v.strip().upper()),
    )

    class Meta(RecordResource.Meta):
        model = Report
        # django-import-export reads options from this class only: repeat the base ones.
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = True
        import_id_fields = ("title", "year")
        fields = (
            "title",
            "year",
            "slug",
            "authors",
            "corporate_author",
            "publisher",
            "summary",
            "report_type",
            "topics",
            "countries",
            "language",
            "url",
            "doi",
            "source_note",
            "alternative_titles",
            "status",
        )
        export_order = fields

    # --- export ------------------------------------------------------------------------------
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related("authorships__author", "titles", "topics", "countries")
        )

    def dehydrate_authors(self, report):
        authorships = sorted(report.authorships.all(), key=lambda a: (a.position, a.pk))
        return f"{SEPARATOR} ".join(a.author.sort_name for a in authorships)

    def dehydrate_titles(self, report):
        return f"{SEPARATOR} ".join(t.title for t in report.titles.all())

    # --- import ------------------------------------------------------------------------------
    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        # the year is part of the natural key: check it before the record is looked up
        try:
            year = int(str(row.get("year", "")).strip().removesuffix(".0"))
        except ValueError:
            raise ValidationError({"year": ["Enter the year as four digits, e.g. 2013."]}) from None
        row["year"] = year

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        for name in ("topics", "countries"):
            if name in row and name not in errors:
                try:
                    self.fields[name].clean(row)
                except ValueError as e:
                    errors[name] = [str(e)]
        instance._import_authors = None
        if "authors" in row:
            try:
                instance._import_authors = parse_author_cell(str(row["authors"] or ""))
            except (ValueError, AttributeError) as e:
                errors["authors"] = [f"Cannot read the author list: {e}"]
            if any(not p.family for p in instance._import_authors or ()):
                errors["authors"] = ["Every author needs a family name: 'Family, Given; ...'."]
        instance._import_titles = None
        if "alternative_titles" in row:
            cell = str(row["alternative_titles"] or "")
            instance._import_titles = [t.strip() for t in cell.split(SEPARATOR) if t.strip()]
        if instance.title and instance.year and "title" not in errors:
            try:
                year = int(instance.year)
            except (TypeError, ValueError):
                year = None
            duplicates = year and find_duplicate_reports(
                title=instance.title, year=year, exclude=instance.pk
            )
            if duplicates:
                names = "; ".join(f"“{d}” (/library/{d.slug}/)" for d in duplicates)
                errors["title"] = [
                    f"Possible duplicate of the existing report {names}: same title and year "
                    "once case, punctuation and series prefixes are ignored. Use the existing "
                    "report's exact title to update it, or merge the reports in the admin."
                ]
        if not instance.slug and instance.title and instance.year:
            instance.slug = report_slug(instance.title, instance.year, exclude_pk=instance.pk)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        if original is None or original.pk is None:
            return False
        if instance._import_authors is not None:
            current = [a.author.match_key for a in original.authorships.select_related("author")]
            if current != list(dict.fromkeys(p.match_key for p in instance._import_authors)):
                return False
        if instance._import_titles is not None:
            current = set(original.titles.values_list("title", flat=True))
            if current != set(instance._import_titles) - {instance.title}:
                return False
        return True

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if instance._import_authors is not None:
            authors = [
                author_resolve(name=name, status=instance.status)
                for name in instance._import_authors
            ]
            report_set_authors(report=instance, authors=authors)
        if instance._import_titles is not None:
            report_set_alternative_titles(report=instance, titles=instance._import_titles)


# --- the fast bulk path (portal.bulk): one documented column format per record type ----------


class AuthorCell(tuple):
    """The authors' match keys in order (compared with the stored list); `.people` keeps the
    parsed names for writing, `.names` their "Family, Given" forms for the preview."""

    people = ()
    names = ()


class AuthorsColumn(RelationColumn):
    """Ordered persons "Family, Given; Family, Given"; new authors are created when written."""

    type_name = "list of “Family, Given” names, separated by ; (order kept)"

    def parse(self, raw, ctx, values):
        try:
            people = parse_author_cell(str(raw or ""))
        except (ValueError, AttributeError) as error:
            raise ValueError(f"Cannot read the author list: {error}") from None
        if any(not person.family for person in people):
            raise ValueError("Every author needs a family name: 'Family, Given; ...'.")
        cell = AuthorCell(dict.fromkeys(person.match_key for person in people))
        cell.people = people
        cell.names = [f"{p.family}, {p.given}" if p.given else p.family for p in people]
        return cell

    def load_current(self, ctx, ids):
        current = {pk: [] for pk in ids}
        rows = Authorship.objects.filter(report_id__in=ids).order_by("position", "pk")
        rows = visible_rows(ctx, rows, Author, "author")
        for report, key, family, given in rows.values_list(
            "report_id", "author__match_key", "author__family_name", "author__given_names"
        ):
            current[report].append((key, f"{family}, {given}" if given else family))
        return {pk: _Authors(links) for pk, links in current.items()}

    def write(self, ctx, changes):
        for report, cell in changes:
            authors = [author_resolve(name=p, status=report.status) for p in cell.people]
            report_set_authors(report=report, authors=authors)

    def render_value(self, value, ctx):
        return "; ".join(value.names)


class _Authors(tuple):
    """Stored authors: compares as their match keys; `.names` are their sort names."""

    def __new__(cls, links):
        value = super().__new__(cls, (key for key, _ in links))
        value.names = [name for _, name in links]
        return value


class AlternativeTitlesColumn(RelationColumn):
    type_name = "list of titles, separated by ;"

    def parse(self, raw, ctx, values):
        titles = {" ".join(t.split()) for t in self.split(raw)}
        return frozenset(titles - {values.get("title")})

    def load_current(self, ctx, ids):
        current = {pk: set() for pk in ids}
        for report, title in ReportTitle.objects.filter(report_id__in=ids).values_list(
            "report_id", "title"
        ):
            current[report].add(title)
        return {pk: frozenset(titles) for pk, titles in current.items()}

    def write(self, ctx, changes):
        for report, titles in changes:
            report_set_alternative_titles(report=report, titles=sorted(titles))

    def render_value(self, value, ctx):
        return "; ".join(sorted(value))


class ReportSpec(RecordSpec):
    def validate_row(self, ctx, values, record, relations):
        if record.pk is not None or "title" not in values:
            return {}
        duplicates = find_duplicate_reports(title=values["title"], year=values["year"])
        if not duplicates:
            return {}
        names = "; ".join(f"“{d}” (/library/{d.slug}/)" for d in duplicates)
        return {
            "title": f"Possible duplicate of the existing report {names}: use its exact title "
            "to update it, or merge the reports in the admin."
        }


BULK_SPECS = [
    ReportSpec(
        "reports",
        Report,
        [
            FieldColumn("title"),
            FieldColumn("year"),
            FieldColumn("slug", help_text="Made from title and year when empty."),
            AuthorsColumn("authors"),
            FieldColumn("corporate_author"),
            FieldColumn("publisher"),
            FieldColumn("summary"),
            FieldColumn("report_type"),
            ManyToManyColumn("topics", key="name"),
            ManyToManyColumn("countries", key="iso_code", normalise=upper),
            FieldColumn("language"),
            FieldColumn("url"),
            FieldColumn("doi"),
            FieldColumn("source_note"),
            AlternativeTitlesColumn("alternative_titles"),
            status_column(),
        ],
        key=("title", "year"),
        slug_from=lambda values, ctx: f"{values.get('title', '')[:80]} {values.get('year', '')}",
    ),
]
