"""Clocks run by Celery beat. Each is idempotent and safe on two beat hosts at once:
the work it does is guarded by row locks and state checks in the services it calls."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from applications.models import Call
from applications.services import call_close
from core.errors import StateConflict
from funding.enums import ObjectionStatus
from funding.models import Notice

from . import steps

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
