"""The library's record types, as portal's engines see them (portal/records.py)."""

from collections import defaultdict

from portal.records import (
    ApiEndpoint,
    ListPage,
    RecordType,
    SitemapSection,
    register,
    register_country_section,
    register_home_section,
)
from portal.search.types import SearchDocument

from .filters import ReportFilter
from .models import Author, Authorship, Report, public_authorships_prefetch
from .resources import ReportResource
from .sections import country_section, home_section


def _join(*parts):
    return " · ".join(p for p in parts if p)


def author_names(report_ids):
    """{report id: "Given Family, Given Family"}: the public authors in order (one query)."""
    names = defaultdict(list)
    rows = (
        Authorship.objects.public()
        .filter(report_id__in=report_ids)
        .order_by("position", "pk")
        .values_list("report_id", "author__given_names", "author__family_name")
    )
    for report_id, given, family in rows:
        names[report_id].append(" ".join(part for part in (given, family) if part))
    return {report_id: ", ".join(people) for report_id, people in names.items()}


def _report_texts(report):
    authors = ", ".join(a.author.display_name for a in report.public_authorships)
    return report.title, _join(authors or report.corporate_author, report.summary)


register(
    RecordType(
        Author,
        search=SearchDocument(
            key="authors",
            label="Authors",
            singular="Author",
            order=60,
            title=("given_names", "family_name"),
            texts=lambda a: (a.display_name, "Author"),
        ),
        sitemap=SitemapSection(),
        # The matching key is the imports' internal normalised name.
        api=ApiEndpoint("authors", lookup=("slug",), private=("match_key",)),
    ),
    RecordType(
        Report,
        list_page=ListPage("library:report-list", "Library", menu_order=40),
        search=SearchDocument(
            key="reports",
            label="Reports",
            singular="Report",
            order=50,
            title=("title",),
            body=("corporate_author", "publisher", "summary"),
            year="year",
            countries_m2m="countries",
            also_titles="titles__title",
            related_text=author_names,
            # Author names are in the text: a renamed author, a changed author list; alternative
            # titles are in the title.
            depends_on=("authors", "authorships", "titles"),
            texts=_report_texts,
            prefetch=lambda: [public_authorships_prefetch()],
        ),
        sitemap=SitemapSection(),
        api=ApiEndpoint("reports", lookup=("slug",), filterset=ReportFilter),
        resource=ReportResource,
    ),
)
register_country_section(country_section)
register_home_section(home_section)
