"""Roles and organisation kinds. Role codes are stable identifiers, never translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    NOMINATOR = "nominator", _("Nominator")
    STAFF = "staff", _("Bureau staff")
    EXPERT = "expert", _("Expert reviewer")
    PANEL = "panel", _("Panel member")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    FINANCE_HEAD = "finance_head", _("Finance head")


FINANCE_ROLES = frozenset({Role.FINANCE_OFFICER, Role.FINANCE_HEAD})

#: Roles bureau staff may give when they create an account (issue 14.1).
STAFF_GRANTED_ROLES = frozenset({Role.APPLICANT, Role.NOMINATOR, Role.EXPERT})
#: Roles that decide or move money: only an administrator (superuser) grants them.
ADMIN_GRANTED_ROLES = frozenset({Role.STAFF, Role.PANEL, Role.FINANCE_OFFICER, Role.FINANCE_HEAD})


class MembershipStatus(models.TextChoices):
    """A person's membership of an organisation: only an approved one lets them act for it."""

    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    COOPERATIVE = "cooperative", _("Farmers' co-operative")
    HOSPITAL = "hospital", _("Hospital")
    INSTITUTE = "institute", _("Research institute")
    UNIVERSITY = "university", _("University")
    GOVERNMENT = "government", _("Government body")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")
