"""The one node viewflow's open-source edition lacks: a parallel task per item."""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation


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
