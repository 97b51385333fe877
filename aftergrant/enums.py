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


class MidtermStatus(models.TextChoices):
    """A mid-term report's life: scheduled until the clock opens it, open for the applicant,
    submitted for staff's check, then decided (passed, conditional or failed).

    A conditional report stays as it was decided; the re-report is a new report of the same
    round (the next ``attempt``), open at once and due by the date staff set."""

    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open for reporting")
    SUBMITTED = "submitted", _("Submitted, waiting for the check")
    PASSED = "passed", _("Passed")
    CONDITIONAL = "conditional", _("Conditional: fix and report again")
    FAILED = "failed", _("Failed")


#: The applicant still owes this report: it counts towards overdue.
MIDTERM_OWED_STATES = frozenset({MidtermStatus.SCHEDULED, MidtermStatus.OPEN})
#: Decided by staff: nothing more happens to this report.
MIDTERM_DECIDED_STATES = frozenset({MidtermStatus.PASSED, MidtermStatus.CONDITIONAL, MidtermStatus.FAILED})


class MidtermResult(models.TextChoices):
    PASS = "pass", _("Pass")
    CONDITIONAL = "conditional", _("Conditional")
    FAIL = "fail", _("Fail")
