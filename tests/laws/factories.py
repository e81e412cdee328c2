import factory

from laws.models import (
    ChildDefinition,
    CountryInstrumentStatus,
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
