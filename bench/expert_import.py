"""The expert import (issue 18): a 2,000-row sheet through ``reviews.imports``, timed and counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench_import .venv/bin/python -m bench.expert_import

The database (its name must contain ``bench``) is created if missing, migrated and **flushed**.
Staff then import a first sheet of ``--existing`` experts (not measured), and the measured sheet
of ``--rows`` rows: ``--existing`` of them update those experts, one in twenty is refused (a
bad e-mail, an unknown field, a name missing), the rest create new experts; a third of the
rows name an organisation (out of 300), one in four declares one or two conflicts. What is
measured is the import as the job runs it (``imports.experts_import``). The invitation
e-mails are a task of their own, queued after each chunk commits (``accounts.tasks``), which
another worker sends while the import goes on: they are queued to an in-process broker during
the import, then sent and timed on their own, to Django's in-memory backend (``locmem``:
everything but the SMTP round trip). Printed: seconds, statements (``connection.execute_wrapper``,
as in ``bench.lifecycle``) and statements per row, the rows created / updated / refused, the
invitations' seconds, and with ``--profile`` the top of a cProfile of the measured import.

``--inline-mail`` sends the invitations inside the measured import instead (eager Celery), as
the code before issue 18 did after every row's commit: that is the "before" column's setting.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from typing import Any

from bench.lifecycle import StatementCounter, configure_environment, ensure_database

FIELDS = ["manufacturing", "新材料", "Electrical equipment", "information", "agriculture"]


def build_sheet(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["name", "username", "email", "organisation", "credit code", "fields", "title", "region", "load limit",
         "active", "conflicts"]
    )  # fmt: skip
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(i: int, *, prefix: str = "bx") -> list[Any]:
    organisation = f"温州测试单位{i % 300}" if i % 3 == 0 else ""
    conflicts = "; ".join(f"回避单位{(i + k) % 500}" for k in range(1 + i % 2)) if i % 4 == 0 else ""
    fields = "; ".join(FIELDS[(i + k) % len(FIELDS)] for k in range(1 + i % 2))
    values = [f"专家{i}", f"{prefix}{i}", f"{prefix}{i}@example.org", organisation, "", fields, "教授", "温州",
              5 + i % 10, "是", conflicts]  # fmt: skip
    if i % 20 == 7:  # refused, for three different reasons
        kind = (i // 20) % 3
        if kind == 0:
            values[2] = "not-an-address"
        elif kind == 1:
            values[5] = "astrology"
        else:
            values[0] = ""
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--existing", type=int, default=200, help="experts in the pool before, updated by the sheet")
    parser.add_argument("--profile", action="store_true", help="profile the measured import (slower) and print the top")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--inline-mail", action="store_true", help="send the invitations inside the measured import")
    args = parser.parse_args()

    configure_environment()
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    name = ensure_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection

    from accounts.enums import Role
    from accounts.models import User
    from accounts.services import user_create
    from applications.services import fields_seed
    from reviews import imports

    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    fields_seed()
    staff = user_create(username="bench-staff", password=None, roles=[Role.STAFF], email="")
    # The experts the sheet updates: its first rows, without the ones it refuses.
    existing = [row(i) for i in range(args.existing) if i % 20 != 7]
    first = imports.experts_import(upload=build_sheet(existing), actor=staff)
    assert first.refused == 0, first.as_json()["rows"][:3]
    data = build_sheet([row(i) for i in range(args.rows)])
    mail.outbox = []
    if not args.inline_mail:
        from workflow.celery import app

        app.conf.task_always_eager = False  # queued to the in-process memory:// broker, sent below
    before = set(User.objects.values_list("pk", flat=True))

    counter = StatementCounter()
    profiler = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = imports.experts_import(upload=data, actor=staff)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
    mail_seconds = 0.0
    if not args.inline_mail:
        from accounts.emails import invitations_send_many

        new_users = list(User.objects.exclude(pk__in=before).values_list("pk", flat=True))
        started = time.perf_counter()
        invitations_send_many(user_ids=new_users)
        mail_seconds = time.perf_counter() - started
    print(f"\n# bench.expert_import on {name}: {args.rows:,} rows ({args.existing} existing experts)")
    print(f"seconds {seconds:.2f}  statements {counter.count:,}  per row {counter.count / args.rows:.2f}")
    print(
        f"created {report.created:,}  updated {report.updated:,}  refused {report.refused:,}  "
        f"invitations sent {len(mail.outbox):,} "
        + ("(inside the import)" if args.inline_mail else f"(afterwards, {mail_seconds:.2f} s)")
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
