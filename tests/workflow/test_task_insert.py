"""A task row and its link to the task before, written in one statement (``workflow.nodes.task_insert``,
issue 18): the rows are those viewflow's ``task.save()`` and ``task.previous.add()`` write."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task
from viewflow.workflow.nodes import join
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from applications.services import application_create
from tests.drafts import DRAFT
from workflow import steps
from workflow.flows import PlanProjectFlow
from workflow.nodes import JoinActivation, task_insert

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}

pytestmark = pytest.mark.django_db


def _row(task: Task) -> dict[str, Any]:
    row = model_to_dict(task, exclude=["id", "created", "previous"])
    row["previous"] = sorted(t.pk for t in task.previous.all())
    return row


def test_a_task_goes_in_with_its_link_as_viewflow_would_write_them(call, applicant, staff):
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    process = steps.process_of(app)
    before = Task.objects.filter(process=process).order_by("pk").last()

    def new_task() -> Task:
        task = Task(process=process, flow_task=PlanProjectFlow.decision, token=Token("start/1"))
        task.data = {"round": 2, "名": "评审"}
        task.owner = staff
        task.status = STATUS.ASSIGNED
        return task

    ours, theirs = new_task(), new_task()
    with CaptureQueriesContext(connection) as queries:
        task_insert(ours, before)
    theirs.save()
    theirs.previous.add(before)

    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert ours.pk is not None and not ours._state.adding
    ours_read, theirs_read = Task.objects.get(pk=ours.pk), Task.objects.get(pk=theirs.pk)
    assert _row(ours_read) == _row(theirs_read)
    assert _row(ours_read)["previous"] == [before.pk]
    assert list(before.leading.order_by("pk")) == [ours_read, theirs_read]
    assert ours_read.created is not None and ours.created == ours_read.created


def test_each_step_links_its_new_tasks_to_the_task_it_completed(call, applicant, staff):
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    process = steps.process_of(app)
    tasks = {t.flow_task.name: t for t in Task.objects.filter(process=process).order_by("pk")}
    # submitted → formal review (done) → its outcome gateway (done) → staff's expert assignment (open)
    assert [t.pk for t in tasks["formal_review"].previous.all()] == [tasks["start"].pk]
    assert [t.pk for t in tasks["formal_outcome"].previous.all()] == [tasks["formal_review"].pk]
    assert [t.pk for t in tasks["expert_assignment"].previous.all()] == [tasks["formal_outcome"].pk]
    assert tasks["expert_assignment"].status == STATUS.NEW
    assert tasks["expert_assignment"].owner_permission  # the staff's permission, as viewflow sets it


def _viewflow_answer(activation: Any) -> tuple[bool, set[str]]:
    """What viewflow's own ``is_done`` answers, by its own queries, for this join activation."""
    prefixes = join.JoinActivation._join_token_prefixes(activation)
    if len(prefixes) != 1:
        return len(prefixes) > 1, prefixes
    return not activation._active_join_tasks(next(iter(prefixes))).exists(), prefixes


@pytest.mark.django_db(transaction=True)
def test_the_reviews_join_answers_as_viewflows_own_queries_at_every_arrival(
    call, applicant, staff, expert, expert2, unassigned_expert, monkeypatch
):
    """Two statements an arrival (``workflow.nodes.JoinActivation``), with a declined slot
    refilled: at each arrival, is it done, and under which prefix, as viewflow's queries say."""
    answers: list[tuple[tuple[bool, set[str]], tuple[bool, set[str]]]] = []
    ours = JoinActivation.is_done

    def checked(self: Any) -> bool:
        answer = ours(self)
        answers.append(((answer, self._join_token_prefixes()), _viewflow_answer(self)))
        return answer

    monkeypatch.setattr(JoinActivation, "is_done", checked)
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept", comment="")
    a1, a2 = (steps.assignment_add(application=app, expert=e, actor=staff) for e in (expert, expert2))
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_decline(assignment=a1, actor=expert.user, reason="出差")
    replacement = steps.assignment_add(application=app, expert=unassigned_expert, actor=staff, replaces=a1)
    for assignment, user in ((a2, expert2.user), (replacement, unassigned_expert.user)):
        steps.assignment_accept(assignment=assignment, actor=user, no_conflict=True)
        steps.review_submit(assignment=assignment, actor=user, scores=SCORES, comment="可", recommendation="support")

    assert answers, "the join was never asked"
    assert all(mine == theirs for mine, theirs in answers), answers
    assert [mine[0] for mine, _ in answers][-1] is True
    assert False in [mine[0] for mine, _ in answers]  # the first review in waited for the second
    app.refresh_from_db()
    assert app.status == "reviewed"


def _task_updates(queries: Any) -> list[str]:
    """The statements that update a task row on their own (not carried in another write)."""
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "viewflow_task"')]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_the_task_a_step_finishes_is_written_with_the_next_write_as_viewflow_writes_it(
    call, applicant, staff, decision
):
    """Accepted, the next task's row takes the finished task's ``UPDATE`` along; rejected, the
    flow ends, and the ``End`` counts the open tasks only once the finished one is written."""
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    with CaptureQueriesContext(connection) as queries:
        steps.formal_review(
            application=app, actor=staff, decision=decision, comment="材料不全" * (decision == "reject")
        )
    process = steps.process_of(app)
    done = Task.objects.get(process=process, flow_task=PlanProjectFlow.formal_review)
    assert (done.status, done.owner, done.finished is not None, done.started is not None) == (
        STATUS.DONE,
        staff,
        True,
        True,
    )
    assert done.finished >= done.started
    if connection.vendor == "postgresql":
        assert _task_updates(queries) == []  # carried in the next task's insert
    if decision == "accept":
        assert process.status == "NEW"
        assert Task.objects.get(process=process, flow_task=PlanProjectFlow.expert_assignment).status == STATUS.NEW
    else:
        process.refresh_from_db()
        assert process.status == "DONE"
        assert not Task.objects.filter(process=process, finished__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_join_goes_in_started_as_its_activation_would_leave_it(call, applicant, staff, expert, expert2):
    """The first review in opens the reviews' join: one insert writes it as viewflow's
    ``create`` then ``activate`` leave it (started, not finished), with the finished review
    task carried along; no task row is updated on its own. The second review completes it."""
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept", comment="")
    a1, a2 = (steps.assignment_add(application=app, expert=e, actor=staff) for e in (expert, expert2))
    steps.expert_review_start(application=app, actor=staff)
    for assignment, user in ((a1, expert.user), (a2, expert2.user)):
        steps.assignment_accept(assignment=assignment, actor=user, no_conflict=True)
    with CaptureQueriesContext(connection) as queries:
        steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="可", recommendation="support")
    process = steps.process_of(app)
    joined = Task.objects.get(process=process, flow_task=PlanProjectFlow.reviews_join)
    assert (joined.status, joined.started is not None, joined.finished) == (STATUS.STARTED, True, None)
    assert joined.started >= joined.created
    reviews = Task.objects.filter(process=process, flow_task=PlanProjectFlow.review).order_by("pk")
    assert sorted(t.pk for t in joined.previous.all()) == [reviews[0].pk]
    assert reviews[0].status == STATUS.DONE
    if connection.vendor == "postgresql":
        assert _task_updates(queries) == []

    steps.review_submit(assignment=a2, actor=expert2.user, scores=SCORES, comment="可", recommendation="support")
    joined.refresh_from_db()
    assert joined.status == STATUS.DONE and joined.finished >= joined.started
    assert sorted(t.pk for t in joined.previous.all()) == [t.pk for t in reviews]
