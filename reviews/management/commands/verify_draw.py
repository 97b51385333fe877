from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.models import Draw
from reviews.selectors import draw_export, draw_verify


class Command(BaseCommand):
    help = (
        "Check a draw against its commitment (snapshot and seed hashes) and replay it; "
        "--export writes the public snapshot that docs/verify_draw.py checks anywhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("draw", type=int, help="the draw's id")
        parser.add_argument("--export", metavar="FILE", help="also write the public export to FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        draw = Draw.objects.filter(pk=options["draw"]).first()
        if draw is None:
            raise CommandError(f"There is no draw {options['draw']}.")
        if options["export"]:
            Path(options["export"]).write_text(json.dumps(draw_export(draw), ensure_ascii=False, indent=1))
            self.stdout.write(f"Export written to {options['export']}.")
        result = draw_verify(draw)
        for key in ("algorithm", "pool_sha256", "seed_sha256", "snapshot_matches", "seed_matches", "replay_matches"):
            self.stdout.write(f"{key}: {result[key]}")
        if not result["matches"]:
            raise CommandError(f"Draw {draw.pk} does NOT verify (items differing: {result['differing_items']}).")
        self.stdout.write(f"Draw {draw.pk} verifies.")
