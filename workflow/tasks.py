"""Clocks run by Celery beat. Each is idempotent and safe on two beat hosts at once:
the work it does is guarded by row locks and state checks in the services it calls."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from aftergrant.midterm import midterm_overdue, midterm_waiting_check
from aftergrant.selectors import acceptance_due_on, acceptance_end_q, acceptance_overdue_q
from applications.enums import ACCEPTANCE_DUE_STATES, ApplicationStatus
from applications.links import item_staff_url, item_url
from applications.models import Application, Call
from applications.selectors import users_with_role
from applications.services import call_close
from core.errors import StateConflict
from funding.enums import ObjectionStatus
from funding.models import Notice, Objection
from notifications.channels import absolute_url
from notifications.enums import DeliveryState
from notifications.models import Notification
from notifications.services import notify
from reviews.enums import AssignmentStatus
from reviews.models import Assignment

from . import steps
from .deadlines import overdue_reviews, unanswered_past_deadline

logger = logging.getLogger(__name__)


@shared_task
def close_due_calls() -> int:
    """Close every call whose deadline has passed."""
    due = Call.objects.filter(closed_at__isnull=True, closes_at__lte=timezone.now())
    closed = 0
    for call in due:
        call_close(call=call, actor=None)
        closed += 1
    return closed


@shared_task
def close_due_notices() -> int:
    """Close notices whose window ended and that have no open objection."""
    due = Notice.objects.filter(closed_at__isnull=True, ends_at__lte=timezone.now()).exclude(
        objections__status=ObjectionStatus.OPEN
    )
    closed = 0
    for notice in due:
        try:
            steps.notice_close(notice=notice, actor=None)
        except StateConflict as exc:  # another beat host closed it, or an objection just arrived
            logger.info("notice %s not closed: %s", notice.pk, exc.message)
            continue
        closed += 1
    return closed


# --- review deadlines ---------------------------------------------------------------------------


@shared_task
def expire_unanswered_invitations() -> int:
    """Expire invitations not accepted by their response deadline and draw replacements."""
    now = timezone.now()
    expired = 0
    for assignment in unanswered_past_deadline(now).select_related("application").order_by("id"):
        try:
            steps.assignment_expire(assignment=assignment, now=now)
        except StateConflict as exc:  # answered meanwhile, or another beat host got there first
            logger.info("assignment %s not expired: %s", assignment.pk, exc.message)
            continue
        expired += 1
    return expired


@shared_task
def remind_due_reviews() -> int:
    """Remind experts ``PINGSHEN_REVIEW_REMINDER_DAYS`` before a review is due, once per due date."""
    now = timezone.now()
    soon = now + timedelta(days=settings.PINGSHEN_REVIEW_REMINDER_DAYS)
    due = Assignment.objects.filter(
        status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED], due_at__gt=now, due_at__lte=soon
    ).select_related("expert__user", "application")
    sent = 0
    for assignment in due.order_by("id"):
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=[assignment.expert.user],
                    kind="review_reminder",
                    subject=gettext_lazy("Review due %(due)s: %(title)s"),
                    body=gettext_lazy("Your review of “%(title)s” is due on %(due)s. Please submit it in time."),
                    context={"title": assignment.application.title, "due": _day(assignment.due_at)},
                    url=reverse("review-detail", args=[assignment.pk]),
                    dedupe_key=f"review-reminder:{assignment.pk}:{_day(assignment.due_at)}",
                )
            )
    return sent


@shared_task
def escalate_overdue_reviews() -> int:
    """Tell staff (and the expert) of each accepted review past its due date, once per due date."""
    now = timezone.now()
    sent = 0
    for assignment in overdue_reviews(now).select_related("expert__user", "application").order_by("id"):
        context = {
            "title": assignment.application.title,
            "due": _day(assignment.due_at),
            "expert": str(assignment.expert),
        }
        key = f"review-overdue:{assignment.pk}:{_day(assignment.due_at)}"
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=users_with_role("staff"),
                    kind="review_overdue",
                    subject=gettext_lazy("Review overdue: %(title)s"),
                    body=gettext_lazy(
                        "%(expert)s has not submitted the review of “%(title)s”, due on %(due)s. "
                        "Chase the expert, or close the slot or draw a replacement."
                    ),
                    context=context,
                    url=reverse("reviews-overdue"),
                    dedupe_key=key,
                )
            )
            sent += len(
                notify(
                    recipients=[assignment.expert.user],
                    kind="review_overdue",
                    subject=gettext_lazy("Your review is overdue: %(title)s"),
                    body=gettext_lazy("Your review of “%(title)s” was due on %(due)s. Please submit it now."),
                    context=context,
                    url=reverse("review-detail", args=[assignment.pk]),
                    dedupe_key=key,
                )
            )
    return sent


# --- acceptance ---------------------------------------------------------------------------------


@shared_task
def remind_acceptance_due() -> int:
    """Remind applicants of the acceptance file from ``PINGSHEN_ACCEPTANCE_REMINDER_DAYS``
    before their project ends until it is due; once it is overdue (the one rule,
    ``aftergrant.selectors.acceptance_overdue_q``), tell them it is overdue and escalate to
    staff. Each message goes once per project and end date (a changed end date reminds again)."""
    today = timezone.localdate()
    soon = today + timedelta(days=settings.PINGSHEN_ACCEPTANCE_REMINDER_DAYS)
    due = (
        Application.objects.filter(status__in=ACCEPTANCE_DUE_STATES)
        .annotate(
            acceptance_ends_on=acceptance_end_q(),
            is_overdue=ExpressionWrapper(acceptance_overdue_q(today), output_field=BooleanField()),
        )
        .filter(acceptance_ends_on__isnull=False, acceptance_ends_on__lte=soon)
        .select_related("applicant")
    )
    staff = list(users_with_role("staff"))
    sent = 0
    for application in due.order_by("id"):
        end = application.acceptance_ends_on  # annotated above
        overdue = bool(application.is_overdue)
        context = {
            "title": application.title,
            "end": f"{end:%Y-%m-%d}",
            "due": f"{acceptance_due_on(end):%Y-%m-%d}",
        }
        key = f"acceptance-{'overdue' if overdue else 'due'}:{application.pk}:{context['end']}"
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=[application.applicant],
                    kind="acceptance_due",
                    subject=(
                        gettext_lazy("Acceptance report overdue: %(title)s")
                        if overdue
                        else gettext_lazy("Acceptance report due: %(title)s")
                    ),
                    body=(
                        gettext_lazy(
                            "The project “%(title)s” ended on %(end)s and its acceptance file was due by %(due)s. "
                            "Submit its acceptance report and accounts now."
                        )
                        if overdue
                        else gettext_lazy(
                            "The project “%(title)s” ends on %(end)s. Prepare its acceptance report and accounts "
                            "and submit them by %(due)s."
                        )
                    ),
                    context=context,
                    url=item_url(application),
                    dedupe_key=key,
                )
            )
            if overdue:
                # Escalation: staff chase a project that let its acceptance window pass.
                sent += len(
                    notify(
                        recipients=staff,
                        kind="acceptance_due",
                        subject=gettext_lazy("Acceptance overdue: %(title)s"),
                        body=gettext_lazy(
                            "The project “%(title)s” ended on %(end)s and has not filed its acceptance, due by %(due)s."
                        ),
                        context=context,
                        url=item_staff_url(application),
                        dedupe_key=f"{key}:staff",
                    )
                )
    return sent


# --- the staff digest ---------------------------------------------------------------------------


@shared_task
def send_staff_digest() -> int:
    """One e-mail a day to each staff member who asked for it, summarising what waits for them.

    Skipped when nothing waits; written once per person and day whatever runs it."""
    from notifications.services import DIGEST_KIND

    counts = staff_waiting(timezone.now())
    if not any(n for _label, n, _url in counts):
        return 0
    day = f"{timezone.localdate():%Y-%m-%d}"
    recipients = users_with_role("staff").filter(email_preferences__kind=DIGEST_KIND, email_preferences__email=True)
    sent = 0
    for user in recipients.order_by("id"):
        with transaction.atomic(), translation.override(user.language or settings.LANGUAGE_CODE):
            body = "\n".join(
                [gettext("What waits for you today:"), ""]
                + [f"- {gettext(label)}: {n}  {absolute_url(url)}" for label, n, url in counts if n]
            )
            sent += len(
                notify(
                    recipients=[user],
                    kind=DIGEST_KIND,
                    subject=gettext_lazy("Pingshen daily summary, %(day)s"),
                    body="%(body)s",
                    context={"body": body, "day": day},
                    url=reverse("home"),
                    dedupe_key=f"staff-digest:{day}",
                )
            )
    return sent


def staff_waiting(now: datetime) -> list[tuple[str, int, str]]:
    """What waits for bureau staff: (label, count, link), in a few aggregate queries."""
    apps = Application.objects.aggregate(
        submitted=Count("id", filter=Q(status=ApplicationStatus.SUBMITTED)),
        acceptance=Count("id", filter=Q(status=ApplicationStatus.ACCEPTANCE_SUBMITTED)),
    )
    open_slots = Assignment.objects.filter(
        status__in=[AssignmentStatus.DECLINED, AssignmentStatus.EXPIRED],
        application__status=ApplicationStatus.IN_REVIEW,
    ).exclude(pk__in=Assignment.objects.filter(replaces__isnull=False).values("replaces_id"))
    return [
        (gettext_noop("Submissions waiting for formal review"), apps["submitted"], "/"),
        (gettext_noop("Overdue reviews"), overdue_reviews(now).count(), "/reviews/overdue/"),
        (gettext_noop("Review slots without an expert"), open_slots.count(), "/reviews/overdue/"),
        (
            gettext_noop("Open objections"),
            Objection.objects.filter(status=ObjectionStatus.OPEN).count(),
            "/objections/",
        ),
        (gettext_noop("Acceptance reports to decide"), apps["acceptance"], "/"),
        (gettext_noop("Mid-term reports to check"), midterm_waiting_check().count(), "/#midterm"),
        (gettext_noop("Overdue mid-term reports"), midterm_overdue().count(), "/midterm/overdue/"),
        (
            gettext_noop("Notifications that failed to send"),
            Notification.objects.filter(state=DeliveryState.FAILED).count(),
            "/outbox/?state=failed",
        ),
    ]


def _day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


# --- the audit trail ----------------------------------------------------------------------------


@shared_task
def verify_audit_trail() -> bool:
    """Daily: walk the audit trail's hash chain; when it is broken, alert every staff member
    (once a day per problem). Returns whether the trail is whole."""
    from audit.chain import problem_message
    from audit.services import audit_verify

    report = audit_verify()
    if report.problem is None:
        return True
    problem = report.problem
    logger.error("audit trail broken: %s at entry %s", problem.kind, problem.seq)
    with transaction.atomic():
        notify(
            recipients=users_with_role("staff"),
            kind="audit_broken",
            subject=gettext_lazy("The audit trail was altered (entry %(seq)s)"),
            body=gettext_lazy(
                "The daily check of the audit trail found: %(detail)s The %(checked)s entries before it are "
                "intact. Restore the database from a backup taken before the change, and find out who had "
                "direct access to it. The check page: %(url)s"
            ),
            context={
                "seq": problem.seq,
                # Rendered per recipient, in each one's language.
                "detail": lazy(problem_message, str)(problem, report.head_seq),
                "checked": report.checked,
                "url": absolute_url(reverse("audit-verify")),
            },
            url=reverse("audit-verify"),
            dedupe_key=f"audit-broken:{problem.kind}:{problem.seq}:{timezone.localdate():%Y-%m-%d}",
        )
    return False


@shared_task
def call_draw_run(*, job_id: int) -> None:
    """Draw the experts of a ``calls.draw`` job's call; a second delivery finds it claimed."""
    from .jobs import call_draw_job_run

    call_draw_job_run(job_id=job_id)


@shared_task
def suggestions_apply_run(*, job_id: int) -> None:
    """Decide the plan of a ``funding.apply`` job; a second delivery finds it claimed."""
    from .suggestions import suggestions_apply_job_run

    suggestions_apply_job_run(job_id=job_id)


@shared_task
def notice_close_run(*, job_id: int) -> None:
    """Close the notice of a ``notices.close`` job; a second delivery finds it claimed."""
    from .jobs import notice_close_job_run

    notice_close_job_run(job_id=job_id)
