"""One entry point per process step. Pages, the API and the clocks all call these.

Each checks that the actor may act on this object in this state, takes the flow lock,
runs the domain service and completes the viewflow task, in one transaction: either all
of it happens or none of it.
"""

from __future__ import annotations

import functools
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow import lock as flow_lock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from accounts.recent import require_recent_login
from accounts.rules import is_panel, is_staff
from aftergrant import acceptance as acceptance_services
from aftergrant import midterm
from aftergrant import services as aftergrant_services
from applications import services as app_services
from applications.enums import ApplicationStatus, CallKind, ItemKind
from applications.links import item_staff_url, item_url
from applications.models import Application, Call
from applications.rules import can_view_application
from applications.selectors import users_with_role
from awards import services as award_services
from core.db import CompiledRead, row_held, shared_rollback_boundary
from core.errors import NotVisible, StateConflict
from core.ratelimit import rate_check, rate_count
from funding import services as funding_services
from funding.enums import NoticeKind, ObjectionStatus
from funding.models import Disbursement, Notice, Objection
from notifications.services import email_choices_carry, notify, with_email_choices
from reviews import services as review_services
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Draw, Expert, Review
from upward import services as upward_services

from .models import AwardNominationProcess
from .nodes import forget_finished, write_finished

S = ApplicationStatus
ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _is_award(item: Application | Process) -> bool:
    if isinstance(item, Process):
        return isinstance(item, AwardNominationProcess) or item.flow_class.__name__ == "AwardNominationFlow"
    return item.kind == ItemKind.NOMINATION


def _is_upper(item: Application | Process) -> bool:
    """An item of a higher-level call (``upward``). An application's call must be loaded
    (``_visible`` loads it)."""
    if isinstance(item, Process):
        return item.flow_class is not None and item.flow_class.__name__ == "UpperProjectFlow"
    return item.kind != ItemKind.NOMINATION and item.call.kind == CallKind.UPPER


def _flow(item: Application | Process | None = None) -> Any:
    """The flow the item travels: a nomination the award flow, an item of a higher-level call
    the upper flow, an application (or no item given) the plan flow. Every step below serves
    them all: the nodes they drive have the same names in every flow."""
    from .flows import AwardNominationFlow, PlanProjectFlow, UpperProjectFlow

    if item is not None and _is_award(item):
        return AwardNominationFlow
    if item is not None and _is_upper(item):
        return UpperProjectFlow
    return PlanProjectFlow


def _node(process: Process, name: str) -> Any:
    """The node ``name`` of the flow ``process`` travels, or a 409 when that flow has no such
    step: a nomination has no contract or acceptance, and asking for one is a state the item
    is not in, not a crash (it was an AttributeError, a 500)."""
    node = getattr(_flow(process), name, None)
    if node is None:
        raise StateConflict(_("This step is not part of this item's process."))
    return node


def _process_rows(application: Application) -> Any:
    return _processes(application.pk)


def _processes(application_id: Any) -> Any:
    """The process of an application (its id, or an expression giving it); read one with
    :func:`_coerced`."""
    ct = ContentType.objects.get_for_model(Application)
    return Process.objects.filter(artifact_content_type=ct, artifact_object_id=application_id)


def _coerced(process: Process | None) -> Any:
    """The process as its flow's process class (``PlanProjectProcess``, …), as viewflow's
    activations take it (``task.process.coerced``, which changes the class of the same object)."""
    return None if process is None else process.coerced


def process_of(application: Application) -> Process:
    process = _coerced(_process_rows(application).first())
    if process is None:
        raise StateConflict(_("This application has not been submitted yet."))
    return process


#: Tries and back-off of the flow lock: the same as viewflow's ``SelectForUpdateLock``
#: (``lock.select_for_update_lock``, five tries, NOWAIT, a short random sleep between them).
LOCK_ATTEMPTS = 5
#: A call draw reports its progress after locking, and after sending into review, this many items.
DRAW_PROGRESS_EVERY = 500


def _lock_backoff(attempt: int) -> float:
    return (((attempt + 1) * random.random()) + 2**attempt) / 2.5  # noqa: S311 - jitter, not a secret


@contextmanager
def _lock_held(_flow_class: Any, _process_pk: Any) -> Iterator[None]:
    """The row lock is already taken by :func:`locked`; see there."""
    yield


@contextmanager
def locked(application: Application) -> Iterator[Process]:
    """Find the application's process and lock it for one step, in one statement.

    ``SELECT … FROM viewflow_process WHERE artifact = … FOR UPDATE NOWAIT``: this is the row
    viewflow's own flow lock (``PlanProjectFlow.lock_impl``, ``select_for_update_lock``)
    takes, so a step and anything viewflow runs under its lock (a start, a handle, a cancel)
    still exclude each other. Two steps on one application serialise here: the second finds
    the row locked, backs off and tries again like viewflow's lock does, and after the last
    try gives up with a 409 rather than queueing behind a long step. Everything the step does
    (the domain service, the tasks) runs in this ``atomic`` block, so it commits or rolls
    back as one; the services skip their own savepoints inside it (``core.db``), because any
    error leaves the block and rolls everything back anyway.

    The locked row is handed to the step: pass it on to the tasks (:func:`_task_of`) so
    viewflow does not read it again.
    """
    with _locked(application.pk) as (process, _task):
        yield process


class AssignmentItem(NamedTuple):
    """:func:`_locked`'s item given by an assignment: the item of ``assignment_id``, only if
    ``user_id`` is its expert (no row, and so the 404 before any 409, for anyone else)."""

    assignment_id: int
    user_id: int


def _item_id(application: Any = None, assignment: Any = None, user: Any = None) -> Any:
    """The item's id for a query of its process: ``application``, or the item of ``assignment``
    if ``user`` is its expert (a subquery; ``None`` when that is not so)."""
    if assignment is None:
        return application
    return Subquery(Assignment.objects.filter(pk=assignment, expert__user=user).values("application_id"))


def _open_task_rows(application_id: Any, names: tuple[str, ...], content_type: Any = None) -> Any:
    """The open tasks of the nodes ``names`` (in whichever flow the item travels: the nodes have
    the same names in every flow that has them) of the application's process, newest first,
    with the process row. ``content_type``: the id of ``Application``'s content type, if the
    caller has it."""
    from .flows import AwardNominationFlow, PlanProjectFlow, UpperProjectFlow

    flows = (PlanProjectFlow, AwardNominationFlow, UpperProjectFlow)
    nodes = [node for flow in flows for name in names if (node := getattr(flow, name, None)) is not None]
    rows = Task.objects.select_related("process").filter(
        process__artifact_content_type=content_type or ContentType.objects.get_for_model(Application),
        process__artifact_object_id=application_id,
        flow_task__in=nodes,
        status__in=ACTIVE,
    )
    return rows.order_by("-pk")


# The step lock's two reads, compiled once (``core.db.CompiledRead``: building and compiling
# them was the largest Python cost of a step). Each shape of the lock is its own read: an item
# given by its id or by an assignment (``_item_id``), and the nodes whose open task comes along.


@functools.cache
def _process_lock(by_assignment: bool) -> CompiledRead[Process]:
    """``SELECT … FROM viewflow_process WHERE artifact = … FOR UPDATE NOWAIT`` (:func:`locked`)."""

    def build(content_type: int, **item: int) -> Any:
        rows = Process.objects.filter(artifact_content_type=content_type, artifact_object_id=_item_id(**item))
        return rows.select_for_update(nowait=True)

    return CompiledRead(build)


@functools.cache
def _task_lock(names: tuple[str, ...], by_assignment: bool) -> CompiledRead[Task]:
    """The open tasks of ``names`` with their process, newest first, ``FOR UPDATE OF`` the
    process ``NOWAIT`` (:func:`_locked`)."""

    def build(content_type: int, **item: int) -> Any:
        rows = _open_task_rows(_item_id(**item), names, content_type)
        return rows.select_for_update(nowait=True, of=("process",))

    return CompiledRead(build)


class Along:
    """A read :func:`_locked` sends in its lock's statement (``CompiledRead.rows_with``): the
    row the step reads first under the lock (the application, an expert's assignment), one
    round trip fewer a step. :meth:`first` gives it, or reads it on its own where the lock
    found no row to carry it (no open task: the process alone was locked)."""

    def __init__(self, read: CompiledRead[Any], **values: int) -> None:
        self.read, self.values = read, values
        self.found: list[Any] | None = None  # None: not read with the lock

    def lock(self, lock: CompiledRead[Any], *, limit: int | None, **values: int) -> list[Any]:
        """``lock.rows(limit, **values)``, this read along with it."""
        rows, self.found = lock.rows_with(self.read, limit=limit, values=values, along_values=self.values)
        if not rows:
            self.found = None  # not read: the outer join had no row to carry it
        return rows

    def first(self) -> Any:
        if self.found is None:
            return self.read.first(**self.values)
        return self.found[0] if self.found else None


@contextmanager
def _locked(
    item: Any,
    *,
    node: str | tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
    before_conflict: Callable[[], Any] | None = None,
    along: Along | None = None,
) -> Iterator[tuple[Process, Task | None]]:
    """:func:`locked` for ``item`` (an application's id, or an :class:`AssignmentItem`), and with
    ``node`` (a name or several) the newest open task of that node, found by the same statement
    (``SELECT task, process … FOR UPDATE OF process NOWAIT``); with ``data``, the newest of them
    whose ``task.data`` holds those values (picked from the node's open tasks, all read by that
    statement). ``None`` when none is open: then the process alone is locked, by the statement
    :func:`locked` sends (unless the node's other open tasks brought it, locked), and the step
    answers as it would have after its own task query. The task comes with the process row.
    ``before_conflict`` runs before either 409 (no process, the row held by someone else
    throughout): :func:`acting` checks the caller there, so that they get the answer they would
    get before any lock (404, 403). ``along``: a read sent in the lock's statement, after the
    lock is held (:class:`Along`)."""
    by_assignment = isinstance(item, AssignmentItem)
    values = {"content_type": ContentType.objects.get_for_model(Application).pk}
    values.update({"assignment": item.assignment_id, "user": item.user_id} if by_assignment else {"application": item})
    names = (node,) if isinstance(node, str) else node
    for attempt in range(LOCK_ATTEMPTS):
        with transaction.atomic():
            try:
                task = process = None
                if along is not None:
                    along.found = None  # a failed attempt's row went with its rollback
                if names:
                    lock, limit = _task_lock(names, by_assignment), None if data else 1
                    tasks = along.lock(lock, limit=limit, **values) if along else lock.rows(limit=limit, **values)
                    tasks.sort(key=lambda t: t.pk, reverse=True)  # newest first (a join keeps no order)
                    task = next((t for t in tasks if _holds(t, data)), None)
                    process = tasks[0].process if tasks else None
                if process is None:
                    lock = _process_lock(by_assignment)
                    if along is not None and along.found is None:
                        process = next(iter(along.lock(lock, limit=1, **values)), None)
                    else:
                        process = lock.first(**values)
                process = _coerced(process)
            except DatabaseError:
                # Another step holds the row (NOWAIT failed). The failed statement aborted the
                # transaction: mark this block for rollback, so leaving it rolls back (to its
                # savepoint when nested, and the caller's transaction goes on) instead of trying
                # to commit, then try again.
                transaction.set_rollback(True)
            else:
                if process is None:
                    if before_conflict is not None:
                        before_conflict()
                    raise StateConflict(_("This application has not been submitted yet."))
                if task is not None:
                    task.process = process  # the same object every task of the step is handed
                # viewflow's lock scope: work it defers with ``after_lock_released`` runs once
                # the outermost flow lock of this thread is released, as under its own lock.
                with flow_lock.lock_scope(_lock_held, _flow(process), process.pk), shared_rollback_boundary():
                    try:
                        yield process, task
                    except BaseException:
                        forget_finished()  # rolled back with the step
                        raise
                    write_finished()  # a task finished in the step and written by no next write
                return
        if attempt != LOCK_ATTEMPTS - 1:
            time.sleep(_lock_backoff(attempt))
    if before_conflict is not None:
        before_conflict()
    raise StateConflict(_("Someone else is acting on this application right now; try again."))


def _holds(task: Task, data: dict[str, Any] | None) -> bool:
    """Whether ``task.data`` holds the values ``data`` (every task, without ``data``)."""
    held = task.data or {}
    return not data or all(key in held and held[key] == value for key, value in data.items())


def _visible_rows(application: Application) -> Any:
    return Application.objects.select_related("call", "applicant", "organisation").filter(pk=application.pk)


@functools.cache
def _step_read(lock_row: bool) -> CompiledRead[Application]:
    """:func:`acting`'s read of the application under the step's lock (compiled once, as the
    lock's own reads): with ``lock_row``, as ``application_locked`` reads it."""

    def build(pk: int) -> Any:
        rows = _visible_rows(Application(pk=pk))
        if not lock_row:
            return rows
        return with_email_choices(rows.select_for_update(of=app_services.LOCKED_WITH_APPLICATION), "applicant_id")

    return CompiledRead(build)


class Step(NamedTuple):
    """What :func:`acting` hands a step: the locked process, the application read under that
    lock, and the open task of the step's node when it named one."""

    process: Process
    application: Application
    task: Any


@contextmanager
def acting(
    application: Application,
    actor: Any,
    check: Callable[[], Any] | None = None,
    *,
    task: str | tuple[str, ...] | None = None,
    task_open: bool = True,
    lock_row: bool = False,
) -> Iterator[Step]:
    """:func:`locked` for a step ``actor`` takes on an application they must be able to see.

    The answers are those of :func:`_visible`, then ``check`` (a role, a recent login: 403),
    then the lock and the step's state (409), in that order, with fewer reads: the
    application is read once, after the lock, where it was read before the lock and again in
    the service; where the lock cannot be had (no process yet, someone else holding it) it is
    read and checked before the 409. With ``task`` (a node's name), the open task of that node
    comes with the process lock (:func:`_locked`): 409 when the item's flow has no such node or
    it is not open, as :func:`_active_task` answers; with ``task_open=False`` (and then perhaps
    several names: the newest open task of them) the step gets ``None`` when none is open and
    answers itself where it did before (:func:`_still_open`).

    ``lock_row``: the read locks the application, its call and its applicant, as the step's
    service then does first (``application_locked``), which uses the object handed to it
    (``core.db.row_held``) instead of reading it again. Only for steps whose service takes
    that lock before any other, so that the locks are still taken in the same order."""

    def gate(row: Application | None) -> Application:
        if row is None or not can_view_application(actor, row):
            raise NotVisible()
        if check is not None:
            check()
        return row

    def before_conflict() -> None:
        gate(_visible_rows(application).first())

    # With ``lock_row``, as ``application_locked`` reads it, with the applicant's e-mail choices;
    # in the lock's statement.
    read = Along(_step_read(lock_row), pk=application.pk)
    with _locked(application.pk, node=task or (), before_conflict=before_conflict, along=read) as (process, open_task):
        step = Step(process, gate(read.first()), None)
        email_choices_carry(step.application, step.application.applicant)
        if isinstance(task, str) and task_open:
            step = step._replace(task=_step_task(process, task, open_task))
        elif open_task is not None:
            step = step._replace(task=open_task)
        if not lock_row:
            yield step
            return
        with row_held(step.application):
            yield step


def _staff_only(actor: Any, refusal: str, *, recent_login: bool = False) -> Callable[[], None]:
    """The check of a staff step (:func:`acting`): 403 for anyone else, then, with
    ``recent_login``, for a login that is not recent."""

    def check() -> None:
        if not is_staff(actor):
            raise PermissionDenied(refusal)
        if recent_login:
            require_recent_login(actor)

    return check


def _task_of(process: Process, task: Task) -> Task:
    """Hand the locked process row to ``task``: the activation reads ``task.process`` and
    would otherwise fetch the same row again (without the lock, which we hold anyway)."""
    task.process = process
    return task


def _open_task(process: Process, node: Any) -> Task | None:
    task = Task.objects.filter(process_id=process.pk, flow_task=node, status__in=ACTIVE).order_by("-pk").first()
    return None if task is None else _task_of(process, task)


def _active_task(process: Process, node: Any) -> Task:
    return _still_open(_open_task(process, node))


def _step_task(process: Process, name: str, task: Task | None) -> Task:
    """``task``, the open task of node ``name`` found with the lock (:func:`_locked`), checked
    as :func:`_active_task` checks its own: 409 when the item's flow has no such node or none
    is open."""
    _node(process, name)
    return _still_open(task)


def _still_open(task: Task | None) -> Task:
    """The task a step completes, or 409 when its node is not open."""
    if task is None:
        raise StateConflict(_("This step is not open for this application."))
    return task


def _complete(task: Task, actor: Any) -> None:
    """Finish a human task on behalf of ``actor`` (whose right to act we already checked)."""
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        # What viewflow's ``assign`` does (NEW → ASSIGNED, the owner set), without its own
        # ``save``: ``execute`` below saves the whole task row again a moment later.
        task.owner = actor
        task.status = STATUS.ASSIGNED
    activation.start(None)
    activation.execute()
    write_finished()  # the step may read the tasks next


def _run_handle(process: Process, node: Any, task: Task | None = None) -> None:
    task = task if task is not None else _active_task(process, node)
    activation = node.activation_class(task)
    activation.run(None)
    activation.execute()
    write_finished()


def _visible(application: Application, actor: Any) -> Application:
    """Re-read the application and check the actor may see it (else 404)."""
    fresh = Application.objects.select_related("call", "applicant", "organisation").filter(pk=application.pk).first()
    if fresh is None or not can_view_application(actor, fresh):
        raise NotVisible()
    return fresh


# --- calls --------------------------------------------------------------------------------


@transaction.atomic
def call_setup(
    *,
    actor: Any,
    criteria: list[dict[str, Any]],
    acceptance_criteria: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Call:
    """A call with its review criteria and, if staff give them, its acceptance criteria (else
    the defaults are written when a first acceptance draws its experts)."""
    call = app_services.call_create(actor=actor, **fields)
    review_services.criteria_set(call=call, criteria=criteria)
    if acceptance_criteria:
        _acceptance_criteria_set(call, acceptance_criteria)
    return call


def _acceptance_criteria_set(call: Call, criteria: list[dict[str, Any]]) -> None:
    try:
        review_services.criteria_set(call=call, criteria=criteria, purpose="acceptance")
    except ValidationError as exc:
        # The same checks as the review criteria, reported on this field.
        raise ValidationError({"acceptance_criteria": exc.messages}) from None


@transaction.atomic
def call_change(*, call: Call, actor: Any, criteria: list[dict[str, Any]], **fields: Any) -> Call:
    """Change a call's terms and criteria together, until it opens."""
    acceptance_criteria = fields.pop("acceptance_criteria", None)
    call = app_services.call_update(call=call, actor=actor, **fields)
    review_services.criteria_set(call=call, criteria=criteria)
    if acceptance_criteria:
        _acceptance_criteria_set(call, acceptance_criteria)
    return call


# --- submission and formal review -----------------------------------------------------------


def application_submit(*, application: Application, actor: Any, pledge: bool = True) -> Application:
    application = _visible(application, actor)
    with transaction.atomic():
        if application.status == S.DRAFT:
            application = app_services.application_submit(application=application, actor=actor, pledge=pledge)
            _flow(application).start.run(application=application)
            return application
    with locked(application) as process:
        task = _active_task(process, _node(process, "revise"))
        if task.owner_id != actor.pk:
            raise PermissionDenied(_("Only the applicant may resubmit."))
        application = app_services.application_submit(application=application, actor=actor, pledge=pledge)
        _complete(task, actor)
        return application


def formal_review(*, application: Application, actor: Any, decision: str, comment: str = "") -> Application:
    check = _staff_only(actor, _("Only bureau staff do formal review."))
    with acting(application, actor, check, task="formal_review", lock_row=True) as (process, application, task):
        application = app_services.application_formal_review(
            application=application, actor=actor, decision=decision, comment=comment
        )
        _complete(task, actor)
        return application


# --- expert review ----------------------------------------------------------------------------


def _add_review_slot(process: Process, assignment: Assignment) -> None:
    """A new parallel review task joining the running split (a late or replacement expert)."""
    flow_class = _flow(process)
    split_task = Task.objects.filter(process_id=process.pk, flow_task=flow_class.reviews).order_by("-pk").first()
    assert split_task is not None
    _task_of(process, split_task)
    prefix = f"{split_task.token}/{split_task.pk}_"
    siblings = Task.objects.filter(process_id=process.pk, token__startswith=prefix).count()
    split_activation = flow_class.reviews.activation_class(split_task)
    activation = flow_class.review._create(
        prev_activation=split_activation,
        token=Token(f"{prefix}{siblings + 1}"),
        data={"assignment_id": assignment.pk},
    )
    # The review node assigns its expert on creation (ASSIGNED, not NEW): as viewflow's own
    # _activate_next does, activate only a task still waiting for it.
    if activation.activate.can_proceed():
        activation.activate()


def _review_task(process: Process, assignment_id: int) -> Task | None:
    for task in Task.objects.filter(process_id=process.pk, flow_task=_node(process, "review"), status__in=ACTIVE):
        if task.data.get("assignment_id") == assignment_id:
            return _task_of(process, task)
    return None


def _reviewing(process: Process) -> bool:
    return Task.objects.filter(process_id=process.pk, flow_task=_node(process, "review"), status__in=ACTIVE).exists()


def _seat(process: Process, assignment: Assignment, *, reviewing: bool | None = None) -> None:
    """Give a new assignment its review task once the review has started: it takes over the
    slot of the assignment it replaces while that slot is open, else joins as a new slot.
    Before the start there is nothing to do: the split seats every open assignment.

    ``reviewing`` is whether a review task is open, when the caller already asked (under the
    same lock, so the answer still holds)."""
    if not (_reviewing(process) if reviewing is None else reviewing):
        return
    slot = _review_task(process, assignment.replaces_id) if assignment.replaces_id else None
    if slot is not None:
        slot.owner = assignment.expert.user
        slot.data = {**slot.data, "assignment_id": assignment.pk}
        slot.save(update_fields=["owner", "data"])
    else:
        _add_review_slot(process, assignment)


def assignment_add(
    *, application: Application, expert: Expert, actor: Any, replaces: Assignment | None = None
) -> Assignment:
    """Staff invite an expert by hand; during the review this adds or refills a review slot."""
    check = _staff_only(actor, _("Only bureau staff assign experts."))
    # Both questions (is the item waiting for its experts, is its review running) come with the
    # lock: the newest open task of the two nodes. The flow never has both open (the review
    # starts when staff finish assigning), and the lock keeps the answer true until we commit.
    nodes = ("expert_assignment", "review")
    with acting(application, actor, check, task=nodes, task_open=False) as (process, application, task):
        if task is None:
            raise StateConflict(_("Experts can be assigned only while the application is in expert review."))
        reviewing = task.flow_task == _flow(process).review
        assignment = review_services.assignment_create(
            application=application, expert=expert, actor=actor, replaces=replaces
        )
        _seat(process, assignment, reviewing=reviewing)
        return assignment


def call_draw(
    *, call: Call, actor: Any, seed: str | None = None, progress: Callable[[int], None] | None = None
) -> Draw:
    """Staff draw experts at random for every item of the call in expert review that lacks
    some (``reviews.services.draw_for_call``), then send each fully drawn item still waiting
    for its experts into review: one parallel review task per expert, as
    :func:`expert_review_start` does. Items drawn after their review began get new or
    refilled review slots. Items the pool could not supply stay with staff.

    ``progress`` (the page's background job) is told the work done in units of the call's
    items in review, three times over: one each as its process is locked, all of them again
    once the draw is written, then one more each as it is sent into review (``3 × items``).
    """
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    with transaction.atomic(), ExitStack() as stack:
        # Every item's process lock first, in id order, then (inside the service) the call and
        # the experts: a hand assignment also takes its process before its expert, so the two
        # never wait for each other in opposite orders.
        processes: dict[int, Process] = {}
        for application in Application.objects.filter(call=call, status=S.IN_REVIEW).order_by("pk"):
            processes[application.pk] = stack.enter_context(locked(application))
            if progress is not None and len(processes) % DRAW_PROGRESS_EVERY == 0:
                progress(len(processes))
        if progress is not None:
            progress(len(processes))
        draw = review_services.draw_for_call(call=call, actor=actor, seed=seed)
        if progress is not None:
            progress(2 * len(processes))
        made: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in Assignment.objects.filter(draw_item__draw=draw).select_related("expert__user").order_by("pk"):
            made[assignment.application_id].append(assignment)
        short = set(draw.items.filter(shortfall__gt=0).values_list("application_id", flat=True))
        for position, (application_id, process) in enumerate(processes.items(), start=1):
            if progress is not None and position % DRAW_PROGRESS_EVERY == 0:
                progress(2 * len(processes) + position)
            if application_id in short:
                continue
            task = Task.objects.filter(
                process_id=process.pk, flow_task=_node(process, "expert_assignment"), status__in=ACTIVE
            ).first()
            if task is not None:
                _task_of(process, task)
                if Assignment.objects.filter(
                    application_id=application_id, status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
                ).exists():
                    _complete(task, actor)
                continue
            for assignment in made.get(application_id, []):
                _seat(process, assignment)
        return draw


def expert_review_start(*, application: Application, actor: Any) -> Application:
    """Staff send the item to its assigned experts: one parallel review task each."""
    check = _staff_only(actor, _("Only bureau staff start expert review."))
    with acting(application, actor, check, task="expert_assignment") as (process, application, task):
        if not Assignment.objects.filter(
            application=application, status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
        ).exists():
            raise StateConflict(_("Assign at least one expert first."))
        _complete(task, actor)
        return application


def _assignment_for(actor: Any, assignment_id: Any) -> Assignment:
    assignment = (
        Assignment.objects.select_related("application", "expert").filter(pk=assignment_id, expert__user=actor).first()
    )
    if assignment is None:
        raise NotVisible()
    return assignment


def assignment_accept(*, assignment: Assignment, actor: Any, no_conflict: bool) -> Assignment:
    # No flow lock and no read of our own: the service reads the assignment locked and answers
    # 404 unless ``actor`` is its expert (``_assignment_for`` would read the same row first).
    return review_services.assignment_accept(assignment=assignment, actor=actor, no_conflict=no_conflict)


def assignment_decline(*, assignment: Assignment, actor: Any, reason: str) -> Assignment:
    """The expert declines. A drawn expert is replaced at once by a new draw by the same rule
    (``reviews.services.draw_replacement``), who takes over the review slot; when the pool
    has nobody left, or the expert was picked by hand, the slot waits for staff, who are told.
    """
    assignment = _assignment_for(actor, assignment.pk)
    with locked(assignment.application) as process:
        assignment = review_services.assignment_decline(assignment=assignment, actor=actor, reason=reason)
        if assignment.draw_item_id is None:
            # Staff chose this expert by hand; they choose the replacement too.
            notify(
                recipients=users_with_role("staff"),
                kind="review_declined",
                subject=gettext_lazy("An expert declined: %(title)s"),
                body=gettext_lazy("An expert declined to review “%(title)s”; invite a replacement."),
                context={"title": assignment.application.title},
                url=item_staff_url(assignment.application),
            )
            return assignment
        # Drawn by the system, not by the declining expert: the draw has no actor.
        replacement = review_services.draw_replacement(assignment=assignment, actor=None)
        if replacement is not None:
            _seat(process, replacement)
        else:
            _notify_no_replacement(assignment)
    return assignment


def _notify_no_replacement(assignment: Assignment) -> None:
    notify(
        recipients=users_with_role("staff"),
        kind="review_declined",
        subject=gettext_lazy("No replacement could be drawn: %(title)s"),
        body=gettext_lazy(
            "An expert dropped out of reviewing “%(title)s” and the expert pool has nobody eligible "
            "to replace them; invite a replacement or close the slot."
        ),
        context={"title": assignment.application.title},
        url=item_staff_url(assignment.application),
    )


def assignment_redraw(*, assignment: Assignment, actor: Any) -> Assignment | None:
    """Staff draw a replacement by the rule of the draw for a declined or expired assignment
    (the slot of an expert who let the deadline pass, or a decline that found nobody before).
    Returns the new assignment, or ``None`` when the pool has nobody eligible."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    with locked(assignment.application) as process:
        replacement = review_services.draw_replacement(assignment=assignment, actor=actor)
        if replacement is not None:
            _seat(process, replacement)
        return replacement


def assignment_expire(*, assignment: Assignment, now: Any) -> Assignment | None:
    """The clock: an invitation not accepted by its response deadline expires and, as on a
    decline, a replacement is drawn by the same rule (hand-picked slots and an empty pool go
    to staff). Returns the replacement, if any; ``StateConflict`` if no longer due."""
    from .deadlines import response_deadline

    with locked(assignment.application) as process:
        assignment = (
            Assignment.objects.select_for_update(of=("self",)).select_related("application").get(pk=assignment.pk)
        )
        if assignment.status != AssignmentStatus.INVITED or response_deadline(assignment) > now:
            raise StateConflict(_("This invitation is answered or not yet due."))
        review_services.assignment_expire(assignment=assignment)
        title = assignment.application.title
        notify(
            recipients=[assignment.expert.user],
            kind="review_expired",
            subject=gettext_lazy("Invitation expired: %(title)s"),
            body=gettext_lazy("You did not answer the invitation to review “%(title)s” in time; it has expired."),
            context={"title": title},
            url=reverse("my-reviews"),
        )
        if (
            assignment.draw_item_id is not None
            and assignment.application.status == review_services.PURPOSE_STATUS[assignment.purpose]
        ):
            replacement = review_services.draw_replacement(assignment=assignment, actor=None)
            if replacement is not None:
                _seat(process, replacement)
                return replacement
            _notify_no_replacement(assignment)
            return None
        notify(
            recipients=users_with_role("staff"),
            kind="review_expired",
            subject=gettext_lazy("An invitation expired: %(title)s"),
            body=gettext_lazy("An expert did not answer the invitation to review “%(title)s”; invite a replacement."),
            context={"title": title},
            url=item_staff_url(assignment.application),
        )
        return None


def review_submit(*, assignment: Assignment, actor: Any, scores: Any, comment: str, recommendation: str) -> Review:
    # One statement finds the item's process through the assignment, only if it is the actor's
    # (the 404 of ``_assignment_for``, asked before any 409), locks it and brings the
    # assignment's review task (an acceptance expert's has none); the service's locked read of
    # the assignment comes in the same statement, handed over (``row_held``).
    theirs = AssignmentItem(assignment.pk, actor.pk or 0)  # no user (0): no row, the 404
    slot = {"assignment_id": assignment.pk}
    read = Along(review_services.assignment_locked_read(with_review=True), pk=assignment.pk)
    mine = functools.partial(_assignment_for, actor, assignment.pk)
    with (
        _locked(theirs, node="review", data=slot, before_conflict=mine, along=read) as (_process, task),
        ExitStack() as held,
    ):
        if (locked := read.first()) is not None:
            held.enter_context(row_held(locked))
            assignment = locked
        review = review_services.review_submit(
            assignment=assignment, actor=actor, scores=scores, comment=comment, recommendation=recommendation
        )
        if task is not None:
            _complete(task, actor)
        return review


def review_slot_close(*, assignment: Assignment, actor: Any) -> None:
    """Staff give up on a declined slot: the review goes on without it."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage review slots."))
    with locked(assignment.application) as process:
        assignment = Assignment.objects.get(pk=assignment.pk)
        if assignment.status not in (AssignmentStatus.DECLINED, AssignmentStatus.EXPIRED):
            raise StateConflict(_("Only a declined or expired slot can be closed."))
        task = _review_task(process, assignment.pk)
        if task is None:
            raise StateConflict(_("This slot is already closed."))
        _complete(task, task.owner or actor)


def reviews_complete(*, application_id: int) -> None:
    """Called by the flow when every review task has finished."""
    application = app_services.application_locked(Application(pk=application_id))
    app_services.application_transition(application=application, to=S.REVIEWED, actor=None, action="reviews.complete")
    notify(
        recipients=users_with_role("panel"),
        kind="ready_for_decision",
        subject=gettext_lazy("Ready for decision: %(title)s"),
        body=gettext_lazy("The expert reviews of “%(title)s” are in; it waits for the panel."),
        context={"title": application.title},
        url=item_staff_url(application),
    )


# --- decision, notice -----------------------------------------------------------------------


def decide(*, application: Application, actor: Any, fund: Any, approved_yuan: Any = None, comment: str = "") -> Any:
    # The service checks it too; asking first answers a stale login with 403, not with
    # whatever the item's state would say.
    check = functools.partial(require_recent_login, actor)
    with acting(application, actor, check, task="decision", task_open=False) as (process, application, task):
        if _is_upper(process):
            # The panel recommends a higher-level call's items together, within its quota.
            raise StateConflict(_("Items of a higher-level call are recommended on the call's page, not funded."))
        decision = funding_services.decision_make(
            application=application, actor=actor, fund=fund, approved_yuan=approved_yuan, comment=comment
        )
        _complete(_still_open(task), actor)
        return decision


def award_decide(*, nomination: Application, actor: Any, level: Any, comment: str = "") -> Any:
    """The award committee gives a nomination a level (its fixed bonus) or no award."""
    check = functools.partial(require_recent_login, actor)
    with acting(nomination, actor, check, task="decision", task_open=False) as (process, nomination, task):
        decision = award_services.award_decide(nomination=nomination, actor=actor, level=level, comment=comment)
        _complete(_still_open(task), actor)
        return decision


def notice_publish(*, call: Call, actor: Any) -> Notice:
    """Publish the call's decisions. An award round is published only when its results add
    up (``awards.services.round_publish_check``), checked under the round's row lock, which
    every award decision also takes: nothing is decided between the check and the notice."""
    if call.kind != CallKind.AWARD:
        return funding_services.notice_publish(call=call, actor=actor)
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff publish notices."))
    require_recent_login(actor)
    with transaction.atomic():
        award_round = Call.objects.select_for_update().get(pk=call.pk)
        award_services.round_publish_check(award_round=award_round)
        return funding_services.notice_publish(call=award_round, actor=actor)


def acceptance_notice_publish(*, call: Call, actor: Any) -> Notice:
    """Publish the call's passed acceptances on an acceptance notice (验收结果公示)."""
    return funding_services.acceptance_notice_publish(call=call, actor=actor)


#: The objection limit's window: an hour.
OBJECTION_WINDOW = 3600


def objection_file(
    *, notice: Notice, address: str, application_id: Any, text: str, name: str, contact: str
) -> Objection:
    """Anyone objects to an item on a running notice. At most
    ``PINGSHEN_OBJECTIONS_PER_HOUR`` objections to one notice from one client address an hour
    (``RateLimited``, 429 with the wait): a flood cannot bury the real ones, and since an open
    objection holds the close, nobody can stall a notice by filing without end."""
    scope = f"objection:{notice.pk}:{address}"
    rate_check(scope=scope, limit=settings.PINGSHEN_OBJECTIONS_PER_HOUR, window=OBJECTION_WINDOW)
    objection = funding_services.objection_file(
        notice=notice, application_id=application_id, text=text, name=name, contact=contact
    )
    rate_count(scope=scope, window=OBJECTION_WINDOW)
    return objection


def objections_dismiss(*, objection_ids: list[int], actor: Any, resolution: str) -> list[Objection]:
    """Staff dismiss duplicates in bulk (``funding.services.objections_dismiss``)."""
    return funding_services.objections_dismiss(objection_ids=objection_ids, actor=actor, resolution=resolution)


def objection_resolve(*, objection: Objection, actor: Any, upheld: bool, resolution: str) -> Objection:
    """An upheld objection withdraws the item: its process is terminated with the reason. On
    an acceptance notice it sets the project's pass aside instead: staff decide again."""
    with transaction.atomic():
        objection = funding_services.objection_resolve(
            objection=objection, actor=actor, upheld=upheld, resolution=resolution
        )
        if objection.status == ObjectionStatus.UPHELD:
            if objection.notice.kind == NoticeKind.ACCEPTANCE:
                acceptance_set_aside(application=objection.application, actor=actor, objection=objection)
            else:
                terminate(application=objection.application, actor=actor, reason=resolution)
        return objection


def notice_close(*, notice: Notice, actor: Any = None, progress: Callable[[int], None] | None = None) -> Notice:
    """Close the notice; every funded item on it moves on to its task contract, and every
    award on it is granted with its bonus requested for the finance approval. An acceptance
    notice's passed projects get their final tranche requested (or close). All in one
    transaction; ``progress`` hears how many items have moved on so far (a page's close of a
    large notice runs as a job: ``workflow.jobs.notice_close_start``)."""
    moved = 0

    def one_more() -> None:
        nonlocal moved
        moved += 1
        if progress is not None:
            progress(moved)

    with transaction.atomic():
        notice = funding_services.notice_close(notice=notice, actor=actor)
        if notice.kind == NoticeKind.ACCEPTANCE:
            # The passes still on it (not set aside) are final: final tranche or close.
            for application in notice.applications.filter(acceptance_reports__notice=notice).order_by("pk"):
                acceptance_notice_closed(application=application, actor=actor)
                one_more()
            return notice
        for nomination in notice.applications.filter(status=S.AWARDED).order_by("pk"):
            with _locked(nomination.pk, node="notice") as (process, task):
                award_services.award_grant(nomination=nomination, actor=actor)
                _run_handle(process, _node(process, "notice"), task)
            one_more()
        # The applicants with their e-mail choices, for the notification below.
        funded = notice.applications.filter(status=S.FUNDED).select_related("applicant")
        for application in with_email_choices(funded, "applicant_id").order_by("pk"):
            email_choices_carry(application, application.applicant)
            with _locked(application.pk, node="notice") as (process, task):
                _run_handle(process, _node(process, "notice"), task)
                notify(
                    recipients=[application.applicant],
                    kind="contract_due",
                    subject=gettext_lazy("Sign your task contract: %(title)s"),
                    body=gettext_lazy("The notice has closed; sign the task contract of “%(title)s”."),
                    context={"title": application.title},
                    url=item_url(application),
                )
            one_more()
        return notice


# --- contract, money, acceptance -----------------------------------------------------------------


def contract_submit(
    *,
    application: Application,
    actor: Any,
    accept_terms: bool,
    targets: Any,
    budget: Any,
    milestones: Any,
    starts_on: Any = None,
    ends_on: Any = None,
) -> Any:
    """The applicant submits (or, once returned, resubmits) the task contract; staff check it
    next (``aftergrant.services.contract_submit``)."""
    with acting(application, actor, task="contract", lock_row=True) as (process, application, task):
        if task.owner_id != actor.pk:
            raise NotVisible()
        version = aftergrant_services.contract_submit(
            application=application,
            actor=actor,
            accept_terms=accept_terms,
            targets=targets,
            budget=budget,
            milestones=milestones,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        _complete(task, actor)
        return version


def contract_check(*, application: Application, actor: Any, decision: str, comment: str = "") -> Any:
    """Staff accept the task contract (in force, signed, the first tranche requested) or return
    it to the applicant (``aftergrant.services.contract_check``)."""
    check = _staff_only(actor, _("Only bureau staff check task contracts."), recent_login=True)
    with acting(application, actor, check, task="contract_check", lock_row=True) as (process, application, task):
        version = aftergrant_services.contract_check(
            application=application, actor=actor, decision=decision, comment=comment
        )
        _complete(task, actor)
        return version


def disbursement_approve(*, disbursement: Disbursement, actor: Any) -> Disbursement:
    return funding_services.disbursement_approve(disbursement=disbursement, actor=actor)


def disbursement_reject(*, disbursement: Disbursement, actor: Any, reason: str) -> Disbursement:
    return funding_services.disbursement_reject(disbursement=disbursement, actor=actor, reason=reason)


def disbursement_resubmit(*, disbursement: Disbursement, actor: Any, comment: str) -> Disbursement:
    """A rejected payment requested again. Its process waits where it was (the tranche's
    handle runs when it is paid), so nothing in the flow moves here."""
    return funding_services.disbursement_resubmit(disbursement=disbursement, actor=actor, comment=comment)


def disbursement_pay(*, disbursement: Disbursement, actor: Any, voucher: str) -> Disbursement:
    """Record the payment; the first tranche opens acceptance, the last closes the project;
    an award's bonus, once paid, closes the nomination."""
    # The handle this payment may move comes with the lock: the tranche's, the matching funds'
    # (upward) or the bonus (awards); each flow has at most one of them open.
    tranche = "first_tranche" if disbursement.tranche == 1 else "final_tranche"
    with _locked(disbursement.application_id, node=(tranche, "matching", "bonus")) as (process, task):
        flow_class = _flow(process)
        disbursement = funding_services.disbursement_pay(disbursement=disbursement, actor=actor, voucher=voucher)
        application = disbursement.application
        if _is_upper(process):
            # The county's matching funds (配套) of a project funded upward, paid in one go.
            if task is not None:
                _run_handle(process, flow_class.matching, task)
            return disbursement
        if _is_award(process):
            if application.status == S.GRANTED:
                funding_services.application_close_when_paid(application=application)
                _run_handle(process, flow_class.bonus, task)
            return disbursement
        last = len(application.call.tranches)
        first_tranche = task if disbursement.tranche == 1 else None
        if first_tranche is not None:
            if application.call.midterm:
                # The first check is scheduled before the flow moves, so that the flow finds
                # the report it owes and waits for it (``PlanProjectFlow.midterm_next``).
                midterm.midterm_schedule(application=application, round_=1, actor=None)
            _run_handle(process, flow_class.first_tranche, first_tranche)
        elif disbursement.tranche == last and last > 1:
            funding_services.application_close_when_paid(application=application)
            _run_handle(process, flow_class.final_tranche, task)
        return disbursement


def midterm_submit(*, application: Application, actor: Any, progress: Any, spent: Any, problems: Any) -> Any:
    """The applicant's mid-term report (``aftergrant.midterm.midterm_submit``); the check
    waits for staff. 409 when the project is not at its mid-term report."""
    with acting(application, actor, task="midterm_report", lock_row=True) as (process, application, task):
        report = midterm.midterm_submit(
            application=application, actor=actor, progress=progress, spent=spent, problems=problems
        )
        _complete(task, actor)
        return report


def midterm_decide(*, application: Application, actor: Any, result: Any, comment: Any = "", fix_by: Any = None) -> Any:
    """Staff's mid-term check: pass (next tranche requested; next check or acceptance),
    conditional (the applicant reports again by ``fix_by``) or fail (tranches stop)."""
    check = _staff_only(actor, _("Only bureau staff check mid-term reports."), recent_login=True)
    with acting(application, actor, check, task="midterm_check", lock_row=True) as (process, application, task):
        report = midterm.midterm_decide(
            application=application, actor=actor, result=result, comment=comment, fix_by=fix_by
        )
        _complete(task, actor)
        return report


def acceptance_submit(
    *, application: Application, actor: Any, report: Any, results: Any, accounts: Any, spent_yuan: Any = None
) -> Any:
    """The applicant files the acceptance (``aftergrant.acceptance.acceptance_submit``); staff
    check it next. 409 when the project does not owe its acceptance file now."""
    with acting(application, actor, task="acceptance", lock_row=True) as (process, application, task):
        if task.owner_id != actor.pk:
            raise NotVisible()
        acceptance = acceptance_services.acceptance_submit(
            application=application,
            actor=actor,
            report=report,
            results=results,
            accounts=accounts,
            spent_yuan=spent_yuan,
        )
        _complete(task, actor)
        return acceptance


def acceptance_check(*, application: Application, actor: Any, decision: Any, comment: Any = "") -> Any:
    """Staff accept the acceptance file (on to the experts' draw, or after a rectify to the
    decision) or return it to the applicant."""
    check = _staff_only(actor, _("Only bureau staff check acceptance files."), recent_login=True)
    with acting(application, actor, check, task="acceptance_check", lock_row=True) as (process, application, task):
        report = acceptance_services.acceptance_check(
            application=application, actor=actor, decision=decision, comment=comment
        )
        _complete(task, actor)
        return report


def acceptance_draw(*, application: Application, actor: Any, seed: Any = None) -> Draw:
    """Staff draw the acceptance experts; once the call's number are seated the project waits
    for their scores and staff's decision. A draw the pool could not fill leaves the step open
    to draw again."""
    check = _staff_only(actor, _("Only bureau staff draw experts."), recent_login=True)
    with acting(application, actor, check, task="acceptance_experts", lock_row=True) as (process, application, task):
        draw = acceptance_services.acceptance_draw(application=application, actor=actor, seed=seed)
        if review_services.acceptance_seated(application) >= application.call.acceptance_experts:
            _complete(task, actor)
        return draw


def acceptance_decide(*, application: Application, actor: Any, result: Any, comment: Any = "") -> Any:
    """Staff decide the acceptance (``aftergrant.acceptance.acceptance_decide``): rectify goes
    back to the applicant, fail ends the process, pass waits for the acceptance notice."""
    check = _staff_only(actor, _("Only bureau staff decide acceptance."), recent_login=True)
    with acting(application, actor, check, task="acceptance_review", lock_row=True) as (process, application, task):
        report = acceptance_services.acceptance_decide(
            application=application, actor=actor, result=result, comment=comment
        )
        process.data = {**(process.data or {}), "acceptance": result}
        process.save(update_fields=["data"])
        task.process.data = process.data
        _complete(task, actor)
        return report


def acceptance_notice_closed(*, application: Application, actor: Any) -> Any:
    """The public acceptance notice of a passed project closed (the coordinator's notice calls
    this): the final tranche is requested with the amount the accounts support, or the project
    closes when none is due. Returns the requested disbursement, or ``None``."""
    with _locked(application.pk, node="acceptance_notice") as (process, task):
        task = _step_task(process, "acceptance_notice", task)
        disbursement = acceptance_services.acceptance_notice_close(application=application, actor=actor)
        _run_handle(process, _node(process, "acceptance_notice"), task)
        return disbursement


def acceptance_set_aside(*, application: Application, actor: Any, objection: Objection) -> Any:
    """An objection upheld on the acceptance notice sets the project's pass aside: the process
    leaves ``acceptance_notice`` for staff's decision again."""
    with _locked(application.pk, node="acceptance_notice") as (process, task):
        node = _node(process, "acceptance_notice")
        task = _step_task(process, "acceptance_notice", task)
        report = acceptance_services.acceptance_set_aside(application=application, actor=actor, objection=objection)
        process.data = {**(process.data or {}), "acceptance": "set_aside"}
        process.save(update_fields=["data"])
        task.process.data = process.data
        _run_handle(process, node, task)
        return report


def terminate(*, application: Application, actor: Any, reason: str) -> Application:
    """End the process from any step, with the reason recorded."""
    application = _visible(application, actor)
    with transaction.atomic():
        application = app_services.application_terminate(application=application, actor=actor, reason=reason)
        process = _coerced(_process_rows(application).first())
        if process is not None and process.finished is None:
            _flow(process).instance.cancel(process)
        funding_services.disbursements_withdraw(application=application, actor=actor, reason=reason)
        return application


# --- change requests (项目变更) ---------------------------------------------------------------


def change_decide(*, change: Any, actor: Any, approve: Any, comment: str = "") -> Any:
    """A step of a change request's chain (``aftergrant.changes.change_decide``). An approved
    termination ends the project: under the process lock (taken before the application's row
    lock, as every step takes them), its viewflow process is cancelled with it, so no task of
    the project stays open."""
    from aftergrant import changes

    change = changes.change_for(actor, change.pk)
    if change.kind != "termination":
        return changes.change_decide(change=change, actor=actor, approve=approve, comment=comment)
    with locked(change.application) as process:
        change = changes.change_decide(change=change, actor=actor, approve=approve, comment=comment)
        if changes.change_ends_project(change) and process.finished is None:
            _flow(process).instance.cancel(process)
        return change


# --- higher-level calls (upward) ---------------------------------------------------------------


def upper_skip_ranking(*, application: Application, actor: Any) -> Application:
    """Staff send an accepted item of a higher-level call straight to the panel: the call's
    items fit in the quota, so experts need not rank them (else 409)."""
    check = _staff_only(actor, _("Only bureau staff send items to the panel."))
    with acting(application, actor, check, task="expert_assignment", lock_row=True) as (process, application, task):
        if not _is_upper(process):
            raise StateConflict(_("This step is not part of this item's process."))
        application = upward_services.upper_item_to_panel(application=application, actor=actor)
        _complete(task, actor)
        return application


def upper_recommend(*, upper_call: Any, actor: Any, items: list[Any], comment: str = "") -> list[Application]:
    """The panel recommends within the quota (``upward.services.upper_recommend``); each
    reviewed item's decision task completes, so the recommended go on to their outcome and the
    others end. Every reviewed item's process lock first, in id order, as ``call_draw`` does."""
    if not is_panel(actor):
        raise PermissionDenied(_("Only the panel recommends."))
    require_recent_login(actor)
    with transaction.atomic(), ExitStack() as stack:
        processes = {
            application.pk: stack.enter_context(locked(application))
            for application in Application.objects.filter(call_id=upper_call.call_id, status=S.REVIEWED).order_by("pk")
        }
        decided = upward_services.upper_recommend(upper_call=upper_call, actor=actor, items=items, comment=comment)
        for application in decided:
            process = processes[application.pk]
            _complete(_active_task(process, _node(process, "decision")), actor)
        return decided


def upper_outcome_record(
    *, application: Application, actor: Any, funded: Any, upper_yuan: Any = 0, matching_yuan: Any = 0, comment: str = ""
) -> Any:
    """Staff record the higher level's answer; matching funds go to the finance approvals and
    the item waits for their payment, else its process ends."""
    check = _staff_only(actor, _("Only bureau staff record outcomes."), recent_login=True)
    with acting(application, actor, check, task="outcome", lock_row=True) as (process, application, task):
        outcome = upward_services.upper_outcome_record(
            application=application,
            actor=actor,
            funded=funded,
            upper_yuan=upper_yuan,
            matching_yuan=matching_yuan,
            comment=comment,
        )
        _run_handle(process, _node(process, "outcome"), task)
        return outcome
