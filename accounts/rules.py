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


def is_member_of(user: Any, organisation_id: int | None) -> bool:
    """``user`` acts for that organisation now (an approved membership, an active account)."""
    return bool(
        organisation_id is not None
        and user
        and user.is_authenticated
        and user.is_active
        and user.organisation_id == organisation_id
    )


def can_view_membership(user: Any, membership: Any) -> bool:
    """Staff, the organisation's members, and the person who asked."""
    if not (user and user.is_authenticated):
        return False
    return is_staff(user) or membership.user_id == user.pk or is_member_of(user, membership.organisation_id)


def can_decide_membership(user: Any, membership: Any) -> bool:
    """Staff, or someone already acting for the organisation (never the newcomer themself)."""
    if membership.user_id == user.pk:
        return False
    return is_staff(user) or is_member_of(user, membership.organisation_id)
