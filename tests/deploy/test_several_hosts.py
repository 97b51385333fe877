"""The shape a province runs (docs/operations.md): two web processes, two Celery workers and one
beat on one PostgreSQL and one Redis (issue 13, 2).

People act on either web process; each notification is e-mailed once whichever worker takes
it; each clock does its work once however many ticks reach however many workers (the beat
here ticks every 2 s, tests/deploy/fast_beat.py); a session made on one web process is valid
on the other.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from .conftest import Browser, Stack

pytestmark = pytest.mark.deploy


def test_a_session_made_on_one_web_process_is_valid_on_the_other(stack: Stack):
    web_a, web_b = stack.webs
    browser = Browser()
    login = browser.login_page(web_a, "staff")
    assert login.status == 302, login.body[:500]
    assert "sessionid" in browser.cookies
    me = browser.request("GET", f"{web_b}/api/me/")
    assert me.status == 200, me.body[:500]
    assert me.json()["username"] == "staff"
    home = browser.request("GET", f"{web_b}/")
    assert home.status == 200  # not sent back to the login page
    # And a token issued by B is honoured by A.
    applicant = stack.token(web_b, "applicant")
    assert applicant.request("GET", f"{web_a}/api/me/").json()["username"] == "applicant"


def _counter(messages: list) -> Counter[tuple[str, str]]:
    return Counter((str(m["to"]), str(m["subject"]).strip()) for m in messages)


def test_each_notification_is_sent_once_across_two_workers(stack: Stack):
    web_a, web_b = stack.webs
    earlier = _counter(stack.emails())
    before = stack.query("SELECT coalesce(max(id), 0) FROM notifications_notification")[0][0]
    on = {web_a: stack.token(web_a, "applicant"), web_b: stack.token(web_b, "applicant")}
    staff = stack.token(web_b, "staff")
    pks = []
    for index, web in enumerate([web_a, web_b, web_a, web_b]):
        created = on[web].request(
            "POST",
            f"{web}/api/applications/",
            data={
                "call": stack.ids["open_call"],
                "title": f"多主机测试项目{index}",
                "summary": "两台 web、两个 worker。",
                "field": "manufacturing",
                "requested_yuan": "100000.00",
                "self_funding_yuan": "200000.00",
                "start_date": "2027-01-01",
                "end_date": "2028-12-31",
            },
        )
        assert created.status == 201, created.body[:1000]
        pk = created.json()["id"]
        assert on[web].request("POST", f"{web}/api/applications/{pk}/submit/", data={"pledge": True}).status == 200
        pks.append(pk)
    for pk, decision in zip(pks[:2], ["return", "reject"], strict=True):
        answer = staff.request(
            "POST",
            f"{web_a}/api/applications/{pk}/formal-review/",
            data={"decision": decision, "comment": "材料不全。"},
        )
        assert answer.status == 200, answer.body[:1000]

    rows = stack.query(
        "SELECT n.id, u.email, n.subject FROM notifications_notification n JOIN accounts_user u "
        "ON u.id = n.recipient_id WHERE n.id > %s AND n.kind <> 'staff_digest' AND n.channels <> '[]'::jsonb",
        before,
    )
    assert len(rows) >= 6, rows  # four submissions received, one returned, one rejected
    ids = [row[0] for row in rows]

    def all_sent() -> bool:
        states = stack.query("SELECT state FROM notifications_notification WHERE id = ANY(%s)", ids)
        return {state for (state,) in states} == {"sent"}

    stack.wait_until("both workers empty the outbox", all_sent, timeout=40, state=lambda: stack.outbox(ids))
    time.sleep(1)  # room for a duplicate
    assert [a for (a,) in stack.query("SELECT attempts FROM notifications_notification WHERE id = ANY(%s)", ids)] == [
        1
    ] * len(ids)
    added = _counter(stack.emails()) - earlier
    expected = Counter((email, subject) for _id, email, subject in rows)
    assert {key: added[key] for key in expected} == dict(expected)  # each e-mailed exactly once


def test_each_clock_does_its_work_once(stack: Stack):
    beat = stack.processes["beat"]

    def ticks(name: str) -> int:
        return beat.text().count(f"Sending due task {name} ")

    start = {name: ticks(name) for name in ("close-due-calls", "staff-digest")}
    # Something waits for staff (a submitted application), so the daily summary has content.
    applicant = stack.token(stack.webs[0], "applicant")
    created = applicant.request(
        "POST",
        f"{stack.webs[0]}/api/applications/",
        data={
            "call": stack.ids["open_call"],
            "title": "时钟测试项目",
            "summary": "等待形式审查。",
            "field": "manufacturing",
            "requested_yuan": "100000.00",
            "self_funding_yuan": "200000.00",
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
        },
    )
    assert created.status == 201, created.body[:1000]
    assert (
        applicant.request(
            "POST", f"{stack.webs[0]}/api/applications/{created.json()['id']}/submit/", data={"pledge": True}
        ).status
        == 200
    )
    stack.wait_until(
        "beat sends each clock three more times",
        lambda: all(ticks(name) >= start[name] + 3 for name in start),
        timeout=30,
    )
    digest = stack.query(
        "SELECT n.id FROM notifications_notification n JOIN accounts_user u ON u.id = n.recipient_id "
        "WHERE n.kind = 'staff_digest' AND u.username = 'staff'"
    )
    assert len(digest) == 1, digest  # one summary a day, whatever the number of ticks and workers
    stack.wait_until(
        "the summary is e-mailed",
        lambda: stack.query("SELECT state FROM notifications_notification WHERE id = %s", digest[0][0])[0][0] == "sent",
        timeout=20,
    )
    subject = stack.query("SELECT subject FROM notifications_notification WHERE id = %s", digest[0][0])[0][0]
    subjects = [str(m["subject"]).strip() for m in stack.emails() if str(m["to"]) == "staff@example.org"]
    assert subjects.count(subject) == 1, (subject, subjects)

    closed = stack.query("SELECT closed_at FROM applications_call WHERE id = %s", stack.ids["due_call"])
    assert closed[0][0] is not None  # the due call was closed by the clock
    closes = stack.query(
        "SELECT count(*) FROM audit_auditentry WHERE action = 'call.close' AND target_id = %s", stack.ids["due_call"]
    )
    assert closes[0][0] == 1  # once, though close-due-calls ran on every tick
    received = sum(stack.processes[f"worker-{i}"].text().count("Task workflow.tasks.close_due_calls[") for i in (1, 2))
    assert received >= 2 * 3  # received and succeeded lines: the ticks reached the workers
