from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


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
    return AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type_of(target),
        target_id=target.pk,
        from_state=from_state,
        to_state=to_state,
        comment=comment or "",
        data=data or {},
    )


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
