from django.db import models
from django.utils.translation import gettext_lazy as _


class BudgetLine(models.TextChoices):
    """The budget lines of a county S&T plan project (预算科目)."""

    EQUIPMENT = "equipment", _("Equipment")
    MATERIALS = "materials", _("Materials")
    TESTING = "testing", _("Testing and processing")
    TRAVEL = "travel", _("Travel and meetings")
    LABOUR = "labour", _("Labour")
    OTHER = "other", _("Other")


class ContractStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for checking")
    RETURNED = "returned", _("Returned")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
