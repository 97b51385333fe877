"""The clocks close what is due, and running them twice changes nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.services import application_create
from core.errors import StateConflict
from funding.models import Notice
from tests.conftest import close_notice, contract_in_force
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
    assert steps.process_of(app).task_set.filter(flow_task=steps._flow(app).contract, status="ASSIGNED").exists()


# --- review deadlines, acceptance reminders, the staff digest -----------------------------------


def _race(job, n=2):
    """Run ``job`` from ``n`` threads at once, as two beat hosts would; each has its own connection."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(job())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def _kinds(kind):
    from notifications.models import Notification

    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_review_reminder_goes_once_before_the_due_date_even_from_two_beat_hosts(
    call, applicant, staff, expert, expert2
):
    from reviews.models import Assignment
    from workflow.tasks import remind_due_reviews

    app, (a1, a2) = to_review(call, applicant, staff, [expert, expert2])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    Assignment.objects.filter(pk=a1.pk).update(due_at=timezone.now() + dt.timedelta(days=2))  # within 3 days
    Assignment.objects.filter(pk=a2.pk).update(due_at=timezone.now() + dt.timedelta(days=10))  # not yet
    assert sorted(_race(remind_due_reviews)) == [0, 1]
    assert remind_due_reviews() == 0
    assert _kinds("review_reminder") == ["expert"]
    # A new due date is a new reminder.
    Assignment.objects.filter(pk=a1.pk).update(due_at=timezone.now() + dt.timedelta(days=1))
    assert remind_due_reviews() == 1
    # A submitted review is reminded of no more.
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    Assignment.objects.filter(pk=a1.pk).update(due_at=timezone.now() + dt.timedelta(hours=5))
    assert remind_due_reviews() == 0


def test_overdue_review_is_escalated_to_staff_once_and_listed_for_them(call, applicant, staff, expert, client):
    from reviews.models import Assignment
    from workflow.tasks import escalate_overdue_reviews

    app, (a1,) = to_review(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    assert escalate_overdue_reviews() == 0  # not due yet
    Assignment.objects.filter(pk=a1.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    assert sum(_race(escalate_overdue_reviews)) == 2  # staff and the expert, once each
    assert escalate_overdue_reviews() == 0
    assert _kinds("review_overdue") == ["expert", "staff"]

    client.force_login(staff)
    page = client.get("/reviews/overdue/").content.decode()
    assert app.title in page and "expert" in page
    client.force_login(expert.user)
    assert client.get("/reviews/overdue/").status_code == 404


def test_unanswered_drawn_invitation_expires_and_is_redrawn_by_the_same_rule(
    call, applicant, staff, expert, expert2, unassigned_expert
):
    from audit.selectors import audit_for
    from reviews.enums import AssignmentStatus, DrawKind
    from reviews.models import Assignment
    from workflow.tasks import expire_unanswered_invitations

    from ..reviews.test_draw_flow import accepted, open_tasks

    app = accepted(call, applicant, staff)
    steps.call_draw(call=call, actor=staff, seed="expire")
    first, second = Assignment.objects.filter(application=app).order_by("pk")
    steps.assignment_accept(assignment=second, actor=second.expert.user, no_conflict=True)
    assert expire_unanswered_invitations() == 0  # still within the response days
    Assignment.objects.filter(pk__in=[first.pk, second.pk]).update(invited_at=timezone.now() - dt.timedelta(days=6))

    assert sum(_race(expire_unanswered_invitations)) == 1
    assert expire_unanswered_invitations() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (AssignmentStatus.EXPIRED, AssignmentStatus.ACCEPTED)
    assert any(e.action == "assignment.expire" for e in audit_for(first))
    replacement = Assignment.objects.get(replaces=first)
    assert replacement.status == AssignmentStatus.INVITED
    assert replacement.draw_item.draw.kind == DrawKind.REPLACEMENT
    assert replacement.expert_id not in {first.expert_id, second.expert_id}
    slot = next(t for t in open_tasks(app, steps._flow(app).review) if t.data["assignment_id"] == replacement.pk)
    assert slot.owner_id == replacement.expert.user_id
    assert first.expert.user.username in _kinds("review_expired")
    assert _kinds("review_invitation").count(replacement.expert.user.username) == 1


def test_hand_picked_expired_invitation_goes_to_staff_who_redraw_from_the_overdue_page(
    call, applicant, staff, expert, expert2, client
):
    from reviews.enums import AssignmentStatus
    from reviews.models import Assignment
    from workflow.tasks import expire_unanswered_invitations

    app, (a1,) = to_review(call, applicant, staff, [expert])
    Assignment.objects.filter(pk=a1.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(staff)
    assert app.title in client.get("/reviews/overdue/").content.decode()  # listed as not answered in time
    assert expire_unanswered_invitations() == 1
    a1.refresh_from_db()
    assert a1.status == AssignmentStatus.EXPIRED
    assert not Assignment.objects.filter(replaces=a1).exists()
    assert _kinds("review_expired") == ["expert", "staff"]

    page = client.get("/reviews/overdue/").content.decode()
    assert f"/assignments/{a1.pk}/redraw/" in page  # a slot without an expert
    client.force_login(expert.user)
    assert client.post(f"/assignments/{a1.pk}/redraw/").status_code == 404
    client.force_login(staff)
    assert client.post(f"/assignments/{a1.pk}/redraw/").status_code == 302
    replacement = Assignment.objects.get(replaces=a1)
    assert replacement.expert_id == expert2.pk
    assert f"/assignments/{a1.pk}/redraw/" not in client.get("/reviews/overdue/").content.decode()


def test_acceptance_reminder_before_the_end_date_once_and_again_when_overdue(
    call, applicant, staff, expert, panel, settings
):
    """The contract in force's end date counts; overdue is the one rule (the end date more
    than the acceptance window ago): the applicant is told again and staff are told."""
    from aftergrant.models import ContractVersion
    from workflow.tasks import remind_acceptance_due

    settings.PINGSHEN_ACCEPTANCE_WINDOW_DAYS = 90

    app, (a1,) = to_review(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="100000.00")
    notice = steps.notice_publish(call=call, actor=staff)
    close_notice(notice, staff)
    contract_in_force(app, applicant, staff)
    today = timezone.localdate()
    version = ContractVersion.objects.filter(application=app, status="in_force")

    def ends(days: int) -> None:
        version.update(starts_on=today - dt.timedelta(days=900), ends_on=today + dt.timedelta(days=days))

    ends(60)
    assert remind_acceptance_due() == 0
    ends(20)
    assert sorted(_race(remind_acceptance_due)) == [0, 1]
    assert remind_acceptance_due() == 0
    ends(-91)
    assert remind_acceptance_due() == 2
    assert remind_acceptance_due() == 0
    assert sorted(_kinds("acceptance_due")) == ["applicant", "applicant", "staff"]


def test_staff_digest_once_a_day_instead_of_an_e_mail_per_event(call, applicant, staff, mailoutbox):
    from notifications.enums import DeliveryState
    from notifications.kinds import KINDS
    from notifications.models import Notification
    from notifications.services import email_preferences_save
    from workflow.tasks import send_staff_digest

    from .test_plan_project_services import draft

    staff.language = "en"
    staff.save()
    email_preferences_save(user=staff, email_kinds=list(KINDS), digest=True)
    assert send_staff_digest() == 0  # nothing waits: no digest
    app = draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    # The event still reaches staff's inbox, but not by e-mail; the applicant's e-mail goes.
    staff_row = Notification.objects.get(recipient=staff, kind="submission_received")
    assert staff_row.state == DeliveryState.SKIPPED
    assert [m.to for m in mailoutbox] == [["applicant@example.org"]]

    assert sum(_race(send_staff_digest)) == 1
    assert send_staff_digest() == 0
    digest = [m for m in mailoutbox if m.to == ["staff@example.org"]]
    assert len(digest) == 1
    text = digest[0].body
    assert "Submissions waiting for formal review: 1  http://localhost:8000/" in text
    assert "Overdue reviews" not in text  # only what waits is listed
    html = digest[0].alternatives[0][0]
    assert 'href="http://localhost:8000/"' in html
