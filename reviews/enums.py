from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SUBMITTED = "submitted", _("Review submitted")
    EXPIRED = "expired", _("Expired")


A = AssignmentStatus
#: The expert still owes an answer or a review.
OPEN_ASSIGNMENT_STATES = frozenset({A.INVITED, A.ACCEPTED})
#: Counts against the expert's load limit.
LOAD_STATES = frozenset({A.INVITED, A.ACCEPTED})
#: The expert holds one of the item's seats: a draw fills the seats an item lacks.
SEATED_STATES = (A.INVITED, A.ACCEPTED, A.SUBMITTED)


class Recommendation(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")
    # An acceptance (验收) expert's words (issue 17.2).
    PASS = "pass", _("Pass")
    RECTIFY = "rectify", _("Rectify and resubmit")
    FAIL = "fail", _("Fail")


class AssignmentPurpose(models.TextChoices):
    """What an expert is drawn for: the review of an application, or the acceptance of a
    funded project. Acceptance assignments never count in the ranking, the review's progress,
    the review tasks or the applicant's feedback."""

    REVIEW = "review", _("Review")
    ACCEPTANCE = "acceptance", _("Acceptance")


#: The words each purpose's experts recommend with; any other word is a 400.
RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    AssignmentPurpose.REVIEW: (Recommendation.SUPPORT, Recommendation.OPPOSE),
    AssignmentPurpose.ACCEPTANCE: (Recommendation.PASS, Recommendation.RECTIFY, Recommendation.FAIL),
}


class DrawKind(models.TextChoices):
    INITIAL = "initial", _("Initial draw")
    REPLACEMENT = "replacement", _("Replacement draw")
    ACCEPTANCE = "acceptance", _("Acceptance draw")


class DrawExclusion(models.TextChoices):
    """Why an expert in the item's field was passed over by a draw (回避 and the like)."""

    INACTIVE = "inactive", _("Not active")
    CREDIT_RECORD = "credit_record", _("Has a credit record in force")
    ALREADY_ASSIGNED = "already_assigned", _("Already assigned to this item")
    SAME_ORGANISATION = "same_organisation", _("Same organisation as the applicant")
    DECLARED_CONFLICT = "declared_conflict", _("Declared a conflict with the applicant")
    LOAD_LIMIT = "load_limit", _("At their load limit")
