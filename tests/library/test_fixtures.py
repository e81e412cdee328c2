from django.core.management import call_command

from library.models import Author, Authorship, Report, ReportTitle, Topic
from library.names import parse_author_line
from library.services import normalise_title
from portal.models import Status

from .conftest import FIXTURES, seed_entries


def report_for(title, year):
    """The one stored report whose title or alternative title is `title` (same year)."""
    key = normalise_title(title)
    matches = {
        report
        for report in Report.objects.filter(year=year).prefetch_related("titles")
        if key
        in {normalise_title(report.title), *(normalise_title(t.title) for t in report.titles.all())}
    }
    assert len(matches) == 1, f"{title} ({year}) matches {matches}"
    return matches.pop()


def test_page_has_27_entries_and_24_distinct_reports(library):
    entries = seed_entries()
    assert len(entries) == 27
    reports = {report_for(title, year) for title, year, _, _ in entries}
    assert len(reports) == 24
    assert Report.objects.count() == 24
    assert set(Report.objects.all()) == reports


def test_every_entry_is_stored_by_its_exact_title_or_alternative_title(library):
    stored = {(r.title, r.year) for r in Report.objects.all()} | {
        (t.title, t.report.year) for t in ReportTitle.objects.select_related("report")
    }
    typographic = str.maketrans({"’": "'"})
    for title, year, _, _ in seed_entries():
        assert (title.translate(typographic), year) in stored, title


def test_each_duplicate_is_stored_once_with_its_other_title(library):
    national = Report.objects.filter(title="EU Kids Online: National perspectives", year=2012)
    assert national.count() == 1
    classification = report_for(
        "Country classification: opportunities, risks, harm and parental mediation", 2013
    )
    assert classification.title == (
        "Country Classification: Opportunities, Risks, Harm and Parental Mediation"
    )
    assert list(classification.titles.values_list("title", flat=True)) == [
        "Country classification: opportunities, risks, harm and parental mediation"
    ]
    excessive = Report.objects.get(title="Excessive Internet Use by European Children", year=2012)
    assert list(excessive.titles.values_list("title", flat=True)) == [
        "EU Kids Online: Excessive Internet Use among European Children"
    ]
    # merged summaries keep the facts of both entries
    assert "25" in excessive.summary and "further analysis" in excessive.summary
    assert "harm" in classification.summary and "25" in classification.summary


def test_livingstone_is_one_author_linked_to_all_her_reports_on_the_page(library):
    on_page = {
        report_for(title, year)
        for title, year, author_line, _ in seed_entries()
        if any(p.match_key == "livingstone|s" for p in parse_author_line(author_line)[0])
    }
    assert len(on_page) == 6
    livingstone = Author.objects.get(family_name="Livingstone")
    assert livingstone.given_names == "Sonia"
    assert set(livingstone.reports.all()) == on_page


def test_authors_are_in_page_order_and_one_record_per_person(library):
    for title, year, author_line, _ in seed_entries():
        report = report_for(title, year)
        people, corporate = parse_author_line(author_line)
        stored = [a.author.match_key for a in report.authorships.select_related("author")]
        # the first listing of a report gives the order
        if report.title == title.replace("’", "'"):
            assert stored[: len(people)] == [p.match_key for p in people]
        if corporate:
            assert corporate in report.corporate_author
    keys = list(Author.objects.values_list("match_key", flat=True))
    assert len(keys) == len(set(keys))
    helsper = Author.objects.get(family_name="Helsper")
    assert helsper.given_names == "E. J."  # the page never gives her full first name
    assert Author.objects.get(family_name="Haddon").given_names == "Leslie"
    assert Author.objects.filter(match_key="oneill|b").count() == 1


def test_fixture_records_are_published_lithuanian_and_dated(library):
    for report in Report.objects.prefetch_related("countries"):
        assert report.status == Status.PUBLISHED
        assert [c.iso_code for c in report.countries.all()] == ["LT"]
        assert report.created_at and report.updated_at
        assert report.doi == "" and report.url == ""  # the page gives none
        report.full_clean()
    assert not Author.objects.exclude(status=Status.PUBLISHED).exists()


def test_typos_of_the_page_are_fixed(library):
    text = " ".join(Report.objects.values_list("summary", flat=True))
    assert "reguarding" not in text
    assert "Intel 's" not in text
    assert "Intel's report" in text


def test_loading_twice_changes_nothing(library):
    counts = [m.objects.count() for m in (Report, Author, Authorship, ReportTitle, Topic)]
    snapshot = list(Report.objects.values().order_by("pk"))
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert [m.objects.count() for m in (Report, Author, Authorship, ReportTitle, Topic)] == counts
    assert list(Report.objects.values().order_by("pk")) == snapshot
