"""The call draw as a background job (issue 18): at county scale (10,000 items, 10,000
experts) the draw takes about ten seconds, too long to hold the page's request.

The page accepts the draw (``call_draw_start``) and sends staff to the job's page, whose bar
moves as the task (``workflow.tasks.call_draw_run``) reports; the task runs the same step as
before (``steps.call_draw``: its permission checks, locks, audit and invitations), as the
staff member who asked. The REST API's draw stays synchronous (its contract answers with the
assignments).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.rules import is_staff
from applications.enums import ApplicationStatus
from applications.models import Application, Call
from core.errors import StateConflict
from core.jobs import job_claim, job_create, job_enqueue, job_fail, job_finish, job_progress
from core.models import Job

from . import steps

logger = logging.getLogger(__name__)

#: The kind of ``core.Job`` a page's call draw runs as.
CALL_DRAW_JOB_KIND = "calls.draw"


def call_draw_start(*, call: Call, actor: Any, seed: str | None = None) -> Job:
    """Accept a draw of the call's experts as a background job and queue it after commit.

    Refused at once: anyone but staff (``PermissionDenied``), a seed over 64 characters
    (``ValidationError``). Everything else (nothing to draw, a lock held) is the step's to
    answer, and fails the job with its reason. The job counts the call's items in review
    three times over (``steps.call_draw``'s progress). Side effects: the ``core.Job``; the task
    queued after commit (run at once, in process, without a broker)."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff draw experts."))
    if seed and len(seed) > 64:
        raise ValidationError({"seed": [_("A seed is at most 64 characters.")]})
    with transaction.atomic():
        items = Application.objects.filter(call=call, status=ApplicationStatus.IN_REVIEW).count()
        job = job_create(
            kind=CALL_DRAW_JOB_KIND,
            actor=actor,
            total=3 * items,
            task="workflow.tasks.call_draw_run",
            params={"call": call.pk, "seed": seed or ""},
        )
        job_enqueue(job)
    return job


def call_draw_job_run(*, job_id: int) -> None:
    """The job's work, as the worker runs it: claim the job (a task delivered twice runs
    once), run the draw step as its creator, and report the draw (or why it was refused)."""
    job = job_claim(job_id=job_id)
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        call = Call.objects.filter(pk=job.params.get("call")).first()
        if call is None:
            job_fail(job=job, error=_("The call no longer exists."))
            return
        try:
            draw = steps.call_draw(
                call=call,
                actor=job.created_by,
                seed=job.params.get("seed") or None,
                progress=lambda done: job_progress(job=job, done=min(done, job.total)),
            )
        except StateConflict as exc:
            job_fail(job=job, error=str(exc.message))
            return
        except (PermissionDenied, ValidationError) as exc:
            job_fail(job=job, error=" ".join(getattr(exc, "messages", None) or [str(exc)]))
            return
        except Exception:
            logger.exception("call draw job %s failed", job.pk)
            job_fail(job=job, error=_("The draw stopped on an unexpected error; nothing was drawn."))
            return
        short = draw.items.filter(shortfall__gt=0).count()
        job_finish(
            job=job,
            result={
                "call": call.pk,
                "draw": draw.pk,
                "seed": draw.seed,
                "drawn": draw.items.count() - short,
                "short": short,
            },
        )
