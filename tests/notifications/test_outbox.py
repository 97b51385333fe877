"""Notifications are written with the event and sent at most once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from core.errors import NotVisible
from notifications.enums import DeliveryState
from notifications.models import Notification
from notifications.services import notification_deliver, notification_mark_read
from workflow import steps

from ..workflow.test_plan_project_services import draft


@pytest.mark.django_db(transaction=True)
def test_submission_notifies_applicant_and_staff_in_their_language(call, applicant, staff):
    staff.language = "en"
    staff.save()
    app = draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    mine = Notification.objects.get(recipient=applicant)
    theirs = Notification.objects.get(recipient=staff)
    assert mine.kind == theirs.kind == "submission_received"
    assert mine.subject == "申报已受理：高效节能阀门研发"  # the applicant reads Chinese (the default)
    assert theirs.subject.startswith("New submission")
    # Eager Celery in tests: both went out by e-mail, once each.
    assert {n.state for n in Notification.objects.all()} == {DeliveryState.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == ["applicant@example.org", "staff@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_event_leaves_no_notification(call, applicant, other_applicant):
    app = draft(call, applicant)
    with pytest.raises(NotVisible):
        steps.application_submit(application=app, actor=other_applicant)
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_delivery_is_claimed_once(applicant):
    n = Notification.objects.create(recipient=applicant, kind="x", subject="s", body="b")
    assert notification_deliver(notification_id=n.pk) is True
    assert notification_deliver(notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.state == DeliveryState.SENT and n.attempts == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_only_the_recipient_marks_read(applicant, other_applicant):
    n = Notification.objects.create(recipient=applicant, kind="x", subject="s", body="b")
    with pytest.raises(NotVisible):
        notification_mark_read(notification=n, actor=other_applicant)
    notification_mark_read(notification=n, actor=applicant)
    n.refresh_from_db()
    assert n.read


class DownSMTP:
    """An e-mail backend standing in for an SMTP server that is down (outside the project)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("connection closed")


class RefusingSMTP(DownSMTP):
    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"applicant@example.org": (550, b"no such user")})


@pytest.mark.django_db
def test_temporary_failure_goes_back_to_the_outbox_and_permanent_one_is_recorded(applicant, settings):
    from notifications.channels import TransportError

    n = Notification.objects.create(recipient=applicant, kind="x", subject="s", body="b")
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.DownSMTP"
    with pytest.raises(TransportError):
        notification_deliver(notification_id=n.pk)
    n.refresh_from_db()
    assert (n.state, n.attempts) == (DeliveryState.PENDING, 1)
    assert "connection closed" in n.last_error
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RefusingSMTP"
    assert notification_deliver(notification_id=n.pk) is False
    n.refresh_from_db()
    assert (n.state, n.attempts) == (DeliveryState.FAILED, 2)


@pytest.mark.django_db
def test_opted_out_kind_stays_in_the_inbox_only(applicant):
    from notifications.services import email_preference_set, notify

    email_preference_set(user=applicant, kind="decision", email=False)
    (row,) = notify(recipients=[applicant], kind="decision", subject="s", body="b")
    assert row.state == DeliveryState.SKIPPED
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_failed_not_resent_and_staff_can_resend(applicant, staff):
    import datetime as dt

    from django.utils import timezone

    from notifications.services import notification_resend, outbox_sweep

    n = Notification.objects.create(recipient=applicant, kind="x", subject="s", body="b")
    Notification.objects.filter(pk=n.pk).update(
        state=DeliveryState.SENDING, attempts=1, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    outbox_sweep()
    n.refresh_from_db()
    assert n.state == DeliveryState.FAILED
    assert len(mail.outbox) == 0
    with pytest.raises(PermissionDenied):
        notification_resend(notification=n, actor=applicant)
    notification_resend(notification=n, actor=staff)
    n.refresh_from_db()
    assert n.state == DeliveryState.PENDING


@pytest.mark.django_db
def test_choices_read_with_the_application_and_the_expert_are_honoured(call, applicant, staff, expert):
    """The applicant's e-mail choices come with the step's locked read of the application, the
    expert's with the service's read of the expert (``email_choices``): ``notify`` reads none
    of its own then, and an opt-out still keeps the e-mail back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.services import application_create
    from notifications.services import email_preference_set
    from workflow import steps

    app = application_create(
        actor=applicant,
        call=call,
        title="高效节能阀门研发",
        summary="研发新一代高效节能阀门。",
        field="manufacturing",
        requested_yuan="300000.00",
        self_funding_yuan="600000.00",
    )
    steps.application_submit(application=app, actor=applicant)
    email_preference_set(user=applicant, kind="formal_review", email=False)
    email_preference_set(user=expert.user, kind="review_invitation", email=False)
    with CaptureQueriesContext(connection) as queries:
        steps.formal_review(application=app, actor=staff, decision="accept")
        steps.assignment_add(application=app, expert=expert, actor=staff)
    own_reads = [
        q["sql"]
        for q in queries
        if 'FROM "notifications_emailpreference"' in q["sql"] and "JSONB_OBJECT_AGG" not in q["sql"]
    ]
    assert own_reads == []
    told = Notification.objects.filter(kind__in=["formal_review", "review_invitation"]).order_by("pk")
    assert [(n.recipient_id, n.state, n.channels) for n in told] == [
        (applicant.pk, DeliveryState.SKIPPED, []),
        (expert.user.pk, DeliveryState.SKIPPED, []),
    ]
    # Opting out of one kind leaves the others: the submission's receipt went by e-mail.
    receipt = Notification.objects.get(recipient=applicant, kind="submission_received")
    assert (receipt.state, receipt.channels) == (DeliveryState.PENDING, ["email"])
