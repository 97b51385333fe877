"""Writes of the task contract (任务书): the applicant submits it, staff check it.

``contract_submit`` and ``contract_check`` are called by ``workflow.steps`` under the
application's process lock; they take the application's row lock again (cheap, the same
transaction) so that they are safe on their own too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.recent import require_recent_login
from accounts.rules import is_staff
from applications.enums import ApplicationStatus
from applications.links import item_staff_url, item_url
from applications.models import Application
from applications.selectors import users_with_role
from applications.services import application_locked, application_transition, parse_money
from audit.services import audit_record
from core.db import service_atomic
from core.errors import NotVisible, StateConflict
from core.money import yuan
from funding.models import Contract
from funding.selectors import on_closed_notice
from funding.services import disbursement_request
from notifications.services import notify

from .enums import BudgetLine, ContractStatus
from .models import ContractBudgetLine, ContractMilestone, ContractTarget, ContractVersion

S = ApplicationStatus
C = ContractStatus

#: At most this many rows per table: a contract is read by people, not generated.
MAX_ROWS = 50


class CheckDecision:
    ACCEPT = "accept"
    RETURN = "return"
    CHOICES = (
        (ACCEPT, gettext_lazy("Accept: the contract comes into force")),
        (RETURN, gettext_lazy("Return for revision")),
    )


# --- reading the terms the applicant sends ---------------------------------------------------


def _rows(value: Any, field: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(row, dict) for row in value):
        raise ValidationError({field: [_("Send a list of rows.")]})
    if len(value) > MAX_ROWS:
        raise ValidationError({field: [_("At most %(n)s rows.") % {"n": MAX_ROWS}]})
    return list(value)


def _row_error(field: str, n: int, message: str) -> ValidationError:
    return ValidationError({field: [_("Row %(n)s: %(message)s") % {"n": n, "message": message}]})


def _text(row: dict[str, Any], key: str, field: str, n: int, max_length: int) -> str:
    text = row.get(key)
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise _row_error(field, n, _("“%(key)s” is required.") % {"key": key})
    if len(text) > max_length or "\x00" in text:
        raise _row_error(field, n, _("“%(key)s” is too long.") % {"key": key})
    return text


def _amount(row: dict[str, Any], key: str, field: str, n: int) -> Decimal:
    value = row.get(key)
    if value in (None, ""):
        return Decimal("0.00")
    try:
        return parse_money(value, key)
    except ValidationError as exc:
        raise _row_error(field, n, " ".join(exc.messages)) from None


def _date(value: Any, field: str, message: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: [message]}) from None


def contract_terms_clean(
    *,
    application: Application,
    targets: Any,
    budget: Any,
    milestones: Any,
    starts_on: Any = None,
    ends_on: Any = None,
) -> dict[str, Any]:
    """The contract's terms checked and typed, or a ``ValidationError`` naming the field:
    at least one target; budget lines from ``BudgetLine``, once each, whose county column adds
    up exactly to the approved amount; milestones dated within the project period (by default
    the application's)."""
    start = _date(starts_on or application.start_date, "starts_on", _("Give the project's start date."))
    end = _date(ends_on or application.end_date, "ends_on", _("Give the project's end date."))
    if end <= start:
        raise ValidationError({"ends_on": [_("The project ends after it starts.")]})

    clean_targets = []
    for n, row in enumerate(_rows(targets, "targets"), 1):
        value = row.get("value")
        try:
            number = Decimal(str(value).replace(",", "").strip()) if value not in (None, "") else None
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or number < 0 or number >= Decimal("1e12"):
            raise _row_error("targets", n, _("the target value must be a number, zero or more."))
        if number != number.quantize(Decimal("0.01")):
            raise _row_error("targets", n, _("the target value has at most two decimal places."))
        clean_targets.append(
            {
                "position": n,
                "name": _text(row, "name", "targets", n, 200),
                "unit": _text(row, "unit", "targets", n, 30),
                "value": number.quantize(Decimal("0.01")),
            }
        )
    if not clean_targets:
        raise ValidationError({"targets": [_("Give at least one assessment target.")]})

    clean_budget = []
    seen: set[str] = set()
    for n, row in enumerate(_rows(budget, "budget"), 1):
        line = row.get("line")
        if line not in BudgetLine.values:
            raise _row_error("budget", n, _("choose one of the budget lines."))
        if line in seen:
            raise _row_error("budget", n, _("each budget line appears once."))
        seen.add(line)
        clean_budget.append(
            {
                "line": line,
                "county_yuan": _amount(row, "county_yuan", "budget", n),
                "own_yuan": _amount(row, "own_yuan", "budget", n),
                "other_yuan": _amount(row, "other_yuan", "budget", n),
            }
        )
    approved = yuan(application.approved_yuan or 0)
    county = sum((r["county_yuan"] for r in clean_budget), Decimal("0.00"))
    if county != approved:
        raise ValidationError(
            {
                "budget": [
                    _(
                        "The county grant column adds up to %(sum)s yuan; it must equal the approved amount, "
                        "%(approved)s yuan."
                    )
                    % {"sum": f"{county:,.2f}", "approved": f"{approved:,.2f}"}
                ]
            }
        )

    clean_milestones = []
    for n, row in enumerate(_rows(milestones, "milestones"), 1):
        name = _text(row, "name", "milestones", n, 200)
        due = _date(row.get("due"), "milestones", _("Row %(n)s: give the due date as YYYY-MM-DD.") % {"n": n})
        if not start <= due <= end:
            raise _row_error(
                "milestones",
                n,
                _("the due date must fall within the project period, %(start)s – %(end)s.")
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
        clean_milestones.append({"name": name, "due_on": due})
    return {
        "starts_on": start,
        "ends_on": end,
        "targets": clean_targets,
        "budget": clean_budget,
        "milestones": clean_milestones,
    }


def contract_rows_write(*, version: ContractVersion, terms: dict[str, Any]) -> None:
    """Replace the version's targets, budget lines and milestones (three inserts).
    Change requests that write a new version use it too."""
    version.targets.all().delete()
    version.budget.all().delete()
    version.milestones.all().delete()
    ContractTarget.objects.bulk_create([ContractTarget(version=version, **row) for row in terms["targets"]])
    ContractBudgetLine.objects.bulk_create([ContractBudgetLine(version=version, **row) for row in terms["budget"]])
    ContractMilestone.objects.bulk_create([ContractMilestone(version=version, **row) for row in terms["milestones"]])


def _summary(terms: dict[str, Any]) -> dict[str, Any]:
    """What the audit row keeps of a submission: enough to read what was sent each time."""
    return {
        "starts_on": terms["starts_on"].isoformat(),
        "ends_on": terms["ends_on"].isoformat(),
        "targets": [[t["name"], t["unit"], str(t["value"])] for t in terms["targets"]],
        "budget": [
            [b["line"], str(b["county_yuan"]), str(b["own_yuan"]), str(b["other_yuan"])] for b in terms["budget"]
        ],
        "milestones": [[m["name"], m["due_on"].isoformat()] for m in terms["milestones"]],
    }


# --- the steps --------------------------------------------------------------------------------


@service_atomic
def contract_submit(
    *,
    application: Application,
    actor: Any,
    accept_terms: bool,
    targets: Any,
    budget: Any,
    milestones: Any,
    starts_on: Any = None,
    ends_on: Any = None,
) -> ContractVersion:
    """The applicant submits the task contract for staff to check.

    The first submission writes version 1 (``submitted``); after staff returned it, the same
    row is filled again and resubmitted (a returned draft is not a version of the contract:
    the numbers count versions in force; the audit trail keeps each submission's terms and
    each return's comment). Side effects: the version and its rows, an audit row
    (``contract.submit``), staff are told (``contract_submitted``).
    """
    application = application_locked(application)
    if application.applicant_id != actor.pk:
        raise NotVisible()
    if accept_terms is not True:
        raise ValidationError({"accept_terms": [_("Accept the terms to sign the contract.")]})
    if application.status != S.FUNDED:
        raise StateConflict(_("Only a funded application waiting for its contract can be signed."))
    if not on_closed_notice(application):
        raise StateConflict(_("The contract can be signed once the public notice has closed."))
    version = ContractVersion.objects.filter(application=application).order_by("-number").first()
    if version is not None and version.status != C.RETURNED:
        raise StateConflict(_("The task contract waits for the bureau's check."))
    terms = contract_terms_clean(
        application=application,
        targets=targets,
        budget=budget,
        milestones=milestones,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    now = timezone.now()
    source = version.status if version is not None else ""
    if version is None:
        version = ContractVersion.objects.create(
            application=application,
            number=1,
            status=C.SUBMITTED,
            starts_on=terms["starts_on"],
            ends_on=terms["ends_on"],
            submitted_by=actor,
            submitted_at=now,
        )
    else:
        version.status = C.SUBMITTED
        version.starts_on, version.ends_on = terms["starts_on"], terms["ends_on"]
        version.submitted_by, version.submitted_at = actor, now
        version.save(update_fields=["status", "starts_on", "ends_on", "submitted_by", "submitted_at"])
    contract_rows_write(version=version, terms=terms)
    audit_record(
        actor=actor,
        action="contract.submit",
        target=version,
        from_state=source,
        to_state=C.SUBMITTED,
        data=_summary(terms),
    )
    notify(
        recipients=users_with_role("staff"),
        kind="contract_submitted",
        subject=gettext_lazy("Task contract to check: %(title)s"),
        body=gettext_lazy("The task contract of “%(title)s” was submitted; check it."),
        context={"title": application.title},
        url=item_staff_url(application),
    )
    return version


@service_atomic
def contract_check(*, application: Application, actor: Any, decision: str, comment: str = "") -> ContractVersion:
    """Staff check the submitted contract.

    ``return`` (a comment required): the version goes back to the applicant, who is told
    (``contract_returned``). ``accept``: the version comes into force (``in_force_at``), the
    signature is recorded (``funding.Contract``, signed by the applicant who submitted it),
    the application becomes ``contracted`` and the first tranche is requested from finance as
    on signing before (requested by the signer). Audit rows: ``contract.return`` /
    ``contract.accept`` on the version, ``contract.sign`` on the application.
    """
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff check task contracts."))
    require_recent_login(actor)
    comment = (comment or "").strip()
    if decision not in (CheckDecision.ACCEPT, CheckDecision.RETURN):
        raise ValidationError({"decision": [_("Choose accept or return.")]})
    if decision == CheckDecision.RETURN and not comment:
        raise ValidationError({"comment": [_("Say what to change when returning the contract.")]})
    application = application_locked(application)
    version = (
        ContractVersion.objects.select_for_update()
        .select_related("submitted_by")
        .filter(application=application, status=C.SUBMITTED)
        .first()
    )
    if version is None or application.status != S.FUNDED:
        raise StateConflict(_("No task contract waits for checking."))
    now = timezone.now()
    version.checked_by, version.checked_at, version.check_comment = actor, now, comment
    if decision == CheckDecision.RETURN:
        version.status = C.RETURNED
        version.save(update_fields=["status", "checked_by", "checked_at", "check_comment"])
        audit_record(
            actor=actor,
            action="contract.return",
            target=version,
            from_state=C.SUBMITTED,
            to_state=C.RETURNED,
            comment=comment,
        )
        notify(
            recipients=[application.applicant],
            kind="contract_returned",
            subject=gettext_lazy("Task contract returned: %(title)s"),
            body=gettext_lazy("The bureau returned the task contract of “%(title)s”: %(comment)s"),
            context={"title": application.title, "comment": comment},
            url=reverse("contract-sign", args=[application.pk]),
        )
        return version
    version.status, version.in_force_at = C.IN_FORCE, now
    version.save(update_fields=["status", "in_force_at", "checked_by", "checked_at", "check_comment"])
    audit_record(
        actor=actor,
        action="contract.accept",
        target=version,
        from_state=C.SUBMITTED,
        to_state=C.IN_FORCE,
        comment=comment,
    )
    signer = version.submitted_by
    Contract.objects.create(application=application, signed_by=signer)
    application_transition(application=application, to=S.CONTRACTED, actor=actor, action="contract.sign")
    disbursement_request(application=application, tranche=1, actor=signer)
    notify(
        recipients=[application.applicant],
        kind="contract_in_force",
        subject=gettext_lazy("Task contract in force: %(title)s"),
        body=gettext_lazy("The bureau accepted the task contract of “%(title)s”; the first payment is requested."),
        context={"title": application.title},
        url=item_url(application),
    )
    return version
