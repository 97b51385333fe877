"""A clean virtualenv from requirements.txt alone serves the production settings (issue 13, 1).

The stack (tests/deploy/conftest.py) already passed ``manage.py check --deploy`` with production
settings, migrated a scratch database and collected the static files from that environment.
Here one person's round trip goes over HTTP: log in, submit an application, and a Celery
worker of that environment delivers the e-mails the outbox holds.
"""

from __future__ import annotations

import time

import pytest

from .conftest import Stack

pytestmark = pytest.mark.deploy


def test_the_environment_holds_only_the_runtime_requirements(stack: Stack):
    """Every module of the project imports without a dev-only package (django_stubs_ext once did)."""
    output = stack.run("python", "tests/deploy/import_all.py")
    assert "imported" in output


def test_production_settings_answer_plain_http_behind_the_proxy_switches(stack: Stack):
    web = stack.webs[0]
    browser = stack.token(web, "applicant")
    login = browser.request("GET", f"{web}/accounts/login/")
    assert login.status == 200
    assert login.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in login.headers
    # WhiteNoise serves the collected, hashed static files.
    css = browser.request("GET", f"{web}/static/does-not-exist.css")
    assert css.status == 404
    # DEBUG is off: a missing page is the plain 404 page, not Django's debug page.
    missing = browser.request("GET", f"{web}/no-such-page/")
    assert missing.status in (302, 404)
    assert b"technical_404" not in missing.body and b"Django tried these URL patterns" not in missing.body


def test_log_in_submit_and_the_worker_delivers_the_emails(stack: Stack):
    web = stack.webs[0]
    applicant = stack.token(web, "applicant")
    created = applicant.request(
        "POST",
        f"{web}/api/applications/",
        data={
            "call": stack.ids["open_call"],
            "title": "高效节能阀门研发",
            "summary": "研发新一代高效节能阀门。",
            "field": "manufacturing",
            "requested_yuan": "300000.00",
            "self_funding_yuan": "600000.00",
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
        },
    )
    assert created.status == 201, created.body[:1000]
    pk = created.json()["id"]
    before = stack.query("SELECT coalesce(max(id), 0) FROM notifications_notification")[0][0]
    submitted = applicant.request("POST", f"{web}/api/applications/{pk}/submit/", data={"pledge": True})
    assert submitted.status == 200, submitted.body[:1000]
    assert submitted.json()["status"] == "submitted"

    rows = stack.query(
        "SELECT n.id, u.email, n.subject, n.channels FROM notifications_notification n "
        "JOIN accounts_user u ON u.id = n.recipient_id WHERE n.id > %s AND n.kind <> 'staff_digest' ORDER BY n.id",
        before,
    )
    assert {email for _id, email, _subject, _channels in rows} == {"applicant@example.org", "staff@example.org"}
    # The applicant is told by e-mail; staff who take the daily summary find it in the inbox only.
    by_email = [(pk, email, subject) for pk, email, subject, channels in rows if channels]
    assert [email for _pk, email, _subject in by_email] == ["applicant@example.org"]
    ids = [row[0] for row in by_email]

    def delivered() -> bool:
        states = stack.query("SELECT state, attempts FROM notifications_notification WHERE id = ANY(%s)", ids)
        return all(state == "sent" and attempts == 1 for state, attempts in states)

    stack.wait_until("the worker sends the outbox", delivered, timeout=30, state=lambda: stack.outbox(ids))
    time.sleep(0.5)  # room for a duplicate
    messages = stack.emails()
    for _pk, email, subject in by_email:
        sent = [m for m in messages if str(m["to"]) == email and str(m["subject"]).strip() == subject]
        assert len(sent) == 1, (email, subject, [(str(m["to"]), str(m["subject"])) for m in messages])
