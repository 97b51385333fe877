"""Channels plug in behind one interface; e-mail is text + HTML in the reader's language;
each person chooses which kinds reach them by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.channels import TransportError
from notifications.enums import DeliveryState
from notifications.models import EmailPreference, Notification
from notifications.services import notification_deliver, notify
from workflow import steps

from ..workflow.test_plan_project_services import draft

pytestmark = pytest.mark.django_db(transaction=True)

DELIVERED: list[tuple[str, str]] = []
FAIL_ONCE: list[bool] = []


class RecordingChannel:
    """A third channel (say SMS) that records what it was given; fails once when told to."""

    name = "sms"

    def accepts(self, user, kind, *, email_opted_out):
        return user.username != "staff"  # its own rule: staff have no phone on file

    def send(self, notification):
        if FAIL_ONCE:
            FAIL_ONCE.pop()
            raise TransportError("gateway busy")
        DELIVERED.append((notification.recipient.username, notification.kind))


@pytest.fixture
def sms(settings):
    DELIVERED.clear()
    FAIL_ONCE.clear()
    settings.PINGSHEN_NOTIFICATION_CHANNELS = {
        "email": "notifications.channels.EmailChannel",
        "sms": "tests.notifications.test_channels.RecordingChannel",
    }
    return DELIVERED


def test_a_third_channel_plugs_in_without_touching_the_callers(sms, call, applicant, staff):
    app = draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)  # an unchanged caller
    mine = Notification.objects.get(recipient=applicant)
    theirs = Notification.objects.get(recipient=staff)
    assert (mine.channels, theirs.channels) == (["email", "sms"], ["email"])
    assert mine.channels_sent == ["email", "sms"] and mine.state == DeliveryState.SENT
    assert sms == [("applicant", "submission_received")]
    assert sorted(m.to[0] for m in mail.outbox) == ["applicant@example.org", "staff@example.org"]


def test_a_retry_resends_only_the_channel_that_failed(sms, applicant):
    FAIL_ONCE.append(True)
    (row,) = notify(recipients=[applicant], kind="decision", subject="s", body="b")  # eager: fails once
    row.refresh_from_db()
    assert (row.state, row.channels_sent) == (DeliveryState.PENDING, ["email"])
    assert "sms: gateway busy" in row.last_error
    assert notification_deliver(notification_id=row.pk) is True
    row.refresh_from_db()
    assert (row.state, row.channels_sent) == (DeliveryState.SENT, ["email", "sms"])
    assert len(mail.outbox) == 1  # the e-mail went once
    assert sms == [("applicant", "decision")]


def test_email_has_text_and_html_in_the_readers_language(applicant, staff):
    staff.language = "en"
    staff.save()
    notify(
        recipients=[applicant, staff],
        kind="decision",
        subject="%(title)s",
        body="Line one\nhttps://example.org/x",
        context={"title": "T"},
        url="/applications/7/",
    )
    by_to = {m.to[0]: m for m in mail.outbox}
    english = by_to["staff@example.org"]
    assert english.body.startswith("Dear staff,")
    assert "http://localhost:8000/applications/7/" in english.body
    html, mimetype = english.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="en">' in html and 'href="http://localhost:8000/applications/7/"' in html
    assert "http://localhost:8000/inbox/preferences/" in html
    chinese = by_to["applicant@example.org"].alternatives[0][0]
    assert '<html lang="zh-hans">' in chinese


def test_preferences_page_turns_e_mail_off_per_kind(client, applicant, staff):
    client.force_login(applicant)
    page = client.get("/inbox/preferences/")
    assert page.status_code == 200
    assert 'value="decision" checked' in page.content.decode()
    assert 'name="digest"' not in page.content.decode()  # the digest is for staff
    kept = ["submission_received", "notice_published"]
    response = client.post("/inbox/preferences/", {"email": kept, "digest": "on"})
    assert response.status_code == 302
    assert not EmailPreference.objects.filter(user=applicant, kind="decision", email=True).exists()
    assert EmailPreference.objects.get(user=applicant, kind="submission_received").email is True
    assert not EmailPreference.objects.filter(user=applicant, kind="staff_digest").exists()
    (decision,) = notify(recipients=[applicant], kind="decision", subject="s", body="b")
    (notice,) = notify(recipients=[applicant], kind="notice_published", subject="s", body="b")
    notice.refresh_from_db()
    assert (decision.state, notice.state) == (DeliveryState.SKIPPED, DeliveryState.SENT)
    assert len(mail.outbox) == 1
    assert 'value="decision" checked' not in client.get("/inbox/preferences/").content.decode()

    client.force_login(staff)
    assert 'name="digest"' in client.get("/inbox/preferences/").content.decode()
    client.post("/inbox/preferences/", {"email": kept, "digest": "on"})
    assert EmailPreference.objects.get(user=staff, kind="staff_digest").email is True
    assert client.post("/inbox/preferences/", {"email": ["no_such_kind"]}).status_code == 200  # refused, shown


def test_dedupe_key_writes_once_per_recipient(applicant, staff):
    first = notify(recipients=[applicant], kind="x", subject="s", body="b", dedupe_key="k:1")
    again = notify(recipients=[applicant, staff], kind="x", subject="s", body="b", dedupe_key="k:1")
    assert len(first) == 1 and [n.recipient for n in again] == [staff]
    assert Notification.objects.filter(dedupe_key="k:1").count() == 2
