"""Issue 8.2: schemathesis fuzzes every operation of /api/schema/ with a token per role, in
process against the WSGI app: no 5xx and every documented response matches its schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import api_key
from workflow.wsgi import application

pytestmark = pytest.mark.django_db

#: Examples per operation and role: enough to hit wrong types, missing fields and odd values on
#: every endpoint while keeping the whole run to about two minutes.
EXAMPLES = 4
#: Operations that act on the caller's own session or mint tokens: fuzzing them with random
#: credentials only exercises django-axes' lockout, tested in test_accounts_security.py; the
#: log-out would end the very token the rest of the run uses (tests/accounts/test_passwords.py).
SKIP = {("POST", "/api/auth/token/"), ("POST", "/api/auth/logout/")}


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """The WSGI handler closes the database connection after each request; the test client
    does not. Run in process as the test client does, inside the test's transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema(auth: dict[str, str]) -> Any:
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=auth)
    return schema


#: Role → the persona of the matrix world (tests/security/world.py) whose token is used.
ROLES = {
    "applicant": "owner",
    "nominator": "nominator",
    "staff": "staff",
    "panel": "panel",
    "finance_officer": "finance_officer",
    "expert": "expert",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_fuzz_api_as(role: str, world: Any) -> None:
    """Ids are drawn from the world's real objects (every kind, every state) half of the time,
    so fuzzed bodies reach the services behind the 404s, not only the lookups."""
    user = world.users[ROLES[role]]
    auth = {"Authorization": f"Token {api_key(user)}"}
    real_ids = sorted({obj.pk for objects in world.objects.values() for obj in objects.values()})
    schema = _schema(auth)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue

        @given(case=operation.as_strategy(), real_id=st.sampled_from(real_ids), use_real=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, real_id: int, use_real: bool) -> None:
            if use_real and "id" in (case.path_parameters or {}):
                case.path_parameters["id"] = real_id
            case.call_and_validate(headers=auth, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert failures == []
