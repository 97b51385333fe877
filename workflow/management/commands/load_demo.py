"""Load one county's demo year (Yongjia county 永嘉县, Wenzhou; /work/shared/seed).

The data live in ``workflow.demo.data`` and the loader in ``workflow.demo.builder``; see there.
Safe to repeat: a second run adds only what is missing and leaves alone what people have done
with the demo since. ``--reset`` empties the database first and loads the year afresh.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from applications.services import fields_seed
from workflow.demo import builder


class Command(BaseCommand):
    help = (
        "Load the Yongjia county demo year: programmes, the 2016 batches (52 and 39 funded projects), the 2015 "
        "progress-award round (3 / 9 / 20 awards), the open 2017 call, experts, applicants and items in every "
        "state. A repeat run adds only what is missing and leaves what people did with the demo alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Start over: delete every row of the database (not only the demo's; like `flush`) and load the "
            "demo year afresh. Asks for confirmation unless --noinput is given.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            "--yes",
            action="store_false",
            dest="interactive",
            help="With --reset, do not ask for confirmation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            self.reset(interactive=options["interactive"])
        started = time.monotonic()
        # The field vocabulary comes with the migrations; a flushed database (``--reset``) lost it.
        fields_seed()
        created = builder.load(self.stdout.write if options["verbosity"] >= 1 else builder.silent)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded ({created} new applications and nominations, {seconds:.1f} s).")
        )

    def reset(self, *, interactive: bool) -> None:
        """Empty the database, as ``flush`` does (its post-migrate step restores the roles and
        permissions). The demo's rows are tied to everything else (accounts, processes, audit,
        notifications), so starting over means starting from an empty database."""
        if interactive:
            answer = input(
                f"This deletes EVERY row in the database {connection.settings_dict['NAME']!r}, not only the demo "
                "year, and loads the demo afresh.\nType 'yes' to continue, or 'no' to cancel: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Reset cancelled; nothing was changed.")
        call_command("flush", interactive=False, verbosity=0)
        self.stdout.write("Database emptied; loading the demo year afresh.")
