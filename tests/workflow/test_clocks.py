"""The clocks close what is due, and running them twice changes nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.services import application_create
from core.errors import StateConflict
from funding.models import Notice
from workflow import steps
from workflow.tasks import close_due_calls, close_due_notices

from .test_plan_project_services import SCORES, to_review

pytestmark = pytest.mark.django_db(transaction=True)


def test_close_due_calls_closes_past_deadline_once(call, applicant):
    call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    assert close_due_calls() == 1
    assert close_due_calls() == 0
    call.refresh_from_db()
    assert call.closed_at is not None
    with pytest.raises(StateConflict):
        application_create(actor=applicant, call=call, title="迟到", field="x", requested_yuan="1.00")


def test_close_due_notices_waits_for_open_objections(call, applicant, staff, expert, panel):
    app, (a1,) = to_review(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="100000.00")
    notice = steps.notice_publish(call=call, actor=staff)
    from funding.services import objection_file

    objection = objection_file(
        notice=notice, application_id=app.pk, text="数据不实", name="张三", contact="13800000000"
    )
    Notice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    assert close_due_notices() == 0
    steps.objection_resolve(objection=objection, actor=staff, upheld=False, resolution="经核实数据属实")
    assert close_due_notices() == 1
    assert close_due_notices() == 0
    app.refresh_from_db()
    assert app.status == "funded"
    assert steps.process_of(app).task_set.filter(flow_task=steps._flow().contract, status="ASSIGNED").exists()
