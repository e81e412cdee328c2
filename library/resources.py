"""The spreadsheet columns of reports (natural key: title + year), as a django-import-export
Resource that portal.resources.RecordResource runs through the fast engine."""

from portal.bulk.columns import RelationColumn, visible_rows
from portal.resources import (
    NaturalKeyListWidget,
    RecordField,
    RecordResource,
    RelationWidget,
    countries_field,
)

from .models import Author, Authorship, Report, ReportTitle, Topic
from .names import parse_author_cell
from .services import (
    author_resolve,
    find_duplicate_reports,
    report_set_alternative_titles,
    report_set_authors,
)


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


def _report_slug(values, ctx):
    return f"{values.get('title', '')[:80]} {values.get('year', '')}"


class ReportResource(RecordResource):
    slug = RecordField(attribute="slug", help_text="Made from title and year when empty.")
    authors = RecordField(attribute="authors", widget=RelationWidget(AuthorsColumn))
    topics = RecordField(attribute="topics", widget=NaturalKeyListWidget(Topic, "name"))
    countries = countries_field()
    alternative_titles = RecordField(
        attribute="alternative_titles", widget=RelationWidget(AlternativeTitlesColumn)
    )

    class Meta:
        model = Report
        name = "reports"
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
        slug_from = _report_slug

    @staticmethod
    def validate_row(ctx, values, record, relations):
        """A new report with the title and year of an existing one (case, punctuation and
        series prefixes aside) is refused: it is almost always the same report."""
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
