"""Pages under load (issue 9, part 2): gunicorn serving the busiest pages to 20 users at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench_pages .venv/bin/python -m bench.pages_load

It loads ``--items`` applications (default 10,000) in one call with 5 submitted reviews each
(50,000 reviews) from a pool of ``--experts`` (default 2,000), through ``bench.scale.load``
(``--calls 10``: ten such calls, the province's 100,000 applications, the pages on the last);
starts gunicorn (``--workers``, default 3, as in docker-compose.yml) on the bench database with
production settings (DEBUG off); and runs locust headless (installed in ``var/bench-venv`` from
``bench/requirements.txt``, away from the app's dependencies) with ``--users`` (20) users, all
started at once, waiting ``--think`` seconds between pages (1–3 s; ``0`` saturates the server),
for ``--seconds`` (60). Each user logs in through the login form, waits until every user has
logged in (the figures start afresh then: twenty PBKDF2 logins at once held up the first pages
by seconds), and then asks for one page again and again: the applicant's home, an expert's
queue, staff's call overview, and the panel's ranking page (with ``--suggestions``, also the
panel's suggested funding list, as a fifth kind of user, on the call's items made ``reviewed``
for the run and put back in review afterwards). Printed per page: requests, failures,
median, p95 and p99 in ms, and requests per second, from locust's CSV.

The load generator runs on the same two cores as gunicorn and PostgreSQL, so the figures are a
floor for a real server, not a ceiling.

It measures only the server it started (issue 18): gunicorn binds a free port (``--port 0``, the
default, asks the system for one; a port given by hand must be free, or the run stops), and is
started with a fresh ``PINGSHEN_BENCH_TOKEN``, which makes every answer carry that token and the
name of the database it serves (``core.middleware.BenchIdentityMiddleware``). Before the load,
after it, and on every page locust asks for, the answer must carry this run's token and the
bench database's name; otherwise nothing is reported.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.lifecycle import ROOT, configure_environment, ensure_database
from core.middleware import BenchIdentityMiddleware

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


TOKEN_HEADER = BenchIdentityMiddleware.RUN_HEADER
DATABASE_HEADER = BenchIdentityMiddleware.DATABASE_HEADER
#: locust's failure message for an answer that did not come from this run's server.
FOREIGN = "not the benchmark's own server"


class NotOurServer(Exception):
    """Whatever answers is not the gunicorn this run started on its bench database."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(requested: int = 0, host: str = "127.0.0.1") -> int:
    """A port to start gunicorn on: the one asked for if it is free (refused otherwise, never
    shared with whatever holds it), or with ``0`` one the system hands out as free."""
    if requested:
        if not port_is_free(requested, host):
            raise NotOurServer(f"port {requested} is taken by another process; leave --port out to pick a free one")
        return requested
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def check_identity(headers: Any, token: str, database: str) -> None:
    """Raise ``NotOurServer`` unless an answer's headers carry this run's token and database."""
    if headers.get(TOKEN_HEADER) != token:
        raise NotOurServer(f"the server answering does not carry this run's token ({TOKEN_HEADER})")
    if headers.get(DATABASE_HEADER) != database:
        raise NotOurServer(f"the server answering serves database {headers.get(DATABASE_HEADER)!r}, not {database!r}")


def verify_server(url: str, token: str, database: str, *, seconds: float = 30, server: Any = None) -> None:
    """Wait until ``url`` answers, then check the answer is our gunicorn's (``NotOurServer``).

    A server that answers without our token is refused at once, not waited for: it is someone
    else's, and ours (if it started at all) could not bind the same port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise NotOurServer(f"gunicorn exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - a local URL we built
                check_identity(answer.headers, token, database)
                return
        except urllib.error.HTTPError as answer:
            check_identity(answer.headers, token, database)
            return
        except OSError:
            time.sleep(0.3)
    raise NotOurServer(f"nothing answered at {url} within {seconds:.0f} s")


def foreign_answers(failures_csv: Path) -> int:
    """How many answers locust marked as coming from another server."""
    if not failures_csv.exists():
        return 0
    with open(failures_csv, newline="") as handle:
        return sum(int(row["Occurrences"]) for row in csv.DictReader(handle) if FOREIGN in row.get("Error", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--experts", type=int, default=2_000)
    parser.add_argument(
        "--calls",
        type=int,
        default=1,
        help="calls of --items each (10: province scale, 100,000 applications); the pages show the last",
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=0, help="0 (default): a free port the system picks")
    parser.add_argument(
        "--think",
        default="1,3",
        help='seconds each user waits between pages, "low,high" (default 1,3: people read); "0" saturates',
    )
    parser.add_argument("--keep-data", action="store_true", help="reuse the data of the last run")
    parser.add_argument(
        "--suggestions", action="store_true", help="also the panel's suggested list (items reviewed for the run)"
    )
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
            calls=args.calls,
            reviews=5,
            rng=random.Random(2026),  # noqa: S311 - reproducible test data
            draw_call=False,
        )
        user_create(username="bench-panel", password="bench-pass-2026", roles=[Role.PANEL], email="p@example.org")  # noqa: S106
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"loaded {args.calls * args.items:,} applications in {args.calls} call(s), {args.experts:,} experts"
            f" in {time.perf_counter() - started:.1f} s"
        )
        del ctx
    call = Call.objects.order_by("-id").first()
    if call is None:
        sys.exit(f"no data in {name}: run once without --keep-data to load it")
    # The expert with the first assignment logs in as the expert: give them a password.
    first = Assignment.objects.select_related("expert__user").order_by("id").first()
    assert first is not None
    expert_user = first.expert.user
    expert_user.set_password("bench-pass-2026")
    expert_user.save(update_fields=["password"])
    expert_username = expert_user.username
    connection.close()

    locust = ensure_locust()
    token = secrets.token_hex(16)
    try:
        port = choose_port(args.port)
    except NotOurServer as exc:
        sys.exit(f"refusing to run: {exc}")
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": args.redis_url,
        "PINGSHEN_BENCH_TOKEN": token,
        "BENCH_CALL": str(call.pk),
        "BENCH_THINK": args.think,
        "BENCH_EXPERT": expert_username,
        "BENCH_USERS": str(args.users),
        "BENCH_SUGGESTIONS": "1" if args.suggestions else "0",
    }
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "workflow.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    out = ROOT / "var" / "bench-pages"
    # Undone in the ``finally`` below, once the server is stopped.
    undo = contextlib.ExitStack()
    if args.suggestions:
        from bench.reviewed import items_reviewed

        undo.enter_context(items_reviewed(call))
    for stale in (f"{out}_stats.csv", f"{out}_failures.csv"):
        Path(stale).unlink(missing_ok=True)
    try:
        verify_server(f"{base}/accounts/login/", token, name, server=server)
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
        # Still ours at the end: the same process, the same token, the same database.
        verify_server(f"{base}/accounts/login/", token, name, seconds=5, server=server)
    except NotOurServer as exc:
        sys.exit(f"refusing to report: {exc}")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        undo.close()
    foreign = foreign_answers(Path(f"{out}_failures.csv"))
    if foreign:
        sys.exit(f"refusing to report: {foreign} answers did not come from this run's server")

    print(
        f"\n# bench.pages_load on {name}: {args.calls * args.items:,} applications ({args.calls} call(s)), {args.experts:,} experts, "
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
