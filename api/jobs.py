"""The status of any background job (``core.models.Job``), polled by the job page's bar
(``static/js/job.js``) and by API clients: seen by the one who started it and by staff only;
anyone else gets 404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotVisible
from core.jobs import job_done, job_percent, job_visible_to
from core.models import Job, JobStatus


class JobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    kind = serializers.CharField(help_text='what the job does: "experts.import", "calls.draw", "funding.apply"')
    status = serializers.ChoiceField(choices=JobStatus.values)
    total = serializers.IntegerField(help_text="units of work in all")
    done = serializers.IntegerField(help_text="units of work done so far")
    percent = serializers.IntegerField()
    result = serializers.DictField(allow_null=True, help_text="what the job did, by kind, once it is done")
    error = serializers.CharField(help_text="why the job failed, or empty")


def job_json(job: Job) -> dict[str, Any]:
    return {
        "job": job.pk,
        "kind": job.kind,
        "status": job.status,
        "total": job.total,
        "done": job_done(job),
        "percent": job_percent(job),
        "result": job.result if job.status == JobStatus.DONE else None,
        "error": job.error,
    }


class JobView(APIView):
    """A background job: its progress (units done of total) and, when done, its result."""

    @extend_schema(responses=JobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        job = Job.objects.filter(pk=pk).first()
        if job is None or not job_visible_to(job, request.user):
            raise NotVisible()
        return Response(job_json(job))
