"""Writes of credit records (科研诚信): record, confirm (a second staff member), appeal once,
decide the appeal. Each writes an audit row; the subject is told through the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from accounts.rules import is_staff
from audit.services import audit_record
from core.db import service_atomic
from core.errors import NotVisible, StateConflict
from notifications.services import notify
from reviews.models import Expert

from .enums import AppealStatus, CreditLevel, CreditStatus, SubjectType
from .models import CreditRecord
from .selectors import is_subject


def _staff_only(actor: Any) -> None:
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff keep credit records."))


def _text(value: Any, field: str, message: str, limit: int = 4000) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text[:limit]


def _subject_users(record: CreditRecord) -> list[Any]:
    """Who is told: the expert, or the organisation's active members."""
    if record.expert_id is not None:
        return [record.expert.user] if record.expert else []
    if record.organisation_id is None:
        return []
    return list(User.objects.filter(organisation_id=record.organisation_id, is_active=True))


def _locked(record: CreditRecord) -> CreditRecord:
    return CreditRecord.objects.select_for_update(of=("self",)).select_related("expert").get(pk=record.pk)


@service_atomic
def credit_record_create(
    *,
    actor: Any,
    subject_type: str,
    subject: Any,
    level: str,
    reason: str,
    source: str,
    valid_until: dt.date | None,
) -> CreditRecord:
    """Record a credit record on an organisation or an expert (``subject``: the row or its id).
    It waits for a second staff member's confirmation (:func:`credit_record_confirm`) before it
    has any effect. All mistakes are reported at once."""
    _staff_only(actor)
    errors: dict[str, list[str]] = {}
    organisation = expert = None
    if subject_type == SubjectType.ORGANISATION:
        organisation = subject if isinstance(subject, Organisation) else Organisation.objects.filter(pk=subject).first()
        if organisation is None:
            errors["subject"] = [_("No organisation with this id.")]
    elif subject_type == SubjectType.EXPERT:
        expert = subject if isinstance(subject, Expert) else Expert.objects.filter(pk=subject).first()
        if expert is None:
            errors["subject"] = [_("No expert with this id.")]
    else:
        errors["subject_type"] = [_("Choose an organisation or an expert.")]
    if level not in CreditLevel.values:
        errors["level"] = [_("Choose minor, serious or severe.")]
    if not str(reason or "").strip():
        errors["reason"] = [_("Give the reason for the record.")]
    if not str(source or "").strip():
        errors["source"] = [_("Say where the finding comes from.")]
    if valid_until is None:
        errors["valid_until"] = [_("Give the last day the record is in force.")]
    elif valid_until < timezone.localdate():
        errors["valid_until"] = [_("The record would never be in force: choose today or a later day.")]
    if errors:
        raise ValidationError(errors)
    assert valid_until is not None  # checked above
    record = CreditRecord.objects.create(
        subject_type=subject_type,
        organisation=organisation,
        expert=expert,
        level=level,
        reason=str(reason).strip()[:4000],
        source=str(source).strip()[:300],
        valid_until=valid_until,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="credit.record",
        target=record,
        to_state=CreditStatus.PENDING,
        comment=record.reason[:2000],
        data={"subject_type": subject_type, "subject": (organisation or expert).pk, "level": level},  # type: ignore[union-attr]
    )
    return record


@service_atomic
def credit_record_confirm(*, record: CreditRecord, actor: Any) -> CreditRecord:
    """A second staff member confirms a pending record; from then on it is in force until
    ``valid_until``. A record already confirmed or revoked is a 409; the one who recorded a
    pending record may not confirm it (403). The subject is told."""
    _staff_only(actor)
    record = _locked(record)
    if record.status != CreditStatus.PENDING:
        raise StateConflict(_("This credit record is not awaiting confirmation."))
    if record.created_by_id == actor.pk:
        raise PermissionDenied(_("A different staff member must confirm the record."))
    record.status = CreditStatus.CONFIRMED
    record.confirmed_by = actor
    record.confirmed_at = timezone.now()
    record.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(
        actor=actor, action="credit.confirm", target=record, from_state=CreditStatus.PENDING, to_state=record.status
    )
    notify(
        recipients=_subject_users(record),
        kind="credit_record",
        subject=gettext_lazy("A credit record was entered: %(subject)s"),
        body=gettext_lazy(
            "The bureau entered a %(level)s credit record on %(subject)s, in force until %(until)s: %(reason)s. "
            "You may appeal once."
        ),
        context={
            "subject": record.subject_name,
            "level": str(record.get_level_display()),
            "until": f"{record.valid_until:%Y-%m-%d}",
            "reason": record.reason[:300],
        },
        url=reverse("credit-record", args=[record.pk]),
    )
    return record


@service_atomic
def credit_record_appeal(*, record: CreditRecord, actor: Any, text: str) -> CreditRecord:
    """The subject (the expert, or a member of the organisation) appeals a confirmed record,
    once. Anyone else: 404; pending, revoked or already appealed: 409."""
    record = _locked(record)
    if not is_subject(actor, record) or record.status == CreditStatus.PENDING:
        raise NotVisible()
    text = _text(text, "text", _("Say why the record is wrong."))
    if record.appeal_status:
        raise StateConflict(_("This record was already appealed; an appeal is allowed once."))
    if record.status != CreditStatus.CONFIRMED:
        raise StateConflict(_("Only a record in force may be appealed."))
    record.appeal_status = AppealStatus.OPEN
    record.appeal_text = text
    record.appealed_by = actor
    record.appealed_at = timezone.now()
    record.save(update_fields=["appeal_status", "appeal_text", "appealed_by", "appealed_at"])
    audit_record(actor=actor, action="credit.appeal", target=record, to_state=AppealStatus.OPEN, comment=text[:2000])
    return record


@service_atomic
def credit_record_appeal_decide(*, record: CreditRecord, actor: Any, upheld: bool, decision: str) -> CreditRecord:
    """Staff decide an open appeal with a reason: upheld revokes the record (it has no effect
    from then on), rejected leaves it in force. The subject is told."""
    _staff_only(actor)
    decision = _text(decision, "decision", _("Give the reasons for the decision."))
    record = _locked(record)
    if record.appeal_status != AppealStatus.OPEN:
        raise StateConflict(_("There is no open appeal on this record."))
    before = record.status
    record.appeal_status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    record.appeal_decision = decision
    record.appeal_decided_by = actor
    record.appeal_decided_at = timezone.now()
    if upheld:
        record.status = CreditStatus.REVOKED
    record.save(update_fields=["appeal_status", "appeal_decision", "appeal_decided_by", "appeal_decided_at", "status"])
    audit_record(
        actor=actor,
        action="credit.appeal_decide",
        target=record,
        from_state=before,
        to_state=record.status,
        comment=decision[:2000],
        data={"upheld": upheld},
    )
    notify(
        recipients=_subject_users(record),
        kind="credit_appeal_decided",
        subject=gettext_lazy("Your appeal was decided: %(subject)s"),
        body=gettext_lazy("The bureau decided your appeal against the credit record on %(subject)s: %(outcome)s."),
        context={"subject": record.subject_name, "outcome": str(record.get_appeal_status_display())},
        url=reverse("credit-record", args=[record.pk]),
    )
    return record
