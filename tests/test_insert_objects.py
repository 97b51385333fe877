"""``core.db.insert_objects``: the rows ``bulk_create`` would write, with their ids set in order,
in one statement for a step's few rows and by ``COPY`` for many."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from core.db import COPY_FROM, insert_objects
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _made(user: Any, n: int, tag: str) -> list[Notification]:
    return [
        Notification(
            recipient=user,
            kind="formal_review",
            subject=f"形式审查：第{i}项 {tag}",
            body="“高效节能阀门研发”通过形式审查。\n下一步：专家评审",
            url=f"/items/{i}/",
            channels=["email", "短信"] if i % 2 else [],
            channels_sent=[{"channel": "email", "at": None}] if i % 3 == 0 else [],
            state="pending" if i % 2 else "skipped",
            dedupe_key=None,
        )
        for i in range(n)
    ]


def _row(obj: Notification) -> dict[str, Any]:
    return model_to_dict(obj, exclude=["id", "created_at"])


@pytest.mark.parametrize("n", [1, 3, COPY_FROM])
def test_insert_objects_writes_what_bulk_create_writes(applicant, n):
    ours, theirs = _made(applicant, n, "ours"), _made(applicant, n, "theirs")
    with CaptureQueriesContext(connection) as queries:
        insert_objects(ours)
    Notification.objects.bulk_create(theirs)
    if connection.vendor == "postgresql" and n < COPY_FROM:
        assert len(queries) == 1  # the one INSERT … VALUES … RETURNING
    ids = [o.pk for o in ours]
    assert all(isinstance(pk, int) for pk in ids) and ids == sorted(ids) and len(set(ids)) == n
    assert all(not o._state.adding and o._state.db == "default" for o in ours)
    stored = {o.pk: o for o in Notification.objects.filter(pk__in=ids)}
    for mine, made in zip(ours, theirs, strict=True):
        read = stored[mine.pk]
        assert _row(read) | {"subject": ""} == _row(Notification.objects.get(pk=made.pk)) | {"subject": ""}
        assert read.subject == mine.subject and read.created_at == mine.created_at is not None
