import datetime

import factory
from django.utils.text import slugify

from laws.models import (
    Answer,
    Assessment,
    ChildDefinition,
    CountryInstrumentStatus,
    Criterion,
    DatePrecision,
    Framework,
    Instrument,
    LegalAct,
    LegalAge,
    PenaltyRow,
    Provision,
    Topic,
    provision_slug,
    provision_sort_key,
)
from portal.models import Status
from tests.profiles.factories import CountryFactory
from tests.visibility import COMPARE_PAGE, COUNTRY_PAGE, LEGISLATION_PAGE, Sample


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    status = Status.PUBLISHED


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    short_name = factory.Sequence(lambda n: f"Instrument {n}")
    title = factory.LazyAttribute(lambda o: f"Convention on {o.short_name}")
    kind = Instrument.Kind.CONVENTION
    body = Instrument.Body.COUNCIL_OF_EUROPE
    status = Status.PUBLISHED


class LegalAgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalAge

    country = factory.SubFactory(CountryFactory)
    kind = LegalAge.Kind.MAJORITY
    age = 18
    status = Status.PUBLISHED


class LegalActFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalAct

    country = factory.SubFactory(CountryFactory)
    title = factory.Sequence(lambda n: f"Act {n}")
    slug = factory.Sequence(lambda n: f"act-{n}")
    kind = LegalAct.Kind.CODE
    status = Status.PUBLISHED


class ChildDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildDefinition

    country = factory.SubFactory(CountryFactory)
    term = factory.Sequence(lambda n: f"term {n}")
    max_age = 14
    status = Status.PUBLISHED


class CountryInstrumentStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryInstrumentStatus

    country = factory.SubFactory(CountryFactory)
    instrument = factory.SubFactory(InstrumentFactory)
    status_kind = CountryInstrumentStatus.Step.RATIFIED
    status = Status.PUBLISHED


class ProvisionFactory(factory.django.DjangoModelFactory):
    """Derived fields (country, sort key, slug) as Provision.clean() would set them."""

    class Meta:
        model = Provision
        skip_postgeneration_save = True

    act = factory.SubFactory(LegalActFactory)
    country = factory.SelfAttribute("act.country")
    number = factory.Sequence(lambda n: str(100 + n))
    title = factory.Sequence(lambda n: f"Offence {n}")
    slug = factory.LazyAttribute(lambda o: provision_slug(o.number, o.title))
    sort_key = factory.LazyAttribute(lambda o: provision_sort_key(o.number))
    summary = "An offence."
    status = Status.PUBLISHED

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class PenaltyRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PenaltyRow

    provision = factory.SubFactory(ProvisionFactory)
    option_set = 1
    condition = PenaltyRow.Condition.BASE
    sanction = PenaltyRow.Sanction.IMPRISONMENT
    max_months = 24


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Framework {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    publisher = "Council of Europe"
    edition = "1st edition"
    year = 2007
    url = "https://example.org/framework"
    status = Status.PUBLISHED


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    framework = factory.SubFactory(FrameworkFactory)
    order = factory.Sequence(lambda n: n + 1)
    short_label = factory.Sequence(lambda n: f"Criterion {n}")
    wording = "The law makes this an offence."
    status = Status.PUBLISHED


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment; `provisions`, `definitions`, `instrument_statuses` take lists."""

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    country = factory.SubFactory(CountryFactory)
    criterion = factory.SubFactory(CriterionFactory)
    answer = Answer.NOT_STATED
    reasoning = "What the sources show."
    status = Status.PUBLISHED

    @factory.post_generation
    def provisions(self, create, extracted, **kwargs):
        if create and extracted:
            self.provisions.set(extracted)

    @factory.post_generation
    def definitions(self, create, extracted, **kwargs):
        if create and extracted:
            self.definitions.set(extracted)

    @factory.post_generation
    def instrument_statuses(self, create, extracted, **kwargs):
        if create and extracted:
            self.instrument_statuses.set(extracted)


# --- the visibility test's samples (tests/visibility.py) -------------------------------------


def _sample_topic(mark, *, status, country, **parents):
    return TopicFactory(name=mark, slug=slugify(mark), status=status)


def _sample_instrument(mark, *, status, country, **parents):
    return InstrumentFactory(short_name=mark, status=status)


def _sample_act(mark, *, status, country, **parents):
    fields = {"country": country, "title": mark, "slug": slugify(mark), "status": status}
    return LegalActFactory(**{**fields, **parents})


def _sample_age(mark, *, status, country, **parents):
    fields = {"country": country, "age": 93, "lowered_age": 91, "status": status}
    return LegalAgeFactory(**{**fields, **parents})


def _sample_definition(mark, *, status, country, **parents):
    return ChildDefinitionFactory(**{"country": country, "term": mark, "status": status, **parents})


def _sample_instrument_status(mark, *, status, country, **parents):
    fields = {
        "country": country,
        "status_kind": CountryInstrumentStatus.Step.SIGNED,
        "date": datetime.date(1901, 2, 3),
        "date_precision": DatePrecision.DAY,
        "status": status,
    }
    return CountryInstrumentStatusFactory(**{**fields, **parents})


def _sample_provision(mark, *, status, country, **parents):
    act = parents.pop("act", None) or LegalActFactory(country=country)
    provision = ProvisionFactory(
        act=act, number="977.7", title=mark, topics=[TopicFactory()], status=status
    )
    PenaltyRowFactory(provision=provision, max_months=77 * 12)
    return provision


SAMPLE_FRAMEWORK = "visibility-sample-framework"
FRAMEWORK_PAGE = f"/laws/frameworks/{SAMPLE_FRAMEWORK}/"


def _sample_framework_page():
    """The published framework whose page the criterion and assessment samples are checked on."""
    return FrameworkFactory(name="Sample framework", slug=SAMPLE_FRAMEWORK)


def _sample_framework(mark, *, status, country, **parents):
    return FrameworkFactory(name=mark, slug=slugify(mark), description=mark, status=status)


def _sample_criterion(mark, *, status, country, **parents):
    framework = parents.pop("framework", None) or _sample_framework_page()
    _sample_framework_page()
    return CriterionFactory(framework=framework, short_label=mark, wording=mark, status=status)


def _sample_assessment(mark, *, status, country, **parents):
    criterion = parents.pop("criterion", None) or CriterionFactory(
        framework=_sample_framework_page()
    )
    _sample_framework_page()
    provision = ProvisionFactory(act=LegalActFactory(country=country), number="988.8")
    return AssessmentFactory(
        country=country,
        criterion=criterion,
        answer=Answer.MEETS,
        reasoning=mark,
        provisions=[provision],
        status=status,
    )


VISIBILITY = {
    Topic: Sample(_sample_topic, pages=(COMPARE_PAGE,)),
    Instrument: Sample(_sample_instrument, pages=(COMPARE_PAGE,)),
    LegalAct: Sample(_sample_act, pages=(COUNTRY_PAGE, LEGISLATION_PAGE)),
    LegalAge: Sample(
        _sample_age,
        markers=lambda record, mark: ["93 (91 by exception)"],
        pages=(COUNTRY_PAGE, LEGISLATION_PAGE, COMPARE_PAGE),
    ),
    ChildDefinition: Sample(_sample_definition, pages=(LEGISLATION_PAGE,)),
    CountryInstrumentStatus: Sample(
        _sample_instrument_status,
        markers=lambda record, mark: ["3 February 1901"],
        pages=(COUNTRY_PAGE, LEGISLATION_PAGE, COMPARE_PAGE),
    ),
    Provision: Sample(
        _sample_provision,
        markers=lambda record, mark: [mark, "Article 977.7", "77 years"],
        pages=(LEGISLATION_PAGE, COMPARE_PAGE),
    ),
    Framework: Sample(_sample_framework),
    Criterion: Sample(_sample_criterion, pages=(COMPARE_PAGE, FRAMEWORK_PAGE)),
    Assessment: Sample(
        _sample_assessment,
        markers=lambda record, mark: [mark],
        pages=(LEGISLATION_PAGE, COMPARE_PAGE, FRAMEWORK_PAGE),
    ),
}
