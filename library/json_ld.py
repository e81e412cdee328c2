"""schema.org metadata of the library's pages (portal/json_ld.py)."""

from portal.json_ld import compact, country, thing


def report_json_ld(report, request):
    """A Report, from the relations the detail view prefetched (public authors and countries)."""
    authors = [
        compact(
            {
                "@type": "Person",
                "name": a.author.display_name,
                "url": request.build_absolute_uri(a.author.get_absolute_url()),
            }
        )
        for a in report.public_authorships
    ]
    if not authors and report.corporate_author:
        authors = [{"@type": "Organization", "name": report.corporate_author}]
    same_as = [report.url] if report.url else []
    if report.doi:
        same_as.append(f"https://doi.org/{report.doi}")
    return thing(
        "Report",
        request,
        report,
        name=report.title,
        datePublished=str(report.year) if report.year else None,
        author=authors,
        publisher={"@type": "Organization", "name": report.publisher} if report.publisher else None,
        abstract=report.summary,
        inLanguage=report.language,
        keywords=[topic.name for topic in report.topics.all()],
        spatialCoverage=[country(c) for c in report.public_countries],
        sameAs=same_as,
    )
