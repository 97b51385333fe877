from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.management.backup_archive import restore


class Command(BaseCommand):
    help = "Replace the database and add the uploaded files from an archive written by `backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask: the current data is replaced")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            answer = input("This replaces every row of the database. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        manifest = restore(Path(options["file"]), options["database"])
        self.stdout.write(f"Restored the backup made at {manifest['made_at']}.")
