import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from library.citations import apa, bibtex, csljson, ris
from library.models import Report

from .factories import AuthorFactory, ReportFactory

SCHEMA = json.loads((Path(__file__).parent / "csl-data.schema.json").read_text())


def loaded(queryset=None):
    return list((queryset or Report.objects.all()).with_public_relations().order_by("pk"))


@pytest.fixture
def tricky(db):
    """A report whose title and names need escaping: LaTeX specials and non-ASCII letters."""
    return ReportFactory(
        title="Risks & safety: 100% of {children} #1 in_Europe ~ $5 ^ back\\slash",
        year=2013,
        corporate_author="EU Kids Online network",
        publisher="Pew & Co",
        authors=[
            AuthorFactory(family_name="Ólafsson", given_names="K.", initials="K."),
            AuthorFactory(family_name="de Haan", given_names="J.", initials="J."),
            AuthorFactory(family_name="O'Neill", given_names="Brian", initials="B."),
        ],
        url="https://example.org/report?a=1&b=2",
        doi="10.1234/abc_1",
    )


def test_bibtex_parses_with_every_special_character(tricky):
    text = bibtex(loaded())
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "techreport"
    decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    # pylatexenc renders LaTeX's \textasciicircum as the modifier letter U+02C6
    assert decoded.entries[0]["title"].replace("\u02c6", "^") == tricky.title
    assert decoded.entries[0]["year"] == "2013"
    names = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    ).entries[0]["author"]
    assert ["".join(n.last).strip("{}") for n in names] == [
        "Ólafsson",
        "de Haan",
        "O'Neill",
        "EU Kids Online network",
    ]
    assert [n.first for n in names[:3]] == [["K."], ["J."], ["Brian"]]


def test_bibtex_of_the_whole_fixture_parses(library):
    reports = loaded()
    parsed = bibtexparser.parse_string(bibtex(reports))
    assert not parsed.failed_blocks
    assert len(parsed.entries) == len(reports) == 24
    assert len({e.key for e in parsed.entries}) == 24


def test_ris_parses(tricky):
    (record,) = rispy.loads(ris(loaded()))
    assert record["type_of_reference"] == "RPRT"
    assert record["title"] == tricky.title
    assert record["year"] == "2013"
    assert record["authors"] == [
        "Ólafsson, K.",
        "de Haan, J.",
        "O'Neill, Brian",
        "EU Kids Online network",
    ]
    assert record["publisher"] == "Pew & Co"
    assert record["doi"] == "10.1234/abc_1"


def test_ris_of_the_whole_fixture_parses(library):
    records = rispy.loads(ris(loaded()))
    assert len(records) == 24
    assert all(r["type_of_reference"] == "RPRT" and r["title"] for r in records)


def test_csljson_of_the_whole_fixture_is_valid(library):
    items = json.loads(csljson(loaded()))
    jsonschema.validate(items, SCHEMA)
    assert len(items) == 24
    assert len({i["id"] for i in items}) == 24


def test_csljson_is_valid_against_the_schema(tricky):
    items = json.loads(csljson(loaded()))
    jsonschema.validate(items, SCHEMA)
    item = next(i for i in items if i["title"] == tricky.title)
    assert item["type"] == "report"
    assert item["issued"] == {"date-parts": [[2013]]}
    assert item["author"][0] == {"family": "Ólafsson", "given": "K."}
    assert item["author"][-1] == {"literal": "EU Kids Online network"}


def test_schema_rejects_a_broken_item():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "x", "type": "no-such-type"}], SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "x", "type": "report", "author": [{"name": "X"}]}], SCHEMA)


def test_apa_style_citation(tricky):
    (report,) = loaded()
    assert apa(report) == (
        "Ólafsson, K., de Haan, J., O'Neill, B., & EU Kids Online network (2013). "
        f"{tricky.title}. Pew & Co. https://doi.org/10.1234/abc_1"
    )


def test_apa_without_authors_starts_with_the_title(db):
    ReportFactory(title="Education on Online Safety in Schools in Europe", year=2009)
    (report,) = loaded()
    assert apa(report) == "Education on Online Safety in Schools in Europe. (2009)."
