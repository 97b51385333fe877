"""The one node viewflow's open-source edition lacks (a parallel task per item), and the
automatic nodes without their savepoints inside a workflow step."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes import end, if_gate, join, switch
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import STATUS

from core.db import boundary_held


class ItemSplitActivation(SplitActivation):
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
        self.task.save()
        self.task.previous.add(self._previous)
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


class JoinActivation(join.JoinActivation):
    """viewflow's join asks ``is_done`` twice for one arrival (``complete.can_proceed()``, then
    ``complete``'s own condition check) and reads the incoming tokens a third time in
    ``complete``, two or three queries each, with nothing changing in between: asked once here."""

    _done: bool | None = None
    _prefixes: set[Any] | None = None

    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None) -> Any:
        """viewflow's join ``create`` with one query to find the open join task, not two, and the
        process row it already has handed to that task (every arrival after the first), which
        would otherwise read it again."""
        task_class = flow_task.flow_class.task_class
        # One query (viewflow counts the rows, then asks for the first one again).
        tasks = list(
            task_class._default_manager.filter(
                flow_task=flow_task, process=prev_activation.process, status__in=[STATUS.NEW, STATUS.STARTED]
            )[:2]
        )
        if len(tasks) > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        task = tasks[0] if tasks else None
        if task is None:
            if token.is_split_token():
                token = token.get_base_split_token()
            task = task_class(process=prev_activation.process, flow_task=flow_task, token=token)
            task.data = data if data is not None else {}
            task.seed = seed
            task.save()
        else:
            task.process = prev_activation.process
        task.previous.add(prev_activation.task)
        return cls(task)

    def _join_token_prefixes(self) -> set[Any]:
        if self._prefixes is None:
            self._prefixes = super()._join_token_prefixes()
        return self._prefixes

    def is_done(self) -> bool:
        if self._done is None:
            self._done = bool(super().is_done())
        return self._done

    @Activation.status.super()
    def complete(self) -> None:
        with self.exception_guard(), transaction.atomic(savepoint=_savepoint()):
            join_prefixes = self._join_token_prefixes()
            if len(join_prefixes) > 1:
                raise FlowRuntimeError(f"Multiple tokens {join_prefixes} came to join {self.flow_task.name}")
            if join_prefixes and self.flow_task._continue_on_condition:
                active_tasks = self._active_join_tasks(next(iter(join_prefixes)))
                if active_tasks.exists() and self.flow_task._continue_on_condition(self, active_tasks):
                    self.cancel_active_tasks(active_tasks)
            if self.flow_task._then is not None:
                self.flow_task._then(self)
            super(join.JoinActivation, self).complete.original()


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

    def __init__(self, *args: Any, then: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._then = then

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._then = this.resolve(instance, self._then)
