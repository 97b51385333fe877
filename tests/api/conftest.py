"""API personas: an authenticated client per person, and helpers that walk an item forward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from applications.models import Application, Call
from tests.conftest import api_key
from tests.drafts import DRAFT_WITH_PERIOD as DRAFT

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(db: Any) -> Callable[[Any], APIClient]:
    """A client that sends the person's token, as an integration would."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
        return client

    return make


@pytest.fixture
def as_applicant(client_for: Any, applicant: Any) -> APIClient:
    return client_for(applicant)


@pytest.fixture
def as_other_applicant(client_for: Any, other_applicant: Any) -> APIClient:
    return client_for(other_applicant)


@pytest.fixture
def as_staff(client_for: Any, staff: Any) -> APIClient:
    return client_for(staff)


@pytest.fixture
def as_panel(client_for: Any, panel: Any) -> APIClient:
    return client_for(panel)


@pytest.fixture
def as_expert(client_for: Any, expert: Any) -> APIClient:
    return client_for(expert.user)


@pytest.fixture
def as_expert2(client_for: Any, expert2: Any) -> APIClient:
    return client_for(expert2.user)


@pytest.fixture
def as_officer(client_for: Any, finance_officer: Any) -> APIClient:
    return client_for(finance_officer)


@pytest.fixture
def as_head(client_for: Any, finance_head: Any) -> APIClient:
    return client_for(finance_head)


def ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, (response.status_code, getattr(response, "data", response.content))
    return response.json()


@pytest.fixture
def draft(as_applicant: APIClient, call: Call) -> Callable[..., int]:
    """Start a draft through the API; returns its id."""

    def make(**overrides: Any) -> int:
        body = {"call": call.pk, **DRAFT, **overrides}
        return ok(as_applicant.post("/api/applications/", body, format="json"), 201)["id"]

    return make


@pytest.fixture
def in_review(
    draft: Any, as_applicant: APIClient, as_staff: APIClient, expert: Any
) -> Callable[..., tuple[int, list[int]]]:
    """Submitted, accepted in formal review, one expert assigned and the review started."""

    def make(experts: list[Any] | None = None, **overrides: Any) -> tuple[int, list[int]]:
        pk = draft(**overrides)
        ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
        ok(as_staff.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json"))
        assignments = [
            ok(as_staff.post(f"/api/applications/{pk}/assignments/", {"expert": e.pk}, format="json"), 201)["id"]
            for e in (experts or [expert])
        ]
        ok(as_staff.post(f"/api/applications/{pk}/start-review/"))
        return pk, assignments

    return make


@pytest.fixture
def reviewed(in_review: Any, as_expert: APIClient) -> Callable[..., int]:
    """An application the one expert has scored: waiting for the panel."""

    def make(**overrides: Any) -> int:
        pk, (assignment,) = in_review(**overrides)
        ok(as_expert.post(f"/api/assignments/{assignment}/accept/", {"no_conflict": True}, format="json"))
        body = {"scores": SCORES, "comment": "好", "recommendation": "support"}
        ok(as_expert.post(f"/api/assignments/{assignment}/review/", body, format="json"), 201)
        assert Application.objects.get(pk=pk).status == "reviewed"
        return pk

    return make
