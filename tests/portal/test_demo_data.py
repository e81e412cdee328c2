import pytest
from django.core.management import call_command

from profiles.models import Country


@pytest.mark.django_db
def test_demo_data_loads_twice_without_changes():
    call_command("load_demo_data", verbosity=0)
    first = list(Country.objects.values())
    call_command("load_demo_data", verbosity=0)
    assert list(Country.objects.values()) == first
    assert Country.objects.published().get(iso_code="LT").name == "Lithuania"
