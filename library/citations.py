"""Citations of reports: an APA-like text, BibTeX, RIS and CSL-JSON.

Every function reads `report.public_authorships` (ReportQuerySet.with_public_relations), so a list
of any length is rendered without further queries.
"""

import json
import re
import unicodedata

from django.utils.text import slugify

RIS_TYPE = "RPRT"
BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def authors_of(report):
    return [a.author for a in getattr(report, "public_authorships", [])]


def corporate_authors(report):
    return [c.strip() for c in report.corporate_author.split(";") if c.strip()]


# APA-like ----------------------------------------------------------------------------------------


def apa_name(author):
    initials = author.initials
    return f"{author.family_name}, {initials}" if initials else author.family_name


def apa(report):
    """'Livingstone, S., & Haddon, L. (2012). Title. Publisher. URL' as plain text."""
    names = [apa_name(a) for a in authors_of(report)] + corporate_authors(report)
    if len(names) > 1:
        credit = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        credit = names[0] if names else ""
    title = report.title.rstrip(".")
    parts = [f"{credit} ({report.year})." if credit else f"{title}. ({report.year})."]
    if credit:
        parts.append(f"{title}.")
    if report.publisher and report.publisher not in names:
        parts.append(f"{report.publisher}.")
    if report.doi:
        parts.append(f"https://doi.org/{report.doi}")
    elif report.url:
        parts.append(report.url)
    return " ".join(parts)


# BibTeX ------------------------------------------------------------------------------------------


def bibtex_escape(text):
    """Escape LaTeX specials; non-ASCII letters stay as they are (UTF-8 BibTeX/biblatex)."""
    return "".join(BIBTEX_SPECIALS.get(c, c) for c in " ".join(str(text).split()))


def citation_key(report):
    authors = authors_of(report)
    first = authors[0].family_name if authors else (corporate_authors(report) or ["anon"])[0]
    words = [w for w in re.findall(r"\w+", report.title) if len(w) > 3]
    word = words[0] if words else "report"
    key = slugify(f"{first} {report.year} {word}").replace("-", "")
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    return f"{ascii_key or 'report'}{report.pk}"


def bibtex_entry(report):
    names = [
        f"{{{bibtex_escape(a.family_name)}}}, {bibtex_escape(a.given_names)}"
        if a.given_names
        else f"{{{bibtex_escape(a.family_name)}}}"
        for a in authors_of(report)
    ]
    names += [f"{{{bibtex_escape(c)}}}" for c in corporate_authors(report)]
    institution = report.publisher or (corporate_authors(report) or [""])[0]
    fields = [
        ("author", " and ".join(names)),
        ("title", f"{{{bibtex_escape(report.title)}}}"),
        ("year", str(report.year)),
        ("institution", bibtex_escape(institution)),
        ("abstract", bibtex_escape(report.summary)),
        ("keywords", bibtex_escape(", ".join(t.name for t in report.topics.all()))),
        ("language", bibtex_escape(report.language)),
        ("url", report.url),
        ("doi", report.doi),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    # techreport needs an institution; without one the neutral misc type is the correct one.
    entry_type = "techreport" if institution else "misc"
    return f"@{entry_type}{{{citation_key(report)},\n{body}\n}}\n"


def bibtex(reports):
    return "\n".join(bibtex_entry(r) for r in reports)


# RIS ---------------------------------------------------------------------------------------------


def ris_entry(report):
    def line(tag, value):
        value = " ".join(str(value).split())
        return [f"{tag}  - {value}"] if value else []

    lines = line("TY", RIS_TYPE)
    for author in authors_of(report):
        lines += line("AU", author.sort_name)
    for corporate in corporate_authors(report):
        lines += line("AU", corporate)
    lines += line("TI", report.title)
    lines += line("PY", report.year)
    lines += line("PB", report.publisher)
    lines += line("AB", report.summary)
    for topic in report.topics.all():
        lines += line("KW", topic.name)
    lines += line("LA", report.language)
    lines += line("UR", report.url)
    lines += line("DO", report.doi)
    lines += line("ID", citation_key(report))
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def ris(reports):
    return "".join(ris_entry(r) for r in reports)


# CSL-JSON ----------------------------------------------------------------------------------------


def csl_item(report, base_url=""):
    authors = [
        {"family": a.family_name, "given": a.given_names}
        if a.given_names
        else {"family": a.family_name}
        for a in authors_of(report)
    ]
    authors += [{"literal": c} for c in corporate_authors(report)]
    item = {
        "id": citation_key(report),
        "type": "report",
        "title": report.title,
        "issued": {"date-parts": [[report.year]]},
    }
    optional = {
        "author": authors,
        "publisher": report.publisher,
        "abstract": report.summary,
        "keyword": ", ".join(t.name for t in report.topics.all()),
        "language": report.language,
        "URL": report.url,
        "DOI": report.doi,
        "genre": report.get_report_type_display() if report.report_type else "",
    }
    item.update({key: value for key, value in optional.items() if value})
    return item


def csljson(reports):
    return json.dumps([csl_item(r) for r in reports], ensure_ascii=False, indent=2) + "\n"


FORMATS = {
    # format: (renderer, content type, file extension)
    "bibtex": (bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": (ris, "application/x-research-info-systems; charset=utf-8", "ris"),
    "csljson": (csljson, "application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}
