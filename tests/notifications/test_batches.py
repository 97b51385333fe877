"""Delivery goes in batches: one task, one claim and one SMTP connection per batch; a
failure sends again only what failed (issue 18: notifications per second)."""

from __future__ import annotations

import smtplib
from typing import Any, ClassVar

import pytest
from django.core import mail

from notifications.channels import TransportError
from notifications.enums import DeliveryState
from notifications.models import Notification
from notifications.services import DELIVERY_BATCH, enqueue, notifications_deliver

pytestmark = pytest.mark.django_db


class CountingSMTP:
    """Stands in for an SMTP server (outside the project): counts connections opened and
    refuses, for now, one address."""

    opened: ClassVar[int] = 0
    delivered: ClassVar[list[str]] = []
    down_for: ClassVar[set[str]] = set()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.connected = False

    def open(self) -> bool:
        if not self.connected:
            type(self).opened += 1
            self.connected = True
            return True
        return False

    def close(self) -> None:
        self.connected = False

    def send_messages(self, messages: list[Any]) -> int:
        created = self.open()
        for message in messages:
            if message.to[0] in self.down_for:
                raise smtplib.SMTPServerDisconnected("try later")
            self.delivered.append(message.to[0])
        if created:
            self.close()
        return len(messages)


@pytest.fixture
def smtp(settings: Any) -> type[CountingSMTP]:
    settings.EMAIL_BACKEND = "tests.notifications.test_batches.CountingSMTP"
    CountingSMTP.opened, CountingSMTP.delivered, CountingSMTP.down_for = 0, [], set()
    return CountingSMTP


def _rows(users: list[Any], n: int) -> list[Notification]:
    return [
        Notification.objects.create(recipient=users[i % len(users)], kind="x", subject=f"s{i}", body="b")
        for i in range(n)
    ]


def test_a_batch_shares_one_connection_and_is_sent_once(smtp, applicant, staff):
    rows = _rows([applicant, staff], 6)
    ids = [n.pk for n in rows]
    assert notifications_deliver(ids=ids) == 6
    assert smtp.opened == 1
    assert len(smtp.delivered) == 6
    assert notifications_deliver(ids=ids) == 0  # a second task naming them claims nothing
    assert set(Notification.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_a_temporary_failure_sends_again_only_the_rows_that_failed(smtp, applicant, staff):
    rows = _rows([applicant, staff], 4)
    smtp.down_for = {staff.email}
    with pytest.raises(TransportError):
        notifications_deliver(ids=[n.pk for n in rows])
    assert sorted(smtp.delivered) == [applicant.email, applicant.email]
    states = dict(Notification.objects.values_list("recipient__username", "state").distinct())
    assert states == {applicant.username: DeliveryState.SENT, staff.username: DeliveryState.PENDING}
    assert "try later" in Notification.objects.filter(recipient=staff).first().last_error
    smtp.down_for = set()
    assert notifications_deliver(ids=[n.pk for n in rows]) == 2  # the retry: only staff's two
    assert sorted(smtp.delivered) == sorted([applicant.email] * 2 + [staff.email] * 2)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1, 2}


def test_enqueue_hands_the_broker_one_task_per_batch(applicant):
    """In-process (eager) here; the ids are split into batches and every one is sent."""
    rows = _rows([applicant], DELIVERY_BATCH + 3)
    assert enqueue([n.pk for n in rows]) == DELIVERY_BATCH + 3
    assert len(mail.outbox) == DELIVERY_BATCH + 3


def test_a_short_batch_is_topped_up_with_rows_never_tried(smtp, applicant, staff):
    """Under a backlog of small events each task sends a full batch; a row waiting for its
    retry is not taken early, and the task queued for a row already taken claims nothing."""
    mine, *waiting = _rows([applicant, staff], 4)
    retrying = _rows([staff], 1)[0]
    Notification.objects.filter(pk=retrying.pk).update(attempts=1)
    assert notifications_deliver(ids=[mine.pk], fill=DELIVERY_BATCH) == 4
    assert len(smtp.delivered) == 4
    assert smtp.opened == 1
    assert Notification.objects.get(pk=retrying.pk).state == DeliveryState.PENDING
    assert notifications_deliver(ids=[waiting[0].pk], fill=DELIVERY_BATCH) == 0
    assert notifications_deliver(ids=[mine.pk]) == 0
    # Without ``fill`` (a retry, the single-row task) only the rows named are taken.
    assert notifications_deliver(ids=[retrying.pk]) == 1


def test_the_retry_of_a_topped_up_batch_takes_back_every_row_that_failed(smtp, applicant, staff, monkeypatch):
    from notifications.tasks import send_notifications

    mine = _rows([applicant], 1)[0]
    others = _rows([staff], 2)
    smtp.down_for = {staff.email}
    with pytest.raises(TransportError) as failed:
        notifications_deliver(ids=[mine.pk], fill=DELIVERY_BATCH)
    assert sorted(failed.value.ids) == sorted(n.pk for n in others)  # not only the row it was named for

    # Through the task: the server refuses once; the retry sends the top-up row that failed.
    Notification.objects.all().delete()
    smtp.delivered = []
    mine = _rows([applicant], 1)[0]
    others = _rows([staff], 2)
    refuse = CountingSMTP.send_messages

    def refuse_once(self: Any, messages: list[Any]) -> int:
        try:
            return refuse(self, messages)
        except smtplib.SMTPException:
            CountingSMTP.down_for = set()  # the server is back for the retry
            raise

    monkeypatch.setattr(CountingSMTP, "send_messages", refuse_once)
    smtp.down_for = {staff.email}
    send_notifications.apply(args=[[mine.pk]], throw=False)  # eager: the retry runs at once
    assert set(Notification.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert sorted(smtp.delivered) == sorted([applicant.email] + [staff.email] * 2)
    assert sorted(Notification.objects.values_list("attempts", flat=True)) == [1, 1, 2]
