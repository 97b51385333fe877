"""Issue 14.10, the same class of hole everywhere: the examples the issue names were fixed one
by one in test_hostile_input.py; these sweeps ask every route of the permission matrix.

- every GET route (page, list, report, xlsx, API), as the personas who can read it, with every
  numeric query parameter the project reads set to superscript digits, out-of-range dates and
  the like: never a 500;
- every step of an application (API and pages) called on a nomination in each of its states,
  by each role that acts on items, with a body that passes every step's validation: 404, 409,
  400, 403 or success, never a 500 (a plan-project step on a nomination was an AttributeError).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from .client import ask, clients_for
from .matrix_table import MATRIX
from .routes import fill, parameters

JUNK = {
    "year": "²²²²",
    "page": "²",
    "page_size": "²",
    "object": "²",
    "call": "²",
    "round": "²",
    "status": "²",
    "cut_²": "1",
    "cut_1": "²",
    "budget": "²",
    "cutoff": "²",
    "since": "0001-01-01",
    "until": "9999-12-31",
    "limit": "²",
    "offset": "²",
    "state": "²",
    **{f"{key}-{name}": "²" for key in ("mine", "reviews", "work", "overdue", "calls", "decide", "payments")
       for name in ("call", "page", "status")},
}  # fmt: skip
QUERY = "&".join(f"{k}={v}" for k, v in JUNK.items())
READERS = ("owner", "nominator", "expert", "staff", "panel", "finance_officer")


@pytest.fixture(scope="module")
def clients(world: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)  # thousands of expected 4xx
    try:
        with django_db_blocker.unblock():
            yield clients_for(world.users)
    finally:
        request_log.setLevel(level)


def _first_url(route: str, world: Any, kind: str | None) -> str:
    if not parameters(route):
        return "/" + route
    obj = next(iter(world.objects[kind].values()))
    values = dict.fromkeys(parameters(route), obj.pk)
    if "assignment_pk" in values:
        values["pk"] = obj.application.attachments.get().pk
    return fill(route, **values)


def _status(clients: tuple[Any, Any], method: str, url: str, data: Any = None) -> int | str:
    try:
        return ask(clients, method, url, data)
    except Exception as exc:  # noqa: BLE001 - the test client re-raises a view's error: a 500
        return f"500 ({type(exc).__name__}: {str(exc)[:160]})"


GET_ROWS = sorted(key for key in MATRIX if key[0] == "GET")


@pytest.mark.django_db
def test_every_get_route_survives_junk_in_every_numeric_query_parameter(world: Any, clients: dict[str, Any]) -> None:
    broken = []
    for _method, route, kind in GET_ROWS:
        url = _first_url(route, world, kind) + "?" + QUERY
        for persona in READERS:
            got = _status(clients[persona], "GET", url)
            if str(got).startswith("500"):
                broken.append(f"GET {url} as {persona}: {got}")
    assert broken == []


#: One body that passes the validation of every application step (each reads its own fields).
STEP_BODY = {
    "accept_terms": True,
    "targets": [{"name": "新产品", "unit": "项", "value": "1"}],
    "budget": [{"line": "equipment", "county_yuan": "100.00"}],
    "milestones": [],
    "report": "已完成全部研究内容。",
    "spent_yuan": "100.00",
    "result": "pass",
    "fund": True,
    "approved_yuan": "100.00",
    "decision": "accept",
    "comment": "意见",
    "reason": "原因",
    "level": 1,
    "no_conflict": True,
}
STEP_ROWS = sorted(
    key
    for key in MATRIX
    if key[0] == "POST" and key[2] == "application" and key[1].startswith(("applications/<int:pk>/", "api/applications/<int:pk>/"))
)  # fmt: skip
ACTORS = ("nominator", "staff", "panel", "finance_officer", "finance_head")


def test_the_sweep_asks_the_plan_project_steps():
    routes = {route for _m, route, _k in STEP_ROWS}
    for step in ("contract", "contract-check", "acceptance", "acceptance-decision", "decision"):
        assert f"api/applications/<int:pk>/{step}/" in routes


@pytest.mark.django_db
def test_every_application_step_called_on_a_nomination_is_never_a_500(world: Any, clients: dict[str, Any]) -> None:
    expert = world.objects["expert"]["active"]
    broken = []
    for _method, route, _kind in STEP_ROWS:
        for state, nomination in world.objects["nomination"].items():
            url = fill(route, pk=nomination.pk)
            for persona in ACTORS:
                got = _status(clients[persona], "POST", url, {**STEP_BODY, "expert": expert.pk})
                if str(got).startswith("500"):
                    broken.append(f"POST {url} [{state}] as {persona}: {got}")
    assert broken == []
