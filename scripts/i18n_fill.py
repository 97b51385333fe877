#!/usr/bin/env python
"""Refresh the zh-hans catalogue: extract the strings afresh, fill new entries from
``locale/pending/*.json``, compile, and list whatever is still untranslated.

Work done in parallel branches puts its translations in a pending file of its own
(``{"msgid": "译文"}``; ``"context\\u0004msgid"`` for ``pgettext``; a list of forms for a plural,
keyed by the singular msgid) instead of editing ``django.po``, which ``makemessages`` rewrites
whole and so cannot be merged. This script folds them in; the pending files are then deleted.

Usage: ``.venv/bin/python scripts/i18n_fill.py [--keep]``; exit 1 while something is untranslated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PENDING = ROOT / "locale" / "pending"


def main() -> int:
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--ignore=tests/*",
            "--ignore=bench/*",
            "--ignore=.venv/*",
            "--ignore=var/*",  # bench virtualenvs and the production one live there
            "-v",
            "0",
        ],
        cwd=ROOT,
        check=True,
    )
    pending: dict[str, object] = {}
    files = sorted(PENDING.glob("*.json")) if PENDING.exists() else []
    for path in files:
        pending.update(json.loads(path.read_text(encoding="utf-8")))
    po = polib.pofile(str(CATALOGUE))
    for entry in po:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if key not in pending or (entry.translated() and "fuzzy" not in entry.flags):
            continue  # a translation already in the catalogue stands
        value = pending[key]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            entry.msgstr_plural = {i: str(f) for i, f in enumerate(forms)}
        else:
            entry.msgstr = str(value)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            entry.previous_msgid_plural = None
            entry.previous_msgctxt = None
    # Obsolete entries are strings the code no longer uses; keeping them only hides gaps.
    for entry in po.obsolete_entries():
        po.remove(entry)
    po.save()
    subprocess.run([sys.executable, "manage.py", "compilemessages", "-l", "zh_Hans", "-v", "0"], cwd=ROOT, check=True)
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    if not missing and "--keep" not in sys.argv:
        for path in files:
            path.unlink()
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
