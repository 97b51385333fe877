from django.db import models
from django.utils.translation import gettext_lazy as _


class DisbursementStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    OFFICER_APPROVED = "officer_approved", _("Approved by finance officer")
    APPROVED = "approved", _("Approved by finance head")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


D = DisbursementStatus
#: Money committed to be paid (counts against what was granted).
COMMITTED_DISBURSEMENT_STATES = frozenset({D.REQUESTED, D.OFFICER_APPROVED, D.APPROVED, D.PAID})


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class AcceptanceResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    RECTIFY = "rectify", _("Rectify and resubmit")


class NoticeKind(models.TextChoices):
    """What a public notice announces: a call's funding (or award) decisions, or the projects
    that passed acceptance (验收结果公示)."""

    DECISION = "decision", _("Decisions")
    ACCEPTANCE = "acceptance", _("Acceptance results")


class AcceptanceCheck(models.TextChoices):
    """Staff's check of an acceptance file before the experts see it."""

    SUBMITTED = "submitted", _("Waiting for the check")
    RETURNED = "returned", _("Returned to the applicant")
    ACCEPTED = "accepted", _("Accepted for expert acceptance")


class AcceptanceCheckDecision(models.TextChoices):
    ACCEPT = "accept", _("Accept for the experts")
    RETURN = "return", _("Return to the applicant")
