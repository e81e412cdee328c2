"""Schemathesis against the API's own OpenAPI schema (/api/v1/schema/), on the demo data.

Every operation gets a bounded number of generated requests (any filter values the schema
allows, cursors, page sizes, identifiers), sent to the WSGI application in this process: no
answer may be a server error, and every answer must be documented — its status code, content
type, headers and body conform to the schema. Detail operations are also called with real
identifiers, so their 200 bodies are checked too, not only their 404s.
"""

from urllib.parse import unquote, urlsplit

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from django.urls import resolve, reverse
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.api.routes import endpoints
from portal.management.commands.load_demo_data import demo_fixture_files

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EXAMPLES = 20  # generated requests per operation: the whole run stays well under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(client):
    call_command("loaddata", *[str(f) for f in demo_fixture_files()], verbosity=0)
    call_command("rebuild_search_index", verbosity=0)
    response = client.get(reverse("api:schema"), headers={"accept": "application/json"})
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    schema.app = WSGIHandler()
    identifiers = real_identifiers(client)
    # The test's transaction must outlive each request, as with Django's test client (which
    # connects these again after each of its own requests: none is made from here on).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schema, identifiers
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def real_identifiers(client):
    """{detail path template: path parameters of a public record} for every served type."""
    found = {}
    for declared in endpoints():
        page = client.get(reverse(f"api:{declared.api.path}-list")).json()
        match = resolve(unquote(urlsplit(page["results"][0]["api_url"]).path))
        template = "/api/v1/" + "/".join(
            [declared.api.path, *(f"{{{name}}}" for name in match.kwargs)]
        )
        found[template + "/"] = {
            name: "unknown" if value is None else str(value)  # a figure without a year
            for name, value in match.kwargs.items()
        }
    return found


def run(operation, statuses, examples, **strategy):
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=operation.as_strategy(**strategy))
    def call(case):
        response = case.call_and_validate(checks=CHECKS, headers={"host": "testserver"})
        statuses.setdefault(operation.label, set()).add(response.status_code)

    call()


def test_every_answer_conforms_to_the_schema(api_schema):
    api_schema, identifiers = api_schema
    statuses = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 2 * len(endpoints()), [o.label for o in operations]
    for operation in operations:
        run(operation, statuses, EXAMPLES)
        if operation.path in identifiers:
            run(operation, statuses, 3, path_parameters=identifiers[operation.path])
    assert set(identifiers) <= {o.path for o in operations}
    for operation in operations:
        assert 200 in statuses[operation.label], (operation.label, statuses[operation.label])
        assert not any(code >= 500 for code in statuses[operation.label])
