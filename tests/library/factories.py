import factory
from django.utils.text import slugify

from library.models import Author, Authorship, Report, ReportTitle, Topic
from library.names import match_key
from portal.models import Status
from tests.profiles.factories import CountryFactory
from tests.visibility import COUNTRY_PAGE, Sample


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    family_name = factory.Sequence(lambda n: f"Family{n}")
    given_names = factory.Sequence(lambda n: f"Given{n}")
    initials = factory.LazyAttribute(lambda a: f"{a.given_names[0]}.")
    slug = factory.Sequence(lambda n: f"author-{n}")
    match_key = factory.LazyAttribute(lambda a: match_key(a.family_name, a.given_names))
    status = Status.PUBLISHED


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Report number {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    year = factory.Sequence(lambda n: 2000 + n % 20)
    summary = factory.Faker("sentence")
    report_type = "survey"
    language = "en"
    status = Status.PUBLISHED

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            for position, author in enumerate(extracted, start=1):
                Authorship.objects.create(report=self, author=author, position=position)


class ReportTitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportTitle

    report = factory.SubFactory(ReportFactory)
    title = factory.Sequence(lambda n: f"Other title {n}")


def build_reports(count, *, country=None, author=None):
    """`count` published reports, each with two authors (one shared), two topics and a country.

    Bulk inserts keep the 500-report case fast; every relation query of the pages is exercised.
    """
    country = country or CountryFactory()
    shared = author or AuthorFactory()
    topics = [TopicFactory(), TopicFactory()]
    reports = Report.objects.bulk_create(
        Report(
            title=f"Bulk report {i} on topic & 100% more",
            slug=f"bulk-report-{i}",
            year=1990 + i % 30,
            summary=f"Summary {i}",
            report_type=["survey", "evaluation", "legal_review"][i % 3],
            language="en",
            status=Status.PUBLISHED,
        )
        for i in range(count)
    )
    others = Author.objects.bulk_create(
        Author(
            family_name=f"Bulk{i}",
            given_names="Ann",
            initials="A.",
            slug=f"bulk-{i}",
            match_key=f"bulk{i}|a",
            status=Status.PUBLISHED,
        )
        for i in range(count)
    )
    Authorship.objects.bulk_create(
        [Authorship(report=r, author=shared, position=1) for r in reports]
        + [Authorship(report=r, author=a, position=2) for r, a in zip(reports, others, strict=True)]
    )
    Report.topics.through.objects.bulk_create(
        Report.topics.through(report=r, topic=t) for r in reports for t in topics
    )
    Report.countries.through.objects.bulk_create(
        Report.countries.through(report=r, country=country) for r in reports
    )
    ReportTitle.objects.bulk_create(ReportTitle(report=r, title=f"Alt {r.pk}") for r in reports)
    return {"reports": reports, "author": shared, "country": country, "topics": topics}


# --- the visibility test's samples (tests/visibility.py) -------------------------------------


def _sample_author(mark, *, status, country, **parents):
    first, *rest = mark.split()
    return AuthorFactory(family_name=first, given_names=" ".join(rest), status=status)


def _sample_report(mark, *, status, country, **parents):
    return ReportFactory(title=mark, slug=slugify(mark), countries=[country], status=status)


CITATION_EXPORTS = tuple(f"/library/?format={fmt}" for fmt in ("bibtex", "ris", "csljson"))

VISIBILITY = {
    Author: Sample(_sample_author, markers=lambda record, mark: [record.display_name]),
    Report: Sample(_sample_report, pages=(COUNTRY_PAGE, *CITATION_EXPORTS)),
}
