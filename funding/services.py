"""Writes for money and publicity: decisions, notices, objections, contracts, disbursements,
acceptance. Amounts are Decimal yuan; every check on a sum runs under a row lock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.recent import require_recent_login
from accounts.rules import is_panel, is_staff
from applications.enums import DECIDED_STATES, ApplicationStatus, ItemKind
from applications.links import item_url
from applications.models import Application, Call
from applications.selectors import users_with_role
from applications.services import application_locked, application_transition, parse_money
from audit.services import audit_record
from core.db import CompiledRead, save_fields, service_atomic
from core.errors import StateConflict
from core.money import percent_of, yuan
from core.params import parse_int
from notifications.services import email_choices_carry, notify, with_email_choices

from .enums import COMMITTED_DISBURSEMENT_STATES, AcceptanceResult, DisbursementStatus, NoticeKind, ObjectionStatus
from .models import AcceptanceReport, Disbursement, FundingDecision, Notice, Objection
from .rules import (
    disbursement_approve_refusal,
    disbursement_pay_refusal,
    disbursement_reject_refusal,
    is_finance_head,
    is_finance_officer,
    notice_close_refusal,
    notice_items_to_publish,
    notice_publish_refusal,
)
from .selectors import acceptance_notice_problem, acceptance_notice_waiting, notice_public_items

S = ApplicationStatus
D = DisbursementStatus


# --- decisions -----------------------------------------------------------------------------


def call_decided_total(call: Call) -> Decimal:
    total = FundingDecision.objects.filter(application__call=call, fund=True).aggregate(s=Sum("approved_yuan"))["s"]
    return yuan(total or 0)


@service_atomic
def decision_make(
    *, application: Application, actor: Any, fund: bool, approved_yuan: Any = None, comment: str = ""
) -> FundingDecision:
    """Fund with an amount ≤ requested and within the call's remaining budget, or not.

    The call row is locked first, so two panel members deciding at once cannot together
    exceed the budget: the second waits, then sees the first's decision in the sum.
    """
    if not is_panel(actor):
        raise PermissionDenied(_("Only the panel decides funding."))
    require_recent_login(actor)
    if not isinstance(fund, bool):
        raise ValidationError({"fund": [_("Say whether to fund: true or false.")]})
    amount = Decimal("0.00")
    if fund:
        amount = parse_money(approved_yuan, "approved_yuan", allow_zero=False)
    if application.kind == ItemKind.NOMINATION:
        # A nomination gets an award level with its fixed bonus: ``awards.services.award_decide``.
        raise StateConflict(_("A nomination is decided with an award level, not an amount."))
    Call.objects.select_for_update().get(pk=application.call_id)
    application = application_locked(application)
    if fund and amount > application.requested_yuan:
        raise ValidationError(
            {
                "approved_yuan": [
                    _("The amount cannot exceed the %(req)s yuan requested.") % {"req": application.requested_yuan}
                ]
            }
        )
    if application.status in DECIDED_STATES or FundingDecision.objects.filter(application=application).exists():
        raise StateConflict(_("This application has already been decided."))
    if application.status != S.REVIEWED:
        raise StateConflict(_("This application is not ready for a decision."))
    if fund:
        remaining = application.call.budget_yuan - call_decided_total(application.call)
        if amount > remaining:
            raise StateConflict(_("Only %(remaining)s yuan of the call's budget remain.") % {"remaining": remaining})
    decision = FundingDecision.objects.create(
        application=application, fund=fund, approved_yuan=amount, comment=comment or "", decided_by=actor
    )
    application.approved_yuan = amount if fund else None
    application_transition(
        application=application,
        to=S.FUNDED if fund else S.NOT_FUNDED,
        actor=actor,
        action="decision.fund" if fund else "decision.not_fund",
        comment=comment,
        data={"approved_yuan": str(amount)},
        extra_fields=("approved_yuan",),
    )
    notify(
        recipients=[application.applicant],
        kind="decision",
        subject=gettext_lazy("Funding decision: %(title)s"),
        body=gettext_lazy("The panel decided on “%(title)s”: %(outcome)s."),
        context={
            "title": application.title,
            "outcome": (_("funded with %(amount)s yuan") % {"amount": amount}) if fund else _("not funded"),
        },
        url=item_url(application),
    )
    return decision


# --- public notice and objections ------------------------------------------------------------


@service_atomic
def notice_publish(*, call: Call, actor: Any) -> Notice:
    """Publish every decided item of the call that has not been on a notice yet."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff publish notices."))
    require_recent_login(actor)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if refusal := notice_publish_refusal(actor, call):
        raise refusal
    items = list(notice_items_to_publish(call).select_related("applicant"))
    notice = _notice_create_numbered(
        call=call, published_by=actor, ends_at=timezone.now() + timedelta(days=call.notice_days)
    )
    notice.applications.set(items)
    audit_record(actor=actor, action="notice.publish", target=notice, data={"items": [a.pk for a in items]})
    notify(
        recipients=[a.applicant for a in items],
        kind="notice_published",
        subject=gettext_lazy("Public notice published: %(call)s"),
        body=gettext_lazy("The decisions of %(call)s are on public notice until %(ends)s."),
        context={"call": call.title, "ends": f"{notice.ends_at:%Y-%m-%d}"},
        url=reverse("notice", args=[notice.pk]),
    )
    return notice


@service_atomic
def acceptance_notice_publish(*, call: Call, actor: Any) -> Notice:
    """Publish the call's projects whose acceptance passed on an acceptance notice
    (验收结果公示), open for objections for the call's notice days like the decisions'.
    One running acceptance notice per call; nothing waiting is a 409 saying so."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff publish notices."))
    require_recent_login(actor)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if (problem := acceptance_notice_problem(call)) is not None:
        raise StateConflict(problem)
    items = list(acceptance_notice_waiting(call).select_related("applicant").order_by("pk"))
    notice = _notice_create_numbered(
        call=call,
        kind=NoticeKind.ACCEPTANCE,
        published_by=actor,
        ends_at=timezone.now() + timedelta(days=call.notice_days),
    )
    notice.applications.set(items)
    AcceptanceReport.objects.filter(application__in=items, result=AcceptanceResult.PASS, notice__isnull=True).update(
        notice=notice
    )
    audit_record(
        actor=actor,
        action="notice.publish",
        target=notice,
        data={"kind": NoticeKind.ACCEPTANCE, "items": [a.pk for a in items]},
    )
    notify(
        recipients=[a.applicant for a in items],
        kind="acceptance_notice_published",
        subject=gettext_lazy("Acceptance results on public notice: %(call)s"),
        body=gettext_lazy(
            "The projects of %(call)s that passed acceptance are on public notice until %(ends)s; "
            "the final tranche follows when it closes."
        ),
        context={"call": call.title, "ends": f"{notice.ends_at:%Y-%m-%d}"},
        url=reverse("notice", args=[notice.pk]),
    )
    return notice


def _notice_create_numbered(*, call: Call, **fields: Any) -> Notice:
    """Create the notice with the next document number (文号) of the call's year.

    The year is the call's (the programme year the bureau files it under, also when the
    notice goes out early the next year). Two calls published at the same moment may pick
    the same number: the unique constraint refuses the second, which takes the next one.
    """
    for _attempt in range(5):
        last = Notice.objects.filter(document_year=call.year).aggregate(m=Max("document_seq"))["m"] or 0
        try:
            with transaction.atomic():
                return Notice.objects.create(call=call, document_year=call.year, document_seq=last + 1, **fields)
        except IntegrityError:
            continue
    raise StateConflict(_("Someone else is publishing a notice right now; try again."))


def notice_is_open(notice: Notice) -> bool:
    return notice.closed_at is None and timezone.now() < notice.ends_at


@service_atomic
def objection_file(*, notice: Notice, application_id: Any, text: str, name: str, contact: str) -> Objection:
    """Anyone may object to an item shown on the notice while it runs, by name and with a
    contact (400 naming each missing field).

    The notice row is locked before the "still open?" check, as ``notice_close`` locks it
    before counting open objections: an objection and a close at the same moment queue on
    the row, so either the objection lands first and the close is refused, or the close
    lands first and the objection is refused (409). Never an objection on a closed notice.
    """
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Objections are accepted by name only.")]
    if not (contact or "").strip():
        errors["contact"] = [_("Leave a contact so the bureau can answer.")]
    if not (text or "").strip():
        errors["text"] = [_("Say what the objection is.")]
    elif len(text) > 10000:
        errors["text"] = [_("The objection is limited to 10,000 characters.")]
    item_id = parse_int(application_id)
    application = (
        Application.objects.filter(pk=item_id, pk__in=notice_public_items(Notice(pk=notice.pk))).first()
        if item_id is not None
        else None
    )
    if application is None:
        errors["item"] = [_("This item is not on the notice.")]
    if errors or application is None:
        raise ValidationError(errors)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not notice_is_open(notice):
        raise StateConflict(_("The notice period has ended."))
    objection = Objection.objects.create(
        notice=notice,
        application=application,
        text=text.strip(),
        name=name.strip()[:100],
        contact=contact.strip()[:200],
    )
    audit_record(actor=None, action="objection.file", target=objection, to_state=ObjectionStatus.OPEN)
    notify(
        recipients=users_with_role("staff"),
        kind="objection_received",
        subject=gettext_lazy("Objection received: %(title)s"),
        body=gettext_lazy("An objection to “%(title)s” was filed and needs resolving."),
        context={"title": application.title},
        url=reverse("objections"),
    )
    return objection


@service_atomic
def objections_dismiss(*, objection_ids: list[int], actor: Any, resolution: str) -> list[Objection]:
    """Staff dismiss several open objections at once (duplicates, a flood of the same text),
    with one resolution; each dismissal is audited on its own row as a single one would be.
    All or nothing: 409 naming the ones no longer open, 400 for ids that do not exist."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff resolve objections."))
    require_recent_login(actor)
    if not (resolution or "").strip():
        raise ValidationError({"resolution": [_("Record how the objection was resolved.")]})
    ids = sorted({int(i) for i in objection_ids})
    if not ids:
        raise ValidationError({"objections": [_("Choose at least one objection.")]})
    found = {o.pk: o for o in Objection.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"objections": [_("No such objection: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]}
        )
    resolved = [i for i in ids if found[i].status != ObjectionStatus.OPEN]
    if resolved:
        raise StateConflict(
            _("Already resolved: %(ids)s. Nothing was dismissed.") % {"ids": ", ".join(map(str, resolved))}
        )
    for objection in found.values():
        _objection_settle(objection, to=ObjectionStatus.DISMISSED, actor=actor, resolution=resolution, bulk=ids)
    return list(found.values())


def _objection_settle(
    objection: Objection, *, to: str, actor: Any, resolution: str, bulk: list[int] | None = None
) -> None:
    """The one place an open objection becomes upheld or dismissed (caller holds its row lock)."""
    objection.status = to
    objection.resolution = resolution.strip()
    objection.resolved_by = actor
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action="objection.resolve",
        target=objection,
        from_state=ObjectionStatus.OPEN,
        to_state=to,
        comment=resolution,
        data={"bulk": bulk} if bulk else None,
    )


@service_atomic
def objection_resolve(*, objection: Objection, actor: Any, upheld: bool, resolution: str) -> Objection:
    """Uphold or dismiss, saying why. An upheld objection terminates the item (done by workflow)."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff resolve objections."))
    require_recent_login(actor)
    if not isinstance(upheld, bool):
        raise ValidationError({"upheld": [_("Say whether the objection is upheld: true or false.")]})
    if not (resolution or "").strip():
        raise ValidationError({"resolution": [_("Record how the objection was resolved.")]})
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise StateConflict(_("This objection was already resolved."))
    to = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    _objection_settle(objection, to=to, actor=actor, resolution=resolution)
    return objection


@service_atomic
def notice_close(*, notice: Notice, actor: Any = None) -> Notice:
    """End the notice once its window has run (``ends_at``). Refused before, and while an
    objection is open. ``actor=None`` is the clock. Takes the notice's row lock, as filing an
    objection does, so an objection never lands on a notice closed at the same moment."""
    if actor is not None and not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff close notices."))
    require_recent_login(actor)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if refusal := notice_close_refusal(actor, notice):
        raise refusal
    notice.closed_at = timezone.now()
    notice.save(update_fields=["closed_at"])
    audit_record(actor=actor, action="notice.close", target=notice)
    return notice


# --- contract, tranches, disbursement ------------------------------------------------------


def tranche_amount(application: Application, tranche: int) -> Decimal:
    """The tranche's share of the approved amount; the last takes the remainder, so the
    tranches add up to the grant exactly whatever the rounding."""
    plan: list[int] = application.call.tranches
    approved = application.approved_yuan or Decimal("0")
    if tranche < len(plan):
        return percent_of(approved, plan[tranche - 1])
    return approved - sum((percent_of(approved, p) for p in plan[:-1]), Decimal("0"))


def disbursement_request(
    *, application: Application, tranche: int, actor: Any, amount: Decimal | None = None
) -> Disbursement:
    """Request one tranche. Caller holds the application lock. Never more than granted.
    ``amount``: what the acceptance set for the final tranche (``aftergrant.acceptance``),
    else the tranche's share of the grant."""
    amount = tranche_amount(application, tranche) if amount is None else amount
    committed = Disbursement.objects.filter(
        application=application, status__in=COMMITTED_DISBURSEMENT_STATES
    ).aggregate(s=Sum("amount_yuan"))["s"] or Decimal("0")
    if committed + amount > (application.approved_yuan or 0):
        raise StateConflict(_("This payment would exceed the amount granted."))
    disbursement = Disbursement.objects.create(
        application=application, tranche=tranche, amount_yuan=amount, requested_by=actor
    )
    audit_record(
        actor=actor,
        action="disbursement.request",
        target=disbursement,
        to_state=D.REQUESTED,
        data={"amount_yuan": str(amount), "tranche": tranche},
    )
    notify(
        recipients=users_with_role("finance_officer"),
        kind="disbursement_requested",
        subject=gettext_lazy("Payment to approve: %(title)s"),
        body=gettext_lazy("Tranche %(tranche)s of “%(title)s”, %(amount)s yuan, waits for approval."),
        context={"title": application.title, "tranche": tranche, "amount": amount},
        url=reverse("finance"),
    )
    return disbursement


def _build_disbursement_locked(pk: int) -> QuerySet[Disbursement]:
    rows = Disbursement.objects.select_for_update(of=("self",)).select_related(
        "application", "application__call", "application__applicant"
    )
    # The applicant's e-mail choices come along, for the approval's notification.
    return with_email_choices(rows, "application__applicant_id").filter(pk=pk)


#: Every finance step reads its disbursement so: compiled once (``core.db.CompiledRead``).
_DISBURSEMENT_LOCKED = CompiledRead(_build_disbursement_locked)


def _disbursement_locked(disbursement: Disbursement) -> Disbursement:
    d = _DISBURSEMENT_LOCKED.get(pk=disbursement.pk)
    return email_choices_carry(d, d.application.applicant)


def _disbursement_transition(d: Disbursement, to: str, actor: Any, fields: list[str], comment: str = "") -> None:
    source = d.status
    d.status = to
    save_fields(d, ["status", *fields])
    audit_record(
        actor=actor,
        action=f"disbursement.{to}",
        target=d,
        from_state=source,
        to_state=to,
        comment=comment,
        data={"amount_yuan": str(d.amount_yuan)},
    )


@service_atomic
def disbursement_approve(*, disbursement: Disbursement, actor: Any) -> Disbursement:
    """First a finance officer, then a different finance head; never the requester
    (``funding.rules.disbursement_approve_refusal``, which the finance page asks too)."""
    if not (is_finance_officer(actor) or is_finance_head(actor)):
        raise PermissionDenied(_("Only finance staff approve payments."))
    require_recent_login(actor)
    d = _disbursement_locked(disbursement)
    if refusal := disbursement_approve_refusal(actor, d):
        raise refusal
    now = timezone.now()
    if d.status == D.REQUESTED:
        d.officer, d.officer_at = actor, now
        _disbursement_transition(d, D.OFFICER_APPROVED, actor, ["officer", "officer_at"])
    else:
        d.head, d.head_at = actor, now
        _disbursement_transition(d, D.APPROVED, actor, ["head", "head_at"])
        notify(
            recipients=[d.application.applicant],
            kind="disbursement_approved",
            subject=gettext_lazy("Payment approved: %(title)s"),
            body=gettext_lazy("Tranche %(tranche)s of “%(title)s”, %(amount)s yuan, was approved for payment."),
            context={"title": d.application.title, "tranche": d.tranche, "amount": d.amount_yuan},
            url=item_url(d.application),
        )
    return d


@service_atomic
def disbursement_reject(*, disbursement: Disbursement, actor: Any, reason: str) -> Disbursement:
    if not (is_finance_officer(actor) or is_finance_head(actor)):
        raise PermissionDenied(_("Only finance staff reject payments."))
    require_recent_login(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    d = _disbursement_locked(disbursement)
    if refusal := disbursement_reject_refusal(actor, d):
        raise refusal
    d.rejected_reason = reason.strip()
    _disbursement_transition(d, D.REJECTED, actor, ["rejected_reason"], comment=reason)
    return d


@service_atomic
def disbursement_resubmit(*, disbursement: Disbursement, actor: Any, comment: str) -> Disbursement:
    """Staff request a rejected payment again, once the reason was dealt with (issue 14.7).

    The same row goes back to ``requested`` and through both approvals again: the officer's
    and the head's approvals and the rejection reason are cleared (the audit trail keeps
    them, and this step's row records who asked again and why). The person asking again
    becomes the requester, so they may not approve it themselves. Refused (409) when the
    project was terminated or closed, when another payment of the same tranche is live, or
    when it would take the payments beyond the amount granted. Finance officers are told,
    as for any new request.
    """
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff request payments again."))
    require_recent_login(actor)
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say what was done about the reason for rejecting.")]})
    d = _disbursement_locked(disbursement)
    if d.status != D.REJECTED:
        raise StateConflict(_("Only a rejected payment can be requested again."))
    application = application_locked(d.application)
    if application.status in (S.TERMINATED, S.FAILED, S.CLOSED):
        raise StateConflict(_("The project has ended; its payments cannot be requested again."))
    live = Disbursement.objects.filter(application=application, status__in=COMMITTED_DISBURSEMENT_STATES)
    if live.filter(tranche=d.tranche).exists():
        raise StateConflict(_("Another payment of this tranche is already under way."))
    committed = live.aggregate(s=Sum("amount_yuan"))["s"] or Decimal("0")
    if committed + d.amount_yuan > (application.approved_yuan or 0):
        raise StateConflict(_("This payment would exceed the amount granted."))
    previous = {
        "officer": d.officer_id,
        "head": d.head_id,
        "rejected_reason": d.rejected_reason,
        "requested_by": d.requested_by_id,
    }
    d.officer = d.head = None
    d.officer_at = d.head_at = None
    d.rejected_reason = ""
    d.requested_by = actor
    d.requested_at = timezone.now()
    source = d.status
    d.status = D.REQUESTED
    d.save(
        update_fields=[
            "status",
            "officer",
            "officer_at",
            "head",
            "head_at",
            "rejected_reason",
            "requested_by",
            "requested_at",
        ]
    )
    audit_record(
        actor=actor,
        action="disbursement.resubmit",
        target=d,
        from_state=source,
        to_state=D.REQUESTED,
        comment=comment.strip(),
        data={"amount_yuan": str(d.amount_yuan), "tranche": d.tranche, "previous": previous},
    )
    notify(
        recipients=users_with_role("finance_officer"),
        kind="disbursement_requested",
        subject=gettext_lazy("Payment requested again: %(title)s"),
        body=gettext_lazy(
            "Tranche %(tranche)s of “%(title)s”, %(amount)s yuan, was requested again after its rejection "
            "and waits for approval: %(comment)s"
        ),
        context={"title": application.title, "tranche": d.tranche, "amount": d.amount_yuan, "comment": comment},
    )
    return d


def disbursements_withdraw(*, application: Application, actor: Any, reason: str) -> None:
    """A terminated project's unpaid disbursements are rejected with the reason."""
    for d in Disbursement.objects.select_for_update().filter(
        application=application, status__in=[D.REQUESTED, D.OFFICER_APPROVED, D.APPROVED]
    ):
        d.rejected_reason = reason
        _disbursement_transition(d, D.REJECTED, actor, ["rejected_reason"], comment=reason)


@service_atomic
def disbursement_pay(*, disbursement: Disbursement, actor: Any, voucher: str) -> Disbursement:
    """Record the payment with its voucher. Paid never exceeds granted (checked under lock)."""
    if not (is_finance_officer(actor) or is_finance_head(actor)):
        raise PermissionDenied(_("Only finance staff record payments."))
    require_recent_login(actor)
    if not (voucher or "").strip():
        raise ValidationError({"voucher": [_("The payment voucher number is required.")]})
    d = _disbursement_locked(disbursement)
    if refusal := disbursement_pay_refusal(actor, d):
        raise refusal
    application = application_locked(d.application)
    paid = Disbursement.objects.filter(application=application, status=D.PAID).aggregate(s=Sum("amount_yuan"))[
        "s"
    ] or Decimal("0")
    if paid + d.amount_yuan > (application.approved_yuan or 0):
        raise StateConflict(_("This payment would exceed the amount granted."))
    d.voucher, d.paid_by, d.paid_at = voucher.strip()[:100], actor, timezone.now()
    _disbursement_transition(d, D.PAID, actor, ["voucher", "paid_by", "paid_at"])
    notify(
        recipients=[application.applicant],
        kind="disbursement_paid",
        subject=gettext_lazy("Payment made: %(title)s"),
        body=gettext_lazy("Tranche %(tranche)s of “%(title)s”, %(amount)s yuan, was paid (voucher %(voucher)s)."),
        context={"title": application.title, "tranche": d.tranche, "amount": d.amount_yuan, "voucher": d.voucher},
        url=item_url(application),
    )
    return d


# --- after acceptance -------------------------------------------------------------------------


@service_atomic
def application_close_when_paid(*, application: Application) -> Application:
    """After acceptance passed and the final tranche was paid, the project closes."""
    application = application_locked(application)
    return application_transition(application=application, to=S.CLOSED, actor=None, action="application.close")
