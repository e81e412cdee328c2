import pytest

from tests.profiles.factories import CountryFactory


@pytest.fixture
def lt():
    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")


@pytest.fixture
def lv():
    return CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
