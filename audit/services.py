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
