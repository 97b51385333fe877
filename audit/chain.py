"""The audit trail as a hash chain: a changed, deleted or out-of-order row shows.

Every entry carries ``seq`` (1, 2, 3 … with no gaps), the ``row_hash`` of the entry before
it (``prev_hash``) and its own ``row_hash``: the SHA-256 of a canonical JSON of its content and
``prev_hash``. Entries are sealed when they are written, under one lock for the whole trail
(a PostgreSQL advisory lock held to the end of the writing transaction; SQLite serialises
writers itself), so the chain follows commit order and two writers never take the same ``seq``.

Two ways in, one hash. ``AuditEntry.save`` on PostgreSQL appends with ONE statement
(:func:`chain_append`): Python writes the canonical text around the link, the database takes
the lock, reads the head and hashes the text with the link in, inside the ``INSERT``.
``bulk_create`` (and every write on SQLite) seals in Python first (:func:`chain_seal`: the lock
and head in one statement, then the insert). Both make the bytes :func:`entry_hash` hashes, so
:func:`chain_check` vouches for rows written either way.

What it proves, and what it does not: anyone who changes a row without recomputing every
later hash is caught by :func:`chain_check`. Cutting off the newest rows leaves a valid,
shorter chain; the daily check therefore keeps a checkpoint (the head it saw) and reports a
trail that no longer reaches it. Someone with write access to the database who recomputes the
whole chain *and* the checkpoints is beyond what an in-database chain can show: that needs a
head published outside (the daily staff alert carries it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.db.models import Field

    from .models import AuditEntry

GENESIS = "0" * 64
#: Any constant fits; this one spells "audit" so a DBA reading pg_locks can tell what it is.
ADVISORY_LOCK_KEY = 0x6175646974


def _canonical_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_content(entry: AuditEntry) -> dict[str, Any]:
    """What the hash covers: every column but the id and the hash itself."""
    return {
        "seq": entry.seq,
        "prev": entry.prev_hash,
        "at": _canonical_time(entry.at),
        "actor": entry.actor_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "comment": entry.comment,
        "data": entry.data,
    }


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry_content(entry)).encode()).hexdigest()


def canonical_around_link(entry: AuditEntry) -> tuple[str, str]:
    """The canonical text :func:`entry_hash` hashes, cut where the link (``prev``, ``seq``) goes.

    The keys are sorted (action, actor, at, comment, data, from_state, prev, seq, target_id,
    target_type, to_state), so ``prev`` and ``seq`` stand side by side and the whole text is
    ``before + '"prev":"<prev>","seq":<seq>,' + after``: the database can finish it once it
    knows the head. A key put into :func:`entry_content` between the two would split them.
    """
    content = entry_content(entry)
    del content["prev"], content["seq"]
    before = {key: value for key, value in content.items() if key < "prev"}
    after = {key: value for key, value in content.items() if key > "seq"}
    if not before or not after or len(before) + len(after) != len(content):
        raise RuntimeError("entry_content has a key between 'prev' and 'seq': the link cannot be cut out")
    return _canonical(before)[:-1] + ",", _canonical(after)[1:]


def _lock_and_read_head() -> tuple[int, str]:
    """Take the trail's lock for the rest of the transaction, then read its newest entry.

    On PostgreSQL one statement, ``audit_chain_head`` (migration ``0003``): a VOLATILE PL/pgSQL
    function whose head read takes its own snapshot after the lock is held. It must not become a
    single SQL statement (a CTE, a sub-select): under READ COMMITTED that statement's snapshot
    is taken before the lock wait, and would miss the entries of the writer it waited for.
    SQLite serialises writers itself: the plain read. (:func:`chain_append` calls the same
    function from inside its ``INSERT``, which is safe for the same reason.)
    """
    from .models import AuditEntry

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT head_seq, head_hash FROM audit_chain_head(%s)", [ADVISORY_LOCK_KEY])
            row = cursor.fetchone()
        return (int(row[0]), str(row[1])) if row and row[0] is not None else (0, GENESIS)
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "row_hash").first()
    return head if head is not None else (0, GENESIS)


def _settle(entry: AuditEntry) -> None:
    """Fix what the hash covers before it is computed, the same on either way in."""
    if entry.at is None:
        entry.at = timezone.now()
    # What the database will give back: JSON types only, so the hash read back matches.
    entry.data = json.loads(json.dumps(entry.data or {}))


def chain_seal(entries: Sequence[AuditEntry]) -> None:
    """Give new entries their place in the chain (seq, prev_hash, row_hash), in order.

    Must run inside the transaction that inserts them; the lock it takes is held until that
    transaction ends, so the next writer reads the head these entries make. Two statements on
    PostgreSQL (this one and the insert); ``bulk_create`` and SQLite take this way, a single
    ``AuditEntry.save`` on PostgreSQL takes :func:`chain_append`.
    """
    if not entries:
        return
    assert transaction.get_connection().in_atomic_block, "seal audit entries inside the writing transaction"
    seq, prev = _lock_and_read_head()
    for entry in entries:
        _settle(entry)
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev
        entry.row_hash = prev = entry_hash(entry)


#: Filled in by :func:`chain_append`: the columns, their placeholders, the returned columns.
_APPEND_SQL = """
INSERT INTO {table} ({columns}, seq, prev_hash, row_hash)
SELECT {placeholders}, link.seq, link.prev,
       encode(sha256(convert_to(
           %s::text || '"prev":"' || link.prev || '","seq":' || link.seq::text || ',' || %s::text, 'UTF8'
       )), 'hex')
  FROM (SELECT COALESCE(head.head_seq, 0) + 1 AS seq, COALESCE(head.head_hash, %s) AS prev
          FROM audit_chain_head(%s) AS head) AS link
RETURNING {returning}, seq, prev_hash, row_hash
"""
_LINK_COLUMNS = ("seq", "prev_hash", "row_hash")


def chain_append(
    entry: AuditEntry, *, using: str, fields: Sequence[Field[Any, Any]], returning_fields: Sequence[Field[Any, Any]]
) -> list[tuple[Any, ...]]:
    """Insert one entry at the head of the chain in ONE statement (PostgreSQL; issue 18).

    Python does not know the head before the statement runs, so it sends the canonical text
    without the link (:func:`canonical_around_link`); the ``INSERT`` reads the head through
    ``audit_chain_head``, puts ``"prev":"<head hash>","seq":<head seq + 1>`` in between, stores
    the SHA-256 of the whole as ``row_hash`` and gives back the place it took. The lock is held
    to the end of the transaction, as :func:`chain_seal`'s is.

    Why this one statement is safe when a sub-select would not be (see
    :func:`_lock_and_read_head`): the head is read only inside ``audit_chain_head``, a VOLATILE
    PL/pgSQL function, whose query takes its own snapshot after the lock is held and so sees
    the rows of the writer it waited for. The ``INSERT``'s own snapshot, taken before the wait,
    reads no table. (``tests/security/test_audit_chain.py``'s eight racing writers fail at once
    if the head is read with a plain sub-select instead.)

    The entry's other columns go in as Django would insert them (``pre_save``,
    ``get_db_prep_save``). The hash the database made is checked against :func:`entry_hash`
    before the transaction goes on: a row :func:`chain_check` would report as changed is never
    written. Returns what ``Model._do_insert`` returns: the row's ``returning_fields``.
    """
    conn = connections[using]
    assert conn.in_atomic_block, "append audit entries inside the writing transaction"
    _settle(entry)
    before, after = canonical_around_link(entry)
    ops = conn.ops
    columns = [field for field in fields if field.column not in _LINK_COLUMNS]
    sql = _APPEND_SQL.format(
        table=ops.quote_name(entry._meta.db_table),
        columns=", ".join(ops.quote_name(field.column) for field in columns),
        placeholders=", ".join(["%s"] * len(columns)),
        returning=", ".join(ops.quote_name(field.column) for field in returning_fields) or "1",
    )
    values = [field.get_db_prep_save(field.pre_save(entry, True), connection=conn) for field in columns]
    with conn.cursor() as cursor:
        cursor.execute(sql, [*values, before, after, GENESIS, ADVISORY_LOCK_KEY])
        row = cursor.fetchone()
    assert row is not None
    *returned, entry.seq, entry.prev_hash, entry.row_hash = row
    if entry.row_hash != entry_hash(entry):
        raise RuntimeError(f"Audit entry {entry.seq}: the database's hash differs from entry_hash; not written.")
    return [tuple(returned)] if returning_fields else []


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the trail stops being the one that was written."""

    kind: str  # "missing", "reordered", "unlinked", "changed", "truncated", "checkpoint"
    seq: int  # the entry where it shows
    expected: int  # the entry that should stand there
    entry_id: int | None = None


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def problem_message(problem: ChainProblem, head_seq: int) -> str:
    """The problem in the reader's language (called at render time, per recipient)."""
    texts = {
        "missing": _("Entry %(expected)s is missing: the trail jumps to entry %(seq)s (entries were deleted)."),
        "reordered": _("Entry %(seq)s stands where entry %(expected)s should (entries were put in or reordered)."),
        "unlinked": _("Entry %(seq)s does not link to the entry before it (an entry was removed or put in)."),
        "changed": _("Entry %(seq)s was changed: its content no longer matches its hash."),
        "truncated": _(
            "The trail ends at entry %(head)s, but an earlier check saw entry %(seq)s (the newest entries were deleted)."
        ),
        "checkpoint": _("Entry %(seq)s differs from the one an earlier check recorded."),
    }
    return texts[problem.kind] % {"seq": problem.seq, "expected": problem.expected, "head": head_seq}


def chain_check(rows: Iterable[AuditEntry]) -> ChainReport:
    """Walk entries in ``seq`` order and report the first that breaks the chain."""
    expected, prev, checked = 1, GENESIS, 0
    for entry in rows:
        problem = None
        if entry.seq != expected:
            problem = ChainProblem("missing" if entry.seq > expected else "reordered", entry.seq, expected, entry.pk)
        elif entry.prev_hash != prev:
            problem = ChainProblem("unlinked", entry.seq, expected, entry.pk)
        elif entry_hash(entry) != entry.row_hash:
            problem = ChainProblem("changed", entry.seq, expected, entry.pk)
        if problem is not None:
            return ChainReport(checked, expected - 1, prev, problem)
        prev = entry.row_hash
        expected += 1
        checked += 1
    return ChainReport(checked, expected - 1, prev, None)
