"""Writes about people: registration, staff-created users and their roles, invitations,
passwords, API log-out, and memberships of organisations."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record, audit_record_many
from core.errors import NotVisible, StateConflict
from notifications.services import notify

from .enums import ADMIN_GRANTED_ROLES, FINANCE_ROLES, MembershipStatus, OrganisationKind, Role
from .models import Membership, Organisation, User
from .rules import can_decide_membership, can_view_membership, is_staff
from .selectors import users_with_role
from .tokens import token_revoke
from .validators import normalise_credit_code, validate_credit_code

logger = logging.getLogger(__name__)


def roles_ensure() -> None:
    """Create one group per role code (run after every migrate; idempotent)."""
    for code in Role.values:
        Group.objects.get_or_create(name=code)


def organisation_get_or_create(
    *, name: str, credit_code: str = "", kind: str = OrganisationKind.ENTERPRISE
) -> Organisation:
    """Find an organisation by credit code (or by exact name when it has none), else create it."""
    organisation, _created = _organisation_find_or_create(name=name, credit_code=credit_code, kind=kind)
    return organisation


def _organisation_find_or_create(*, name: str, credit_code: str, kind: str) -> tuple[Organisation, bool]:
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
            return existing, False
    else:
        existing = Organisation.objects.filter(name=name, credit_code="").first()
        if existing:
            return existing, False
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": [_("Unknown organisation kind.")]})
    return Organisation.objects.create(name=name, credit_code=code, kind=kind), True


def roles_check(*, roles: Iterable[str], actor: Any) -> list[str]:
    """The roles, checked: known codes, never both finance roles (400); and, when a person
    grants them (``actor``), staff may give applicant, nominator and expert, only an
    administrator (superuser) the roles that decide or move money (403)."""
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": [_("Unknown role: %(role)s") % {"role": unknown[0]}]})
    if FINANCE_ROLES <= set(roles):
        raise ValidationError({"roles": [_("One person cannot be both finance officer and finance head.")]})
    if actor is not None:
        if not is_staff(actor):
            raise PermissionDenied(_("Only bureau staff may create users."))
        powerful = sorted(set(roles) & ADMIN_GRANTED_ROLES)
        if powerful and not actor.is_superuser:
            raise PermissionDenied(
                _("Only an administrator may grant the role %(role)s.") % {"role": Role(powerful[0]).label}
            )
    return roles


def _validate_new_user(*, username: str, password: str | None, email: str) -> None:
    errors: dict[str, list[str]] = {}
    if not username or len(username) > 150:
        errors["username"] = [_("A user name of 1 to 150 characters is required.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    if password is not None:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    email: str = "",
    roles: Iterable[str] = (),
    organisation: Organisation | None = None,
    display_name: str = "",
    language: str = "zh-hans",
    actor: Any = None,
) -> User:
    """Create a user with roles, acting for ``organisation`` (an approved membership).

    ``actor`` is the person creating the account (None for the system: registration, the
    demo, tests); ``roles_check`` says what they may grant. Without a password (``None`` or
    empty) the account gets none until its owner sets one through the one-time link of an
    invitation e-mail: staff never know anyone's password.

    Side effects: groups joined, an approved membership, audit row ``user.create``; the
    invitation e-mail after commit when there is no password and there is an address.
    """
    username = (username or "").strip()
    roles = roles_check(roles=roles, actor=actor)
    password = password or None
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
    if organisation is not None:
        Membership.objects.create(
            user=user, organisation=organisation, status=MembershipStatus.APPROVED, decided_at=timezone.now()
        )
    audit_record(actor=actor, action="user.create", target=user, data={"roles": roles, "invited": password is None})
    if password is None and email:
        invitation_queue(user=user)
    return user


def organisations_get_or_create_many(
    *, specs: Iterable[tuple[str, str]], kind: str = OrganisationKind.OTHER
) -> dict[tuple[str, str], Organisation]:
    """``organisation_get_or_create`` for many ``(name, credit_code)`` pairs in two statements
    (one read, one insert of the missing): by credit code when there is one, else by exact name
    among those without. Returns each pair's organisation. Codes must be valid already."""
    wanted: dict[tuple[str, str], tuple[str, str]] = {}
    for name, code in specs:
        name, code = (name or "").strip(), normalise_credit_code(code)
        if not name:
            raise ValidationError({"organisation": [_("The organisation needs a name.")]})
        wanted[(name, code)] = (name, code)
    if not wanted:
        return {}
    codes = {code for _name, code in wanted.values() if code}
    names = {name for name, code in wanted.values() if not code}
    found = Organisation.objects.filter(Q(credit_code__in=codes) | Q(name__in=names, credit_code=""))
    by_code = {o.credit_code: o for o in found if o.credit_code}
    by_name: dict[str, Organisation] = {}
    for o in found:
        if not o.credit_code:
            by_name.setdefault(o.name, o)  # the first, as ``.first()`` would give
    missing_codes: dict[str, Organisation] = {}
    missing_names: dict[str, Organisation] = {}
    for name, code in wanted.values():
        if code and code not in by_code:
            missing_codes.setdefault(code, Organisation(name=name, credit_code=code, kind=kind))
        elif not code and name not in by_name:
            missing_names.setdefault(name, Organisation(name=name, credit_code="", kind=kind))
    Organisation.objects.bulk_create([*missing_codes.values(), *missing_names.values()])
    by_code.update(missing_codes)
    by_name.update(missing_names)
    return {pair: (by_code[code] if code else by_name[name]) for pair, (name, code) in wanted.items()}


def users_create_invited(*, rows: list[dict[str, Any]], roles: Iterable[str], actor: Any) -> list[User]:
    """``user_create`` without passwords for many people at once, in a handful of statements
    (the expert import, issue 18). Each row: ``username``, ``email``, ``organisation`` (or
    None), ``display_name``. The same rows as one ``user_create`` each: the user with no usable
    password, its groups, an approved membership, audit rows ``user.create``, and the invitation
    e-mails after commit (``accounts.tasks.invitations_send``).

    A user name taken (case ignored, also twice among ``rows``) refuses the whole call
    (``ValidationError``); the caller decides row by row. Must run inside a transaction."""
    roles = roles_check(roles=roles, actor=actor)
    keys = [(row["username"] or "").strip().lower() for row in rows]
    if len(set(keys)) != len(keys) or not all(keys) or any(len(k) > 150 for k in keys):
        raise ValidationError({"username": [_("A user name of 1 to 150 characters is required.")]})
    taken = User.objects.annotate(key=Lower("username")).filter(key__in=keys).exists()
    if taken:
        raise ValidationError({"username": [_("This user name is taken.")]})
    users = []
    for row in rows:
        user = User(
            username=User.normalize_username(row["username"].strip()),
            email=User.objects.normalize_email(row["email"]),
            organisation=row["organisation"],
            display_name=row["display_name"],
            language="zh-hans",
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    groups = list(Group.objects.filter(name__in=roles).values_list("pk", flat=True))
    through = User.groups.through
    through.objects.bulk_create([through(user_id=u.pk, group_id=g) for u in users for g in groups])
    now = timezone.now()
    Membership.objects.bulk_create(
        [
            Membership(user=u, organisation=u.organisation, status=MembershipStatus.APPROVED, decided_at=now)
            for u in users
            if u.organisation is not None
        ]
    )
    audit_record_many(
        actor=actor,
        action="user.create",
        targets=list(users),
        data=[{"roles": roles, "invited": True} for _u in users],
    )
    invited = [u.pk for u in users if u.email]
    if invited:
        # robust: the accounts exist; a broker outage must not undo the answer (as invitation_queue)
        transaction.on_commit(lambda: _invitations_queue(invited), robust=True)
    return users


def _invitations_queue(user_ids: list[int]) -> None:
    from .tasks import invitations_send

    invitations_send.delay(user_ids=user_ids)


def invitation_queue(*, user: User) -> None:
    """Send the invitation to set a password once the account is committed."""
    from .emails import invitation_send

    def send() -> None:
        try:
            invitation_send(user_id=user.pk)
        except Exception:  # noqa: BLE001 - the account exists; a mail outage must not turn that into a 500
            logger.exception("invitation e-mail to user %s not sent", user.pk)

    transaction.on_commit(send)


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
    """Self-registration of an applicant for an organisation; the credit code is required.

    A new credit code makes the organisation and its first, approved member. A credit code
    that is already registered gives an account whose membership waits for a member of that
    organisation or staff to approve it (``membership_request``): until then it acts for nobody.
    """
    errors: dict[str, list[str]] = {}
    if not email:
        errors["email"] = [_("An e-mail address is required.")]
    if not normalise_credit_code(credit_code):
        errors["credit_code"] = [_("The unified social credit code is required.")]
    if not password:
        errors["password"] = [_("A password is required.")]
    if errors:
        raise ValidationError(errors)
    organisation, created = _organisation_find_or_create(name=organisation_name, credit_code=credit_code, kind=kind)
    user = user_create(
        username=username,
        password=password,
        email=email,
        roles=[Role.APPLICANT],
        organisation=organisation if created else None,
    )
    if not created:
        membership_request(user=user, organisation=organisation)
    return user


def user_create_by_staff(*, actor: Any, **kwargs: Any) -> User:
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff may create users."))
    return user_create(actor=actor, **kwargs)


# --- passwords and tokens -----------------------------------------------------------------------


@transaction.atomic
def password_set(*, user: User, password: str, reason: str) -> User:
    """Give ``user`` a new password (validated: 400 on ``new_password``).

    ``reason``: ``change`` (they knew the old one), ``reset`` (the e-mailed link) or
    ``invitation`` (the first password of an invited account). Side effects: every API token
    of the user ends, the audit row ``user.password_<reason>``. Sessions elsewhere end by
    themselves: Django ties a session to the password's hash.
    """
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    token_revoke(user)
    audit_record(actor=user, action=f"user.password_{reason}", target=user)
    return user


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The signed-in person changes their password; the old one must be right (400)."""
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": [_("Your old password was entered incorrectly.")]})
    return password_set(user=user, password=new_password, reason="change")


def user_logout_api(*, user: User, token: Any = None) -> None:
    """End the caller's API token (``POST /api/auth/logout/``; a browser session calling it
    ends every token of the person); audit row ``user.logout``."""
    token_revoke(user, token)
    audit_record(actor=user, action="user.logout", target=user)


# --- memberships ----------------------------------------------------------------------------------

MEMBERSHIP_REQUESTED_SUBJECT = gettext_lazy("%(name)s asks to act for %(organisation)s")
MEMBERSHIP_REQUESTED_BODY = gettext_lazy(
    "%(name)s (%(username)s, %(email)s) registered with the credit code of %(organisation)s. "
    "Until a member or the bureau approves it, they cannot apply or act for the organisation. "
    "Approve or reject on the members page."
)
MEMBERSHIP_DECIDED_SUBJECT = {
    MembershipStatus.APPROVED: gettext_lazy("You may now act for %(organisation)s"),
    MembershipStatus.REJECTED: gettext_lazy("Your request to act for %(organisation)s was rejected"),
}
MEMBERSHIP_DECIDED_BODY = {
    MembershipStatus.APPROVED: gettext_lazy("Your membership of %(organisation)s was approved."),
    MembershipStatus.REJECTED: gettext_lazy(
        "Your membership of %(organisation)s was rejected. Ask the organisation or the bureau if this is a mistake."
    ),
}


def membership_request(*, user: User, organisation: Organisation) -> Membership:
    """``user`` asks to act for ``organisation``: a pending membership.

    Side effects: audit row ``membership.request``; a notification to the organisation's
    members (to staff when it has none) after commit."""
    membership = Membership.objects.create(user=user, organisation=organisation)
    audit_record(actor=user, action="membership.request", target=membership, to_state=MembershipStatus.PENDING)
    recipients = User.objects.filter(organisation=organisation, is_active=True)
    if not recipients.exists():
        recipients = users_with_role(Role.STAFF)
    notify(
        recipients=recipients,
        kind="membership_requested",
        subject=MEMBERSHIP_REQUESTED_SUBJECT,
        body=MEMBERSHIP_REQUESTED_BODY,
        context={
            "name": user.display_name or user.username,
            "username": user.username,
            "email": user.email,
            "organisation": organisation.name,
        },
        url=reverse("memberships"),
    )
    return membership


def _membership_decide(*, membership: Membership, actor: Any, to: MembershipStatus, comment: str) -> Membership:
    with transaction.atomic():
        # The row lock first: two members pressing at once decide once; the loser gets 409.
        locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if locked is None or not can_view_membership(actor, locked):
            raise NotVisible()
        if not can_decide_membership(actor, locked):
            raise PermissionDenied(_("Only a member of this organisation or bureau staff may decide."))
        if locked.status != MembershipStatus.PENDING:
            raise StateConflict(_("This request was already decided."))
        person = User.objects.select_for_update().get(pk=locked.user_id)
        if to == MembershipStatus.APPROVED and person.organisation_id not in (None, locked.organisation_id):
            raise StateConflict(_("This person already acts for another organisation."))
        locked.status = to
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        if to == MembershipStatus.APPROVED:
            person.organisation_id = locked.organisation_id
            person.save(update_fields=["organisation"])
        audit_record(
            actor=actor,
            action=f"membership.{'approve' if to == MembershipStatus.APPROVED else 'reject'}",
            target=locked,
            from_state=MembershipStatus.PENDING,
            to_state=to,
            comment=comment,
        )
        notify(
            recipients=[person],
            kind="membership_decided",
            subject=MEMBERSHIP_DECIDED_SUBJECT[to],
            body=MEMBERSHIP_DECIDED_BODY[to],
            context={"organisation": locked.organisation.name},
            url=reverse("home"),
        )
    return locked


def membership_approve(*, membership: Membership, actor: Any, comment: str = "") -> Membership:
    """A member of the organisation (or staff) lets a newcomer act for it.

    Checks: may decide (403), still pending (409). Side effects: ``User.organisation`` set,
    audit row ``membership.approve``, a notification to the newcomer after commit."""
    return _membership_decide(membership=membership, actor=actor, to=MembershipStatus.APPROVED, comment=comment)


def membership_reject(*, membership: Membership, actor: Any, comment: str = "") -> Membership:
    """As ``membership_approve``, but the newcomer stays without the organisation;
    audit row ``membership.reject``."""
    return _membership_decide(membership=membership, actor=actor, to=MembershipStatus.REJECTED, comment=comment)
