"""Settings chosen from the environment (issue 13): media storage, SQLite under concurrency,
secret key rotation. Each case executes workflow/settings.py afresh with its own environment;
nothing here touches the network."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parents[1] / "workflow" / "settings.py"
S3_ENV = {
    "PINGSHEN_MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "pingshen-media",
    "AWS_S3_ENDPOINT_URL": "https://minio.example.gov.cn:9000",
    "AWS_S3_REGION_NAME": "cn-east-1",
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-EXAMPLE",
    "AWS_LOCATION": "attachments",
    "AWS_S3_ADDRESSING_STYLE": "path",
}


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("PINGSHEN_MEDIA_STORAGE", "DATABASE_URL", "SECRET_KEY_FALLBACKS", *S3_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_media_files_default_to_the_filesystem(monkeypatch):
    settings = load(monkeypatch)
    assert settings["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_media_storage_is_selected_from_the_environment(monkeypatch):
    from storages.backends.s3 import S3Storage

    settings = load(monkeypatch, **S3_ENV)
    default = settings["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = S3Storage(**default["OPTIONS"])  # builds the client lazily: no connection here
    assert storage.bucket_name == "pingshen-media"
    assert storage.endpoint_url == "https://minio.example.gov.cn:9000"
    assert storage.region_name == "cn-east-1"
    assert storage.access_key == "AKIDEXAMPLE"
    assert storage.location == "attachments"
    assert storage.default_acl is None  # private: downloads go through the view that checks access
    assert storage.file_overwrite is False
    # A signed link is computed locally, with the path-style address MinIO needs.
    url = storage.url("a/b.pdf")
    assert url.startswith("https://minio.example.gov.cn:9000/pingshen-media/attachments/a/b.pdf?")


def test_a_media_storage_that_cannot_work_stops_the_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="filesystem or s3"):
        load(monkeypatch, PINGSHEN_MEDIA_STORAGE="ftp")
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        load(monkeypatch, PINGSHEN_MEDIA_STORAGE="s3")


def test_the_embedded_sqlite_waits_for_the_write_lock_in_wal_mode(monkeypatch):
    options = load(monkeypatch)["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "journal_mode=WAL" in options["init_command"]
    postgres = load(monkeypatch, DATABASE_URL="postgres://u@db:5432/pingshen")["DATABASES"]["default"]
    assert "transaction_mode" not in postgres.get("OPTIONS", {})


def test_postgresql_prepares_the_statements_a_connection_repeats_unless_told_not_to(monkeypatch):
    url = "postgres://u@db:5432/pingshen"
    options = load(monkeypatch, DATABASE_URL=url)["DATABASES"]["default"]["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": 5}
    behind_a_pooler = load(monkeypatch, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")["DATABASES"]["default"]
    assert "prepare_threshold" not in behind_a_pooler.get("OPTIONS", {})
    assert "server_side_binding" not in behind_a_pooler.get("OPTIONS", {})


def test_old_secret_keys_are_read_for_rotation(monkeypatch):
    assert load(monkeypatch)["SECRET_KEY_FALLBACKS"] == []
    settings = load(monkeypatch, SECRET_KEY_FALLBACKS="old-key-1, old-key-2")
    assert settings["SECRET_KEY_FALLBACKS"] == ["old-key-1", "old-key-2"]
