"""One page at a time, in-process: what each of ``bench.pages_load``'s four pages costs alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench_pages REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python -m bench.page_profile [--n 15] [--lang en] [--profile PAGE]

Run it on the data ``bench.pages_load`` left (``--keep-data``): it loads nothing. Settings as
the bench's gunicorn has them (``DEBUG`` off, so the cached template loader; Redis as the
cache, when ``REDIS_URL`` is set). Each page is asked for through Django's full handler
(middleware, session, the page's user logged in) ``--n`` times after two warm-up requests;
printed per page: the median and fastest wall time, the statements sent, and the size of the
answer. ``--profile PAGE`` (one of ``PAGES``) prints cProfile's top functions for that page
instead, by cumulative and by own time. ``--pages`` picks some of them (comma-separated).

Beside ``pages_load``'s four, the panel's suggested funding list (issue 18, round two) and its
xlsx download: the list is computed per request (the ranking it starts from is cached).
``pages_load`` leaves its items in review, where the list has nothing to propose; while these
two are measured the ranked call's items are ``reviewed`` (10,000 rows for the panel to
decide, as after the reviews), and put back in review afterwards (``--keep-reviewed`` leaves
them so).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import statistics
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")  # noqa: S105 - throwaway database
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["SESSION_COOKIE_SECURE"] = "false"
os.environ["CSRF_COOKIE_SECURE"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")


#: The pages, in the order they are measured.
PAGES = ("home", "queue", "overview", "ranking", "suggestions", "suggestions-xlsx")


class SqlTimer:
    """A ``connection.execute_wrapper``: how many statements, and the time spent in them."""

    def __init__(self, record: bool = False) -> None:
        self.count = 0
        self.seconds = 0.0
        self.record = record
        self.statements: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.seconds += spent
            if self.record:
                self.statements.append((spent * 1000, sql % tuple(map(repr, params or ()))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=15)
    parser.add_argument("--lang", default="zh-hans", help="the Accept-Language asked for (zh-hans, en)")
    parser.add_argument("--profile", choices=PAGES)
    parser.add_argument("--pages", default=",".join(PAGES), help="the pages to measure, comma-separated")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="write each page's HTML in this folder (PAGE.LANG.html) and stop")
    parser.add_argument("--sql", choices=PAGES, help="each statement's time")
    parser.add_argument("--keep-reviewed", action="store_true", help="leave the ranked call's items reviewed")
    args = parser.parse_args()

    from bench.lifecycle import ensure_database
    from bench.reviewed import items_reviewed

    name = ensure_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from applications.models import Call
    from reviews.models import Assignment

    call = Call.objects.order_by("-id").first()
    first = Assignment.objects.select_related("expert__user").order_by("id").first()
    assert call is not None and first is not None, "no data: run bench.pages_load first"
    pages = {
        "home": ("bench-applicant", "/"),
        "queue": (first.expert.user.username, "/reviews/"),
        "overview": ("bench-staff", f"/calls/{call.pk}/"),
        "ranking": ("bench-panel", f"/calls/{call.pk}/ranking/"),
        "suggestions": ("bench-panel", f"/calls/{call.pk}/suggestions/"),
        "suggestions-xlsx": ("bench-panel", f"/calls/{call.pk}/suggestions.xlsx"),
    }
    chosen = [key for key in args.pages.split(",") if key]
    unknown = set(chosen) - set(pages)
    assert not unknown, f"unknown pages: {sorted(unknown)}"
    clients = {}
    for key, (username, _path) in pages.items():
        client = Client(HTTP_ACCEPT_LANGUAGE=args.lang)
        client.force_login(User.objects.get(username=username))
        clients[key] = client

    def reviewed(keys: list[str]) -> contextlib.AbstractContextManager[None]:
        """The suggestions pages on reviewed items; the others on the data as loaded."""
        if not any(key.startswith("suggestions") for key in keys):
            return contextlib.nullcontext()
        return items_reviewed(call, keep=args.keep_reviewed)

    def get(key: str) -> int:
        response = clients[key].get(pages[key][1])
        assert response.status_code == 200, (key, response.status_code)
        return len(response.content)

    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
        with reviewed(chosen):
            for key in chosen:
                if key.endswith("xlsx"):
                    continue
                response = clients[key].get(pages[key][1])
                with open(os.path.join(args.dump, f"{key}.{args.lang}.html"), "wb") as handle:
                    handle.write(response.content)
        return

    if args.sql:
        with reviewed([args.sql]):
            get(args.sql)
            timer = SqlTimer(record=True)
            with connection.execute_wrapper(timer):
                get(args.sql)
        for ms, statement in timer.statements:
            print(f"{ms:8.1f} ms  {statement[:400]}")
        return

    if args.profile:
        with reviewed([args.profile]):
            for _ in range(3):
                get(args.profile)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                get(args.profile)
            profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        return

    print(f"# bench.page_profile on {name}, {args.n} requests a page, Accept-Language {args.lang}")
    with open("/proc/loadavg") as handle:
        print(f"# load before: {handle.read().strip()}")
    print(f"{'page':<16} {'median ms':>10} {'min ms':>8} {'SQL ms':>7} {'statements':>11} {'bytes':>10}")
    for key in chosen:
        with reviewed([key]):
            get(key)
            get(key)
            times, sql_times = [], []
            size = 0
            for _ in range(args.n):
                sql = SqlTimer()
                with connection.execute_wrapper(sql):
                    started = time.perf_counter()
                    size = get(key)
                    times.append((time.perf_counter() - started) * 1000)
                sql_times.append(sql.seconds * 1000)
        print(
            f"{key:<16} {statistics.median(times):>10.1f} {min(times):>8.1f} {statistics.median(sql_times):>7.1f} "
            f"{sql.count:>11} {size:>10,}"
        )
    with open("/proc/loadavg") as handle:
        print(f"# load after: {handle.read().strip()}")


if __name__ == "__main__":
    main()
