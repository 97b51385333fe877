"""The matrix world, built once per module inside a transaction that is rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from tests.api.conftest import anon, as_applicant, as_staff, client_for, draft  # noqa: F401 - API personas

from .world import World, build_world

#: Personas' passwords need no brute-force resistance here: PBKDF2 costs ~0.3 s of CPU per
#: persona created, MD5 nothing (production keeps Django's default hashers).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    from workflow.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True  # as tests/conftest.py does for every test
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            from applications.services import fields_seed

            fields_seed()  # an earlier module may have flushed the seeded vocabulary
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                built = build_world()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            app.conf.task_always_eager = saved
