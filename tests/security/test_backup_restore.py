"""Issue 8.6: `manage.py backup` / `manage.py restore` round-trip into a second database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from applications.services import application_create, attachment_add
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _admin_dsn(dbname: str) -> str:
    db = settings.DATABASES["default"]
    return f"host={db['HOST'] or 'localhost'} port={db['PORT'] or 5432} user={db['USER']} dbname={dbname}"


@pytest.fixture
def second_database():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL round trip needs PostgreSQL")
    name = settings.DATABASES["default"]["NAME"] + "_restored"
    with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_another_database_keeps_rows_and_files(
    call, applicant, tmp_path, settings, second_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    app = application_create(
        actor=applicant, call=call, title="备份<script>项目", summary="s", field="manufacturing",
        requested_yuan="300000.00", self_funding_yuan="600000.00",
    )  # fmt: skip
    attachment = attachment_add(application=app, actor=applicant, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x"))
    audit_rows = AuditEntry.objects.count()
    assert audit_rows > 0
    archive = tmp_path / "backups" / "pingshen.tar.gz"
    call_command("backup", str(archive))
    assert archive.is_file() and not archive.with_name(archive.name + ".partial").exists()

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{second_database}",
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
    }
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "restore", str(archive), "--yes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr

    with psycopg.connect(_admin_dsn(second_database)) as restored:
        title = restored.execute("SELECT title FROM applications_application WHERE id = %s", [app.pk]).fetchone()
        count = restored.execute("SELECT count(*) FROM audit_auditentry").fetchone()
    assert title == ("备份<script>项目",)
    assert count == (audit_rows,)
    stored = Path(attachment.file.name)
    assert (tmp_path / "restored-media" / stored).read_bytes() == b"%PDF-1.4 x"


def test_restore_refuses_an_archive_that_escapes(tmp_path):
    import io
    import tarfile

    from django.core.management import CommandError

    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"x"
        info = tarfile.TarInfo("../../etc/evil")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="unsafe"):
        call_command("restore", str(archive), "--yes")
