"""Load one county's demo year (Yongjia county 永嘉县, Wenzhou; /work/shared/seed).

The data live in ``workflow.demo.data`` and the loader in ``workflow.demo.builder``; see there.
Idempotent: a second run creates nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from workflow.demo import builder


class Command(BaseCommand):
    help = (
        "Load the Yongjia county demo year (idempotent): programmes, the 2016 batches (52 and 39 funded "
        "projects), the 2015 progress-award round (3 / 9 / 20 awards), the open 2017 call, experts, applicants "
        "and items in every state."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        created = builder.load(self.stdout.write if options["verbosity"] >= 1 else builder.silent)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded ({created} new applications and nominations, {seconds:.1f} s).")
        )
