"""Levels, award outcomes and assessment results of the county's upward work."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UpperLevel(models.TextChoices):
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


#: The order levels are reported in (the highest first, as the bureau's summary lists them).
LEVEL_ORDER = (UpperLevel.NATIONAL, UpperLevel.PROVINCE, UpperLevel.CITY)


class AwardLevelUp(models.TextChoices):
    """Where a county award winner is put forward."""

    CITY = "city", _("City")
    PROVINCE = "province", _("Province")


class PutForwardOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the result")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")


class AssessmentResult(models.TextChoices):
    """The annual assessment (考核) of a commissioner."""

    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class UpperAcceptanceResult(models.TextChoices):
    """The county-organised acceptance (验收) of a project funded above the county."""

    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
