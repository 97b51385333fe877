from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import problem_message
from audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; report the first entry that was changed, removed or put in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="do not record the head as a checkpoint when the trail is whole",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify(record_checkpoint=not options["no_checkpoint"])
        if report.problem is None:
            self.stdout.write(f"OK: {report.checked} entries, head {report.head_seq} {report.head_hash}")
            return
        raise CommandError(
            f"{problem_message(report.problem, report.head_seq)} "
            f"The {report.checked} entries before it are intact (up to entry {report.head_seq}, {report.head_hash})."
        )
