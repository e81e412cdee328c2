from decimal import Decimal

import factory
from django.utils.text import slugify

from portal.models import Status
from profiles.models import (
    ChannelKind,
    Country,
    IndicatorDefinition,
    IndicatorValue,
    Initiative,
    InitiativeFigure,
    InitiativeOrganisation,
    Membership,
    Organisation,
    OrganisationKind,
    Qualifier,
    ReportingChannel,
    ReportingChannelFigure,
    Role,
    Scope,
    Theme,
    Timeline,
)
from tests.visibility import COMPARE_PAGE, COUNTRY_PAGE, Sample


def iso_code(n):
    return chr(65 + (n // 26) % 26) + chr(65 + n % 26)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso_code",)

    iso_code = factory.Sequence(lambda n: iso_code(n + 26 * 13))  # NA, NB, ... avoid real LT/LV
    name = factory.Sequence(lambda n: f"Country {n}")
    slug = factory.Sequence(lambda n: f"country-{n}")
    region = "Europe"
    summary = factory.Faker("sentence")
    status = Status.PUBLISHED


# Profile records -----------------------------------------------------------------------------


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class IndicatorDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorDefinition
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Indicator {n}")
    slug = factory.Sequence(lambda n: f"indicator-{n}")
    unit = "people"


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    country = factory.SubFactory(CountryFactory)
    definition = factory.SubFactory(IndicatorDefinitionFactory)
    year = 2015
    value = 1000
    source_name = "Internet World Stats"
    status = Status.PUBLISHED


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.NGO
    scope = Scope.NATIONAL
    status = Status.PUBLISHED

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(OrganisationFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    country = factory.SubFactory(CountryFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    timeline = Timeline.NATIONAL
    year = 2010
    start_year = factory.SelfAttribute("year")
    body = factory.Faker("paragraph")
    status = Status.PUBLISHED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class InitiativeOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InitiativeOrganisation

    initiative = factory.SubFactory(InitiativeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.LEAD


class InitiativeFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InitiativeFigure

    initiative = factory.SubFactory(InitiativeFactory)
    number = 100
    qualifier = Qualifier.OVER
    unit = "people trained"


class ReportingChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingChannel

    name = factory.Sequence(lambda n: f"Channel {n}")
    slug = factory.Sequence(lambda n: f"channel-{n}")
    kind = ChannelKind.HOTLINE
    country = factory.SubFactory(CountryFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    accepts = "Reports of illegal content."
    status = Status.PUBLISHED


def build_large_dataset(countries=20, initiatives_per_country=50):
    """20 countries of 50 initiatives each, every one with themes, organisations and figures.

    Built with bulk_create (factory-made objects one by one would take minutes). Returns the
    countries created.
    """
    themes = [ThemeFactory(name=f"Large theme {i}", slug=f"large-theme-{i}") for i in range(6)]
    definitions = [
        IndicatorDefinitionFactory(name=f"Large indicator {i}", slug=f"large-indicator-{i}")
        for i in range(4)
    ]
    made = [
        CountryFactory(iso_code=iso_code(26 * 20 + i), name=f"Large {i}", slug=f"large-{i}")
        for i in range(countries)
    ]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Large organisation {c}-{k}",
            slug=f"large-organisation-{c}-{k}",
            kind=OrganisationKind.NGO,
            scope=Scope.NATIONAL if k else Scope.INTERNATIONAL,
            status=Status.PUBLISHED,
        )
        for c in range(countries)
        for k in range(5)
    )
    Organisation.countries.through.objects.bulk_create(
        Organisation.countries.through(organisation_id=org.pk, country_id=made[i // 5].pk)
        for i, org in enumerate(organisations)
    )
    Membership.objects.bulk_create(
        Membership(member=organisations[i], organisation=organisations[i - 1], since_year=2008)
        for i in range(1, len(organisations))
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            country=country, definition=definition, year=2015, value=10, status=Status.PUBLISHED
        )
        for country in made
        for definition in definitions
    )
    channels = ReportingChannel.objects.bulk_create(
        ReportingChannel(
            name=f"Large channel {c}-{k}",
            slug=f"large-channel-{c}-{k}",
            kind=ChannelKind.HOTLINE,
            country=made[c],
            organisation=organisations[c * 5 + k],
            status=Status.PUBLISHED,
        )
        for c in range(countries)
        for k in range(2)
    )
    ReportingChannelFigure.objects.bulk_create(
        ReportingChannelFigure(channel=channel, number=4667, unit="reports", as_of_year=2015)
        for channel in channels
    )
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            country=made[c],
            title=f"Large initiative {c}-{n}",
            slug=f"large-initiative-{c}-{n}",
            timeline=Timeline.NATIONAL if n % 2 else Timeline.LAW_ENFORCEMENT,
            year=1997 + n % 20,
            start_year=1997 + n % 20,
            end_year=2020 if n % 3 else None,
            body=f"Body of initiative {n} in country {c}.",
            status=Status.PUBLISHED,
        )
        for c in range(countries)
        for n in range(initiatives_per_country)
    )
    Initiative.themes.through.objects.bulk_create(
        Initiative.themes.through(initiative_id=initiative.pk, theme_id=themes[(i + k) % 6].pk)
        for i, initiative in enumerate(initiatives)
        for k in range(2)
    )
    InitiativeOrganisation.objects.bulk_create(
        InitiativeOrganisation(
            initiative=initiative,
            organisation=organisations[(i // initiatives_per_country) * 5 + k],
            role=Role.LEAD if k == 0 else Role.PARTNER,
            order=k,
        )
        for i, initiative in enumerate(initiatives)
        for k in range(2)
    )
    InitiativeFigure.objects.bulk_create(
        InitiativeFigure(initiative=initiative, number=i, unit="people trained")
        for i, initiative in enumerate(initiatives)
    )
    return made


# --- the visibility test's samples (tests/visibility.py) -------------------------------------


def _sample_country(mark, *, status, country, **parents):
    return CountryFactory(name=mark, slug=slugify(mark), status=status)


def _sample_initiative(mark, *, status, country, **parents):
    fields = {"country": country, "title": mark, "slug": slugify(mark), "status": status}
    return InitiativeFactory(**{**fields, **parents})


def _sample_organisation(mark, *, status, country, **parents):
    return OrganisationFactory(name=mark, slug=slugify(mark), countries=[country], status=status)


def _sample_indicator_value(mark, *, status, country, **parents):
    fields = {
        "country": country,
        "definition": IndicatorDefinitionFactory(),
        "value": Decimal("7654321.09"),
        "status": status,
    }
    return IndicatorValueFactory(**{**fields, **parents})


def _sample_channel(mark, *, status, country, **parents):
    fields = {"country": country, "name": mark, "slug": slugify(mark), "status": status}
    return ReportingChannelFactory(**{**fields, **parents})


VISIBILITY = {
    Country: Sample(_sample_country, pages=("/",)),
    Initiative: Sample(_sample_initiative, pages=(COUNTRY_PAGE,)),
    Organisation: Sample(_sample_organisation, pages=(COUNTRY_PAGE,)),
    IndicatorValue: Sample(
        _sample_indicator_value,
        markers=lambda record, mark: ["7,654,321.09"],
        pages=(COUNTRY_PAGE, COMPARE_PAGE),
    ),
    ReportingChannel: Sample(_sample_channel, pages=(COUNTRY_PAGE,)),
}
