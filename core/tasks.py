"""Celery entry points of core: the sweep of background jobs (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from .jobs import jobs_sweep


@shared_task
def sweep_jobs() -> dict[str, int]:
    """Queue again the jobs whose task never reached a worker; fail those whose worker died."""
    queued, failed = jobs_sweep()
    return {"queued": queued, "failed": failed}
