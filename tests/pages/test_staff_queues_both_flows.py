"""Staff queues read both processes: a plan project and an award nomination that wait for
experts, or whose expert declined, show on the staff home page alike (issue 15.7)."""

from __future__ import annotations

from typing import Any

import pytest

from applications.models import Application
from awards.services import nomination_create
from reviews.models import Assignment
from workflow import steps

from ..awards.conftest import NOMINATION, award_round  # noqa: F401 - the round fixture
from .test_dashboards import draft, page

pytestmark = pytest.mark.django_db


def _formally_accepted(item: Application, owner: Any, staff: Any) -> Application:
    steps.application_submit(application=item, actor=owner)
    steps.formal_review(application=item, actor=staff, decision="accept")
    item.refresh_from_db()
    return item


def _declined(item: Application, staff: Any, expert: Any) -> Assignment:
    """Invited by hand, review started, then declined: the slot waits for staff."""
    assignment = steps.assignment_add(application=item, expert=expert, actor=staff)
    steps.expert_review_start(application=item, actor=staff)
    return steps.assignment_decline(assignment=assignment, actor=expert.user, reason="出差")


@pytest.fixture
def both(call: Any, award_round: Any, applicant: Any, nominator: Any, staff: Any) -> dict[str, Application]:  # noqa: F811
    return {
        "plan": _formally_accepted(draft(call, applicant, "计划项目待专家"), applicant, staff),
        "award": _formally_accepted(
            nomination_create(actor=nominator, award_round=award_round, **{**NOMINATION, "title": "奖励成果待专家"}),
            nominator,
            staff,
        ),
    }


def test_items_awaiting_experts_include_plan_projects_and_award_nominations(both, staff):
    from pages.selectors import applications_awaiting_experts

    assert set(applications_awaiting_experts().values_list("pk", flat=True)) == {a.pk for a in both.values()}
    html = page(staff).content.decode()
    assert "计划项目待专家" in html and "奖励成果待专家" in html


def test_declined_slots_include_plan_projects_and_award_nominations(both, staff, expert):
    from pages.selectors import declined_slots

    slots = {kind: _declined(item, staff, expert) for kind, item in both.items()}
    assert set(declined_slots().values_list("pk", flat=True)) == {s.pk for s in slots.values()}
    d = page(staff).context["staff"]
    assert {s.application_id for s in d["declined"]} == {a.pk for a in both.values()}
    # Each item's own page offers the replacement for its declined slot, in both flows.
    from .test_dashboards import client_for

    for item in both.values():
        response = client_for(staff).get(f"/applications/{item.pk}/")
        assert [slot.pk for slot, _ in response.context["declined"]] == [slots[_kind(item)].pk]


def _kind(item: Application) -> str:
    return "award" if item.kind == "nomination" else "plan"
