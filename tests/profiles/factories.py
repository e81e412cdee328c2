import factory

from portal.models import Status
from profiles.models import Country


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
