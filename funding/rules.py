"""Who may do what with notices and payments, now (role × object × state).

The services raise what these functions return, and the pages offer an action only when
they return nothing: one rule, so no page shows a button the server then refuses.
A ``*_refusal`` function answers the exception the action would meet (``PermissionDenied``
for the wrong person, ``StateConflict`` for the wrong moment), or ``None`` when it may go on.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.rules import has_role, is_staff
from applications.enums import NOTICE_STATES
from core.errors import StateConflict

from .enums import DisbursementStatus, ObjectionStatus

D = DisbursementStatus
Refusal = PermissionDenied | StateConflict


def is_finance_officer(user: Any) -> bool:
    return has_role(user, Role.FINANCE_OFFICER)


def is_finance_head(user: Any) -> bool:
    return has_role(user, Role.FINANCE_HEAD)


# --- notices --------------------------------------------------------------------------------


def notice_items_to_publish(call: Any) -> Any:
    """The call's decided items that have not been on a notice yet."""
    from applications.models import Application

    from .enums import NoticeKind

    return Application.objects.filter(call=call, status__in=NOTICE_STATES).exclude(notices__kind=NoticeKind.DECISION)


def notice_publish_refusal(user: Any, call: Any) -> Refusal | None:
    """Why ``user`` cannot publish the call's decisions on a notice now, if they cannot."""
    if not is_staff(user):
        return PermissionDenied(_("Only bureau staff publish notices."))
    from .selectors import notice_publish_problem

    problem = notice_publish_problem(call)
    return StateConflict(problem) if problem is not None else None


def notice_close_refusal(user: Any, notice: Any) -> Refusal | None:
    """Why ``user`` cannot close the notice now; ``user=None`` is the clock, which may."""
    if user is not None and not is_staff(user):
        return PermissionDenied(_("Only bureau staff close notices."))
    if notice.closed_at is not None:
        return StateConflict(_("This notice is already closed."))
    # The window is the public's: nobody shortens it, staff no more than the clock (issue 14.5).
    if timezone.now() < notice.ends_at:
        return StateConflict(
            _("The notice runs until %(ends)s; it cannot be closed before.")
            % {"ends": f"{timezone.localtime(notice.ends_at):%Y-%m-%d %H:%M}"}
        )
    if notice.objections.filter(status=ObjectionStatus.OPEN).exists():
        return StateConflict(_("Resolve every objection before closing the notice."))
    return None


# --- payments -------------------------------------------------------------------------------


def disbursement_approve_refusal(user: Any, disbursement: Any) -> Refusal | None:
    """First a finance officer, then a different finance head; never the requester."""
    officer, head = is_finance_officer(user), is_finance_head(user)
    if not (officer or head):
        return PermissionDenied(_("Only finance staff approve payments."))
    if disbursement.requested_by_id == user.pk:
        return PermissionDenied(_("You requested this payment, so you may not approve it."))
    if disbursement.status == D.REQUESTED:
        if not officer:
            return PermissionDenied(_("A finance officer approves first."))
    elif disbursement.status == D.OFFICER_APPROVED:
        if not head:
            return PermissionDenied(_("The finance head gives the second approval."))
        if disbursement.officer_id == user.pk:
            return PermissionDenied(_("The second approval must come from a different person."))
    else:
        return StateConflict(_("This payment is not waiting for approval."))
    return None


def disbursement_reject_refusal(user: Any, disbursement: Any) -> Refusal | None:
    if not (is_finance_officer(user) or is_finance_head(user)):
        return PermissionDenied(_("Only finance staff reject payments."))
    if disbursement.status not in (D.REQUESTED, D.OFFICER_APPROVED):
        return StateConflict(_("This payment is not waiting for approval."))
    return None


def disbursement_pay_refusal(user: Any, disbursement: Any) -> Refusal | None:
    if not (is_finance_officer(user) or is_finance_head(user)):
        return PermissionDenied(_("Only finance staff record payments."))
    if disbursement.status != D.APPROVED:
        return StateConflict(_("Only an approved payment can be paid."))
    return None
