"""The page's long steps as background jobs (issue 18).

The call draw: at county scale (10,000 items, 10,000 experts) it takes about ten seconds, too
long to hold the page's request. The page accepts the draw (``call_draw_start``) and sends
staff to the job's page, whose bar moves as the task (``workflow.tasks.call_draw_run``)
reports; the task runs the same step as before (``steps.call_draw``: its permission checks,
locks, audit and invitations), as the staff member who asked. The REST API's draw stays
synchronous (its contract answers with the assignments).

Closing a notice moves every item on it on through its workflow step: a notice of more than
``NOTICE_CLOSE_INLINE_MAX`` items is closed from the page as a job (``notice_close_start``),
a smaller one in the request as before; the REST API and the clock close it in one go.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.recent import require_recent_login
from accounts.rules import is_staff
from applications.enums import ApplicationStatus
from applications.models import Application, Call
from core.errors import StateConflict
from core.jobs import job_claim, job_create, job_enqueue, job_fail, job_finish, job_progress
from core.models import Job
from core.typing import StrOrPromise
from funding.models import Notice
from funding.rules import notice_close_refusal
from reviews.models import Draw

from . import steps

logger = logging.getLogger(__name__)
T = TypeVar("T")
M = TypeVar("M", bound=Model)

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


def _run_step(job: Job, step: Callable[[], T], *, unexpected: str) -> T | None:
    """``step()`` for ``job``, or ``None`` with the job failed: a refusal (a state conflict,
    a role, bad input) with its reason, anything else with ``unexpected`` (and logged). The
    steps run in one transaction, so a failed job has written nothing."""
    try:
        return step()
    except StateConflict as exc:
        job_fail(job=job, error=str(exc.message))
    except (PermissionDenied, ValidationError) as exc:
        job_fail(job=job, error=" ".join(getattr(exc, "messages", None) or [str(exc)]))
    except Exception:
        logger.exception("%s job %s failed", job.kind, job.pk)
        job_fail(job=job, error=unexpected)
    return None


def _run_on(
    job_id: int,
    model: type[M],
    key: str,
    *,
    gone: StrOrPromise,
    step: Callable[[Job, M, Callable[[int], None]], T],
    unexpected: StrOrPromise,
    result: Callable[[Job, M, T], dict[str, Any]],
) -> None:
    """A page's job as the worker runs it: claim the job (a task delivered twice runs once),
    find the row its ``key`` parameter names (else fail with ``gone``), run ``step(job, row,
    progress)`` as the job's creator (:func:`_run_step`), and finish the job with ``result``.
    In the language of whoever started it."""
    job = job_claim(job_id=job_id)
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        row = model._default_manager.filter(pk=job.params.get(key)).first()
        if row is None:
            job_fail(job=job, error=str(gone))
            return
        done = _run_step(
            job,
            lambda: step(job, row, lambda n: job_progress(job=job, done=min(n, job.total))),
            unexpected=str(unexpected),
        )
        if done is not None:
            job_finish(job=job, result=result(job, row, done))


def call_draw_job_run(*, job_id: int) -> None:
    """Run the draw step as the job's creator and report the draw (or why it was refused)."""

    def report(job: Job, call: Call, draw: Draw) -> dict[str, Any]:
        short = draw.items.filter(shortfall__gt=0).count()
        return {
            "call": call.pk,
            "draw": draw.pk,
            "seed": draw.seed,
            "drawn": draw.items.count() - short,
            "short": short,
        }

    _run_on(
        job_id,
        Call,
        "call",
        gone=gettext_lazy("The call no longer exists."),
        step=lambda job, call, progress: steps.call_draw(
            call=call, actor=job.created_by, seed=job.params.get("seed") or None, progress=progress
        ),
        unexpected=gettext_lazy("The draw stopped on an unexpected error; nothing was drawn."),
        result=report,
    )


# --- closing a large notice -------------------------------------------------------------------------

#: The kind of ``core.Job`` a page's close of a large notice runs as.
NOTICE_CLOSE_JOB_KIND = "notices.close"
#: A notice with more items than this is closed from the page as a job: each item moves on
#: through its workflow step (≈ 5 ms a step on an idle machine, far more under load), and a
#: province's decision notice carries thousands.
NOTICE_CLOSE_INLINE_MAX = 200


def notice_close_start(*, notice: Notice, actor: Any) -> Job:
    """Accept the close of a notice as a background job and queue it after commit.

    What refuses the close answers at once (``notice_close_refusal``: staff only, not before
    the window ends, not while an objection is open, not twice; and a recent login), so no job
    is queued that would only fail; the job then runs ``steps.notice_close`` as the staff
    member who asked, which checks all of it again under the notice's lock."""
    require_recent_login(actor)
    if refusal := notice_close_refusal(actor, notice):
        raise refusal
    with transaction.atomic():
        job = job_create(
            kind=NOTICE_CLOSE_JOB_KIND,
            actor=actor,
            total=notice.applications.count(),
            task="workflow.tasks.notice_close_run",
            params={"notice": notice.pk, "call": notice.call_id},
        )
        job_enqueue(job)
    return job


def notice_close_job_run(*, job_id: int) -> None:
    """Close the notice as the job's creator, with progress per item moved on, and record how
    many moved on (or why it was refused)."""
    _run_on(
        job_id,
        Notice,
        "notice",
        gone=gettext_lazy("The notice no longer exists."),
        step=lambda job, notice, progress: steps.notice_close(notice=notice, actor=job.created_by, progress=progress),
        unexpected=gettext_lazy("Closing the notice stopped on an unexpected error; the notice is still open."),
        result=lambda job, notice, _closed: {"call": notice.call_id, "notice": notice.pk, "moved": job.done},
    )
