import pytest
from django.contrib.auth.models import Group

from portal.permissions import can_publish
from portal.roles import ADMINISTRATOR, EDITOR, PUBLISHER, setup_roles
from tests.portal.factories import make_member


@pytest.mark.django_db
def test_setup_roles_is_idempotent_and_gives_publishing_to_publishers_only():
    first = setup_roles()
    second = setup_roles()
    assert first == second
    assert set(Group.objects.values_list("name", flat=True)) >= {EDITOR, PUBLISHER, ADMINISTRATOR}
    editor_perms = set(
        Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True)
    )
    publisher_perms = set(
        Group.objects.get(name=PUBLISHER).permissions.values_list("codename", flat=True)
    )
    assert "change_country" in editor_perms
    assert "add_country" not in editor_perms
    assert "publish_records" not in editor_perms
    assert "publish_records" in publisher_perms


@pytest.mark.django_db
def test_only_publishers_and_administrators_can_publish():
    assert not can_publish(make_member(EDITOR))
    assert can_publish(make_member(PUBLISHER))
    assert can_publish(make_member(ADMINISTRATOR))
