"""A real Celery worker sends the outbox: after commit, through Redis, exactly once.

The worker is a subprocess (``celery -A workflow worker --pool=solo``) pointed at the very
test database pytest-django created, so it sees the rows this test commits. Needs
PostgreSQL (an in-memory SQLite test database cannot be shared) and a reachable Redis.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from applications.services import application_create
from notifications.enums import DeliveryState
from notifications.models import Notification
from workflow import steps

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _database_url(settings_dict: dict[str, Any]) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


@pytest.fixture(scope="module")
def worker(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Start a worker on the test database; stop it before the database is dropped."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL (set DATABASE_URL)")
    redis_url = _redis_url()
    if not _redis_reachable(redis_url):
        pytest.skip(f"Redis is not reachable at {redis_url}")
    with django_db_blocker.unblock():
        test_db_url = _database_url(connection.settings_dict)  # NAME is the test database by now
    mail_dir = tmp_path_factory.mktemp("mail")
    log_path = mail_dir.parent / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workflow.settings",
        "DATABASE_URL": test_db_url,
        "REDIS_URL": redis_url,
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
        yield type("Worker", (), {"process": process, "mail_dir": mail_dir, "redis_url": redis_url, "log": log_path})
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        if b"ready." in log_path.read_bytes():
            return
        time.sleep(0.2)
    _stop(process)
    pytest.fail(f"the Celery worker did not start within 30 s:\n{log_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def broker(worker: Any, settings: Any) -> Iterator[None]:
    """Send tasks to Redis instead of running them in-process, for this test only."""
    from workflow.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = worker.redis_url
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    if app.conf.broker_url != worker.redis_url:
        app.conf.broker_url = worker.redis_url
        app._pool = None  # connect anew, to the new broker
        app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager = saved[0]
        if app.conf.broker_url != saved[1]:
            app.conf.broker_url = saved[1]
            app._pool = None
            app.amqp._producer_pool = None


def _subjects(mail_dir: Path) -> list[str]:
    """Every message the file backend wrote (one file per connection, messages split by dashes)."""
    subjects = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
                subjects.append(str(message["subject"]).strip())
    return subjects


def test_worker_sends_each_notification_exactly_once(worker, broker, call, applicant, staff):
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

    expected = list(Notification.objects.filter(recipient__in=[applicant, staff]).order_by("pk"))
    assert {n.recipient_id for n in expected} == {applicant.pk, staff.pk}
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        states = set(Notification.objects.filter(pk__in=[n.pk for n in expected]).values_list("state", flat=True))
        if states == {DeliveryState.SENT} and len(_subjects(worker.mail_dir)) >= len(expected):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"not sent within {TIMEOUT} s; worker log:\n{worker.log.read_text(errors='replace')[-4000:]}")

    time.sleep(0.5)  # room for a duplicate to show up, if there were one
    sent = list(Notification.objects.filter(pk__in=[n.pk for n in expected]).order_by("pk"))
    assert [n.state for n in sent] == [DeliveryState.SENT] * len(expected)
    assert [n.attempts for n in sent] == [1] * len(expected)
    assert all(n.sent_at is not None for n in sent)
    subjects = _subjects(worker.mail_dir)
    for n in sent:
        assert subjects.count(n.subject) == 1, (n.subject, subjects)


def test_a_real_worker_sends_every_events_notifications_once(
    worker, broker, call, applicant, staff, expert, expert2, panel, finance_officer, finance_head
):
    from .test_events import every_event

    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    from collections import Counter

    earlier = Counter(_subjects(worker.mail_dir))
    already = sum(earlier.values())
    every_event(call, applicant, staff, expert, expert2, panel, finance_officer, finance_head)
    ids = list(Notification.objects.filter(pk__gt=before).values_list("pk", flat=True))
    deadline = time.monotonic() + TIMEOUT * 2
    while time.monotonic() < deadline:
        states = set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True))
        if states == {DeliveryState.SENT} and len(_subjects(worker.mail_dir)) - already >= len(ids):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"not sent within {TIMEOUT * 2} s; worker log:\n{worker.log.read_text(errors='replace')[-4000:]}")
    time.sleep(0.5)  # room for a duplicate to show up, if there were one
    sent = list(Notification.objects.filter(pk__in=ids))
    assert [n.attempts for n in sent] == [1] * len(sent)
    # Each row's e-mail exactly once: the messages this test added are the rows' subjects, one each.
    added = Counter(_subjects(worker.mail_dir)) - earlier
    assert added == Counter(n.subject for n in sent)
