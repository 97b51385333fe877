"""REST endpoints of credit records (科研诚信, issue 17.5): staff record one, a second staff member
confirms it, its subject appeals once, staff decide the appeal. The services check who may act;
the role checks here only answer 403 before a lookup could answer 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from integrity import services
from integrity.enums import CreditLevel, SubjectType
from integrity.models import CreditRecord
from integrity.selectors import credit_records_visible_to, is_subject

from .views import _get_or_404, _require, _valid


class CreditRecordSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    subject_name = serializers.CharField(read_only=True)

    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "subject_type",
            "subject",
            "subject_name",
            "level",
            "reason",
            "source",
            "valid_until",
            "status",
            "created_at",
            "confirmed_at",
            "appeal_status",
            "appeal_text",
            "appealed_at",
            "appeal_decision",
            "appeal_decided_at",
        ]

    def get_subject(self, record: CreditRecord) -> int | None:
        return record.organisation_id if record.subject_type == SubjectType.ORGANISATION else record.expert_id


class CreditRecordCreateSerializer(serializers.Serializer):
    subject_type = serializers.ChoiceField(choices=SubjectType.choices)
    subject = serializers.IntegerField(min_value=1, help_text="The organisation's or the expert's id.")
    level = serializers.ChoiceField(choices=CreditLevel.choices)
    reason = serializers.CharField(max_length=4000)
    # The API names it ``source``; DRF pops declared fields off the class, so the name is safe.
    source = serializers.CharField(max_length=300)  # type: ignore[assignment]
    valid_until = serializers.DateField()


class AppealSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class AppealDecisionSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField(max_length=4000)


def _record(request: Request, pk: int) -> CreditRecord:
    """The record, if the caller may see it (staff: all; a subject: the confirmed ones on them)."""
    return _get_or_404(credit_records_visible_to(request.user), pk)


class CreditRecordListView(generics.ListAPIView):
    """Staff: every record; a subject: the records in effect on their organisation or on them."""

    serializer_class = CreditRecordSerializer

    def get_queryset(self) -> Any:
        return credit_records_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=CreditRecordCreateSerializer, responses={201: CreditRecordSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(CreditRecordCreateSerializer, request)
        record = services.credit_record_create(actor=request.user, **data)
        return Response(CreditRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class CreditRecordConfirmView(APIView):
    @extend_schema(request=None, responses=CreditRecordSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        record = services.credit_record_confirm(record=_record(request, pk), actor=request.user)
        return Response(CreditRecordSerializer(record).data)


class CreditRecordAppealView(APIView):
    """The subject appeals a confirmed record, once (a second appeal: 409)."""

    @extend_schema(request=AppealSerializer, responses=CreditRecordSerializer)
    def post(self, request: Request, pk: int) -> Response:
        record = _record(request, pk)
        if not is_subject(request.user, record):
            raise PermissionDenied(_("Only the organisation or the expert the record is on may appeal."))
        data = _valid(AppealSerializer, request)
        record = services.credit_record_appeal(record=record, actor=request.user, text=data["text"])
        return Response(CreditRecordSerializer(record).data)


class CreditRecordAppealDecisionView(APIView):
    """Staff decide an open appeal: upheld revokes the record."""

    @extend_schema(request=AppealDecisionSerializer, responses=CreditRecordSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        record = _record(request, pk)
        data = _valid(AppealDecisionSerializer, request)
        record = services.credit_record_appeal_decide(record=record, actor=request.user, **data)
        return Response(CreditRecordSerializer(record).data)
