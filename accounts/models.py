from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import Language, MembershipStatus, OrganisationKind, Role
from .validators import validate_credit_code


class Organisation(models.Model):
    """An applicant's or expert's unit: enterprise, co-operative, hospital, institute…"""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.ENTERPRISE
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person. What they may do comes from their roles (groups named by role code)."""

    display_name = models.CharField(_("name"), max_length=100, blank=True)
    #: The organisation this person acts for. Set only through an approved ``Membership``
    #: (``accounts.services``): a newcomer who registered with a known credit code has none
    #: until a member or staff approve them, so everything that acts "for the organisation"
    #: reads this field and nothing else.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """Role codes of this user, cached on the instance for the request."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True)) & set(Role.values)
            self._roles_cache = cached
        return cached

    def has_role(self, role: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser and role == Role.STAFF:
            return True
        return role in self.roles


class Membership(models.Model):
    """A person's request to act for an organisation, and its answer (issue 14.4).

    One row per person and organisation. ``User.organisation`` follows the approved one;
    only ``accounts.services.membership_approve`` / ``membership_reject`` change ``status``.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_per_person_and_organisation"),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="membership_org_status")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class ApiToken(models.Model):
    """An API token (``Authorization: Token <key>``), stored as the SHA-256 of its key.

    The key is shown once, when it is issued; the database keeps only its digest, so a copy
    of the database (a backup, a read-only replica, a leaked dump) holds no live credential.
    A key is 160 random bits, so an unsalted hash is as hard to reverse as the key is to
    guess. Each ask for a token issues a new one (a client cannot be given back a key that
    is not stored); they end ``PINGSHEN_TOKEN_HOURS`` after issue, at log-out, and when the
    password changes.
    """

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    #: The key's first characters, enough for a person to tell their tokens apart.
    prefix = models.CharField(_("key prefix"), max_length=8)
    created = models.DateTimeField(_("issued at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"
