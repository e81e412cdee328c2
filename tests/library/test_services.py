import pytest

from library.models import Author, Report, ReportTitle
from library.names import PersonName
from library.services import (
    author_resolve,
    find_duplicate_reports,
    normalise_title,
    report_merge,
    report_set_authors,
)
from tests.profiles.factories import CountryFactory

from .factories import AuthorFactory, ReportFactory, TopicFactory

pytestmark = pytest.mark.django_db


def authors_of(report):
    return [a.author for a in report.authorships.select_related("author").order_by("position")]


def test_normalised_title_ignores_case_punctuation_accents_and_series_prefix():
    assert normalise_title("Country classification: opportunities, risks") == normalise_title(
        "Country Classification: Opportunities, Risks"
    )
    assert normalise_title("EU Kids Online: National perspectives") == normalise_title(
        "National Perspectives"
    )
    assert normalise_title("Children’s use") == normalise_title("Children's Use")
    assert normalise_title("A") != normalise_title("B")


def test_find_duplicates_by_title_or_alternative_title_and_year():
    report = ReportFactory(title="Country classification: opportunities", year=2013)
    ReportTitle.objects.create(report=report, title="Other name of it")
    ReportFactory(title="Country classification: opportunities", year=2014)
    assert find_duplicate_reports(title="COUNTRY CLASSIFICATION - Opportunities!", year=2013) == [
        report
    ]
    assert find_duplicate_reports(title="other name of it", year=2013) == [report]
    assert find_duplicate_reports(title="Something else", year=2013) == []
    assert find_duplicate_reports(title=report.title, year=2013, exclude=report) == []


def test_author_resolve_matches_existing_and_keeps_the_fullest_given_names():
    first = author_resolve(name=PersonName("Livingstone", "S."))
    assert Author.objects.count() == 1
    again = author_resolve(name=PersonName("Livingstone", "Sonia"))
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.given_names, again.initials) == ("Sonia", "S.")
    author_resolve(name=PersonName("Livingstone", "S."))
    again.refresh_from_db()
    assert again.given_names == "Sonia"  # never downgraded
    other = author_resolve(name=PersonName("Haddon", "L."))
    assert other.pk != first.pk and other.slug == "haddon-l"


def test_set_authors_orders_and_drops_repeats():
    a, b, c = AuthorFactory(), AuthorFactory(), AuthorFactory()
    report = ReportFactory(authors=[a, b])
    report_set_authors(report=report, authors=[c, a, c, b])
    assert authors_of(report) == [c, a, b]
    assert [x.position for x in report.authorships.order_by("position")] == [1, 2, 3]


def test_merge_moves_authors_topics_countries_and_titles_then_deletes_the_others():
    smahel, helsper, green, extra = (AuthorFactory() for _ in range(4))
    topic_a, topic_b = TopicFactory(), TopicFactory()
    lt, lv = CountryFactory(iso_code="LT"), CountryFactory(iso_code="LV")
    keep = ReportFactory(
        title="Excessive Internet Use by European Children",
        year=2012,
        summary="Short.",
        authors=[smahel, helsper],
        topics=[topic_a],
        countries=[lt],
    )
    other = ReportFactory(
        title="EU Kids Online: Excessive Internet Use among European Children",
        year=2012,
        summary="A longer summary of the same report.",
        publisher="LSE",
        authors=[smahel, green, helsper, extra],
        topics=[topic_a, topic_b],
        countries=[lv],
    )
    ReportTitle.objects.create(report=other, title="Excessive use")
    other_pk = other.pk
    merged = report_merge(keep=keep, others=[other])
    assert not Report.objects.filter(pk=other_pk).exists()
    assert merged.pk == keep.pk
    assert authors_of(merged) == [smahel, helsper, green, extra]
    assert set(merged.topics.all()) == {topic_a, topic_b}
    assert set(merged.countries.all()) == {lt, lv}
    assert set(merged.titles.values_list("title", flat=True)) == {
        "EU Kids Online: Excessive Internet Use among European Children",
        "Excessive use",
    }
    assert merged.summary == "A longer summary of the same report."
    assert merged.publisher == "LSE"
    # undoable: the deleted report and the previous state are in the history
    assert Report.history.filter(id=other_pk, history_type="-").exists()
    assert keep.history.filter(summary="Short.").exists()


def test_merge_rolls_back_completely_on_error(monkeypatch):
    keep = ReportFactory(title="Keep", year=2012)
    other = ReportFactory(title="Other", year=2012, authors=[AuthorFactory()])

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("library.services.report_set_alternative_titles", broken)
    with pytest.raises(RuntimeError):
        report_merge(keep=keep, others=[other])
    assert Report.objects.filter(pk=other.pk).exists()
    assert keep.authorships.count() == 0
