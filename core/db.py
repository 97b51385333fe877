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

import datetime
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # Django's own, not in the stubs

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=Model)
N = TypeVar("N", bound=Model)

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
    """Insert new instances of one model, as ``bulk_create`` does, and set their ids. On
    PostgreSQL from ``COPY_FROM`` rows through :func:`insert_rows` (``COPY``), fewer in one
    ``INSERT … VALUES … RETURNING`` whose text is made once per model and row count (so the
    connection prepares it); elsewhere (SQLite) ``bulk_create`` itself.

    Every local column gets the value ``save`` would write (``pre_save`` fills
    ``auto_now_add``; defaults were set when the instance was made). No signal is sent, as with
    ``bulk_create``. For thousands of rows at once (a county draw's invitations), where
    ``bulk_create`` builds a model instance per row and has psycopg quote every value into
    one statement in Python; and for the one or two rows of a step's notifications, where
    building and compiling ``bulk_create``'s query cost more than sending it (issue 18).
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    fields, json_fields = _insert_fields(model)
    copy = len(objs) >= COPY_FROM
    json_in = json_fields if copy else frozenset()  # ``COPY`` takes JSON as insert_rows says
    rows = []
    for obj in objs:
        row = []
        for field in fields:
            value = field.pre_save(obj, add=True)
            if value is not None:
                value = Json(value) if field.attname in json_in else field.get_db_prep_save(value, conn)
            row.append(value)
        rows.append(row)
    if copy:
        ids = insert_rows(model, [f.attname for f in fields], rows)
    else:
        with conn.cursor() as cursor:
            cursor.execute(_values_insert(model, len(rows)), [value for row in rows for value in row])
            ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = conn.alias


def save_fields(obj: Model, fields: Sequence[str]) -> None:
    """``obj.save(update_fields=fields)``, for a step's status changes: the same ``UPDATE`` by
    primary key, each field's value as ``save`` writes it (``pre_save`` fills ``auto_now``), with
    its text made once per model and fields (so the connection prepares it), without building
    and compiling the query each time, and without ``save``'s signals (the project has no
    receivers). As ``save`` does, refuses when no row was updated. On SQLite, ``save`` itself.
    """
    if connection.vendor != "postgresql":
        obj.save(update_fields=fields)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    sql, columns = _update_by_pk(type(obj), tuple(fields))
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection=conn) for f in columns]
    with conn.cursor() as cursor:
        cursor.execute(sql, [*values, obj.pk])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


@functools.lru_cache(maxsize=128)
def _update_by_pk(model: type[Model], names: tuple[str, ...]) -> tuple[str, list[Field[Any, Any]]]:
    quote = connection.ops.quote_name
    fields: list[Field[Any, Any]] = []
    for name in dict.fromkeys(names):  # once each, in order, as ``update_fields`` takes them
        field = cast("Field[Any, Any]", model._meta.get_field(name))
        if field.primary_key or not field.concrete:
            raise ValueError(f"save_fields: {name!r} is not a column save(update_fields) could write")
        fields.append(field)
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608 - names from the model
    return sql, fields


@functools.cache
def _insert_fields(model: type[Model]) -> tuple[list[Field[Any, Any]], frozenset[str]]:
    """The columns :func:`insert_objects` writes (all local ones but the id) and which hold JSON."""
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    return fields, frozenset(f.attname for f in fields if f.get_internal_type() == "JSONField")


@functools.lru_cache(maxsize=64)
def _values_insert(model: type[Model], count: int) -> str:
    """``INSERT INTO`` the model's table ``count`` rows of :func:`_insert_fields` ``RETURNING`` their
    ids (in the order of the rows, as ``bulk_create`` reads them)."""
    quote = connection.ops.quote_name
    fields, _json = _insert_fields(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - names from the model, values are parameters
        f"VALUES {', '.join([row] * count)} RETURNING {quote(model._meta.pk.column)}"
    )


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


#: The stand-ins :class:`CompiledRead` compiles its queryset with, one per value it takes: integers
#: no row id, content type or user id of ours comes near (``2_147_480_000 + i``), found in the
#: compiled parameters by equality (each at least once). Inside the range of a
#: positive ``IntegerField``: Django answers an exact lookup out of a field's range with "no
#: rows" instead of compiling it.
_STAND_IN = 2_147_480_000
#: The stand-ins for dates (a day's records in force): days no record of ours comes near.
_DAY_STAND_IN = datetime.date(1001, 1, 1)

#: A value a :class:`CompiledRead` takes: an id, or a day.
Value = int | datetime.date


def _stand_in(i: int, value: Value) -> Value:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return _DAY_STAND_IN + datetime.timedelta(days=i)
    if isinstance(value, int) and not isinstance(value, bool):
        return _STAND_IN + i
    raise TypeError(f"CompiledRead takes ids and days, not {type(value).__name__}")


class _Compiled:
    """One compiled :class:`CompiledRead` for one database: its SQL, its parameters with the
    stand-ins' positions, and what Django's ``ModelIterable`` needs to build the instances."""

    def __init__(self, queryset: QuerySet[Any], stand_ins: dict[str, Value], db: str) -> None:
        compiler = queryset.query.get_compiler(using=db)
        self.sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, …
        self.params = list(params)
        #: Per value, each place it is used (a subquery may use it again), and whether the
        #: database takes it as text there (SQLite takes a day as ``YYYY-MM-DD``).
        self.slots: dict[str, list[tuple[int, bool]]] = {}
        for name, stand_in in stand_ins.items():
            text = stand_in.isoformat() if isinstance(stand_in, datetime.date) else None
            found = [(at, value == text) for at, value in enumerate(self.params) if value in (stand_in, text)]
            if not found:  # a value the query transforms (JSON, text)
                raise TypeError(f"CompiledRead: {name!r} must appear as a plain parameter")
            self.slots[name] = found
        self.kinds = {name: type(stand_in) for name, stand_in in stand_ins.items()}
        # As ModelIterable.__iter__ (Django 5.2) reads its compiler, without the parts these
        # reads do not use (known related objects, prefetches, deferred fields).
        klass_info = compiler.klass_info
        assert klass_info is not None
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model: type[Model] = klass_info["model"]
        self.fields = slice(start, end)
        self.init_list = [column[0].target.attname for column in compiler.select[start:end]]
        self.populators = get_related_populators(klass_info, compiler.select, db)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        self.for_update = bool(compiler.query.select_for_update)
        #: The columns a row of ``sql`` has (none beyond the select: no ordering columns added).
        self.width = None if compiler.has_extra_select else compiler.col_count

    def instance(self, row: Sequence[Any], db: str, conn: Any) -> Model:
        """The instance ``ModelIterable`` builds from ``row``, with its related objects and annotations."""
        if self.converters:
            row = self.convert(row, conn)
        obj = self.model.from_db(db, self.init_list, row[self.fields])
        for populator in self.populators:
            populator.populate(row, obj)
        for attr, at in self.annotations.items():
            setattr(obj, attr, row[at])
        return obj

    def bound(self, values: Mapping[str, Value], conn: Any) -> list[Any]:
        """The parameters for ``values``, after the checks ``QuerySet`` makes before sending."""
        if self.for_update and conn.features.has_select_for_update and conn.get_autocommit():
            # As Django's compiler refuses it: a row lock outside a transaction ends at once.
            raise transaction.TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(self.params)
        for name, places in self.slots.items():
            value = values[name]
            if type(_stand_in(0, value)) is not self.kinds[name]:
                raise TypeError(f"CompiledRead: {name!r} takes a {self.kinds[name].__name__}")
            for at, as_text in places:
                params[at] = value.isoformat() if as_text else value  # type: ignore[union-attr]
        return params

    def convert(self, row: Sequence[Any], conn: Any) -> list[Any]:
        """``row`` through the fields' converters, as ``SQLCompiler.apply_converters`` does, with
        this call's connection (not the one of the thread that compiled)."""
        values = list(row)
        for at, (converters, expression) in self.converters.items():
            for converter in converters:
                values[at] = converter(values[at], expression, conn)
        return values


class CompiledRead(Generic[M]):
    """A read the workflow steps send on every step, compiled to SQL once per database, then
    sent with each call's values: the same statement, the same instances (related objects,
    annotations), without building and compiling the queryset again.

    ``build`` takes the values by keyword, ids (integers) or days (``datetime.date``), and
    returns the queryset; it is called once per database with stand-ins, so it must not
    branch on them, and each must reach the SQL as it is (not inside JSON or text), once or in
    several places (a subquery may filter on it again). Everything else in it is fixed at the
    first call: give it as a value if it can change (a content type id after a flush, today).

    Why: Django builds and compiles a queryset anew each time it runs. For the step lock
    (the process with the open task, ``FOR UPDATE OF … NOWAIT``) and the application read with
    its call and applicant that costs 1–3 ms of Python each, against ≈ 0.5 ms for the
    statement itself: the largest single cost of a step ("Issue 18: the engine's step cost",
    ``docs/performance.md``). Compiled ``FOR UPDATE`` reads must run inside a transaction, as
    the queryset would insist; :meth:`rows` checks it.
    """

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str, int | None], _Compiled] = {}

    def _for(self, db: str, limit: int | None, values: Mapping[str, Value]) -> _Compiled:
        key = (db, connections[db].vendor, limit)
        compiled = self._compiled.get(key)
        if compiled is None:
            stand_ins = {name: _stand_in(i, values[name]) for i, name in enumerate(sorted(values))}
            queryset = self._build(**stand_ins).using(db)
            if limit == 1 and not queryset.ordered:
                queryset = queryset.order_by("pk")  # as first() orders
            compiled = self._compiled[key] = _Compiled(queryset[:limit], stand_ins, db)
        elif compiled.slots.keys() != values.keys():
            raise TypeError(f"CompiledRead: takes {sorted(compiled.slots)}, got {sorted(values)}")
        return compiled

    def rows(self, *, limit: int | None = None, **values: Value) -> list[M]:
        """The instances ``queryset[:limit]`` gives for ``values``, with the statement it sends."""
        db = DEFAULT_DB_ALIAS  # the project has one database
        compiled = self._for(db, limit, values)
        conn = connections[db]
        params = compiled.bound(values, conn)
        with conn.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return cast("list[M]", [compiled.instance(row, db, conn) for row in fetched])

    def rows_with(
        self,
        along: CompiledRead[N],
        *,
        limit: int | None = None,
        values: Mapping[str, Value],
        along_values: Mapping[str, Value],
    ) -> tuple[list[M], list[N]]:
        """:meth:`rows` (with ``limit``) and ``along.first(**along_values)`` in one statement:
        ``SELECT * FROM (this read) LEFT JOIN (along's read) ON true``. Each keeps its own
        ``WHERE``, order, limit and row locks. ``along``'s read runs only once this one has
        found a row, after it: a nested loop takes its outer side's rows first, and with nothing
        to join on (and a limit, or row locks, in both reads, which keeps PostgreSQL from
        merging them into one join) the plan can be no other. So a lock this read takes
        ``NOWAIT`` is held before ``along``'s lock is waited for, as with two statements.

        Returns this read's rows, in the order the database gives them (sort them if the order
        matters), and ``along``'s row as a list of none or one. With no row here, ``along`` was
        not read: ``([], [])``, and the caller reads it on its own if it still needs it.
        """
        db = DEFAULT_DB_ALIAS
        conn = connections[db]
        held, carried = self._for(db, limit, values), along._for(db, 1, along_values)
        if held.width is None or carried.width is None:
            raise TypeError("CompiledRead.rows_with: a read with ordering columns added to its select")
        sql = f"SELECT * FROM ({held.sql}) AS held LEFT JOIN ({carried.sql}) AS along ON 1 = 1"  # noqa: S608 - compiled SQL, values are parameters
        with conn.cursor() as cursor:
            cursor.execute(sql, [*held.bound(values, conn), *carried.bound(along_values, conn)])
            fetched = cursor.fetchall()
        if fetched and len(fetched[0]) != held.width + carried.width:
            raise TypeError("CompiledRead.rows_with: the joined row is not the two reads' columns")
        found = [held.instance(row[: held.width], db, conn) for row in fetched]
        first = fetched[0][held.width :] if fetched else ()
        # No row along: the outer join gives NULL in every column, its primary key included.
        pk_at = carried.fields.start + carried.init_list.index(carried.model._meta.pk.attname)
        with_along = [carried.instance(first, db, conn)] if first and first[pk_at] is not None else []
        return cast("list[M]", found), cast("list[N]", with_along)

    def first(self, **values: Value) -> M | None:
        """What ``queryset.first()`` gives (ordered by primary key if it has no order), with its
        statement; ``None`` when there is no row."""
        found = self.rows(limit=1, **values)
        return found[0] if found else None

    def get(self, **values: Value) -> M:
        """:meth:`first`, or ``DoesNotExist`` as ``QuerySet.get`` answers when there is no row
        (for a read by primary key: more than one row is not looked for)."""
        found = self.first(**values)
        if found is None:
            model: Any = self._compiled[(DEFAULT_DB_ALIAS, connections[DEFAULT_DB_ALIAS].vendor, 1)].model
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        return found
