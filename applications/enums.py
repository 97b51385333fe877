"""Application states and the groups of them that mean one thing everywhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, in formal review")
    RETURNED = "returned", _("Returned for revision")
    REJECTED = "rejected", _("Rejected")
    IN_REVIEW = "in_review", _("In expert review")
    REVIEWED = "reviewed", _("Reviewed, awaiting decision")
    FUNDED = "funded", _("Funded")
    NOT_FUNDED = "not_funded", _("Not funded")
    CONTRACTED = "contracted", _("Contract signed")
    ACCEPTANCE_SUBMITTED = "acceptance_submitted", _("Acceptance report submitted")
    CLOSED = "closed", _("Closed")
    FAILED = "failed", _("Failed acceptance")
    TERMINATED = "terminated", _("Terminated")
    # Progress-award nominations (科技进步奖): the committee's decision, then the notice.
    AWARDED = "awarded", _("Awarded, on public notice")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    GRANTED = "granted", _("Award granted, bonus being paid")
    # Higher-level calls (upward app): the panel recommends within the county's quota, then
    # staff record what the city, province or state decided.
    RECOMMENDED = "recommended", _("Recommended to the higher level")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    UPPER_FUNDED = "upper_funded", _("Funded by the higher level")
    UPPER_NOT_FUNDED = "upper_not_funded", _("Not funded by the higher level")


S = ApplicationStatus

#: The applicant may still change the text and attachments.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
#: The bureau has the application: staff and the panel may see it.
SUBMITTED_STATES = frozenset(set(S) - {S.DRAFT})
#: Decided by the panel or the award committee (funded / awarded or not).
DECIDED_STATES = frozenset(
    {
        S.FUNDED,
        S.NOT_FUNDED,
        S.CONTRACTED,
        S.ACCEPTANCE_SUBMITTED,
        S.CLOSED,
        S.FAILED,
        S.AWARDED,
        S.NOT_AWARDED,
        S.GRANTED,
        S.RECOMMENDED,
        S.NOT_RECOMMENDED,
        S.UPPER_FUNDED,
        S.UPPER_NOT_FUNDED,
    }
)
#: Money was granted and stays granted (an award's bonus counts once it is decided).
GRANTED_STATES = frozenset({S.FUNDED, S.CONTRACTED, S.ACCEPTANCE_SUBMITTED, S.CLOSED, S.AWARDED, S.GRANTED})
#: Nothing more happens.
FINAL_STATES = frozenset(
    {S.REJECTED, S.NOT_FUNDED, S.CLOSED, S.FAILED, S.TERMINATED, S.NOT_AWARDED, S.NOT_RECOMMENDED, S.UPPER_NOT_FUNDED}
)
#: Projects an organisation holds open (限项): granted and not yet through acceptance.
OPEN_PROJECT_STATES = frozenset({S.FUNDED, S.CONTRACTED, S.ACCEPTANCE_SUBMITTED})
#: Granted projects still owing their acceptance report: overdue once their end date has passed.
ACCEPTANCE_DUE_STATES = frozenset({S.FUNDED, S.CONTRACTED})
#: Items of a call that count towards its limit per organisation: submitted and not withdrawn.
LIMIT_COUNTED_STATES = frozenset(SUBMITTED_STATES - {S.TERMINATED})
#: Decided on by the committee and waiting for the public notice (published together).
NOTICE_STATES = frozenset({S.FUNDED, S.NOT_FUNDED, S.AWARDED, S.NOT_AWARDED})


class CallKind(models.TextChoices):
    PLAN = "plan", _("S&T plan call")
    AWARD = "award", _("S&T progress award round")
    #: The county's own record of a city, provincial or national call (``upward.UpperCall``):
    #: never counted in the county's plan reports.
    UPPER = "upper", _("Higher-level call")


class ItemKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    NOMINATION = "nomination", _("Nomination")


class ScoringRule(models.TextChoices):
    MEAN = "mean", _("Mean")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (drop highest and lowest)")
    ZSCORE = "zscore", _("Reviewer-normalised (z-score)")


class FormalDecision(models.TextChoices):
    ACCEPT = "accept", _("Accept for expert review")
    RETURN = "return", _("Return for revision")
    REJECT = "reject", _("Reject")


#: Every allowed status change. ``application_transition`` refuses anything else.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.TERMINATED}),
    S.SUBMITTED: frozenset({S.RETURNED, S.REJECTED, S.IN_REVIEW, S.TERMINATED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.TERMINATED}),
    S.IN_REVIEW: frozenset({S.REVIEWED, S.TERMINATED}),
    S.REVIEWED: frozenset(
        {S.FUNDED, S.NOT_FUNDED, S.AWARDED, S.NOT_AWARDED, S.RECOMMENDED, S.NOT_RECOMMENDED, S.TERMINATED}
    ),
    S.FUNDED: frozenset({S.CONTRACTED, S.TERMINATED}),
    S.CONTRACTED: frozenset({S.ACCEPTANCE_SUBMITTED, S.TERMINATED}),
    S.ACCEPTANCE_SUBMITTED: frozenset({S.CLOSED, S.FAILED, S.CONTRACTED, S.TERMINATED}),
    S.REJECTED: frozenset(),
    S.NOT_FUNDED: frozenset(),
    S.CLOSED: frozenset(),
    S.FAILED: frozenset(),
    S.TERMINATED: frozenset(),
    S.AWARDED: frozenset({S.GRANTED, S.TERMINATED}),
    S.GRANTED: frozenset({S.CLOSED, S.TERMINATED}),
    S.NOT_AWARDED: frozenset(),
    S.RECOMMENDED: frozenset({S.UPPER_FUNDED, S.UPPER_NOT_FUNDED, S.TERMINATED}),
    S.NOT_RECOMMENDED: frozenset(),
    S.UPPER_FUNDED: frozenset({S.TERMINATED}),
    S.UPPER_NOT_FUNDED: frozenset(),
}


class AcceptanceDocument(models.TextChoices):
    """Attachments of an acceptance file (验收), uploaded while the project owes it
    (``aftergrant.acceptance``); the audit report is required from a county grant of
    ``PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN``."""

    AUDIT = "acceptance_audit", _("Audit report (审计报告)")
    OTHER = "acceptance_other", _("Other acceptance document")
