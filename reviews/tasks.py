"""Celery entry points of the reviews app: thin, safe to run twice (STYLE.md 9)."""

from __future__ import annotations

from celery import shared_task

from .imports import experts_import_job_run


@shared_task
def expert_import_run(*, job_id: int) -> None:
    """Import the sheet of an ``experts.import`` job; a second delivery finds it claimed."""
    experts_import_job_run(job_id=job_id)
