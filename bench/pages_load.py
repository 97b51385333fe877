"""Pages under load (issue 9, part 2): gunicorn serving the busiest pages to 20 users at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench_pages .venv/bin/python -m bench.pages_load

It loads ``--items`` applications (default 10,000) in one call with 5 submitted reviews each
(50,000 reviews) from a pool of ``--experts`` (default 2,000), through ``bench.scale.load``;
starts gunicorn (``--workers``, default 3, as in docker-compose.yml) on the bench database with
production settings (DEBUG off); and runs locust headless (installed in ``var/bench-venv`` from
``bench/requirements.txt``, away from the app's dependencies) with ``--users`` (20) users, all
started at once, waiting ``--think`` seconds between pages (1–3 s; ``0`` saturates the server),
for ``--seconds`` (60). Each user logs in through the login
form and then asks for one page again and again: the applicant's home, an expert's queue,
staff's call overview, and the panel's ranking page. Printed per page: requests, failures,
median, p95 and p99 in ms, and requests per second, from locust's CSV.

The load generator runs on the same two cores as gunicorn and PostgreSQL, so the figures are a
floor for a real server, not a ceiling.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.lifecycle import ROOT, configure_environment, ensure_database

BENCH_VENV = ROOT / "var" / "bench-venv"


def ensure_locust() -> Path:
    locust = BENCH_VENV / "bin" / "locust"
    if not locust.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 - our own command line
            [str(BENCH_VENV / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "bench" / "requirements.txt")],
            check=True,
        )
    return locust


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--experts", type=int, default=2_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--think",
        default="1,3",
        help='seconds each user waits between pages, "low,high" (default 1,3: people read); "0" saturates',
    )
    parser.add_argument("--keep-data", action="store_true", help="reuse the data of the last run")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="the cache gunicorn's workers share, as in production (default: Redis db 13)",
    )
    args = parser.parse_args()

    configure_environment()  # drops REDIS_URL for this process: the load runs Celery in-process
    name = ensure_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.enums import Role
    from accounts.services import user_create
    from applications.models import Call
    from bench.scale import load
    from reviews.models import Assignment

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off: the manifest must exist
    if not args.keep_data:
        call_command("flush", "--noinput", verbosity=0)
        started = time.perf_counter()
        ctx = load(
            items=args.items,
            experts=args.experts,
            calls=1,
            reviews=5,
            rng=random.Random(2026),  # noqa: S311 - reproducible test data
            draw_call=False,
        )
        user_create(username="bench-panel", password="bench-pass-2026", roles=[Role.PANEL], email="p@example.org")  # noqa: S106
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"loaded {args.items:,} applications, {args.experts:,} experts in {time.perf_counter() - started:.1f} s")
        del ctx
    call = Call.objects.order_by("-id").first()
    assert call is not None
    # The expert with the first assignment logs in as the expert: give them a password.
    first = Assignment.objects.select_related("expert__user").order_by("id").first()
    assert first is not None
    expert_user = first.expert.user
    expert_user.set_password("bench-pass-2026")
    expert_user.save(update_fields=["password"])
    expert_username = expert_user.username
    connection.close()

    locust = ensure_locust()
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": args.redis_url,
        "BENCH_CALL": str(call.pk),
        "BENCH_THINK": args.think,
        "BENCH_EXPERT": expert_username,
    }
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "workflow.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    out = ROOT / "var" / "bench-pages"
    try:
        wait_for(f"{base}/accounts/login/")
        subprocess.run(  # noqa: S603 - our own command line
            [
                str(locust),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(out),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"\n# bench.pages_load on {name}: {args.items:,} applications, {args.experts:,} experts, "
        f"gunicorn {args.workers} workers, {args.users} users for {args.seconds} s, think time {args.think} s"
    )
    print(f"{'page':<22} {'requests':>9} {'failures':>8} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}")
    with open(f"{out}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] in ("Aggregated", "login form", "login"):
                continue
            print(
                f"{row['Name']:<22} {row['Request Count']:>9} {row['Failure Count']:>8} "
                f"{float(row['Median Response Time']):>10.0f} {row['95%']:>8} {row['99%']:>8} "
                f"{float(row['Requests/s']):>7.1f}"
            )


if __name__ == "__main__":
    main()
