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


def test_save_fields_writes_what_save_with_update_fields_writes(call, applicant, other_applicant):
    """``core.db.save_fields``: the columns named, as ``save(update_fields=…)`` writes them
    (``updated_at``, an ``auto_now``, filled), nothing else; no row, an error, as ``save``."""
    from django.db import DatabaseError

    from applications.models import Application
    from applications.services import application_create
    from core.db import save_fields
    from tests.drafts import DRAFT

    ours = application_create(actor=applicant, call=call, **DRAFT)
    theirs = application_create(actor=other_applicant, call=call, **DRAFT)
    for app in (ours, theirs):
        app.status, app.title, app.approved_yuan = "submitted", "改了但没保存", "120000.50"
    before = Application.objects.get(pk=ours.pk).updated_at
    with CaptureQueriesContext(connection) as queries:
        save_fields(ours, ["status", "updated_at", "approved_yuan"])
    theirs.save(update_fields=["status", "updated_at", "approved_yuan"])
    assert len(queries) == 1
    mine, made = Application.objects.get(pk=ours.pk), Application.objects.get(pk=theirs.pk)
    assert (mine.status, mine.title, str(mine.approved_yuan)) == ("submitted", DRAFT["title"], "120000.50")
    assert (made.status, made.title, str(made.approved_yuan)) == ("submitted", DRAFT["title"], "120000.50")
    assert mine.updated_at == ours.updated_at > before

    gone = Application(pk=theirs.pk + 1000, status="submitted")
    with pytest.raises(DatabaseError):
        save_fields(gone, ["status"])
