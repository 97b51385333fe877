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


class Recommendation(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")
