"""The backup archive: one ``.tar.gz`` holding the database and the uploaded files.

On PostgreSQL the database part is ``pg_dump --format=custom`` (``database.pgdump``), restored
with ``pg_restore --clean``; on SQLite (the embedded default) it is ``dumpdata`` JSON
(``database.json``), restored with ``flush`` + ``loaddata``. Uploaded files (MEDIA_ROOT) travel
under ``media/``. A ``manifest.json`` says what is inside.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

PG_DUMP = "database.pgdump"
JSON_DUMP = "database.json"
MANIFEST = "manifest.json"


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "localhost"), "--username", str(db.get("USER") or "postgres")]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise CommandError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(target: Path, database: str = "default") -> dict[str, Any]:
    db = settings.DATABASES[database]
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connections[database].vendor == "postgresql":
            args, env = _pg_env(db)
            dump = work / PG_DUMP
            _run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(dump), db["NAME"]], env)
        else:
            dump = work / JSON_DUMP
            with dump.open("w", encoding="utf-8") as out:
                call_command(
                    "dumpdata",
                    "--natural-foreign",
                    database=database,
                    stdout=out,
                    exclude=["contenttypes", "auth.permission"],
                )
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest = {
            "made_at": timezone.now().isoformat(),
            "vendor": connections[database].vendor,
            "database": dump.name,
            "media_files": len(files),
        }
        (work / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
        partial.replace(target)  # never a half-written archive under the real name
    return manifest


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Refuse an archive that would write outside the restore directory (../, absolute, links)."""
    members = tar.getmembers()
    for member in members:
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise CommandError(f"Refusing unsafe archive entry: {member.name!r}")
    return members


def restore(source: Path, database: str = "default") -> dict[str, Any]:
    if not source.is_file():
        raise CommandError(f"No backup at {source}")
    db = settings.DATABASES[database]
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as tar:
        work = Path(tmp)
        tar.extractall(work, members=_safe_members(tar), filter="data")
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        vendor = connections[database].vendor
        if manifest["vendor"] != vendor:
            raise CommandError(f"This backup is of a {manifest['vendor']} database; this one is {vendor}.")
        connections[database].close()
        if vendor == "postgresql":
            args, env = _pg_env(db)
            _run(
                ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "--dbname", db["NAME"], str(work / PG_DUMP)],
                env,
            )  # fmt: skip
        else:
            call_command("flush", "--no-input", database=database)
            call_command("loaddata", str(work / JSON_DUMP), database=database)
        if (work / "media").is_dir():
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(work / "media", media, dirs_exist_ok=True)
    return manifest
