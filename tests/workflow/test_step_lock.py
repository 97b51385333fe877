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
from tests.drafts import DRAFT
from workflow import steps

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_the_caller_is_checked_before_any_409_though_the_lock_comes_first(
    call, applicant, other_applicant, staff, monkeypatch
):
    """A step reads the application after taking the lock (``steps.acting``): where it cannot
    lock (no process yet, the row held throughout), it still answers 404 to whoever may not
    see the item and 403 to whoever may see it but not act, before the 409."""
    from django.core.exceptions import PermissionDenied

    from core.errors import NotVisible

    app = application_create(actor=applicant, call=call, **DRAFT)
    # A draft has no process: the outsider is not told that it exists.
    with pytest.raises(NotVisible):
        steps.formal_review(application=app, actor=other_applicant, decision="accept")
    with pytest.raises(PermissionDenied):
        steps.formal_review(application=app, actor=applicant, decision="accept")
    with pytest.raises(NotVisible):  # staff see an item once it is submitted
        steps.formal_review(application=app, actor=staff, decision="accept")
    with pytest.raises(StateConflict):  # the applicant's own step: not submitted yet
        steps.midterm_submit(application=app, actor=applicant, progress="", spent="0", problems="")
    steps.application_submit(application=app, actor=applicant)
    monkeypatch.setattr(steps.time, "sleep", lambda _seconds: None)
    holder = _holder()
    try:
        holder.execute("SELECT id FROM viewflow_process WHERE id = %s FOR UPDATE", [steps.process_of(app).pk])
        with pytest.raises(NotVisible):
            steps.formal_review(application=app, actor=other_applicant, decision="accept")
        with pytest.raises(PermissionDenied):
            steps.formal_review(application=app, actor=applicant, decision="accept")
        with pytest.raises(StateConflict):
            steps.formal_review(application=app, actor=staff, decision="accept")
    finally:
        holder.rollback()
        holder.close()


def test_a_review_submit_finds_the_lock_through_the_experts_own_assignment(
    call, applicant, staff, expert, expert2, monkeypatch
):
    """``review_submit`` locks the item's process through the assignment, only if it is the
    actor's: another expert gets 404 whether the row is free or held, its own expert a 409
    while it is held."""
    from core.errors import NotVisible

    scores = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    assignment = steps.assignment_add(application=app, expert=expert, actor=staff)
    steps.assignment_add(application=app, expert=expert2, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
    review = {"scores": scores, "comment": "好", "recommendation": "support"}
    with pytest.raises(NotVisible):
        steps.review_submit(assignment=assignment, actor=expert2.user, **review)
    monkeypatch.setattr(steps.time, "sleep", lambda _seconds: None)
    holder = _holder()
    try:
        holder.execute("SELECT id FROM viewflow_process WHERE id = %s FOR UPDATE", [steps.process_of(app).pk])
        with pytest.raises(NotVisible):
            steps.review_submit(assignment=assignment, actor=expert2.user, **review)
        with pytest.raises(StateConflict):
            steps.review_submit(assignment=assignment, actor=expert.user, **review)
    finally:
        holder.rollback()
        holder.close()
    steps.review_submit(assignment=assignment, actor=expert.user, **review)
    assert assignment.__class__.objects.get(pk=assignment.pk).status == "submitted"


def test_a_duplicate_assignment_under_a_step_is_a_409_and_the_step_writes_nothing(call, applicant, staff, expert):
    """Under a step's lock the assignment insert takes no savepoint: the unique expert-per-item
    key still answers 409, and the whole step rolls back (no half-written change)."""
    from audit.models import AuditEntry
    from reviews import services as review_services
    from reviews.models import Assignment

    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    steps.assignment_add(application=app, expert=expert, actor=staff)
    app.refresh_from_db()
    audits = AuditEntry.objects.count()
    with pytest.raises(StateConflict), steps.locked(app):
        # What a race past the eligibility check would reach: the same expert inserted again.
        review_services._assignment_insert(application=app, expert=expert, actor=staff)
    assert Assignment.objects.filter(application=app, expert=expert).count() == 1
    assert AuditEntry.objects.count() == audits
    # The connection is usable after the rolled-back step.
    assert Application.objects.get(pk=app.pk).status == app.status


def test_a_review_submit_completes_its_own_slot_not_the_newest_open_one(call, applicant, staff, expert, expert2):
    """The step lock reads the item's open review tasks, newest first, and the step completes
    the one whose slot is the expert's: here the older of two, while the other stays open."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    scores = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    first = steps.assignment_add(application=app, expert=expert, actor=staff)
    second = steps.assignment_add(application=app, expert=expert2, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_accept(assignment=first, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=first, actor=expert.user, scores=scores, comment="好", recommendation="support")
    slots = {
        t.data["assignment_id"]: t.status
        for t in Task.objects.filter(process=steps.process_of(app), flow_task=steps._flow(app).review)
    }
    assert slots == {first.pk: STATUS.DONE, second.pk: STATUS.ASSIGNED}


def test_the_read_in_the_locks_statement_waits_holding_the_process_and_reads_what_was_committed(call, applicant, staff):
    """A step's lock and its read of the application are one statement (``CompiledRead.rows_with``):
    while someone else holds the application row, the step waits for it holding the process
    row (a second step is refused at once, as before, never let in first), and once the row
    is free it reads it as committed, the other writer's change included."""
    import threading

    from psycopg import errors

    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    process = steps.process_of(app)
    holder, probe = _holder(), _holder()
    outcome: list[Exception | None] = []

    def formal_review() -> None:
        try:
            steps.formal_review(application=app, actor=staff, decision="accept")
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            outcome.append(exc)
        finally:
            connection.close()

    try:
        holder.execute("UPDATE applications_application SET title = %s WHERE id = %s", ["改过的题目", app.pk])
        step = threading.Thread(target=formal_review)
        step.start()
        refused = False
        for _attempt in range(100):  # until the step holds the process row (it then waits)
            try:
                probe.execute("SELECT id FROM viewflow_process WHERE id = %s FOR UPDATE NOWAIT", [process.pk])
                probe.rollback()
            except errors.LockNotAvailable:
                probe.rollback()
                refused = True
                break
            step.join(0.05)
        assert refused, "the step never held the process row while it waited"
        assert step.is_alive() and not outcome  # waiting for the application row
        holder.commit()
        step.join(10)
        assert outcome == [None]
    finally:
        holder.rollback()
        holder.close()
        probe.close()
    app.refresh_from_db()
    assert (app.status, app.title) == ("in_review", "改过的题目")
    from notifications.models import Notification

    told = Notification.objects.get(recipient=applicant, kind="formal_review")
    assert "改过的题目" in told.subject  # the step's copy of the row is the one committed
