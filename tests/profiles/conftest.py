import pytest
from django.conf import settings
from django.core.management import call_command

from profiles.models import Country

from .factories import build_large_dataset

FIXTURES = [
    str(settings.BASE_DIR / "fixtures" / "00_countries.json"),
    str(settings.BASE_DIR / "fixtures" / "10_profiles.json"),
]


def load_lithuania():
    call_command("loaddata", *FIXTURES, verbosity=0)
    return Country.objects.get(iso_code="LT")


@pytest.fixture
def lithuania(db):
    return load_lithuania()


@pytest.fixture(params=["lithuania", "large"])
def dataset(request, db):
    """The Lithuania fixture alone, or with 20 generated countries of 50 initiatives each."""
    lithuania = load_lithuania()
    generated = build_large_dataset() if request.param == "large" else []
    return {"size": request.param, "lithuania": lithuania, "generated": generated}
