import pytest
from django.core.exceptions import ValidationError

from laws.models import PenaltyRow, provision_sort_key
from laws.services import provision_create, provision_set_penalties, provision_update

from .factories import LegalActFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_provision_create_with_topics_and_penalties():
    act = LegalActFactory()
    topic = TopicFactory()
    provision = provision_create(
        act=act,
        number="149",
        title="Rape",
        topics=[topic],
        penalties=[
            ("base", "", [("imprisonment", None, 84)]),
            ("victim_minor", "", [("imprisonment", 36, 120)]),
        ],
    )
    assert (provision.country, provision.slug, provision.sort_key) == (
        act.country,
        "149",
        provision_sort_key("149"),
    )
    assert list(provision.topics.all()) == [topic]
    assert list(provision.penalties.values_list("option_set", "condition", "max_months")) == [
        (1, "base", 84),
        (2, "victim_minor", 120),
    ]


def test_provision_update_renumbers():
    provision = provision_create(act=LegalActFactory(), number="151", title="Abuse")
    provision_update(provision=provision, number="151.1")
    provision.refresh_from_db()
    assert (provision.slug, provision.sort_key) == ("151-1", provision_sort_key("151.1"))


def test_invalid_penalty_writes_nothing():
    provision = provision_create(
        act=LegalActFactory(),
        number="1",
        title="x",
        penalties=[("base", "", [("fine", None, None)])],
    )
    with pytest.raises(ValidationError):
        provision_set_penalties(
            provision=provision,
            penalties=[("base", "", [("imprisonment", None, 12), ("imprisonment", 48, 24)])],
        )
    assert list(PenaltyRow.objects.values_list("sanction", flat=True)) == ["fine"]
