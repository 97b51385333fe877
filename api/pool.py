"""REST endpoints of the expert pool: import from a sheet; staff reopening a review."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from core.models import Job, JobStatus
from reviews import imports
from reviews import services as review_services
from reviews.models import Review

from .views import _get_or_404, _require, _valid

#: One row of the report (built inline: a serializer cannot declare a field named ``errors``).
ImportRowSerializer = inline_serializer(
    "ExpertImportRow",
    {
        "row": serializers.IntegerField(),
        "username": serializers.CharField(),
        "name": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["created", "updated", "refused"]),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        "expert": serializers.IntegerField(allow_null=True),
    },
)


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.ListField(child=ImportRowSerializer)
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    refused = serializers.IntegerField()


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ImportJobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.values)
    total = serializers.IntegerField(help_text="rows in the sheet")
    done = serializers.IntegerField(help_text="rows handled so far")
    report = ImportReportSerializer(allow_null=True, help_text="the per-row report, once the job is done")
    error = serializers.CharField(help_text="why the job failed, or empty")


def import_job_json(job: Job) -> dict[str, Any]:
    return {
        "job": job.pk,
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "report": job.result if job.status == JobStatus.DONE else None,
        "error": job.error,
    }


class ExpertImportView(APIView):
    """POST a multipart ``file`` (.xlsx): 202 with the import job, which creates, updates or refuses
    each row with reasons in the background; a file refused as a whole is a 400 at once."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("ExpertImportUpload", {"file": serializers.FileField()}),
        responses={
            202: inline_serializer(
                "ExpertImportAccepted", {"job": serializers.IntegerField(), "status_url": serializers.URLField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        job = imports.experts_import_start(upload=request.FILES.get("file"), actor=request.user)
        status_url = request.build_absolute_uri(reverse("api-experts-import-job", args=[job.pk]))
        return Response({"job": job.pk, "status_url": status_url}, status=202, headers={"Location": status_url})


class ExpertImportJobView(APIView):
    """An import job: its progress (rows done of total) and, when done, the per-row report."""

    @extend_schema(responses=ImportJobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        job = _get_or_404(Job.objects.filter(kind=imports.IMPORT_JOB_KIND), pk)
        return Response(import_job_json(job))


class ReviewReopenView(APIView):
    """Staff reopen a submitted review so its expert scores again (audited)."""

    @extend_schema(
        request=ReopenSerializer,
        responses=inline_serializer(
            "ReviewReopened",
            {
                "id": serializers.IntegerField(),
                "assignment": serializers.IntegerField(),
                "status": serializers.CharField(),
            },
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        review = _get_or_404(Review.objects.all(), pk)
        data = _valid(ReopenSerializer, request)
        review = review_services.review_reopen(review=review, actor=request.user, reason=data["reason"])
        return Response({"id": review.pk, "assignment": review.assignment_id, "status": review.assignment.status})


class ReviewWithholdView(APIView):
    """Staff withhold a review's comment from the applicant's feedback, with a reason (audited);
    the scores stay visible to the applicant."""

    @extend_schema(
        request=ReopenSerializer,
        responses=inline_serializer(
            "ReviewCommentWithheld",
            {"id": serializers.IntegerField(), "comment_withheld": serializers.BooleanField()},
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        review = _get_or_404(Review.objects.all(), pk)
        data = _valid(ReopenSerializer, request)
        review = review_services.review_comment_withhold(review=review, actor=request.user, reason=data["reason"])
        return Response({"id": review.pk, "comment_withheld": review.comment_withheld})
