"""The one node viewflow's open-source edition lacks (a parallel task per item), the automatic
nodes without their savepoints inside a workflow step, and every node's task row written with
its link to the task before in one statement."""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Task
from viewflow.workflow.nodes import end, handle, if_gate, join, switch, view
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import STATUS

from core.db import CompiledRead, boundary_held

# --- a task row and its link to the task before, in one statement ------------------------------
#
# viewflow writes a new task as ``task.save()`` then ``task.previous.add(prev)``: an ``INSERT``
# into ``viewflow_task``, then one into ``viewflow_task_previous``; and the task a step completes
# is saved (an ``UPDATE``) just before the next one is written. On PostgreSQL the three go in
# one statement here: the finished task's ``UPDATE`` and the new task's ``INSERT … RETURNING``
# feeding the link's ``INSERT`` (issue 18: ≈ 1.1 of a step's ≈ 10 statements were these).
# Elsewhere (SQLite) each as viewflow writes it. No signal is lost: viewflow sends none for
# these rows, and the project listens to none.
#
# The finished task is written with the next write only inside a workflow step (where
# :func:`_savepoint` says no: an error rolls the whole step back), and only until anything else
# could read it: the next task's row or link takes it along, an ``End`` writes it before
# counting the open tasks, and the step lock writes whatever is left before the step ends
# (:func:`write_finished`).

#: A task a step finished whose row is not written yet (:func:`finished_later`).
_finished: ContextVar[Any] = ContextVar("pingshen_finished_task", default=None)


def finished_later(task: Any) -> bool:
    """Keep the finished ``task``'s ``UPDATE`` for the next write (True), or say it must be
    saved now (False: outside a step, or not on PostgreSQL)."""
    if _savepoint() or connection.vendor != "postgresql":
        return False
    write_finished()  # never two at once
    _finished.set(task)
    return True


def write_finished() -> None:
    """Write the finished task no next write took along (one ``UPDATE``, as ``save``)."""
    task = _finished.get()
    if task is not None:
        _finished.set(None)
        task.save()


def forget_finished() -> None:
    """A step that failed: its transaction is rolled back, the finished task with it."""
    _finished.set(None)


def _taken_along(previous: Any) -> Any:
    """The finished task if ``previous`` is it (the next write takes its ``UPDATE`` along);
    else None, having written any other first."""
    task = _finished.get()
    if task is None:
        return None
    if task is not previous:
        write_finished()
        return None
    _finished.set(None)
    return task


@functools.cache
def _task_sql() -> dict[str, Any]:
    """The statements (names from the models, every value a parameter) and the task's columns."""
    q = connection.ops.quote_name
    fields = tuple(f for f in Task._meta.concrete_fields if not f.primary_key)
    link: Any = Task._meta.get_field("previous")
    table, pk = q(Task._meta.db_table), q(Task._meta.pk.column)
    columns = ", ".join(q(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    task_column, previous_column = q(link.m2m_column_name()), q(link.m2m_reverse_name())
    done = f"done AS (UPDATE {table} SET ({columns}) = ROW({placeholders}) WHERE {pk} = %s)"  # noqa: S608
    insert = (
        f"task AS (INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING {pk} AS id) "  # noqa: S608
        f"INSERT INTO {q(link.m2m_db_table())} ({task_column}, {previous_column}) "
        f"SELECT task.id, %s FROM task RETURNING {task_column}"
    )
    return {
        "fields": fields,
        "insert": f"WITH {insert}",
        "insert_after_done": f"WITH {done}, {insert}",
        "link_after_done": (
            f"WITH {done} INSERT INTO {q(link.m2m_db_table())} ({task_column}, {previous_column}) VALUES (%s, %s)"  # noqa: S608
        ),
    }


def _row_values(task: Any, fields: tuple[Any, ...], add: bool) -> list[Any]:
    if task.flow_task and not task.flow_task_type:  # as viewflow's ``Task.save`` does first
        task.flow_task_type = task.flow_task.task_type
    return [f.get_db_prep_save(f.pre_save(task, add), connection=connection) for f in fields]


def task_insert(task: Any, previous: Any, *, started: bool = False) -> None:
    """Insert the new ``task`` and its link to ``previous`` (``task.previous.add(previous)``),
    with ``previous``'s ``UPDATE`` if it finished in this step, in one statement on PostgreSQL;
    the columns get what ``save`` would write (``pre_save`` fills ``created``). ``started``: on
    PostgreSQL the row goes in started (``STARTED``, ``started`` = ``created``), as a task's
    ``activate`` would save it right after; elsewhere it goes in as it is, for ``activate``."""
    done = _taken_along(previous)
    if connection.vendor != "postgresql":
        task.save()
        task.previous.add(previous)
        return
    sql = _task_sql()
    fields = sql["fields"]
    values = _row_values(task, fields, True)
    if started:
        task.status, task.started = STATUS.STARTED, task.created
        values = _row_values(task, fields, False)  # created, filled above, stays as it is
    params = values + [previous.pk]
    if done is not None:
        params = [*_row_values(done, fields, False), done.pk, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql["insert_after_done" if done is not None else "insert"], params)
        row = cursor.fetchone()
    task.pk = row[0]
    task._state.adding = False
    task._state.db = connection.alias


def link_insert(task: Any, previous: Any) -> None:
    """``task.previous.add(previous)`` for an existing ``task`` (a join's later arrivals), with
    ``previous``'s ``UPDATE`` if it finished in this step, in one statement."""
    done = _taken_along(previous)
    if done is None:
        task.previous.add(previous)
        return
    sql = _task_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            sql["link_after_done"], [*_row_values(done, sql["fields"], False), done.pk, task.pk, previous.pk]
        )


def _finish(activation: Activation) -> None:
    """viewflow's ``Activation.complete`` (the task finished, ``task_finished`` sent), with the
    task's ``UPDATE`` kept for the next write where it can be (:func:`finished_later`)."""
    activation.task.finished = now()
    if not finished_later(activation.task):
        activation.task.save()
    task_finished.send(sender=activation.flow_class, process=activation.process, task=activation.task)


class LinkedOnInsert(Activation):
    """viewflow's ``Activation.create`` with the task and its link written by :func:`task_insert`."""

    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None) -> Any:
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        task_insert(task, prev_activation.task)
        return cls(task)


class ViewActivation(view.ViewActivation):
    """viewflow's view activation; its ``create`` (the owner or the permission, then the row)
    writes the row by :func:`task_insert`."""

    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None) -> Any:
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        task_insert(task, prev_activation.task)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @Activation.status.transition(source=STATUS.STARTED, target=STATUS.DONE)
    def complete(self) -> None:
        _finish(self)


class HandleActivation(LinkedOnInsert, handle.HandleActivation):
    @Activation.status.transition(source=STATUS.STARTED, target=STATUS.DONE)
    def complete(self) -> None:
        _finish(self)


class View(flow.View):
    activation_class = ViewActivation


class Handle(flow.Handle):
    activation_class = HandleActivation


class ItemSplitActivation(LinkedOnInsert, SplitActivation):
    @Activation.status.super()
    def activate(self) -> None:
        items = self.flow_task._items(self)
        if not items:
            raise FlowRuntimeError(f"{self.flow_task.name}: nothing to split into")
        self.next_tasks = [(self.flow_task._each, dict(item)) for item in items]


class ItemSplit(flow.Split):
    """Create one ``each`` task per item; ``items(activation)`` returns a list of dicts that
    become the tasks' ``task.data``. A ``Join`` after ``each`` waits for all of them."""

    activation_class = ItemSplitActivation

    def __init__(self, items: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items = items
        self._each: Any = None

    def Each(self, node: Any) -> ItemSplit:  # noqa: N802 - viewflow's builder style
        self._each = node
        return self.Next(node)

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._items = this.resolve(instance, self._items)
        self._each = this.resolve(instance, self._each)


# --- gateways without their savepoints inside a step ----------------------------------------
#
# viewflow runs every automatic node's work in ``exception_guard()`` and a savepoint, so that a
# background trigger (``propagate_exception=False``) can mark the node ERROR and roll back only
# its own partial work. Inside a workflow step (``steps.locked``) exceptions always propagate
# and leave the step's ``atomic`` block, which rolls everything back: the savepoint
# (``SAVEPOINT`` + ``RELEASE``) buys nothing there, as for the services (``core.db``). These
# activations are viewflow's own, with the savepoint kept everywhere else.


def _savepoint() -> bool:
    """A savepoint, unless a step's lock is the rollback boundary and errors propagate."""
    return not (boundary_held() and context.propagate_exception)


class WrittenOnceDone(Activation):
    """An automatic node's task row written once, already done: viewflow inserts it when the
    node is created and updates it when it completes a moment later (``complete``, two
    statements); here the row is inserted by ``complete``, with its link to the task before.

    Only where :func:`_savepoint` says no (a step's lock is the rollback boundary and errors
    propagate): there an error rolls everything back, so nobody needs the row written before
    the node ran. Elsewhere viewflow's ``create`` as it is: a background trigger records an
    error on a row that must exist. The task has no id until it is done, so the activation
    is hashed by its task object (``_activate_next`` keeps activations in sets)."""

    _previous: Any = None

    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None) -> Any:
        if _savepoint():
            return super().create(flow_task, prev_activation, token, data, seed)
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        activation._previous = prev_activation.task
        return activation

    def __hash__(self) -> int:
        return id(self.task)

    @Activation.status.super()
    def complete(self) -> None:
        if self._previous is None:
            super().complete.original()
            return
        self.task.finished = now()
        task_insert(self.task, self._previous)
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class SwitchActivation(WrittenOnceDone, switch.SwitchActivation):
    @Activation.status.super()
    def activate(self) -> None:
        with self.exception_guard(), transaction.atomic(savepoint=_savepoint()):
            for node, cond in self.flow_task._branches:
                if cond:
                    if cond(self):
                        self.next_task = node
                        break
                else:
                    self.next_task = node
            if not self.next_task:
                raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class IfActivation(WrittenOnceDone, if_gate.IfActivation):
    @Activation.status.super()
    def activate(self) -> None:
        with self.exception_guard(), transaction.atomic(savepoint=_savepoint()):
            self._condition_result = self.flow_task._condition(self)


class EndActivation(WrittenOnceDone, end.EndActivation):
    @Activation.status.super()
    def activate(self) -> None:
        with self.exception_guard(), transaction.atomic(savepoint=_savepoint()):
            write_finished()  # the task before counts as finished only once its row says so
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            active_tasks_count = (
                self.flow_class.task_class._default_manager.filter(process=self.process, finished__isnull=True)
                .exclude(pk=self.task.pk)
                .count()
            )
            if active_tasks_count == 0:
                self.process.status = STATUS.DONE
                self.process.finished = now()
                self.process.save()
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
            if active_tasks_count == 0:
                flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


#: Statuses of a task that has finished; of an incoming task that no longer counts.
_FINISHED = (STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED)
_WITHDRAWN = (STATUS.CANCELED, STATUS.REVIVED)


@functools.cache
def _join_read(flow_task: Any) -> CompiledRead[Any]:
    """:class:`JoinActivation`'s read for the join ``flow_task``, compiled once (``core.db.CompiledRead``):
    the process's running tasks and the open join's incoming ones, each marked ``incoming``."""

    def build(process: int) -> Any:
        manager = flow_task.flow_class.task_class._default_manager
        open_join = manager.filter(flow_task=flow_task, process=process, status__in=[STATUS.NEW, STATUS.STARTED])
        links = flow_task.flow_class.task_class.previous.through._default_manager
        incoming_links = links.filter(from_task__in=open_join.values("pk"))
        return (
            manager.filter(process=process)
            .filter(~Q(status__in=_FINISHED) | Q(pk__in=incoming_links.values("to_task_id")))
            .annotate(incoming=Exists(incoming_links.filter(to_task_id=OuterRef("pk"))))
            .order_by("pk")
        )

    return CompiledRead(build)


class JoinActivation(join.JoinActivation):
    """viewflow's join with what it reads of the process read once per arrival.

    viewflow's join finds the open join task (a count, then the row), links the arriving task
    to it, then asks ``is_done`` twice (``complete.can_proceed()``, then ``complete``'s own
    condition) and reads the incoming tokens a third time: each time the join's incoming tasks,
    then the process's running tasks that share their token prefix, with nothing changing in
    between. Here one statement, before the link is written, reads the process's running tasks
    (the open join task among them) and the open join's incoming tasks; the arriving task is
    added to them, and ``is_done`` and the prefixes are answered from those rows, as viewflow
    answers them from its queries. Then the one write: the link, or the new join task with it
    (:func:`task_insert`). Two statements an arrival where viewflow sends four to seven. The
    steps hold the process row while a join runs, so nothing changes those rows in between.
    (Without ``continue_on_condition``: :class:`Join` waits for every incoming path.)"""

    #: The process's running tasks and the join's incoming ones (with the arriving task).
    _running: list[Any]
    _incoming: list[Any]

    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None) -> Any:
        task_class = flow_task.flow_class.task_class
        process = prev_activation.process
        rows = _join_read(flow_task).rows(process=process.pk)
        joins = [t for t in rows if t.flow_task == flow_task and t.status in (STATUS.NEW, STATUS.STARTED)]
        if len(joins) > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        task = joins[0] if joins else None
        if task is None:
            if token.is_split_token():
                token = token.get_base_split_token()
            task = task_class(process=process, flow_task=flow_task, token=token)
            task.data = data if data is not None else {}
            task.seed = seed
            # viewflow inserts the join ``NEW``, then its ``activate`` (which every caller runs
            # right after ``create``) sets ``started`` and saves the row again: here the insert
            # writes it as ``activate`` leaves it, and ``activate`` has nothing left to write.
            task_insert(task, prev_activation.task, started=True)
            rows.append(task)  # running, as viewflow's queries would find it
        else:
            task.process = process
            link_insert(task, prev_activation.task)
        activation = cls(task)
        arriving = prev_activation.task
        others = [t for t in rows if t.pk != arriving.pk]
        activation._incoming = [t for t in others if getattr(t, "incoming", False)] + [arriving]
        activation._running = [t for t in [*others, arriving] if t.status not in _FINISHED]
        return activation

    def _join_token_prefixes(self) -> set[Any]:
        """viewflow's: the common split prefixes of the incoming tasks not cancelled or revived."""
        return {
            t.token.get_common_split_prefix(self.task.token, t.pk) for t in self._incoming if t.status not in _WITHDRAWN
        }

    def is_done(self) -> bool:
        """viewflow's: one incoming prefix, and no running task of the process under it."""
        prefixes = self._join_token_prefixes()
        if len(prefixes) != 1:
            return len(prefixes) > 1  # > 1: an error, which ``complete`` raises
        prefix = next(iter(prefixes))
        return not any(t.token.token.startswith(prefix) for t in self._running)

    @Activation.status.super()
    def complete(self) -> None:
        with self.exception_guard(), transaction.atomic(savepoint=_savepoint()):
            join_prefixes = self._join_token_prefixes()
            if len(join_prefixes) > 1:
                raise FlowRuntimeError(f"Multiple tokens {join_prefixes} came to join {self.flow_task.name}")
            if self.flow_task._then is not None:
                self.flow_task._then(self)
            _finish(self)


class Switch(flow.Switch):
    activation_class = SwitchActivation


class If(flow.If):
    activation_class = IfActivation


class End(flow.End):
    activation_class = EndActivation


class Join(flow.Join):
    """viewflow's join; ``then(activation)``, if given, runs once the join is done, before the
    next node is created: the work of a ``Function`` node that would follow the join, without
    that node's task row, link row and updates (the reviews' join records "reviews done")."""

    activation_class = JoinActivation

    def __init__(self, *, then: Any = None, **kwargs: Any) -> None:
        if kwargs.get("continue_on_condition") is not None:
            raise TypeError("workflow.nodes.Join waits for every incoming path: no continue_on_condition")
        super().__init__(**kwargs)
        self._then = then

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._then = this.resolve(instance, self._then)
