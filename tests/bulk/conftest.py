import pytest
from django.test import Client

from portal.bulk import admin as bulk_admin


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    """Stored previews and their marks in the test's own directory, removed with it."""
    folder = tmp_path / "bulk-imports"
    monkeypatch.setattr(bulk_admin, "UPLOAD_DIR", folder)
    return folder


@pytest.fixture
def csrf_client():
    """A test client that checks CSRF tokens, as the server does for a browser."""
    return Client(enforce_csrf_checks=True)
