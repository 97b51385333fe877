"""The UI's long work at county scale (issue 18): every spreadsheet export and the draw.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench_jobs .venv/bin/python -m bench.exports

Loads (unless ``--keep-data``) ``--items`` applications (10,000) with 5 submitted reviews each
and a pool of ``--experts`` (10,000) through ``bench.scale.load``, plus one call of as many
items to draw for; then asks, as staff (and finance for the payment list) through Django's
test client, for every ``.xlsx`` the pages offer and prints per URL the seconds, the SQL
statements and the size of the answer. ``--draw`` also times ``reviews.services.draw_for_call``
on the draw call (the service the page's draw job runs; the bench items have no workflow
process, so the engine's step cannot run on them). The database is flushed first, so its name
must contain ``bench``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from typing import Any

from bench.lifecycle import configure_environment, ensure_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--keep-data", action="store_true", help="reuse the data of the last run")
    parser.add_argument("--draw", action="store_true", help="also time the draw of the draw call (writes it)")
    parser.add_argument("--only", default="", help="comma-separated URL names to ask for (default: all)")
    args = parser.parse_args()

    configure_environment()
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    name = ensure_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.enums import Role
    from accounts.models import User
    from accounts.services import user_create
    from applications.models import Call
    from bench.scale import count_statements, load

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if not args.keep_data:
        call_command("flush", "--noinput", verbosity=0)
        seconds, _ctx = count_statements(
            lambda: load(
                items=args.items,
                experts=args.experts,
                calls=1,
                reviews=5,
                rng=random.Random(2026),  # noqa: S311 - reproducible test data
            )
        )[0::2]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"loaded {args.items:,} applications × 2 calls, {args.experts:,} experts in {seconds:.1f} s")
    if not User.objects.filter(username="bench-finance").exists():
        user_create(username="bench-finance", password="bench-pass-2026", roles=[Role.FINANCE_OFFICER], email="f@x.org")  # noqa: S106
    print(f"# bench.exports on {name}")
    draw_call, ranked_call = Call.objects.order_by("id")[:2]
    staff = User.objects.get(username="bench-staff")
    finance = User.objects.get(username="bench-finance")
    if not User.objects.filter(username="bench-panel").exists():
        user_create(username="bench-panel", password="bench-pass-2026", roles=[Role.PANEL], email="p@x.org")  # noqa: S106
    panel = User.objects.get(username="bench-panel")
    urls: list[tuple[Any, ...]] = [
        ("call-report-xlsx", [ranked_call.pk], staff),
        ("call-ranking-xlsx", [ranked_call.pk], staff),
        ("call-suggestions-xlsx", [ranked_call.pk], staff),
        ("programme-report-xlsx", [], staff),
        ("pool-export", [], staff),
        ("audit-export", [], staff),
        ("change-export", [], staff),
        ("payment-list-xlsx", [], finance),
        ("upper-calls-xlsx", [], staff),
        ("upper-projects-xlsx", [], staff),
        ("commissioners-xlsx", [], staff),
        ("townships-xlsx", [], staff),
        ("home", [], staff, "?export=work"),  # staff's list of submitted items
        ("home", [], staff, "?export=overdue"),
        ("home", [], panel, "?export=decide"),
    ]
    only = {n for n in args.only.split(",") if n}
    client = Client()
    for url_name, url_args, user, *query in urls:
        if only and url_name not in only:
            continue
        client.force_login(user)
        url = reverse(url_name, args=url_args) + "".join(query)

        def ask(url: str = url) -> tuple[Any, bytes]:
            response = client.get(url, secure=True)
            body = b"".join(getattr(response, "streaming_content", ())) if response.streaming else response.content
            return response, body

        seconds, statements, (response, body) = count_statements(ask)
        print(
            f"{url_name:24} {url:36} {response.status_code}  {seconds:6.2f} s  "
            f"{statements:6,} SQL  {len(body) / 1024:8.0f} KiB"
        )
        sys.stdout.flush()
    if args.draw:
        from reviews import services

        seconds, statements, draw = count_statements(
            lambda: services.draw_for_call(call=draw_call, actor=staff, seed="bench")
        )
        print(
            f"draw (service)  call {draw_call.pk}: {seconds:6.2f} s  {statements:,} SQL, {draw.items.count():,} items"
        )


if __name__ == "__main__":
    main()
