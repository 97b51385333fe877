"""The mid-term clocks run by Celery beat: open reports on their day, remind before they are
due, escalate overdue ones to staff. Each is safe to run twice or on two beat hosts at once:
opening is a conditional state change under the report's row lock, and reminders carry a
``dedupe_key`` (one per report and due day)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applications.enums import ApplicationStatus
from applications.selectors import users_with_role
from core.errors import StateConflict
from notifications.services import notify

from .enums import MidtermStatus
from .midterm import midterm_open, midterm_overdue
from .models import MidtermReport

logger = logging.getLogger(__name__)


@shared_task
def open_midterm_reports() -> int:
    """Open every scheduled report whose opening day has come; the applicant is told."""
    today = timezone.localdate()
    due = MidtermReport.objects.filter(
        status=MidtermStatus.SCHEDULED, opens_on__lte=today, application__status=ApplicationStatus.CONTRACTED
    ).order_by("id")
    opened = 0
    for report in due:
        try:
            midterm_open(report=report, today=today)
        except StateConflict as exc:  # submitted meanwhile, or another beat host opened it
            logger.info("mid-term report %s not opened: %s", report.pk, exc.message)
            continue
        opened += 1
    return opened


@shared_task
def remind_midterm_due() -> int:
    """Remind the applicant ``PINGSHEN_MIDTERM_REMINDER_DAYS`` before an open report is due,
    once per report and due day."""
    today = timezone.localdate()
    soon = today + timedelta(days=settings.PINGSHEN_MIDTERM_REMINDER_DAYS)
    due = (
        MidtermReport.objects.filter(
            status=MidtermStatus.OPEN,
            due_on__gte=today,
            due_on__lte=soon,
            application__status=ApplicationStatus.CONTRACTED,
        )
        .select_related("application__applicant")
        .order_by("id")
    )
    sent = 0
    for report in due:
        application = report.application
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=[application.applicant],
                    kind="midterm_due",
                    subject=gettext_lazy("Mid-term report due %(due)s: %(title)s"),
                    body=gettext_lazy(
                        "The mid-term report %(round)s of “%(title)s” is due on %(due)s. Please submit it in time."
                    ),
                    context={"title": application.title, "round": report.round, "due": f"{report.due_on:%Y-%m-%d}"},
                    url=reverse("midterm-report", args=[application.pk]),
                    dedupe_key=f"midterm-reminder:{report.pk}:{report.due_on:%Y-%m-%d}",
                )
            )
    return sent


@shared_task
def escalate_overdue_midterm() -> int:
    """Tell staff (and the applicant) of each report owed past its due day, once per report."""
    staff = list(users_with_role("staff"))
    sent = 0
    for report in midterm_overdue():
        application = report.application
        context = {
            "title": application.title,
            "round": report.round,
            "due": f"{report.due_on:%Y-%m-%d}",
            "organisation": str(application.organisation or ""),
        }
        key = f"midterm-overdue:{report.pk}:{report.due_on:%Y-%m-%d}"
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=staff,
                    kind="midterm_overdue",
                    subject=gettext_lazy("Mid-term report overdue: %(title)s"),
                    body=gettext_lazy(
                        "%(organisation)s has not submitted the mid-term report %(round)s of “%(title)s”, due on "
                        "%(due)s. Chase the project, or terminate it."
                    ),
                    context=context,
                    url=reverse("midterm-overdue"),
                    dedupe_key=key,
                )
            )
            sent += len(
                notify(
                    recipients=[application.applicant],
                    kind="midterm_overdue",
                    subject=gettext_lazy("Your mid-term report is overdue: %(title)s"),
                    body=gettext_lazy(
                        "The mid-term report %(round)s of “%(title)s” was due on %(due)s. Please submit it now."
                    ),
                    context=context,
                    url=reverse("midterm-report", args=[application.pk]),
                    dedupe_key=key,
                )
            )
    return sent
