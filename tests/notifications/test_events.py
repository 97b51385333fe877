"""Every event a person must act on writes its notifications with the event: the right
kind to the right people, once each, and e-mail only to those who keep it."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail

from funding.models import Disbursement
from funding.services import objection_file
from notifications.enums import DeliveryState
from notifications.models import Notification
from tests.conftest import acceptance_experts, acceptance_file, acceptance_score, close_notice, contract_in_force
from workflow import steps

from ..workflow.test_plan_project_services import SCORES, draft

pytestmark = pytest.mark.django_db(transaction=True)


class Outbox:
    """What each step wrote: (kind, recipient) pairs since the last look."""

    def __init__(self) -> None:
        self.last = 0

    def new(self) -> Counter[tuple[str, str]]:
        rows = list(Notification.objects.filter(pk__gt=self.last).select_related("recipient").order_by("pk"))
        if rows:
            self.last = rows[-1].pk
        return Counter((n.kind, n.recipient.username) for n in rows)


def every_event(call, applicant, staff, expert, expert2, panel, finance_officer, finance_head):
    """Drive one application through every event, checking what each step wrote."""
    box = Outbox()
    app = draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    assert box.new() == {("submission_received", "applicant"): 1, ("submission_received", "staff"): 1}
    steps.formal_review(application=app, actor=staff, decision="return", comment="补充预算明细")
    assert box.new() == {("returned", "applicant"): 1}
    steps.application_submit(application=app, actor=applicant)
    box.new()
    steps.formal_review(application=app, actor=staff, decision="accept")
    assert box.new() == {("formal_review", "applicant"): 1}
    a1 = steps.assignment_add(application=app, expert=expert, actor=staff)
    a2 = steps.assignment_add(application=app, expert=expert2, actor=staff)
    assert box.new() == {("review_invitation", "expert"): 1, ("review_invitation", "expert2"): 1}
    steps.expert_review_start(application=app, actor=staff)
    for a, user in ((a1, expert.user), (a2, expert2.user)):
        steps.assignment_accept(assignment=a, actor=user, no_conflict=True)
        steps.review_submit(assignment=a, actor=user, scores=SCORES, comment="好", recommendation="support")
    assert box.new() == {("ready_for_decision", "panel"): 1}
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="250000.00", comment="")
    assert box.new() == {("decision", "applicant"): 1}
    notice = steps.notice_publish(call=call, actor=staff)
    assert box.new() == {("notice_published", "applicant"): 1}
    objection = objection_file(notice=notice, application_id=app.pk, text="数据不实", name="张三", contact="138")
    assert box.new() == {("objection_received", "staff"): 1}
    steps.objection_resolve(objection=objection, actor=staff, upheld=False, resolution="经核实数据属实")
    box.new()
    close_notice(notice, staff)
    box.new()
    contract_in_force(app, applicant, staff)
    assert box.new() == {
        ("contract_submitted", "staff"): 1,
        ("contract_in_force", "applicant"): 1,
        ("disbursement_requested", "officer"): 1,
    }
    first = Disbursement.objects.get(application=app, tranche=1)
    steps.disbursement_approve(disbursement=first, actor=finance_officer)
    box.new()
    steps.disbursement_approve(disbursement=first, actor=finance_head)
    assert box.new()[("disbursement_approved", "applicant")] == 1
    steps.disbursement_pay(disbursement=first, actor=finance_officer, voucher="PZ-2016-001")
    assert box.new() == {("disbursement_paid", "applicant"): 1}
    steps.acceptance_submit(application=app, actor=applicant, **acceptance_file(app))
    assert box.new() == {("acceptance_submitted", "staff"): 1}
    steps.acceptance_check(application=app, actor=staff, decision="return", comment="缺财务决算")
    assert box.new() == {("acceptance_returned", "applicant"): 1}
    steps.acceptance_submit(application=app, actor=applicant, **acceptance_file(app))
    steps.acceptance_check(application=app, actor=staff, decision="accept")
    box.new()
    drawn = acceptance_experts(app, staff)
    assert box.new() == {("acceptance_invitation", a.expert.user.username): 1 for a in drawn}
    acceptance_score(drawn, ["pass"] * len(drawn))
    box.new()
    steps.acceptance_decide(application=app, actor=staff, result="pass", comment="")
    assert box.new() == {("acceptance_decided", "applicant"): 1}


def test_each_event_notifies_the_right_people_once(
    call, applicant, staff, expert, expert2, panel, finance_officer, finance_head
):
    every_event(call, applicant, staff, expert, expert2, panel, finance_officer, finance_head)
    # Exactly once: every row went out by e-mail once (eager Celery here), no more, no fewer.
    rows = list(Notification.objects.select_related("recipient"))
    assert {n.state for n in rows} == {DeliveryState.SENT}
    assert all(n.channels_sent == ["email"] for n in rows)
    assert Counter((m.to[0], m.subject) for m in mail.outbox) == Counter((n.recipient.email, n.subject) for n in rows)
