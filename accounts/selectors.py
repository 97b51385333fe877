"""Reads about people that several places share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import StateConflict

from .enums import MembershipStatus
from .models import Membership, Organisation, User
from .rules import is_member_of, is_staff


def users_with_role(role: str) -> QuerySet[User]:
    return User.objects.filter(groups__name=role, is_active=True)


def memberships_of(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user", "organisation")


def memberships_to_decide(user: Any) -> QuerySet[Membership]:
    """Pending requests ``user`` may approve: every one for staff, their organisation's otherwise."""
    pending = Membership.objects.filter(status=MembershipStatus.PENDING).select_related("user", "organisation")
    if is_staff(user):
        return pending
    if user.organisation_id is None:
        return pending.none()
    return pending.filter(organisation_id=user.organisation_id).exclude(user=user)


def organisation_visible_to(user: Any, pk: int) -> Organisation | None:
    """The organisation whose members ``user`` may list: staff any, a member their own."""
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None or not (is_staff(user) or is_member_of(user, organisation.pk)):
        return None
    return organisation


def pending_membership_of(user: Any) -> Membership | None:
    """The request ``user`` is still waiting on, if any (the home page says so)."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, status=MembershipStatus.PENDING).select_related("organisation").first()


def refuse_while_pending(user: Any) -> None:
    """409 for someone who acts for no organisation because their membership still waits
    for approval: they may not apply or nominate until a member or staff approve them."""
    if getattr(user, "organisation_id", None) is not None:
        return
    pending = pending_membership_of(user)
    if pending is not None:
        raise StateConflict(
            _("Your membership of %(organisation)s awaits approval by a member or the bureau.")
            % {"organisation": pending.organisation.name}
        )
