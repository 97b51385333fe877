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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Field, Model

F = TypeVar("F", bound=Callable[..., Any])

_boundary_held: ContextVar[bool] = ContextVar("pingshen_rollback_boundary_held", default=False)
_rows_held: ContextVar[tuple[Model, ...]] = ContextVar("pingshen_rows_held", default=())


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


@contextmanager
def row_held(obj: Model) -> Iterator[Model]:
    """Say that ``obj`` was just read ``FOR UPDATE`` in the enclosing ``atomic`` block, for as
    long as this block lasts: a service handed this very object (:func:`is_row_held`) may use
    it as its locked read instead of reading the row again.

    Only the object itself counts (``is``), not another instance of the same row, and only
    until the block ends: a copy read elsewhere, or this one after the step, is read again.
    """
    token = _rows_held.set((*_rows_held.get(), obj))
    try:
        yield obj
    finally:
        _rows_held.reset(token)


def is_row_held(obj: Model) -> bool:
    """Whether ``obj`` is an object a :func:`row_held` block around this call read locked."""
    return any(held is obj for held in _rows_held.get())


def service_atomic(func: F) -> F:
    """``transaction.atomic`` for a service, without a savepoint inside a shared boundary."""

    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(savepoint=not _boundary_held.get()):
            return func(*args, **kwargs)

    return inner  # type: ignore[return-value]


def insert_rows(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert many new rows of ``model`` and return their ids, in the order of ``rows``.

    Each row gives the values of ``fields`` (attribute names: ``draw_item_id``, not
    ``draw_item``), ready for the database: JSON fields take ``core.db.Json(value)``, every
    other column of the table must have a database default or be nullable. No model instance
    is built and no signal sent.

    On PostgreSQL: one statement takes the ids from the table's sequence, in ascending order
    (so rows keep their order by id), and ``COPY`` writes the rows with them. Django's
    ``bulk_create`` builds a model instance per row and has psycopg quote every value of its
    ``UNNEST`` arrays into the SQL in Python; for the 50,000 assignments and 10,000 drawn items
    of a county's draw that was most of the draw's time. ``COPY`` goes through psycopg's own
    cursor, so Django's statement counters (``execute_wrapper``, ``CaptureQueriesContext``)
    do not see it: it is one statement more than they count. Elsewhere (SQLite) ``bulk_create``.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, (_plain(v) for v in row), strict=True))) for row in rows]
        return [obj.pk for obj in model._default_manager.bulk_create(objs)]
    from psycopg import sql

    meta = model._meta
    columns = [str(meta.pk.column)] + [str(cast("Field[Any, Any]", meta.get_field(name)).column) for name in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return ids


#: From how many rows :func:`insert_objects` writes with ``COPY`` (it takes two statements,
#: ``bulk_create`` one).
COPY_FROM = 200


def insert_objects(objs: Sequence[Model]) -> None:
    """Insert new instances of one model, as ``bulk_create`` does, and set their ids: from
    ``COPY_FROM`` rows on PostgreSQL through :func:`insert_rows` (``COPY``), else (fewer rows,
    SQLite) ``bulk_create`` itself.

    Every local column gets the value ``save`` would write (``pre_save`` fills
    ``auto_now_add``; defaults were set when the instance was made). No signal is sent, as with
    ``bulk_create``. For thousands of rows at once (a county draw's invitations), where
    ``bulk_create`` has psycopg quote every value into one statement in Python.
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        model._default_manager.bulk_create(objs)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    rows = []
    for obj in objs:
        row = []
        for field in fields:
            value = field.pre_save(obj, add=True)
            if value is not None:
                value = Json(value) if field.attname in json_fields else field.get_db_prep_save(value, conn)
            row.append(value)
        rows.append(row)
    for obj, pk in zip(objs, insert_rows(model, [f.attname for f in fields], rows), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = conn.alias


def Json(value: Any) -> Any:  # noqa: N802 - reads like the psycopg wrapper it returns
    """A value for a JSON column in :func:`insert_rows`."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return _JsonValue(value)


class _JsonValue:
    """A JSON value on its way to ``bulk_create`` (the SQLite fallback of :func:`insert_rows`)."""

    def __init__(self, value: Any) -> None:
        self.obj = value


def _plain(value: Any) -> Any:
    return value.obj if isinstance(value, _JsonValue) else value
