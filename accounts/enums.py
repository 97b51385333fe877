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
