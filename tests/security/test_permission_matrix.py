"""Issue 8.1: the permission matrix (tests/security/matrix_table.py) holds for every route,
every persona and every state, and no route exists without a row.

Speed: the world (tests/security/world.py) is built once per module and every persona gets one
signed-in page client and one token API client for the whole module (a Django test client loads
the middleware stack when created, WhiteNoise's file scan included, so a client per row costs
more than the requests it sends). Each request runs in a savepoint rolled back after the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from .client import ask, clients_for
from .matrix_table import HEADER, MATRIX
from .routes import DELEGATED_PREFIXES, fill, parameters, project_routes
from .world import PERSONAS

MISSING_PK = 987654

#: The delegated apps answer at their entry page: Django admin only for is_staff accounts
#: (none of the personas: they are sent to the admin's own login); viewflow's entry page
#: forwards staff and the panel to its inbox and is not found for anyone else.
DELEGATED = {
    ("GET", "admin/", None): {"*": "302 302 302 302 302 302 302 302 302 302 302"},
    ("GET", "processes/", None): {"*": "LOG 404 404 404 404 404 404 302 302 404 404"},
}
ROWS = {**MATRIX, **DELEGATED}

#: Rows whose declared answer the code does not give yet (a 500 the matrix found): strict, so
#: the mark must go when the bug is fixed.
KNOWN_BUGS: dict[tuple[str, str, str | None], str] = {}


def _params() -> list[Any]:
    marks = {key: pytest.mark.xfail(reason=reason, strict=True) for key, reason in KNOWN_BUGS.items()}
    return [pytest.param(key, id=f"{key[0]} /{key[1]}", marks=[marks[key]] if key in marks else []) for key in ROWS]


@pytest.fixture(scope="module")
def clients(world: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """One page client and one API client per persona, signed in once for the whole module.

    Thousands of expected 403/404 answers would each log a warning: only errors are logged."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    # The module asks who may call what, not whether the login is recent (test_recent_login
    # does): on a loaded machine it outlasts the 15-minute window, and its money routes then
    # sent the signed-in personas to re-authenticate instead of answering.
    try:
        with django_db_blocker.unblock(), override_settings(PINGSHEN_RECENT_LOGIN_MINUTES=24 * 60):
            yield clients_for(world.users)
    finally:
        request_log.setLevel(level)


def test_header_names_every_persona_once():
    assert HEADER == PERSONAS


def test_every_route_has_a_row():
    """A new endpoint without a row fails here: add it to matrix_table.py."""
    declared = {route for _method, route, _kind in ROWS}
    routes = set(project_routes())
    assert sorted(routes - declared) == [], "routes without a row in tests/security/matrix_table.py"
    stale = {r for r in declared - routes if r not in {p for p in DELEGATED_PREFIXES}}
    assert sorted(stale) == [], "rows for routes that no longer exist"


def _url(route: str, world: Any, kind: str | None, state: str) -> str:
    params = parameters(route)
    if not params:
        return "/" + route
    obj = world.objects[kind].get(state)
    pk = obj.pk if obj is not None else MISSING_PK
    values = dict.fromkeys(params, pk)
    if "assignment_pk" in values and obj is not None:  # an attachment seen through an assignment
        values["pk"] = obj.application.attachments.get().pk
    return fill(route, **values)


def _states(world: Any, kind: str | None) -> list[str]:
    return ["-"] if kind is None else [*world.objects[kind], "missing"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", _params())
def test_matrix_row(world: Any, clients: dict[str, Any], key: tuple[str, str, str | None]) -> None:
    """Every persona × every state of the row's object; the failure lists every wrong cell."""
    method, route, kind = key
    grid = ROWS[key]
    for state in grid:
        assert state == "*" or state in _states(world, kind), f"unknown state {state!r}"
    wrong = []
    for state in _states(world, kind):
        expected = grid.get(state, grid["*"]).split()
        url = _url(route, world, kind, state)
        for persona, want in zip(PERSONAS, expected, strict=True):
            try:
                got: int | str = ask(clients[persona], method, url)
            except Exception as exc:  # noqa: BLE001 - the test client re-raises a view's error: a 500
                got = f"500 ({type(exc).__name__}: {str(exc)[:120]})"
            if str(got).replace("login", "LOG") != want:
                wrong.append(f"{method} {url} [{state}] as {persona}: expected {want}, got {got}")
    assert wrong == []
