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


ATTACKER, EDITOR_AT_HOME = "203.0.113.7", "198.51.100.9"


def attempt_from(client, forwarded_for, password, username="victim"):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": "/admin/"},
        headers={"X-Forwarded-For": forwarded_for},
    )


@pytest.mark.django_db
def test_behind_a_trusted_proxy_a_lockout_holds_one_user_at_one_address(client, settings):
    """The TLS proxy appends the client's address; a client's own entries (to the left) are
    never believed."""
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="victim").save()
    UserFactory(username="colleague").save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt_from(client, f"{EDITOR_AT_HOME}, {ATTACKER}", "wrong")
    assert attempt_from(client, ATTACKER, "correct horse battery").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # The same user from another address, and another user from the attacker's, sign in.
    assert attempt_from(client, EDITOR_AT_HOME, "correct horse battery").status_code == 302
    client.logout()
    response = attempt_from(client, ATTACKER, "correct horse battery", username="colleague")
    assert response.status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, settings):
    assert settings.PORTAL_TRUSTED_PROXY_COUNT == 0  # the default
    UserFactory(username="victim").save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt_from(client, ATTACKER, "wrong")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    # Another forwarded address changes nothing: the socket's address is locked.
    assert attempt_from(client, EDITOR_AT_HOME, "correct horse battery").status_code == 429


@pytest.mark.django_db
def test_two_trusted_proxies_read_the_entry_the_outer_one_appended(client, settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 2
    UserFactory(username="victim").save()
    attempt_from(client, f"192.0.2.1, {ATTACKER}, 10.0.0.2", "wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]
