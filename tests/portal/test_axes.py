import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.portal.factories import UserFactory

LOGIN_URL = "/admin/login/"


def attempt(client, password):
    return client.post(LOGIN_URL, {"username": "victim", "password": password, "next": "/admin/"})


@pytest.mark.django_db
def test_repeated_failed_admin_logins_lock_the_account_out(client, settings):
    UserFactory(username="victim").save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200  # the form again, with an error
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    assert "temporarily locked" in locked.content.decode()
    # Even the right password is refused while locked out.
    assert attempt(client, "correct horse battery").status_code == 429


@pytest.mark.django_db
def test_documented_unlock_command_lets_the_user_back_in(client, settings):
    UserFactory(username="victim").save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")
    assert AccessAttempt.objects.filter(username="victim").exists()
    call_command("axes_reset_username", "victim", verbosity=0)
    response = attempt(client, "correct horse battery")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
