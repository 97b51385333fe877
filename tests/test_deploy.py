"""The production description (Dockerfile, docker-compose.yml, .env.example) matches the code."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {"web", "worker", "beat", "db", "redis"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def command(service: dict) -> list[str]:
    value = service["command"]
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def settings_env_names() -> set[str]:
    """Every variable name workflow/settings.py reads from the environment."""
    source = (ROOT / "workflow" / "settings.py").read_text(encoding="utf-8")
    pattern = r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_int|env\.db|env\.str|env\.bool|env\.int|env\.list|in os\.environ)\(?\s*["']([A-Z][A-Z0-9_]*)["']"""
    names = set(re.findall(pattern, source))
    names |= set(re.findall(r"""["']([A-Z][A-Z0-9_]*)["']\s+(?:not\s+)?in\s+os\.environ""", source))
    return names


def test_compose_has_the_five_services(compose):
    assert SERVICES <= set(compose["services"])
    assert compose["services"]["db"]["image"].startswith("postgres:15")
    assert compose["services"]["redis"]["image"].startswith("redis:7")
    for name in SERVICES:
        assert "healthcheck" in compose["services"][name], name
    for volume in ("db-data", "media"):
        assert volume in compose["volumes"]
    assert any(str(v).startswith("db-data:") for v in compose["services"]["db"]["volumes"])
    assert any(str(v).startswith("media:") for v in compose["services"]["web"]["volumes"])


def test_web_serves_the_wsgi_application_with_gunicorn(compose):
    argv = command(compose["services"]["web"])
    assert argv[0] == "gunicorn"
    module, _, attribute = next(a for a in argv if a.endswith(":application")).partition(":")
    assert (module, attribute) == ("workflow.wsgi", "application")
    assert callable(getattr(importlib.import_module(module), attribute))
    importlib.import_module("gunicorn")


@pytest.mark.parametrize("service,subcommand", [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_the_celery_app(compose, service, subcommand):
    argv = command(compose["services"][service])
    assert argv[0] == "celery"
    assert argv[argv.index("-A") + 1] == "workflow"
    assert subcommand in argv
    from celery import Celery

    from workflow.celery import app

    assert isinstance(app, Celery)
    assert app.main == "workflow"


def test_every_variable_given_to_the_app_is_read_by_settings(compose):
    known = settings_env_names()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_HOST"} <= known
    for service in ("web", "worker", "beat"):
        environment = compose["services"][service].get("environment") or {}
        names = set(environment) if isinstance(environment, dict) else {e.split("=", 1)[0] for e in environment}
        assert names, service
        assert names <= known, (service, sorted(names - known))


def test_env_example_covers_what_compose_requires(compose):
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    required = set(re.findall(r"\$\{([A-Z_]+):\?", (ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    assert required <= example, sorted(required - example)
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_HOST"} <= example
    app_vars = example - {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
    assert app_vars <= settings_env_names(), sorted(app_vars - settings_env_names())


def test_dockerfile_installs_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    match = re.search(r"pip install -r (\S+)", dockerfile)
    assert match and (ROOT / match.group(1)).is_file()
    assert "collectstatic" in dockerfile
    assert "workflow.wsgi:application" in dockerfile
    requirements = (ROOT / match.group(1)).read_text(encoding="utf-8").lower()
    for package in ("gunicorn", "celery", "psycopg", "redis"):
        assert re.search(rf"^{package}\b", requirements, re.M), package


def env_example_names() -> set[str]:
    """Names in .env.example, set (``NAME=``) or listed as optional (``# NAME=``)."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M))


def test_env_example_lists_every_variable_the_settings_read():
    missing = settings_env_names() - env_example_names()
    assert not missing, f"add to .env.example: {sorted(missing)}"
    # The reverse-proxy switches that serve plain HTTP behind a TLS-terminating proxy among them.
    assert {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "AXES_PROXY_COUNT"} <= (
        env_example_names()
    )


def test_settings_env_names_sees_each_way_of_reading():
    names = settings_env_names()
    assert {"SECRET_KEY_FALLBACKS", "PINGSHEN_MEDIA_STORAGE", "AWS_STORAGE_BUCKET_NAME", "SQLITE_TIMEOUT_SECONDS"} <= (
        names
    )
    assert {"SECURE_SSL_REDIRECT", "PINGSHEN_SESSION_HOURS", "DATABASE_URL"} <= names


def test_compose_runs_the_province_shape(compose):
    """2 web and 2 workers (``--scale``), one beat, one PostgreSQL and Redis (docs/operations.md)."""
    services = compose["services"]
    ports = [str(p) for p in services["web"]["ports"]]
    match = re.fullmatch(r"127\.0\.0\.1:(\d+)-(\d+):8000", ports[0])
    assert match, ports  # a range: each web replica takes a port; only the host's proxy reaches them
    assert int(match.group(2)) - int(match.group(1)) + 1 >= 2
    assert services["beat"].get("scale") == 1
    for name in ("web", "worker"):
        assert "scale" not in services[name] and "container_name" not in services[name]
    environments = [services[name]["environment"] for name in ("web", "worker", "beat")]
    assert environments[0] == environments[1] == environments[2]  # one configuration everywhere
    for switch in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "PINGSHEN_MEDIA_STORAGE"):
        assert switch in environments[0], switch
    assert any(str(v).startswith("media:") for v in services["worker"]["volumes"])  # shared by web and worker


def test_the_deploy_tests_install_what_the_image_installs():
    """tests/deploy run from scripts/prod_venv.sh: the same requirements file as the Dockerfile."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    script = (ROOT / "scripts" / "prod_venv.sh").read_text(encoding="utf-8")
    assert "pip install -r requirements.txt" in dockerfile
    assert re.search(r"pip\" install .*-r requirements\.txt", script)
    assert "requirements-dev" not in script
    test_sh = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "PINGSHEN_PROD_VENV=$(scripts/prod_venv.sh)" in test_sh


def test_operations_doc_covers_the_production_tasks():
    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for heading in (
        "Several hosts",
        "Behind nginx with TLS",
        "Backup and restore",
        "Rotating the secret key",
        "Upgrading",
    ):
        assert f"## {heading}" in doc, heading
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in doc  # what SECURE_PROXY_SSL_HEADER trusts
    for name in ("SECRET_KEY_FALLBACKS", "SECURE_SSL_REDIRECT", "AXES_PROXY_COUNT", "PINGSHEN_MEDIA_STORAGE"):
        assert name in doc, name
    assert "--scale web=2 --scale worker=2" in doc
    for command in ("manage.py backup", "manage.py restore", "manage.py migrate", "check --deploy"):
        assert command in doc, command
