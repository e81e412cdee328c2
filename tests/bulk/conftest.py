import pytest
from django.test import Client

from portal.bulk import admin as bulk_admin
from tests.profiles.factories import CountryFactory


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    """Stored previews and their marks in the test's own directory, removed with it."""
    folder = tmp_path / "bulk-imports"
    monkeypatch.setattr(bulk_admin, "UPLOAD_DIR", folder)
    return folder


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
