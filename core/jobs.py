"""Moving a background job along (``core.models.Job``); the only code that sets its status.

The app owning the work creates the job (``job_create``) inside the transaction that accepts
it and queues its task after commit; the task claims it (``job_claim``: one conditional update,
so a task delivered twice runs the work once), reports progress (``job_progress``, in its own
short transaction so pollers see it while the work goes on) and ends it (``job_finish`` /
``job_fail``).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone, translation

from .models import Job, JobStatus


def job_create(*, kind: str, actor: Any, total: int, filename: str = "", data: bytes | None = None) -> Job:
    """A queued job; ``data`` is stored through the default (media) storage as its upload."""
    job = Job(kind=kind, created_by=actor, total=total, language=translation.get_language() or "")
    if data is not None:
        job.upload.save(filename or "upload", ContentFile(data), save=False)
    job.save()
    return job


def job_claim(*, job_id: int) -> Job | None:
    """Move a queued job to running and return it; None when it is gone or already claimed."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    return Job.objects.get(pk=job_id) if claimed else None


def job_progress(*, job: Job, done: int) -> None:
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(done=done)
    job.done = done


def job_finish(*, job: Job, result: dict[str, Any]) -> None:
    job.status, job.result, job.done, job.finished_at = JobStatus.DONE, result, job.total, timezone.now()
    job.save(update_fields=["status", "result", "done", "finished_at"])


def job_fail(*, job: Job, error: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, error[:2000], timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
