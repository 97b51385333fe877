"""States and choices of credit records (科研诚信)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubjectType(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    EXPERT = "expert", _("Expert")


class CreditLevel(models.TextChoices):
    MINOR = "minor", pgettext_lazy("credit level", "Minor")
    SERIOUS = "serious", pgettext_lazy("credit level", "Serious")
    SEVERE = "severe", pgettext_lazy("credit level", "Severe")


class CreditStatus(models.TextChoices):
    """A record takes effect once a second staff member confirms it; an upheld appeal revokes it."""

    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REVOKED = "revoked", _("Revoked on appeal")


class AppealStatus(models.TextChoices):
    NONE = "", _("No appeal")
    OPEN = "open", _("Appeal open")
    UPHELD = "upheld", _("Appeal upheld")
    REJECTED = "rejected", _("Appeal rejected")
