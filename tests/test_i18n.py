"""People read Pingshen in Chinese and English: the zh-hans catalogue is complete."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
#: Every package of the project (a new app is picked up without editing this file) and the
#: project-wide templates; not the tests and benchmarks, which makemessages is told to skip.
SOURCES = (
    *sorted(
        d.name
        for d in ROOT.iterdir()
        if (d / "__init__.py").exists() and d.name not in {"tests", "bench"} and not d.name.startswith(".")
    ),
    "templates",
)


def test_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the sources and compare with the catalogue."""
    for name in SOURCES:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "-v", "0"],
        cwd=tmp_path,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "workflow.settings",
            "PINGSHEN_VAR_DIR": str(tmp_path / "var"),
        },
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE)) if e.translated()}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known)
    assert missing == []
