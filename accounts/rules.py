"""Who is who. Object rules live with each app's objects; these are the role checks."""

from __future__ import annotations

from typing import Any

from .enums import Role


def has_role(user: Any, role: str) -> bool:
    return bool(user and user.is_authenticated and user.has_role(role))


def is_staff(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def is_panel(user: Any) -> bool:
    return has_role(user, Role.PANEL)


def is_finance(user: Any) -> bool:
    return has_role(user, Role.FINANCE_OFFICER) or has_role(user, Role.FINANCE_HEAD)
