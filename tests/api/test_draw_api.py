"""Staff draw experts for a whole call; the same seed replays the same experts."""

from __future__ import annotations

import pytest

from applications.enums import ApplicationStatus as S
from reviews.models import Assignment

from ..conftest import make_expert
from .conftest import DRAFT

pytestmark = pytest.mark.django_db


def accepted_item(as_applicant, as_staff, call):
    app_id = as_applicant.post("/api/applications/", {**DRAFT, "call": call.pk}, format="json").json()["id"]
    assert as_applicant.post(f"/api/applications/{app_id}/submit/", {"pledge": True}, format="json").status_code == 200
    assert (
        as_staff.post(f"/api/applications/{app_id}/formal-review/", {"decision": "accept"}, format="json").status_code
        == 200
    )
    return app_id


def test_draw_assigns_the_calls_number_of_experts_avoiding_the_applicants_own(
    call, org_expert, org_owner, as_applicant, as_staff, as_panel
):
    pool = [make_expert(f"pool{i}", org_expert) for i in range(4)]
    own = make_expert("own_org_expert", org_owner)
    app_id = accepted_item(as_applicant, as_staff, call)
    assert as_panel.post(f"/api/calls/{call.pk}/draw/", {}, format="json").status_code == 403
    response = as_staff.post(f"/api/calls/{call.pk}/draw/", {"seed": "2016-batch-1"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["seed"] == "2016-batch-1"
    experts = {a["expert"] for a in body["assignments"]}
    assert len(experts) == call.reviewers_per_item == 2
    assert experts <= {e.pk for e in pool} and own.pk not in experts
    assert all(a["item"] == app_id for a in body["assignments"])
    assert Assignment.objects.filter(application_id=app_id).count() == 2
    assert as_applicant.get(f"/api/applications/{app_id}/").json()["status"] == S.IN_REVIEW


def test_draw_reports_a_shortfall_and_assigns_nobody(call, org_expert, as_applicant, as_staff):
    make_expert("lonely", org_expert)
    app_id = accepted_item(as_applicant, as_staff, call)
    body = as_staff.post(f"/api/calls/{call.pk}/draw/", {}, format="json").json()
    assert body["assignments"] == []
    assert body["shortfalls"] == [{"item": app_id, "missing": 1}]  # two needed, one eligible
    assert len(body["seed"]) >= 8


def test_draw_seed_must_be_text(call, as_staff):
    response = as_staff.post(f"/api/calls/{call.pk}/draw/", {"seed": "x" * 65}, format="json")
    assert response.status_code == 400 and "seed" in response.json()
