"""Who may see and do what with calls and applications (role × object × state)."""

from __future__ import annotations

from typing import Any

from accounts.enums import Role
from accounts.rules import has_role, is_finance, is_panel, is_staff

from .enums import EDITABLE_STATES, SUBMITTED_STATES, ApplicationStatus
from .models import Application


def is_owner(user: Any, application: Application) -> bool:
    """The applicant who owns it, through the guardian grant made at creation."""
    return bool(user.is_authenticated and user.has_perm("applications.change_application", application))


def can_view_application(user: Any, application: Application) -> bool:
    if not user.is_authenticated:
        return False
    if application.applicant_id == user.pk:
        return True
    if application.status in SUBMITTED_STATES and (is_staff(user) or is_panel(user) or is_finance(user)):
        return True
    # Colleagues the owner shared it with hold a guardian grant on this one object.
    return bool(user.has_perm("applications.view_application", application))


def can_edit_application(user: Any, application: Application) -> bool:
    if application.status not in EDITABLE_STATES:
        return False
    return application.applicant_id == user.pk or is_owner(user, application)


def closed_before_submission(application: Application) -> bool:
    """A draft whose call (or award round) has closed: it can no longer be submitted. A
    returned item can still be resubmitted after the close."""
    return application.status == ApplicationStatus.DRAFT and not application.call.is_open()


def can_apply(user: Any) -> bool:
    return has_role(user, Role.APPLICANT) or has_role(user, Role.NOMINATOR)
