"""The step lock (``workflow.steps.locked``): one NOWAIT row lock, retried, then a 409.

Real PostgreSQL: a second connection holds the process row, as a concurrent step would.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction

from applications.models import Application
from applications.services import application_create
from core.errors import StateConflict
from workflow import steps

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT = {
    "title": "高效节能阀门研发",
    "summary": "研发新一代高效节能阀门。",
    "field": "manufacturing",
    "requested_yuan": "300000.00",
    "self_funding_yuan": "600000.00",
}


def _holder() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params)


def test_a_held_process_row_is_retried_then_refused_and_the_callers_transaction_goes_on(
    call, applicant, staff, monkeypatch
):
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    process = steps.process_of(app)
    slept: list[float] = []
    monkeypatch.setattr(steps.time, "sleep", slept.append)
    holder = _holder()
    try:
        holder.execute("SELECT id FROM viewflow_process WHERE id = %s FOR UPDATE", [process.pk])
        with transaction.atomic():  # a caller's transaction around the step: the lock nests
            with pytest.raises(StateConflict):
                steps.formal_review(application=app, actor=staff, decision="accept")
            # The failed NOWAIT tries rolled back to their savepoints: this transaction is usable.
            assert Application.objects.get(pk=app.pk).status == "submitted"
        assert len(slept) == steps.LOCK_ATTEMPTS - 1
        with pytest.raises(StateConflict):  # and at the top level, in its own transaction
            steps.formal_review(application=app, actor=staff, decision="accept")
    finally:
        holder.rollback()
        holder.close()
    steps.formal_review(application=app, actor=staff, decision="accept")
    app.refresh_from_db()
    assert app.status == "in_review"
