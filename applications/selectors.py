"""Reads that several places share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.enums import Role
from accounts.rules import is_finance, is_panel, is_staff
from accounts.selectors import users_with_role

from .enums import SUBMITTED_STATES
from .models import Application

# ``users_with_role`` lives with the people (accounts.selectors); kept importable from here.
__all__ = ["applications_visible_to", "users_with_role"]


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """Applications a user may list: their own, or everything submitted for bureau roles."""
    qs = Application.objects.select_related("call", "call__programme", "organisation")
    if not user.is_authenticated:
        return qs.none()
    if is_staff(user) or is_panel(user) or is_finance(user):
        return qs.filter(status__in=SUBMITTED_STATES) | qs.filter(applicant=user)
    if user.has_role(Role.APPLICANT) or user.has_role(Role.NOMINATOR):
        return qs.filter(applicant=user)
    return qs.none()
