"""Writes about people: registration, staff-created users, roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record

from .enums import OrganisationKind, Role
from .models import Organisation, User
from .rules import is_staff
from .validators import normalise_credit_code, validate_credit_code


def roles_ensure() -> None:
    """Create one group per role code (run after every migrate; idempotent)."""
    for code in Role.values:
        Group.objects.get_or_create(name=code)


def organisation_get_or_create(
    *, name: str, credit_code: str = "", kind: str = OrganisationKind.ENTERPRISE
) -> Organisation:
    """Find an organisation by credit code (or by exact name when it has none), else create it."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"organisation": [_("The organisation needs a name.")]})
    code = normalise_credit_code(credit_code)
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            raise ValidationError({"credit_code": exc.messages}) from exc
        existing = Organisation.objects.filter(credit_code=code).first()
        if existing:
            return existing
    else:
        existing = Organisation.objects.filter(name=name, credit_code="").first()
        if existing:
            return existing
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": [_("Unknown organisation kind.")]})
    return Organisation.objects.create(name=name, credit_code=code, kind=kind)


def _validate_new_user(*, username: str, password: str, email: str) -> None:
    errors: dict[str, list[str]] = {}
    if not username or len(username) > 150:
        errors["username"] = [_("A user name of 1 to 150 characters is required.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    try:
        validate_password(password or "", User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    roles: Iterable[str] = (),
    organisation: Organisation | None = None,
    display_name: str = "",
    language: str = "zh-hans",
    actor: Any = None,
) -> User:
    """Create a user with roles. Side effects: groups joined, audit row."""
    roles = list(roles)
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": [_("Unknown role: %(role)s") % {"role": unknown[0]}]})
    _validate_new_user(username=username, password=password, email=email)
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        organisation=organisation,
        display_name=display_name,
        language=language,
    )
    if roles:
        user.groups.set(Group.objects.filter(name__in=roles))
    audit_record(actor=actor, action="user.create", target=user, data={"roles": roles})
    return user


@transaction.atomic
def applicant_register(
    *,
    username: str,
    password: str,
    email: str,
    organisation_name: str,
    credit_code: str,
    kind: str = OrganisationKind.ENTERPRISE,
) -> User:
    """Self-registration of an applicant for an organisation; the credit code is required."""
    errors: dict[str, list[str]] = {}
    if not email:
        errors["email"] = [_("An e-mail address is required.")]
    if not normalise_credit_code(credit_code):
        errors["credit_code"] = [_("The unified social credit code is required.")]
    if errors:
        raise ValidationError(errors)
    organisation = organisation_get_or_create(name=organisation_name, credit_code=credit_code, kind=kind)
    return user_create(
        username=username,
        password=password,
        email=email,
        roles=[Role.APPLICANT],
        organisation=organisation,
    )


def user_create_by_staff(*, actor: Any, **kwargs: Any) -> User:
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff may create users."))
    return user_create(actor=actor, **kwargs)
