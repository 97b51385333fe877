"""REST endpoints of the expert pool: import from a sheet; staff reopening a review."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
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


class ExpertImportView(APIView):
    """POST a multipart ``file`` (.xlsx): each row is created, updated or refused with reasons."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("ExpertImportUpload", {"file": serializers.FileField()}),
        responses=ImportReportSerializer,
    )
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        report = imports.experts_import(upload=request.FILES.get("file"), actor=request.user)
        return Response(report.as_json())


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
