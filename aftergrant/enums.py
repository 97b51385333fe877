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


class ChangeKind(models.TextChoices):
    """What a change request (项目变更) asks for."""

    EXTENSION = "extension", _("Extension")
    LEADER = "leader", _("Change of project leader")
    UNIT = "unit", _("Change of undertaking unit")
    TARGETS = "targets", _("Change of targets")
    BUDGET = "budget", _("Moving money between budget lines")
    TERMINATION = "termination", _("Termination")


class ChangeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    STAFF_APPROVED = "staff_approved", _("Approved by staff")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


#: A request still waiting for a step of its chain: at most one per kind and project.
OPEN_CHANGE_STATES = frozenset({ChangeStatus.SUBMITTED, ChangeStatus.STAFF_APPROVED})


class ChangeStep(models.TextChoices):
    """Who approves a step of a change request's chain, in order (staff always first)."""

    STAFF = "staff", _("Bureau staff")
    FINANCE_HEAD = "finance_head", _("Finance head")
    PANEL = "panel", _("Panel")
