from __future__ import annotations

from typing import Any

from django.db import models

from .chain import ChainProblem, ChainReport, chain_check
from .models import AuditCheckpoint, AuditEntry

#: The columns the chain covers (audit/chain.py entry_content), loaded when verifying.
CHAIN_FIELDS = (
    "id", "seq", "prev_hash", "row_hash", "at", "actor_id", "action", "target_type", "target_id",
    "from_state", "to_state", "comment", "data",
)  # fmt: skip


def target_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. Call it inside the transaction of the change it records."""
    entry = AuditEntry(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type_of(target),
        target_id=target.pk,
        from_state=from_state,
        to_state=to_state,
        comment=comment or "",
        data=data or {},
    )
    entry.append()
    return entry


def audit_record_many(
    *, actor: Any, action: str, targets: list[models.Model], to_state: str = "", data: list[dict[str, Any]]
) -> None:
    """Append one audit row per target in one insert (a draw of 50,000 invitations)."""
    who = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=who,
                action=action,
                target_type=target_type_of(target),
                target_id=target.pk,
                to_state=to_state,
                data=row,
            )
            for target, row in zip(targets, data, strict=True)
        ],
        batch_size=5000,
    )


def audit_verify(*, record_checkpoint: bool = True) -> ChainReport:
    """Walk the whole trail and report the first entry that was changed, removed or put in out
    of order; also a trail that no longer reaches a checkpoint an earlier check recorded.

    When the trail is whole, record its head as a new checkpoint (``record_checkpoint``)."""
    entries = AuditEntry.objects.order_by("seq").only(*CHAIN_FIELDS)
    report = chain_check(entries.iterator(chunk_size=5000))
    if report.problem is not None:
        return report
    for checkpoint in AuditCheckpoint.objects.order_by("-seq")[:30]:
        kind = None
        if checkpoint.seq > report.head_seq:
            kind = "truncated"
        elif (
            AuditEntry.objects.filter(seq=checkpoint.seq).values_list("row_hash", flat=True).first()
            != checkpoint.row_hash
        ):
            kind = "checkpoint"
        if kind is not None:
            problem = ChainProblem(kind, checkpoint.seq, checkpoint.seq)
            return ChainReport(report.checked, report.head_seq, report.head_hash, problem)
    if record_checkpoint and report.head_seq:
        AuditCheckpoint.objects.create(seq=report.head_seq, row_hash=report.head_hash)
    return report
