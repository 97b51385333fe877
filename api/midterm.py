"""The mid-term check in the API (API.md, "After the grant"): the applicant's report, staff's
decision, and the project's reports. The rules are ``aftergrant.midterm``'s, reached through
``workflow.steps`` as the pages reach them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from aftergrant.enums import BudgetLine, MidtermResult
from aftergrant.midterm import midterm_reports_of
from aftergrant.models import MidtermReport
from workflow import steps

from .serializers import MONEY_OUT, MoneyField
from .views import _application, _require, _valid


class MidtermProgressInSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1)
    achieved = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class MidtermSpentInSerializer(serializers.Serializer):
    line = serializers.ChoiceField(choices=BudgetLine.choices)
    county_yuan = MoneyField(required=False, default="0")
    own_yuan = MoneyField(required=False, default="0")
    other_yuan = MoneyField(required=False, default="0")


class MidtermReportInSerializer(serializers.Serializer):
    progress = MidtermProgressInSerializer(many=True, allow_empty=False)
    spent = MidtermSpentInSerializer(many=True)
    problems = serializers.CharField(max_length=20000)


class MidtermDecisionInSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=MidtermResult.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    fix_by = serializers.DateField(required=False, allow_null=True, default=None)


class MidtermProgressSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target_id")
    name = serializers.CharField(source="target.name")
    unit = serializers.CharField(source="target.unit")
    value = serializers.DecimalField(source="target.value", max_digits=14, decimal_places=2)
    achieved = serializers.DecimalField(max_digits=14, decimal_places=2)


class MidtermSpentSerializer(serializers.Serializer):
    line = serializers.CharField()
    county_yuan = serializers.DecimalField(**MONEY_OUT)
    own_yuan = serializers.DecimalField(**MONEY_OUT)
    other_yuan = serializers.DecimalField(**MONEY_OUT)


class MidtermReportSerializer(serializers.ModelSerializer):
    progress = MidtermProgressSerializer(many=True, read_only=True)
    spent = MidtermSpentSerializer(source="spending", many=True, read_only=True)

    class Meta:
        model = MidtermReport
        fields = [
            "id",
            "round",
            "attempt",
            "status",
            "opens_on",
            "due_on",
            "progress",
            "spent",
            "problems",
            "submitted_at",
            "result",
            "comment",
            "fix_by",
            "decided_at",
            "tranche",
        ]
        read_only_fields = fields


class MidtermOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    result = serializers.CharField()


def _out(report: MidtermReport) -> dict[str, Any]:
    return {"id": report.pk, "status": report.status, "result": report.result}


class MidtermReportView(APIView):
    @extend_schema(request=MidtermReportInSerializer, responses={201: MidtermOutSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.APPLICANT, Role.NOMINATOR)
        data = _valid(MidtermReportInSerializer, request)
        report = steps.midterm_submit(
            application=_application(request, pk),
            actor=request.user,
            progress=[dict(row) for row in data["progress"]],
            spent=[dict(row) for row in data["spent"]],
            problems=data["problems"],
        )
        return Response(_out(report), status=status.HTTP_201_CREATED)


class MidtermDecisionView(APIView):
    @extend_schema(request=MidtermDecisionInSerializer, responses=MidtermOutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        data = _valid(MidtermDecisionInSerializer, request)
        report = steps.midterm_decide(application=_application(request, pk), actor=request.user, **data)
        return Response(_out(report))


class MidtermListView(APIView):
    """The project's mid-term reports, oldest first (whoever may see the project)."""

    @extend_schema(responses=MidtermReportSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        reports = midterm_reports_of(_application(request, pk))
        return Response(MidtermReportSerializer(reports, many=True).data)
