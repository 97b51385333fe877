"""The embedded default under concurrency (issue 13, 4): on SQLite (no DATABASE_URL), 8 panel
members deciding at once on one budget get 200 or 409, never a 500, and the budget holds.

SQLite in WAL mode with IMMEDIATE transactions and a busy timeout (workflow/settings.py); a
lock still not free after the timeout is a 409 "try again". Runs tests/funding/sqlite_race.py
in a subprocess: its own settings, a file database in a temporary directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_eight_decisions_at_once_on_sqlite_answer_200_or_409_and_the_budget_holds(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        PINGSHEN_VAR_DIR=str(tmp_path),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="ERROR",
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "tests" / "funding" / "sqlite_race.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    report = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert report["journal_mode"] == "wal"
    statuses = [answer[0] for answer in report["answers"]]
    assert set(statuses) <= {200, 409}, report["answers"]
    for status, body in report["answers"]:
        assert set(json.loads(body)) == ({"id", "status"} if status == 200 else {"detail"})
    assert statuses.count(200) == 3 == report["funded"]  # the budget funds three of the eight
    assert report["total"] == "300000.00"
