"""Change requests (项目变更, issue 16.3): services, rules and selectors.

The applicant of a contracted project asks for one kind of change; the kind's chain approves
it step by step (``CHAINS``): bureau staff first, then — for a large budget move — the finance
head, or — for a new leader, a new unit or a termination — the panel. At most one request of
a kind is open per project (checked under the application's row lock, and by a constraint).

An approved change (termination aside) writes the next contract version: the version in force
is copied with the change applied and put in force, and the old one is superseded (it stays
readable). The application follows: an extension moves its ``end_date`` (the acceptance
reminders read it, so the clock moves with it), a new unit becomes its ``organisation`` — the
applicant user stays the same person, who now acts for the new unit on this project. The
application stores no project leader: the approved leader change is the record of who leads
(:func:`project_leader`).

An approved termination ends the project (status ``terminated``), rejects every unpaid tranche
with the reason (audited as any rejection) and records the refund owed, paid minus the eligible
spending the applicant stated. Its viewflow process is cancelled by the workflow step that
drives the decision (``workflow.steps.change_decide``): this module knows nothing of viewflow.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from accounts.models import Organisation
from accounts.recent import require_recent_login
from accounts.rules import has_role, is_panel, is_staff
from accounts.selectors import users_with_role
from applications.enums import ApplicationStatus
from applications.links import item_url
from applications.models import Application
from applications.rules import can_view_application
from applications.services import application_locked, application_transition, parse_money
from audit.services import audit_record
from core.db import service_atomic
from core.errors import NotVisible, StateConflict
from core.params import parse_int
from funding.enums import DisbursementStatus
from funding.models import Disbursement
from funding.services import disbursements_withdraw
from notifications.services import notify

from .enums import OPEN_CHANGE_STATES, BudgetLine, ChangeKind, ChangeStatus, ChangeStep, ContractStatus
from .models import (
    ChangeDecision,
    ChangeRequest,
    ContractBudgetLine,
    ContractMilestone,
    ContractTarget,
    ContractVersion,
)

S = ApplicationStatus
K = ChangeKind
CS = ChangeStatus

#: The chain of each kind; a budget move gets the finance head only when it is large
#: (:func:`budget_needs_head`).
CHAINS: dict[str, list[str]] = {
    K.EXTENSION: [ChangeStep.STAFF],
    K.TARGETS: [ChangeStep.STAFF],
    K.BUDGET: [ChangeStep.STAFF],
    K.LEADER: [ChangeStep.STAFF, ChangeStep.PANEL],
    K.UNIT: [ChangeStep.STAFF, ChangeStep.PANEL],
    K.TERMINATION: [ChangeStep.STAFF, ChangeStep.PANEL],
}
#: An extension: at most this many months, asked at least this many days before the end.
EXTENSION_MAX_MONTHS = 12
EXTENSION_NOTICE_DAYS = 60
#: Projects that may ask for a change: contracted and not yet through acceptance.
CHANGEABLE_STATES = frozenset({S.CONTRACTED})
#: Projects on which an open change may still be approved.
APPLICABLE_STATES = frozenset({S.CONTRACTED, S.ACCEPTANCE_SUBMITTED})
MONEY_FIELDS = ("county_yuan", "own_yuan", "other_yuan")
UNPAID = (DisbursementStatus.REQUESTED, DisbursementStatus.OFFICER_APPROVED, DisbursementStatus.APPROVED)


# --- reads ------------------------------------------------------------------------------------


def version_in_force(application: Application) -> ContractVersion | None:
    return (
        ContractVersion.objects.filter(application=application, status=ContractStatus.IN_FORCE)
        .prefetch_related("targets", "budget", "milestones")
        .first()
    )


def changes_of(application: Application) -> QuerySet[ChangeRequest]:
    """The project's change requests, newest first, with what their list shows."""
    return ChangeRequest.objects.filter(application=application).select_related(
        "requested_by", "result_version", "new_organisation"
    )


def change_for(user: Any, pk: Any) -> ChangeRequest:
    """The change request if ``user`` may see its project (owner, staff, panel, finance), else
    ``NotVisible`` (404)."""
    change_id = parse_int(pk)
    if change_id is None:
        raise NotVisible()
    change = (
        ChangeRequest.objects.select_related(
            "application",
            "application__call",
            "application__organisation",
            "application__applicant",
            "base_version",
            "result_version",
            "new_organisation",
            "requested_by",
        )
        .prefetch_related(Prefetch("decisions", queryset=ChangeDecision.objects.select_related("decided_by")))
        .filter(pk=change_id)
        .first()
    )
    if change is None or not can_view_application(user, change.application):
        raise NotVisible()
    return change


def open_changes() -> QuerySet[ChangeRequest]:
    """Every change request, for the staff list (filtered there), with what its rows show."""
    return ChangeRequest.objects.select_related(
        "application", "application__call", "application__organisation", "requested_by"
    ).order_by("-requested_at", "-id")


def project_leader(application: Application) -> dict[str, Any] | None:
    """Who leads the project since the last approved leader change; ``None`` if none was
    ever approved (the application form asks for no leader: the unit answers for it)."""
    change = (
        ChangeRequest.objects.filter(application=application, kind=K.LEADER, status=CS.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
    return change.new_leader if change is not None else None


def change_next_step(change: ChangeRequest) -> str | None:
    """The step whose turn it is, or ``None`` once the request is decided."""
    if change.status not in OPEN_CHANGE_STATES:
        return None
    done = 0 if change.status == CS.SUBMITTED else 1
    return change.chain[done] if done < len(change.chain) else None


def _may_act_as(user: Any, step: str) -> bool:
    if step == ChangeStep.STAFF:
        return is_staff(user)
    if step == ChangeStep.FINANCE_HEAD:
        return has_role(user, Role.FINANCE_HEAD)
    return is_panel(user)


def change_decide_refusal(user: Any, change: ChangeRequest) -> PermissionDenied | StateConflict | None:
    """Why ``user`` cannot decide the request now, if they cannot: the page offers the
    buttons only when this says nothing, and the service raises what it says."""
    step = change_next_step(change)
    if step is None:
        return StateConflict(_("This change request has already been decided."))
    if not _may_act_as(user, step):
        return PermissionDenied(
            _("This step of the change request is for: %(step)s.") % {"step": ChangeStep(step).label}
        )
    if change.requested_by_id == user.pk:
        return PermissionDenied(_("You asked for this change, so you may not decide it."))
    if any(d.decided_by_id == user.pk for d in change.decisions.all()):
        return PermissionDenied(_("You decided an earlier step of this request; another person decides this one."))
    return None


# --- checking a request -------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, on the last day of the month when it has fewer days."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def _parse_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError({field: [_("Enter a date such as 2018-06-30.")]}) from None


def _text(data: Any, key: str, field: str, limit: int, *, required: bool = True) -> str:
    value = str((data or {}).get(key) or "").strip() if isinstance(data, dict) else ""
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationError({field: [_("At most %(n)s characters.") % {"n": limit}]})
    return value


def _clean_targets(rows: Any) -> list[dict[str, str]]:
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"targets": [_("Give the full new list of targets, at least one.")]})
    if len(rows) > 100:
        raise ValidationError({"targets": [_("At most 100 targets.")]})
    cleaned = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValidationError({f"targets.{i}": [_("Each target needs a name, a unit and a value.")]})
        name = _text(row, "name", f"targets.{i}.name", 200)
        unit = _text(row, "unit", f"targets.{i}.unit", 30)
        try:
            value = Decimal(str(row.get("value", "")).strip())
        except ArithmeticError:
            raise ValidationError({f"targets.{i}.value": [_("Enter a number.")]}) from None
        if not value.is_finite() or value < 0 or value >= Decimal("1e12") or value != value.quantize(Decimal("0.01")):
            raise ValidationError({f"targets.{i}.value": [_("Enter a number of at least 0, two decimals at most.")]})
        cleaned.append({"name": name, "unit": unit, "value": str(value.quantize(Decimal("0.01")))})
    return cleaned


def _totals(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    return {f: sum((Decimal(str(r[f])) for r in rows), Decimal("0.00")) for f in MONEY_FIELDS}


def _clean_budget(rows: Any, current: list[ContractBudgetLine]) -> list[dict[str, str]]:
    """The full new budget: known lines, each once, amounts in yuan; the county total and the
    total of each source stay exactly as they are (only money between lines moves)."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"budget": [_("Give the full new budget, one row per line.")]})
    cleaned: list[dict[str, str]] = []
    seen = set()
    for i, row in enumerate(rows[:20]):
        if not isinstance(row, dict) or row.get("line") not in BudgetLine.values:
            raise ValidationError({f"budget.{i}.line": [_("Choose one of the budget lines.")]})
        if row["line"] in seen:
            raise ValidationError({f"budget.{i}.line": [_("Each budget line appears once.")]})
        seen.add(row["line"])
        amounts = {f: parse_money(row.get(f, "0") or "0", f"budget.{i}.{f}") for f in MONEY_FIELDS}
        cleaned.append({"line": row["line"], **{f: str(v) for f, v in amounts.items()}})
    old = _totals([{f: getattr(b, f) for f in MONEY_FIELDS} for b in current])
    new = _totals(cleaned)
    labels = {
        "county_yuan": _("county grant"),
        "own_yuan": _("own funds"),
        "other_yuan": _("other sources"),
    }
    for f in MONEY_FIELDS:
        if new[f] != old[f]:
            raise ValidationError(
                {
                    "budget": [
                        _("The total of %(source)s must stay %(old)s yuan (it would be %(new)s).")
                        % {"source": labels[f], "old": old[f], "new": new[f]}
                    ]
                }
            )
    before = {b.line: tuple(getattr(b, f) for f in MONEY_FIELDS) for b in current}
    after = {r["line"]: tuple(Decimal(r[f]) for f in MONEY_FIELDS) for r in cleaned}
    zero = (Decimal("0"),) * 3
    if all(before.get(line, zero) == after.get(line, zero) for line in set(before) | set(after)):
        raise ValidationError({"budget": [_("The new budget is the same as the one in force.")]})
    return cleaned


def budget_needs_head(current: list[ContractBudgetLine], new: list[dict[str, str]]) -> bool:
    """A move changes some line's county amount by more than ``PINGSHEN_BUDGET_MOVE_HEAD_SHARE``
    of that line (a line that had no county money: any amount at all)."""
    share = Decimal(settings.PINGSHEN_BUDGET_MOVE_HEAD_SHARE)
    before = {b.line: b.county_yuan for b in current}
    after = {r["line"]: Decimal(r["county_yuan"]) for r in new}
    for line in set(before) | set(after):
        old, moved = before.get(line, Decimal("0")), after.get(line, Decimal("0")) - before.get(line, Decimal("0"))
        if abs(moved) > old * share:
            return True
    return False


def paid_to(application: Application) -> Decimal:
    paid = Disbursement.objects.filter(application=application, status=DisbursementStatus.PAID).aggregate(
        s=Sum("amount_yuan")
    )["s"]
    return paid or Decimal("0.00")


def refund_owed(paid: Decimal, eligible_spent: Decimal) -> Decimal:
    """Paid minus the eligible spending, never below zero (the county owes nothing back)."""
    return max(paid - eligible_spent, Decimal("0.00"))


def _check_kind(
    *, kind: str, application: Application, version: ContractVersion, fields: dict[str, Any]
) -> dict[str, Any]:
    """The request's own fields for ``kind``, checked (400 naming the field; 409 when a rule
    of the moment forbids it), plus its chain."""
    chain = list(CHAINS[kind])
    if kind == K.EXTENSION:
        new_end = _parse_date(fields.get("new_end_date"), "new_end_date")
        if new_end <= version.ends_on:
            raise ValidationError(
                {"new_end_date": [_("The new end date must be after %(end)s.") % {"end": version.ends_on}]}
            )
        if new_end > add_months(version.ends_on, EXTENSION_MAX_MONTHS):
            raise ValidationError(
                {"new_end_date": [_("An extension is at most %(n)s months.") % {"n": EXTENSION_MAX_MONTHS}]}
            )
        if (version.ends_on - timezone.localdate()).days < EXTENSION_NOTICE_DAYS:
            raise StateConflict(
                _("An extension must be asked at least %(n)s days before the project ends (%(end)s).")
                % {"n": EXTENSION_NOTICE_DAYS, "end": version.ends_on}
            )
        if ChangeRequest.objects.filter(application=application, kind=K.EXTENSION, status=CS.APPROVED).exists():
            raise StateConflict(_("This project was extended once already; it cannot be extended again."))
        return {"new_end_date": new_end, "chain": chain}
    if kind == K.LEADER:
        leader = fields.get("new_leader")
        return {
            "new_leader": {
                "name": _text(leader, "name", "new_leader.name", 100),
                "title": _text(leader, "title", "new_leader.title", 100, required=False),
                "phone": _text(leader, "phone", "new_leader.phone", 40),
            },
            "chain": chain,
        }
    if kind == K.UNIT:
        org_id = parse_int(fields.get("new_organisation"))
        organisation = Organisation.objects.filter(pk=org_id).exclude(credit_code="").first() if org_id else None
        if organisation is None:
            raise ValidationError({"new_organisation": [_("Choose a registered organisation.")]})
        if organisation.pk == application.organisation_id:
            raise ValidationError({"new_organisation": [_("This is already the project's undertaking unit.")]})
        return {"new_organisation": organisation, "chain": chain}
    if kind == K.TARGETS:
        return {"targets": _clean_targets(fields.get("targets")), "chain": chain}
    if kind == K.BUDGET:
        current = list(version.budget.all())
        budget = _clean_budget(fields.get("budget"), current)
        if budget_needs_head(current, budget):
            chain.append(ChangeStep.FINANCE_HEAD)
        return {"budget": budget, "chain": chain}
    # Termination: the eligible spending so far, from which the refund owed follows.
    spent = parse_money(fields.get("spent_yuan"), "spent_yuan")
    paid = paid_to(application)
    return {
        "eligible_spent_yuan": spent,
        "paid_yuan": paid,
        "amount_to_refund": refund_owed(paid, spent),
        "chain": chain,
    }


# --- writes -------------------------------------------------------------------------------------


@service_atomic
def change_request_create(
    *, application: Application, actor: Any, kind: str, reason: str, **fields: Any
) -> ChangeRequest:
    """The applicant asks for a change of ``kind`` (``extension``: ``new_end_date``; ``leader``:
    ``new_leader`` {name, title, phone}; ``unit``: ``new_organisation`` (id); ``targets``: the
    full list; ``budget``: the full budget; ``termination``: ``spent_yuan``, the eligible
    spending). 404 unless the actor may see the project, 403 unless they are its applicant,
    400 naming a bad field, 409 when the project is not contracted, when a request of the kind
    is open, or when the kind's rule forbids it now.

    Side effects: the request (status ``submitted``) with its chain; an audit row; staff are
    notified. Two requests of one kind at once: the application's row lock makes the second
    wait and then see the first (409), and a unique constraint backs it.
    """
    if not can_view_application(actor, application):
        raise NotVisible()
    if application.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the project's applicant asks for changes."))
    if kind not in K.values:
        raise ValidationError({"kind": [_("Choose one of the kinds of change.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the change is needed.")]})
    if len(reason) > 4000:
        raise ValidationError({"reason": [_("At most %(n)s characters.") % {"n": 4000}]})
    application = application_locked(application)
    if application.status not in CHANGEABLE_STATES:
        raise StateConflict(_("Changes can be asked for contracted projects only."))
    version = version_in_force(application)
    if version is None:
        raise StateConflict(_("The project has no contract in force to change yet."))
    if ChangeRequest.objects.filter(application=application, kind=kind, status__in=OPEN_CHANGE_STATES).exists():
        raise StateConflict(_("A request of this kind is already open for this project."))
    values = _check_kind(kind=kind, application=application, version=version, fields=fields)
    try:
        with transaction.atomic():
            change = ChangeRequest.objects.create(
                application=application,
                kind=kind,
                reason=reason,
                base_version=version,
                requested_by=actor,
                **values,
            )
    except IntegrityError:
        raise StateConflict(_("A request of this kind is already open for this project.")) from None
    audit_record(
        actor=actor,
        action="change.request",
        target=change,
        to_state=CS.SUBMITTED,
        comment=reason,
        data={"kind": kind, "application": application.pk, "chain": change.chain},
    )
    notify(
        recipients=users_with_role(Role.STAFF),
        kind="change_requested",
        subject=gettext_lazy("Change requested: %(title)s"),
        body=gettext_lazy("“%(title)s” asks for a change (%(kind)s): %(reason)s"),
        context={"title": application.title, "kind": K(kind).label, "reason": reason},
        url=reverse("change-detail", args=[change.pk]),
    )
    return change


def change_summary(change: ChangeRequest) -> str:
    """One line saying what the change did: the reason of the contract version it writes."""
    kind = change.kind
    if kind == K.EXTENSION:
        text = _("Extended to %(end)s") % {"end": change.new_end_date}
    elif kind == K.LEADER:
        text = _("Project leader: %(name)s") % {"name": change.new_leader.get("name", "")}
    elif kind == K.UNIT:
        text = _("Undertaking unit: %(unit)s") % {"unit": change.new_organisation}
    elif kind == K.TARGETS:
        text = _("New targets (%(n)s)") % {"n": len(change.targets)}
    elif kind == K.BUDGET:
        text = _("Money moved between budget lines")
    else:
        text = _("Terminated; refund owed %(refund)s yuan") % {"refund": change.amount_to_refund}
    return f"{text} ({_('change request No. %(n)s') % {'n': change.pk}}): {change.reason}"


def _version_next(*, change: ChangeRequest, actor: Any) -> ContractVersion:
    """Copy the version in force into the next one with the change applied, put it in force
    and supersede the old one (which stays, readable, with its targets and budget)."""
    current = ContractVersion.objects.select_for_update().get(
        application=change.application, status=ContractStatus.IN_FORCE
    )
    now = timezone.now()
    current.status = ContractStatus.SUPERSEDED
    current.save(update_fields=["status"])
    new = ContractVersion.objects.create(
        application=change.application,
        number=current.number + 1,
        status=ContractStatus.IN_FORCE,
        starts_on=current.starts_on,
        ends_on=change.new_end_date if change.kind == K.EXTENSION and change.new_end_date else current.ends_on,
        submitted_by=change.requested_by,
        submitted_at=change.requested_at,
        checked_by=actor,
        checked_at=now,
        in_force_at=now,
        reason=change_summary(change),
    )
    if change.kind == K.TARGETS:
        targets = [ContractTarget(version=new, position=i, **t) for i, t in enumerate(change.targets, start=1)]
    else:
        targets = [
            ContractTarget(version=new, position=t.position, name=t.name, unit=t.unit, value=t.value)
            for t in current.targets.all()
        ]
    ContractTarget.objects.bulk_create(targets)
    rows = (
        change.budget
        if change.kind == K.BUDGET
        else [{"line": b.line, **{f: getattr(b, f) for f in MONEY_FIELDS}} for b in current.budget.all()]
    )
    ContractBudgetLine.objects.bulk_create([ContractBudgetLine(version=new, **row) for row in rows])
    ContractMilestone.objects.bulk_create(
        [ContractMilestone(version=new, name=m.name, due_on=m.due_on) for m in current.milestones.all()]
    )
    audit_record(
        actor=actor,
        action="contract.version",
        target=new,
        from_state=ContractStatus.SUPERSEDED,
        to_state=ContractStatus.IN_FORCE,
        comment=new.reason,
        data={"application": change.application_id, "replaces": current.pk, "change": change.pk},
    )
    return new


def _apply(*, change: ChangeRequest, application: Application, actor: Any) -> None:
    """The approved change takes effect (caller holds the application's row lock)."""
    if change.kind == K.TERMINATION:
        change.paid_yuan = paid_to(application)
        change.amount_to_refund = refund_owed(change.paid_yuan, change.eligible_spent_yuan or Decimal("0"))
        reason = change_summary(change)
        application_transition(
            application=application,
            to=S.TERMINATED,
            actor=actor,
            action="application.terminate",
            comment=reason,
            data={"change": change.pk, "amount_to_refund": str(change.amount_to_refund)},
        )
        disbursements_withdraw(application=application, actor=actor, reason=reason)
        notify(
            recipients=[*users_with_role(Role.FINANCE_OFFICER), *users_with_role(Role.FINANCE_HEAD)],
            kind="change_decided",
            subject=gettext_lazy("Project terminated, refund owed: %(title)s"),
            body=gettext_lazy("“%(title)s” was terminated. Paid %(paid)s yuan; refund owed %(refund)s yuan."),
            context={"title": application.title, "paid": change.paid_yuan, "refund": change.amount_to_refund},
            url=reverse("change-detail", args=[change.pk]),
        )
        return
    change.result_version = _version_next(change=change, actor=actor)
    fields: list[str] = []
    if change.kind == K.EXTENSION:
        application.end_date = change.new_end_date
        fields.append("end_date")
    elif change.kind == K.UNIT and change.new_organisation_id:
        application.organisation_id = change.new_organisation_id
        fields.append("organisation")
    if fields:
        application.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action=f"change.applied.{change.kind}",
        target=application,
        comment=change.result_version.reason,
        data={"change": change.pk, "version": change.result_version.number},
    )


@service_atomic
def change_decide(*, change: ChangeRequest, actor: Any, approve: Any, comment: str = "") -> ChangeRequest:
    """The person whose step it is approves or rejects (a rejection says why).

    404 unless the actor may see the project; 403 for the wrong role, the requester, or
    someone who decided an earlier step; a recent login is required; 409 once decided or when
    the project has moved on. The last approval applies the change (:func:`_apply`).
    Side effects: a decision row; the request's status; audit rows; the applicant is told of
    the outcome, and the next step's people that it waits for them.
    """
    change = change_for(actor, change.pk)
    refusal = change_decide_refusal(actor, change)
    if isinstance(refusal, PermissionDenied):
        raise refusal
    require_recent_login(actor)
    if not isinstance(approve, bool):
        raise ValidationError({"approve": [_("Say whether to approve: true or false.")]})
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("Say why the change is rejected.")]})
    application = application_locked(change.application)
    change = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change.pk)
    change.application = application
    if refusal := change_decide_refusal(actor, change):
        raise refusal
    step = change_next_step(change)
    assert step is not None  # the refusal said it is open
    if approve and application.status not in APPLICABLE_STATES:
        raise StateConflict(_("The project is no longer running; the change cannot be applied."))
    ChangeDecision.objects.create(change=change, step=step, approve=approve, comment=comment, decided_by=actor)
    source = change.status
    last = step == change.chain[-1]
    if not approve:
        change.status = CS.REJECTED
    elif last:
        change.status = CS.APPROVED
        _apply(change=change, application=application, actor=actor)
    else:
        change.status = CS.STAFF_APPROVED
    if change.status != CS.STAFF_APPROVED:
        change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_at", "result_version", "paid_yuan", "amount_to_refund"])
    audit_record(
        actor=actor,
        action=f"change.{'approve' if approve else 'reject'}",
        target=change,
        from_state=source,
        to_state=change.status,
        comment=comment,
        data={"step": step, "kind": change.kind, "application": application.pk},
    )
    url = reverse("change-detail", args=[change.pk])
    context = {"title": application.title, "kind": K(change.kind).label, "status": CS(change.status).label}
    if change.status == CS.STAFF_APPROVED:
        following = change.chain[1]
        notify(
            recipients=users_with_role(Role.FINANCE_HEAD if following == ChangeStep.FINANCE_HEAD else Role.PANEL),
            kind="change_requested",
            subject=gettext_lazy("Change to decide: %(title)s"),
            body=gettext_lazy("Staff approved a change of “%(title)s” (%(kind)s); it waits for your decision."),
            context=context,
            url=url,
        )
    notify(
        recipients=[application.applicant],
        kind="change_decided",
        subject=gettext_lazy("Change request %(status)s: %(title)s"),
        body=gettext_lazy("Your request for a change of “%(title)s” (%(kind)s) is now: %(status)s. %(comment)s"),
        context={**context, "comment": comment},
        url=item_url(application) if change.kind == K.TERMINATION else url,
    )
    return change


def change_ends_project(change: ChangeRequest) -> bool:
    """The decision approved a termination: the project's process is to be cancelled."""
    return change.kind == K.TERMINATION and change.status == CS.APPROVED
