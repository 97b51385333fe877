from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.management.backup_archive import backup


class Command(BaseCommand):
    help = "Write the database and the uploaded files to one .tar.gz (restore it with `restore`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive to write, e.g. backups/pingshen-2026-11-27.tar.gz")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = backup(Path(options["file"]), options["database"])
        self.stdout.write(f"Backup written to {options['file']} ({manifest['media_files']} uploaded files).")
