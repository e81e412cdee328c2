import pytest
from django.test import Client

from tests.profiles.factories import CountryFactory


@pytest.fixture
def lt():
    return CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")


@pytest.fixture
def lv():
    return CountryFactory(iso_code="LV", name="Latvia", slug="latvia")


@pytest.fixture
def csrf_client():
    """A test client that checks CSRF tokens, as the server does for a browser."""
    return Client(enforce_csrf_checks=True)
