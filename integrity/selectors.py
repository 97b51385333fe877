"""Reads of credit records shared by the submission gate, the draw, the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.rules import is_staff

from .enums import CreditLevel, CreditStatus
from .models import CreditRecord


def in_force(at: dt.date | None = None) -> QuerySet[CreditRecord]:
    """Records that have effect: confirmed (by a second staff member), not revoked on appeal,
    and ``valid_until`` not yet passed (the last day counts)."""
    day = at or timezone.localdate()
    return CreditRecord.objects.filter(status=CreditStatus.CONFIRMED, valid_until__gte=day)


def organisation_severe_records(organisation_id: int | None) -> QuerySet[CreditRecord]:
    """The severe records in force on an organisation: any one refuses its submissions."""
    if organisation_id is None:
        return CreditRecord.objects.none()
    return in_force().filter(organisation_id=organisation_id, level=CreditLevel.SEVERE)


def experts_barred(expert_ids: Iterable[int]) -> set[int]:
    """Of ``expert_ids``, those with a record in force, of any level: never drawn or assigned."""
    ids = set(expert_ids)
    if not ids:
        return set()
    # The experts under a record are few, the pool of a draw may be 10,000: fetch the few.
    return ids & set(in_force().filter(expert__isnull=False).values_list("expert_id", flat=True))


def credit_records_visible_to(user: Any) -> QuerySet[CreditRecord]:
    """Staff see every record; a subject sees the confirmed ones on them — an organisation's
    members those on their organisation, an expert those on themselves. Pending records stay
    with staff until confirmed."""
    records = CreditRecord.objects.select_related("organisation", "expert")
    if not user.is_authenticated:
        return records.none()
    if is_staff(user):
        return records
    mine = Q(expert__user=user)
    if getattr(user, "organisation_id", None):
        mine |= Q(organisation_id=user.organisation_id)
    return records.filter(mine).exclude(status=CreditStatus.PENDING)


def is_subject(user: Any, record: CreditRecord) -> bool:
    if not user.is_authenticated:
        return False
    if record.expert_id is not None:
        return bool(record.expert and record.expert.user_id == user.pk)
    return record.organisation_id is not None and record.organisation_id == getattr(user, "organisation_id", None)
