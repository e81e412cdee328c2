import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from library.models import Author, Report, Topic
from portal.models import Status

from .factories import AuthorFactory, ReportFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_natural_keys_round_trip():
    report = ReportFactory(title="Zero to Eight", year=2013)
    author = AuthorFactory(family_name="Livingstone", given_names="Sonia")
    topic = TopicFactory(name="Online risks")
    assert Report.objects.get_by_natural_key(*report.natural_key()) == report
    assert Author.objects.get_by_natural_key(*author.natural_key()) == author
    assert author.natural_key() == ("livingstone|s",)
    assert Topic.objects.get_by_natural_key(*topic.natural_key()) == topic


def test_title_and_year_are_unique_together():
    ReportFactory(title="Zero to Eight", year=2013)
    ReportFactory(title="Zero to Eight", year=2014)
    with pytest.raises(IntegrityError):
        ReportFactory(title="Zero to Eight", year=2013)


def test_doi_and_language_are_validated():
    report = ReportFactory.build(slug="x", doi="not a doi", language="English")
    with pytest.raises(ValidationError) as error:
        report.full_clean()
    assert {"doi", "language"} <= set(error.value.message_dict)


def test_names_and_urls():
    author = AuthorFactory(family_name="Helsper", given_names="E. J.", slug="helsper-e-j")
    assert author.sort_name == "Helsper, E. J."
    assert author.display_name == "E. J. Helsper"
    assert author.get_absolute_url() == "/library/authors/helsper-e-j/"
    report = ReportFactory(title="Zero to Eight", year=2013, slug="zero-to-eight-2013")
    assert str(report) == "Zero to Eight (2013)"
    assert report.get_absolute_url() == "/library/zero-to-eight-2013/"


def test_published_and_for_country():
    from tests.profiles.factories import CountryFactory

    lt = CountryFactory(iso_code="LT")
    shown = ReportFactory(countries=[lt])
    ReportFactory(countries=[lt], status=Status.DRAFT)
    ReportFactory()
    assert list(Report.objects.published().for_country(lt)) == [shown]


def test_changes_are_recorded_in_history():
    report = ReportFactory(title="Before")
    report.title = "After"
    report.save()
    assert [h.title for h in report.history.order_by("history_date")] == ["Before", "After"]
