"""Transaction helpers shared by the services and the workflow steps.

Every service is atomic on its own, so it can be called from a page, the API, a clock or a
test and either happens completely or not at all. Called inside a workflow step, the step
already holds the flow lock in its own ``atomic`` block and lets every exception propagate
out of it, so that block is the rollback boundary: a savepoint per service (``SAVEPOINT`` +
``RELEASE``, two statements each) buys nothing there. :func:`service_atomic` skips the
savepoint only while :func:`shared_rollback_boundary` says such a boundary encloses the call.

Outside a step (a service called on its own, e.g. by a test that catches the error and goes
on querying in the same transaction) the savepoint stays: without it a failing service would
leave the caller's transaction unusable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import transaction

F = TypeVar("F", bound=Callable[..., Any])

_boundary_held: ContextVar[bool] = ContextVar("pingshen_rollback_boundary_held", default=False)


@contextmanager
def shared_rollback_boundary() -> Iterator[None]:
    """Mark the enclosing ``atomic`` block as the one that rolls back on any error.

    Use it only directly inside an ``atomic`` block whose body catches no exception coming
    from a service: an error inside a savepoint-less service marks the whole transaction for
    rollback, which is harmless only if the error leaves that block anyway.
    """
    token = _boundary_held.set(True)
    try:
        yield
    finally:
        _boundary_held.reset(token)


def boundary_held() -> bool:
    """Whether a :func:`shared_rollback_boundary` encloses this call (a workflow step's lock)."""
    return _boundary_held.get()


def service_atomic(func: F) -> F:
    """``transaction.atomic`` for a service, without a savepoint inside a shared boundary."""

    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(savepoint=not _boundary_held.get()):
            return func(*args, **kwargs)

    return inner  # type: ignore[return-value]
