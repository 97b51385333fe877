"""The draw in the plan-project process: drawn items go to review, a decline is redrawn."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task

from applications.enums import ApplicationStatus as S
from notifications.models import Notification
from reviews.enums import AssignmentStatus, DrawKind
from reviews.models import Assignment
from tests.conftest import make_expert
from tests.workflow.test_plan_project_services import SCORES, draft
from workflow import steps

pytestmark = pytest.mark.django_db(transaction=True)


def accepted(call, applicant, staff, **overrides):
    app = draft(call, applicant, **overrides)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    return app


def open_tasks(app, node):
    return Task.objects.filter(process=steps.process_of(app), flow_task=node, status__in=steps.ACTIVE)


def test_call_draw_sends_fully_drawn_items_into_review(call, applicant, staff, expert, expert2, unassigned_expert):
    app = accepted(call, applicant, staff)
    farm = accepted(call, applicant, staff, title="高山茶种植", field="agriculture")  # nobody in the pool
    flow = steps._flow()
    draw = steps.call_draw(call=call, actor=staff, seed="flow")

    drawn = Assignment.objects.filter(application=app)
    assert drawn.count() == 2
    assert not open_tasks(app, flow.expert_assignment).exists()
    reviews = open_tasks(app, flow.review)
    assert {t.owner_id for t in reviews} == {a.expert.user_id for a in drawn}
    # The item the pool could not supply waits for staff, with nobody half drawn.
    assert draw.items.get(application=farm).shortfall == 2
    assert open_tasks(farm, flow.expert_assignment).exists()
    assert not Assignment.objects.filter(application=farm).exists()


def test_declined_drawn_expert_is_replaced_in_the_same_slot(call, applicant, staff, expert, expert2, unassigned_expert):
    app = accepted(call, applicant, staff)
    flow = steps._flow()
    steps.call_draw(call=call, actor=staff, seed="decline")
    first, second = Assignment.objects.filter(application=app).order_by("pk")
    slot = next(t for t in open_tasks(app, flow.review) if t.data["assignment_id"] == first.pk)

    steps.assignment_decline(assignment=first, actor=first.expert.user, reason="出差")

    replacement = Assignment.objects.get(application=app, replaces=first)
    assert replacement.status == AssignmentStatus.INVITED
    assert replacement.draw_item.draw.kind == DrawKind.REPLACEMENT
    assert replacement.expert_id not in {first.expert_id, second.expert_id}
    slot.refresh_from_db()
    assert slot.data["assignment_id"] == replacement.pk
    assert slot.owner_id == replacement.expert.user_id
    assert open_tasks(app, flow.review).count() == 2
    for a in (second, replacement):
        user = a.expert.user
        steps.assignment_accept(assignment=a, actor=user, no_conflict=True)
        steps.review_submit(assignment=a, actor=user, scores=SCORES, comment="可", recommendation="support")
    app.refresh_from_db()
    assert app.status == S.REVIEWED


def test_decline_with_nobody_left_tells_staff_and_leaves_the_slot(call, applicant, staff, expert, expert2):
    app = accepted(call, applicant, staff)
    steps.call_draw(call=call, actor=staff)
    first, second = Assignment.objects.filter(application=app).order_by("pk")

    steps.assignment_decline(assignment=first, actor=first.expert.user, reason="出差")

    assert not Assignment.objects.filter(replaces=first).exists()
    assert Notification.objects.filter(recipient=staff, kind="review_declined").exists()
    # Staff find someone later and draw again into the waiting slot.
    late = make_expert("late_expert", expert.organisation)
    replacement = steps.assignment_redraw(assignment=first, actor=staff)
    assert replacement is not None
    assert replacement.expert_id == late.pk
    for a in (second, replacement):
        user = a.expert.user
        steps.assignment_accept(assignment=a, actor=user, no_conflict=True)
        steps.review_submit(assignment=a, actor=user, scores=SCORES, comment="可", recommendation="support")
    app.refresh_from_db()
    assert app.status == S.REVIEWED


def test_call_draw_is_staff_only(call, applicant, staff, expert):
    app = accepted(call, applicant, staff)
    with pytest.raises(PermissionDenied):
        steps.call_draw(call=call, actor=applicant)
    with pytest.raises(PermissionDenied):
        steps.call_draw(call=call, actor=expert.user)
    assert not Assignment.objects.filter(application=app).exists()
