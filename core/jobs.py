"""Moving a background job along (``core.models.Job``); the only code that sets its status.

The app owning the work creates the job (``job_create``, naming the Celery task that runs it)
inside the transaction that accepts it and queues it after commit (``job_enqueue``); the task
claims it (``job_claim``: one conditional update, so a task delivered twice runs the work once),
reports progress (``job_progress``) and ends it (``job_finish`` / ``job_fail``).

Progress is seen by the pollers while the work goes on: outside a transaction it is written
on the row (its own short statement); inside one (a draw runs in a single transaction, so the
row would not change for others until the end) it goes to the cache, and ``job_done`` reads
the larger of the two. ``jobs_sweep`` (Celery beat) queues again the jobs whose task never
reached a worker and fails those whose worker died under them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.rules import is_staff

from .models import Job, JobStatus

logger = logging.getLogger(__name__)

#: A job still queued this long after it was created (or last queued) is queued again.
QUEUED_AGAIN_AFTER = dt.timedelta(minutes=getattr(settings, "PINGSHEN_JOB_REQUEUE_MINUTES", 5))
#: A running job without a sign of life this long is taken as dead.
DEAD_AFTER = dt.timedelta(minutes=getattr(settings, "PINGSHEN_JOB_DEAD_MINUTES", 60))
#: How long a progress figure kept in the cache lives (longer than any job runs).
_PROGRESS_TTL = 6 * 3600


def job_create(
    *,
    kind: str,
    actor: Any,
    total: int,
    task: str = "",
    params: dict[str, Any] | None = None,
    filename: str = "",
    data: bytes | None = None,
) -> Job:
    """A queued job run by the Celery task at the dotted path ``task`` (called with ``job_id``;
    ``params`` are kept on the job for it); ``data`` is
    stored through the default (media) storage as its upload."""
    job = Job(
        kind=kind,
        created_by=actor,
        total=total,
        task=task,
        params=params or {},
        language=translation.get_language() or "",
    )
    if data is not None:
        job.upload.save(filename or "upload", ContentFile(data), save=False)
    job.save()
    return job


def _send(job_id: int, task: str) -> None:
    # The task's dotted path is its Celery name (``shared_task``'s default).
    import_string(task).delay(job_id=job_id)


def job_enqueue(job: Job) -> None:
    """Queue the job's task once the current transaction commits. With the broker down the
    work is still accepted: the job waits, queued, and the sweep queues it again."""
    transaction.on_commit(lambda: _send(job.pk, job.task), robust=True)


def job_claim(*, job_id: int) -> Job | None:
    """Move a queued job to running and return it; None when it is gone or already claimed."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    return Job.objects.get(pk=job_id) if claimed else None


def _progress_key(job_id: int) -> str:
    return f"pingshen:job:{job_id}:done"


def job_progress(*, job: Job, done: int) -> None:
    """Units of work done so far. Outside a transaction: on the row (with a sign of life), at
    once visible. Inside one: in the cache, which pollers read too (``job_done``)."""
    job.done = done
    if connection.in_atomic_block:
        cache.set(_progress_key(job.pk), done, _PROGRESS_TTL)
        return
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(done=done, heartbeat_at=timezone.now())


def job_done(job: Job) -> int:
    """The units of work done, as far as anyone can see (the row, or the cache while the work
    runs inside a transaction)."""
    if job.finished:
        return job.total
    cached = cache.get(_progress_key(job.pk)) if job.status == JobStatus.RUNNING else None
    return max(job.done, int(cached or 0))


def job_percent(job: Job) -> int:
    if job.finished:
        return 100
    return min(100, int(job_done(job) * 100 / job.total)) if job.total else 0


def job_finish(*, job: Job, result: dict[str, Any]) -> None:
    job.status, job.result, job.done, job.finished_at = JobStatus.DONE, result, job.total, timezone.now()
    job.save(update_fields=["status", "result", "done", "finished_at"])
    cache.delete(_progress_key(job.pk))


def job_fail(*, job: Job, error: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, error[:2000], timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    cache.delete(_progress_key(job.pk))


def job_visible_to(job: Job, user: Any) -> bool:
    """A job is seen by the one who started it and by bureau staff; nobody else."""
    return bool(user.is_authenticated and (job.created_by_id == user.pk or is_staff(user)))


def jobs_sweep(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Queue again each job queued for longer than ``QUEUED_AGAIN_AFTER`` (its task never
    reached a worker: the broker was down, or the message was lost), and fail each running job
    with no sign of life for ``DEAD_AFTER`` (its worker died under it; its work, done in
    transactions, was rolled back or kept as the task left it). Returns (queued again, failed).

    Safe to run twice or on two beat hosts at once: queuing again only sends the task, whose
    claim runs the work once; failing is one conditional update per job.
    """
    now = now or timezone.now()
    failed = 0
    cut = now - DEAD_AFTER
    # Jobs claimed before they had a heartbeat (core.0002) count from when they started.
    silent = Q(heartbeat_at__lt=cut) | Q(heartbeat_at__isnull=True, started_at__lt=cut)
    for job in Job.objects.filter(silent, status=JobStatus.RUNNING).order_by("pk"):
        with translation.override(job.language or settings.LANGUAGE_CODE):
            error = _("The work stopped: the worker running it did not answer any more. Please start it again.")
        # Failed only if no sign of life came meanwhile (another sweep, or the task itself).
        if Job.objects.filter(silent, pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=error, finished_at=now
        ):
            failed += 1
            cache.delete(_progress_key(job.pk))
            logger.warning(
                "job %s (%s) failed by the sweep: no sign of life since %s", job.pk, job.kind, job.heartbeat_at
            )
    queued = 0
    stale = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - QUEUED_AGAIN_AFTER).exclude(task="")
    # heartbeat_at on a queued job is when the sweep last queued it again: not before the delay.
    stale = stale.exclude(heartbeat_at__gte=now - QUEUED_AGAIN_AFTER)
    for job in stale.order_by("pk"):
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(heartbeat_at=now)
        try:
            _send(job.pk, job.task)
        except Exception:  # the broker is still down: the next sweep tries again
            logger.exception("job %s (%s) could not be queued again", job.pk, job.kind)
            continue
        queued += 1
    return queued, failed
