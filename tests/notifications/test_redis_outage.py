"""Nothing is lost when Redis is down: the events happen, their notifications wait in the
outbox, and go out once each when Redis is back and the sweep runs.

The test starts a redis-server of its own (port 6391, no persistence), a real Celery worker
on it (the same subprocess as ``test_worker.py``), stops Redis, submits, decides and approves
through the step entry points, starts Redis again and sweeps.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from funding.models import Disbursement
from notifications.enums import DeliveryState
from notifications.models import Notification
from notifications.services import outbox_sweep
from tests.conftest import close_notice, contract_in_force
from workflow import steps

from ..workflow.test_plan_project_services import SCORES, draft, to_review
from .test_worker import ROOT, _database_url, _stop, _subjects, _wait_ready

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PORT = int(os.environ.get("PINGSHEN_OUTAGE_REDIS_PORT", "6391"))
URL = f"redis://127.0.0.1:{PORT}/0"
TIMEOUT = 30.0


class Redis:
    """A redis-server this test owns: start, stop (for real: the process ends) and start again."""

    def __init__(self, log_dir: Any) -> None:
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        with open(self.log_dir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
                [binary, "--port", str(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while not self.up():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {PORT}")
            time.sleep(0.05)

    def up(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(URL, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None
        assert not self.up()


@pytest.fixture
def redis_server(tmp_path: Any) -> Iterator[Redis]:
    server = Redis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outage_worker(redis_server: Redis, django_db_setup: Any, django_db_blocker: Any, tmp_path: Any) -> Iterator[Any]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL (set DATABASE_URL)")
    with django_db_blocker.unblock():
        test_db_url = _database_url(connection.settings_dict)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workflow.settings",
        "DATABASE_URL": test_db_url,
        "REDIS_URL": URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "celery", "-A", "workflow", "worker", "--pool=solo", "--loglevel=INFO"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(process, log_path)
        yield type("Worker", (), {"process": process, "mail_dir": mail_dir, "log": log_path})
    finally:
        _stop(process)


@contextmanager
def in_process(settings: Any) -> Iterator[None]:
    """Run tasks in-process (the setting for every test not marked ``worker``)."""
    from workflow.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


@contextmanager
def through_broker(settings: Any) -> Iterator[None]:
    """Send tasks to our Redis instead of running them in-process."""
    from workflow.celery import app

    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = URL
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5, "max_retries": 0}
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = saved
        app._pool = None
        app.amqp._producer_pool = None


def test_submit_decide_approve_with_redis_down_lose_nothing_and_send_once(
    outage_worker, redis_server, settings, call, applicant, staff, expert, panel, finance_officer, finance_head
):
    # Before the outage (in-process sending): one draft, one item reviewed and waiting for the
    # panel, one funded project whose first payment the officer has approved.
    with in_process(settings):
        waiting = draft(call, applicant, title="待申报项目")
        reviewed, (a1,) = to_review(call, applicant, staff, [expert], title="待决策项目")
        steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
        steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
        funded, (a2,) = to_review(call, applicant, staff, [expert], title="待拨款项目")
        steps.assignment_accept(assignment=a2, actor=expert.user, no_conflict=True)
        steps.review_submit(assignment=a2, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
        steps.decide(application=funded, actor=panel, fund=True, approved_yuan="100000.00")
        notice = steps.notice_publish(call=call, actor=staff)
        close_notice(notice, staff)
        contract_in_force(funded, applicant, staff)
        payment = Disbursement.objects.get(application=funded, tranche=1)
        steps.disbursement_approve(disbursement=payment, actor=finance_officer)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert set(Notification.objects.values_list("state", flat=True)) == {DeliveryState.SENT}

    with through_broker(settings):
        redis_server.stop()
        steps.application_submit(application=waiting, actor=applicant)
        steps.decide(application=reviewed, actor=panel, fund=True, approved_yuan="200000.00")
        steps.disbursement_approve(disbursement=payment, actor=finance_head)

        # The events happened; their notifications wait in the outbox.
        waiting.refresh_from_db()
        reviewed.refresh_from_db()
        payment.refresh_from_db()
        assert (waiting.status, reviewed.status, payment.status) == ("submitted", "funded", "approved")
        outage = list(Notification.objects.filter(pk__gt=before).order_by("pk"))
        assert {(n.kind, n.recipient.username) for n in outage} >= {
            ("submission_received", "applicant"),
            ("submission_received", "staff"),
            ("decision", "applicant"),
            ("disbursement_approved", "applicant"),
        }
        assert {n.state for n in outage} == {DeliveryState.PENDING}
        assert _subjects(outage_worker.mail_dir) == []

        redis_server.start()
        queued = outbox_sweep(older_than=dt.timedelta(0))
        assert queued == len(outage)
        outbox_sweep(older_than=dt.timedelta(0))  # a second sweep (another beat tick) queues them again

        ids = [n.pk for n in outage]
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            states = set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True))
            if states == {DeliveryState.SENT} and len(_subjects(outage_worker.mail_dir)) >= len(ids):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"not sent within {TIMEOUT} s:\n{outage_worker.log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.5)  # room for a duplicate to show up, if there were one

    sent = list(Notification.objects.filter(pk__in=ids).order_by("pk"))
    assert [n.attempts for n in sent] == [1] * len(sent)
    subjects = _subjects(outage_worker.mail_dir)
    assert len(subjects) == len(sent)
    for n in sent:
        assert subjects.count(n.subject) == sum(1 for m in sent if m.subject == n.subject)
