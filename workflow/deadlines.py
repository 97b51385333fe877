"""The review deadlines the clocks keep (``workflow.tasks``) and the pages show."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Least

from reviews.enums import AssignmentStatus
from reviews.models import Assignment


def _response_days() -> timedelta:
    return timedelta(days=settings.PINGSHEN_REVIEW_RESPONSE_DAYS)


def response_deadline(assignment: Assignment) -> datetime:
    """An invitation must be accepted within the response days, and never after it is due."""
    return min(assignment.invited_at + _response_days(), assignment.due_at)


def unanswered_past_deadline(now: datetime) -> QuerySet[Assignment]:
    """Invitations whose response deadline has passed without an answer."""
    deadline = ExpressionWrapper(Least(F("invited_at") + _response_days(), F("due_at")), output_field=DateTimeField())
    return (
        Assignment.objects.filter(status=AssignmentStatus.INVITED)
        .annotate(response_deadline=deadline)
        .filter(response_deadline__lte=now)
    )


def overdue_reviews(now: datetime) -> QuerySet[Assignment]:
    """Accepted reviews whose due date has passed without a review: staff chase these."""
    return Assignment.objects.filter(Q(status=AssignmentStatus.ACCEPTED), due_at__lte=now)
