"""The page of any background job (``core.models.Job``): its progress bar while it runs
(polled by ``js/job.js`` from ``/api/jobs/<id>/``, or the page refreshes itself without
JavaScript), then what it did, by kind. A job is seen by the one who started it and by staff;
anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.jobs import job_done, job_percent, job_visible_to
from core.models import Job, JobStatus
from reviews.imports import IMPORT_JOB_KIND
from workflow.jobs import CALL_DRAW_JOB_KIND, NOTICE_CLOSE_JOB_KIND
from workflow.suggestions import APPLY_JOB_KIND

#: Per kind: its name on the page, the template of its result, and what its units count.
KINDS: dict[str, dict[str, Any]] = {
    IMPORT_JOB_KIND: {
        "title": gettext_lazy("Import experts"),
        "template": "pages/jobs/experts_import.html",
        "unit": pgettext_lazy("job unit", "rows"),
    },
    CALL_DRAW_JOB_KIND: {
        "title": gettext_lazy("Expert draw"),
        "template": "pages/jobs/calls_draw.html",
        "unit": pgettext_lazy("job unit", "steps"),
    },
    NOTICE_CLOSE_JOB_KIND: {
        "title": gettext_lazy("Close the notice"),
        "template": "pages/jobs/notices_close.html",
        "unit": pgettext_lazy("job unit", "items"),
    },
    APPLY_JOB_KIND: {
        "title": gettext_lazy("Decide as listed"),
        "template": "pages/jobs/funding_apply.html",
        "unit": pgettext_lazy("job unit", "decisions"),
    },
}


def render_job(request: HttpRequest, job: Job) -> HttpResponse:
    kind = KINDS.get(job.kind, {"title": gettext_lazy("Background job"), "template": "", "unit": ""})
    context = {
        "job": job,
        "kind": kind,
        "done": job_done(job),
        "percent": job_percent(job),
        "result": job.result if job.status == JobStatus.DONE else None,
        # The import's template names its report so.
        "report": job.result if job.status == JobStatus.DONE else None,
    }
    return render(request, "pages/jobs/job.html", context)


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    if not job_visible_to(job, request.user):
        raise Http404
    return render_job(request, job)
