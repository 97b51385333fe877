"""Who may read a project's task contract (任务书)."""

from __future__ import annotations

from typing import Any

from accounts.rules import is_finance, is_panel, is_staff
from applications.models import Application
from applications.rules import can_view_application


def can_view_contract(user: Any, application: Application) -> bool:
    """The applicant of that item, bureau staff, the panel and finance; nobody else (404)."""
    if not can_view_application(user, application):
        return False
    return application.applicant_id == user.pk or is_staff(user) or is_panel(user) or is_finance(user)
