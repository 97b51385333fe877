"""Notification delivery: throughput and commit-to-sent latency with two real Celery workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_notif_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python -m bench.notifications --n 10000

What it does:

1. Creates the bench database if missing, migrates it and deletes its notifications (so the
   database name must contain ``bench``); creates ``--users`` recipients with an address.
2. Purges the Celery queue on ``REDIS_URL`` and starts two worker processes
   (``celery -A workflow worker --pool=solo``, one task at a time each) on that database
   and Redis. With ``--smtp`` (the issue's measure) they send through Django's SMTP backend
   to a local SMTP server (``bench/smtp_sink.py``, on a free port), which counts what it
   received; without it, Django's in-memory e-mail backend: everything but the SMTP round trip.
3. Writes N notifications through ``notifications.services.notify``, ``--batch`` per
   transaction (an event notifies a few people; the default of 10 is a busy bureau),
   recording the wall-clock time just after each ``COMMIT``. ``notify`` queues each row on
   Redis after commit, exactly as the services do; ``--rate`` paces the writer (per
   second, 0 = as fast as it can).
4. Waits until every row is ``sent``.

Figures:

* throughput = N / (last ``sent_at`` − first commit): what two workers deliver per second
  while a writer keeps them busy;
* latency = ``sent_at`` (set by the worker after the e-mail backend returned) − the commit
  time of the row's transaction, median and p95 (same machine, same clock). With the writer
  unpaced, most of it is waiting in the queue behind earlier rows; ``--rate`` below the
  throughput measures an unloaded system.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp_sink(log_dir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A local SMTP server on a free port; the workers' e-mail goes there."""
    port = free_port()
    count_file = log_dir / "bench-smtp-received.txt"
    count_file.write_text("")
    sink = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-W", "ignore", "-m", "bench.smtp_sink", str(port), str(count_file)],
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("the SMTP sink did not start")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(port)
    os.environ["EMAIL_USE_TLS"] = "false"
    return sink, count_file


def configure_environment(redis_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")  # noqa: S105 - throwaway database
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def start_workers(n: int, log_dir: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for i in range(n):
        log = open(log_dir / f"bench-worker-{i}.log", "wb")  # noqa: SIM115 - lives as long as the worker
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "workflow",
                    "worker",
                    "--pool=solo",
                    "--loglevel=WARNING",
                    "-n",
                    f"bench{i}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return workers


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in workers:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_ready(app: Any, names: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        seen = {name for reply in replies for name in reply}
        if all(any(s.startswith(n) for s in seen) for n in names):
            return
    sys.exit("the workers did not answer within 60 s; see var/bench-worker-*.log")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="notifications to send (10,000)")
    parser.add_argument("--batch", type=int, default=10, help="notifications per transaction (10)")
    parser.add_argument("--rate", type=float, default=0, help="notifications written per second (0: unpaced)")
    parser.add_argument("--users", type=int, default=200, help="recipients (200)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the last send")
    parser.add_argument("--smtp", action="store_true", help="send to a local SMTP server (bench/smtp_sink.py)")
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        sys.exit(
            "set DATABASE_URL to a PostgreSQL database whose name contains 'bench' (its notifications are deleted)"
        )
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
    configure_environment(redis_url)
    from bench.lifecycle import ensure_database

    ensure_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from notifications.enums import DeliveryState
    from notifications.models import EmailPreference, Notification
    from notifications.services import notify
    from workflow.celery import app

    call_command("migrate", verbosity=0, interactive=False)
    Notification.objects.all().delete()
    EmailPreference.objects.filter(user__username__startswith="bench-recipient-").delete()
    existing = set(User.objects.filter(username__startswith="bench-recipient-").values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=name, email=f"{name}@example.org", language="en" if i % 3 == 0 else "zh-hans")
            for i in range(args.users)
            if (name := f"bench-recipient-{i:04d}") not in existing
        ]
    )
    users = list(User.objects.filter(username__startswith="bench-recipient-").order_by("username"))

    app.control.purge()
    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    sink, received_file = start_smtp_sink(log_dir) if args.smtp else (None, None)
    workers = start_workers(args.workers, log_dir)
    try:
        wait_ready(app, [f"bench{i}@" for i in range(args.workers)])
        committed: dict[int, datetime] = {}
        started = time.monotonic()
        written = 0
        while written < args.n:
            size = min(args.batch, args.n - written)
            recipients = [users[(written + k) % len(users)] for k in range(size)]
            with transaction.atomic():
                rows = notify(
                    recipients=recipients,
                    kind="decision",
                    subject="Funding decision: %(title)s",
                    body="The panel decided on “%(title)s”. Open Pingshen to read the decision.",
                    context={"title": f"Bench item {written}"},
                    url=f"/applications/{written}/",
                )
            now = timezone.now()  # after COMMIT; on_commit has queued the rows by now
            for row in rows:
                committed[row.pk] = now
            written += size
            if args.rate:
                lag = written / args.rate - (time.monotonic() - started)
                if lag > 0:
                    time.sleep(lag)
        write_seconds = time.monotonic() - started

        deadline = time.monotonic() + args.timeout
        ids = list(committed)
        while time.monotonic() < deadline:
            left = Notification.objects.filter(pk__in=ids).exclude(state=DeliveryState.SENT).count()
            if left == 0:
                break
            time.sleep(0.5)
        else:
            sys.exit(f"{left} notifications not sent within {args.timeout} s")
    finally:
        stop_workers(workers)
        if sink is not None:
            time.sleep(0.5)  # the sink writes a message's line before it answers 250
            stop_workers([sink])

    rows = list(Notification.objects.filter(pk__in=ids).values_list("pk", "sent_at", "attempts"))
    latencies = [(sent - committed[pk]).total_seconds() for pk, sent, _a in rows]
    first_commit = min(committed.values())
    last_sent = max(sent for _pk, sent, _a in rows)
    span = (last_sent - first_commit).total_seconds()
    duplicates = sum(1 for _pk, _s, attempts in rows if attempts != 1)

    print(f"Pingshen notification delivery, {platform.python_implementation()} {platform.python_version()}, ")
    print(f"  {os.cpu_count()} CPUs, {args.workers} worker processes (--pool=solo), PostgreSQL + Redis")
    print(f"  e-mail: {'SMTP to a local server' if args.smtp else 'in-memory backend (no SMTP)'}")
    print(f"  n = {len(rows)}, batch = {args.batch} per transaction, writer rate = {args.rate or 'unpaced'}")
    print(f"  writer: {write_seconds:.2f} s ({len(rows) / write_seconds:.0f} notifications/s written and queued)")
    print(f"  throughput: {len(rows) / span:.1f} notifications/s sent (first commit to last sent: {span:.2f} s)")
    print(
        f"  latency commit → sent: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(f"  rows sent more than once or retried: {duplicates}")
    if received_file is not None:
        received = sum(int(line) for line in received_file.read_text().split())
        print(f"  SMTP server on 127.0.0.1 received {received} messages (rows marked sent: {len(rows)})")


if __name__ == "__main__":
    main()
