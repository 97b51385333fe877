"""Background jobs: work too long for a request (an import of thousands of rows), run by a
Celery worker, with its progress on a row the pages and the API poll (issue 18).

A job is created by the service that accepted the work (after checking everything that refuses
it as a whole, synchronously) with its input stored through the media storage in use, and run
by that app's task. Only the task moves it on, through ``core.jobs``: queued → running → done
(or failed). ``result`` holds what the work reports when done (the import's per-row report).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job", "Queued")
    RUNNING = "running", pgettext_lazy("job", "Running")
    DONE = "done", pgettext_lazy("job", "Done")
    FAILED = "failed", pgettext_lazy("job", "Failed")


#: The states in which a job will not move again.
FINISHED_STATES = (JobStatus.DONE, JobStatus.FAILED)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: Units of work (rows) in all, and done so far: the progress bar.
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    upload = models.FileField(_("uploaded file"), upload_to="jobs/%Y/%m/", blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    #: The language of the request that started the job: its report and messages are in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    #: The Celery task that runs it (its registered name) and its arguments besides the job's
    #: id: what ``core.jobs.jobs_sweep`` needs to queue it again.
    task = models.CharField(_("task"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    #: When the task last showed it was alive (claimed it, reported progress): a running job
    #: silent for long had its worker die under it (``core.jobs.jobs_sweep`` fails it).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["kind", "-created_at"]),
            # The sweep's look-up of the jobs still queued or running.
            models.Index(
                fields=["status"], name="core_job_unfinished", condition=models.Q(status__in=["queued", "running"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
