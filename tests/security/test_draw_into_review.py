"""A draw for a call whose item is already in review short of experts: the drawn expert joins
the running review as a new review slot (found by the permission matrix as a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.services import application_create, attachment_add
from reviews.models import Assignment
from workflow import steps

pytestmark = pytest.mark.django_db

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}


def _in_review(call: Any, applicant: Any, staff: Any, expert: Any) -> Any:
    app = application_create(
        actor=applicant,
        call=call,
        title="评审中项目",
        summary="研发新一代高效节能阀门。",
        field="manufacturing",
        requested_yuan="300000.00",
        self_funding_yuan="600000.00",
        start_date="2016-07-01",
        end_date="2018-06-30",
    )
    attachment_add(application=app, actor=applicant, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x\n"))
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    steps.assignment_add(application=app, expert=expert, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    return app


def test_draw_adds_a_review_slot_to_an_item_already_in_review(call, applicant, staff, expert, unassigned_expert):
    app = _in_review(call, applicant, staff, expert)  # 1 expert of the call's 2
    draw = steps.call_draw(call=call, actor=staff, seed="late")
    drawn = Assignment.objects.get(draw_item__draw=draw)
    assert drawn.application == app
    assert drawn.expert == unassigned_expert
    # The drawn expert can work the slot like the first one: accept, score; the item is reviewed.
    for assignment, who in ((drawn, unassigned_expert), (Assignment.objects.get(expert=expert), expert)):
        steps.assignment_accept(assignment=assignment, actor=who.user, no_conflict=True)
        steps.review_submit(
            assignment=assignment, actor=who.user, scores=SCORES, comment="好", recommendation="support"
        )
    app.refresh_from_db()
    assert app.status == "reviewed"


def test_draw_page_answers_for_an_item_already_in_review(
    client, call, applicant, staff, expert, unassigned_expert, django_capture_on_commit_callbacks
):
    _in_review(call, applicant, staff, expert)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):  # the draw job runs after commit
        response = client.post(f"/calls/{call.pk}/draw/", {})
    assert response.status_code == 302
    assert Assignment.objects.filter(expert=unassigned_expert).count() == 1


def test_staff_add_an_expert_by_hand_while_the_review_runs(call, applicant, staff, expert, unassigned_expert):
    """The same path without a draw: a hand-picked second expert gets a working review slot."""
    app = _in_review(call, applicant, staff, expert)
    added = steps.assignment_add(application=app, expert=unassigned_expert, actor=staff)
    for assignment, who in ((Assignment.objects.get(expert=expert), expert), (added, unassigned_expert)):
        steps.assignment_accept(assignment=assignment, actor=who.user, no_conflict=True)
        steps.review_submit(
            assignment=assignment, actor=who.user, scores=SCORES, comment="好", recommendation="support"
        )
        app.refresh_from_db()
    assert app.status == "reviewed"
