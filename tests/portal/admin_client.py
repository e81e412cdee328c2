"""Sign in and out of the admin the way a browser does: the login form, with CSRF checks on."""

from tests.portal.factories import PASSWORD

LOGIN_URL = "/admin/login/"
LOGOUT_URL = "/admin/logout/"


def csrf_token(client):
    if "csrftoken" not in client.cookies:
        client.get(LOGIN_URL)
    return client.cookies["csrftoken"].value


def sign_in(client, user):
    response = client.post(
        LOGIN_URL,
        {
            "username": user.username,
            "password": PASSWORD,
            "next": "/admin/",
            "csrfmiddlewaretoken": csrf_token(client),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def sign_out(client):
    response = client.post(LOGOUT_URL, {"csrfmiddlewaretoken": csrf_token(client)})
    assert response.status_code == 200
    return response
