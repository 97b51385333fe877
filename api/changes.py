"""Change requests (项目变更, API.md "After the grant"): the applicant asks, the chain decides.

The same services as the pages (``aftergrant.changes``, ``workflow.steps.change_decide``);
errors map as everywhere (api/exceptions.py).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from aftergrant import changes
from aftergrant.enums import ChangeKind, ChangeStatus
from aftergrant.models import ChangeRequest
from workflow import steps

from .serializers import MONEY_OUT
from .views import _application, _require


class LeaderSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40)


class ChangeTargetSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=30)
    value = serializers.CharField(max_length=30)


class ChangeBudgetRowSerializer(serializers.Serializer):
    line = serializers.CharField(max_length=20)
    county_yuan = serializers.CharField(max_length=40)
    own_yuan = serializers.CharField(max_length=40, required=False, default="0")
    other_yuan = serializers.CharField(max_length=40, required=False, default="0")


class ChangeCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    reason = serializers.CharField(max_length=4000)
    new_end_date = serializers.DateField(required=False, help_text="extension")
    new_leader = LeaderSerializer(required=False, help_text="leader")
    new_organisation = serializers.IntegerField(required=False, min_value=1, help_text="unit: an organisation id")
    targets = ChangeTargetSerializer(many=True, required=False, help_text="targets: the full new list")
    budget = ChangeBudgetRowSerializer(many=True, required=False, help_text="budget: the full new budget")
    spent_yuan = serializers.CharField(required=False, max_length=40, help_text="termination: eligible spending")


class DecisionOutSerializer(serializers.Serializer):
    step = serializers.CharField(read_only=True)
    approve = serializers.BooleanField(read_only=True)
    comment = serializers.CharField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    application = serializers.IntegerField(source="application_id", read_only=True)
    kind = serializers.ChoiceField(choices=ChangeKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=ChangeStatus.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    chain = serializers.ListField(child=serializers.CharField(), read_only=True)
    next_step = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    new_end_date = serializers.DateField(read_only=True, allow_null=True)
    new_leader = serializers.DictField(read_only=True)
    new_organisation = serializers.IntegerField(source="new_organisation_id", read_only=True, allow_null=True)
    targets = serializers.ListField(child=serializers.DictField(), read_only=True)
    budget = serializers.ListField(child=serializers.DictField(), read_only=True)
    eligible_spent_yuan = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    paid_yuan = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    amount_to_refund = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    base_version = serializers.IntegerField(source="base_version_id", read_only=True)
    result_version = serializers.IntegerField(source="result_version_id", read_only=True, allow_null=True)
    decisions = DecisionOutSerializer(many=True, read_only=True)

    def get_next_step(self, change: ChangeRequest) -> str | None:
        return changes.change_next_step(change)


class ChangeCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)


class ChangeDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ApplicationChangesView(APIView):
    """GET: the project's change requests (whoever sees the project). POST (its applicant):
    ask for a change → 201 ``{id, status}``."""

    @extend_schema(responses=ChangeSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        application = _application(request, pk)
        rows = changes.changes_of(application).prefetch_related("decisions")
        return Response(ChangeSerializer(rows, many=True).data)

    @extend_schema(request=ChangeCreateSerializer, responses={201: ChangeCreatedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.APPLICANT, Role.NOMINATOR)
        serializer = ChangeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        if "new_leader" in data:
            data["new_leader"] = dict(data["new_leader"])
        for key in ("targets", "budget"):
            if key in data:
                data[key] = [dict(row) for row in data[key]]
        change = changes.change_request_create(application=_application(request, pk), actor=request.user, **data)
        return Response({"id": change.pk, "status": change.status}, status=status.HTTP_201_CREATED)


class ChangeDetailView(APIView):
    @extend_schema(responses=ChangeSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ChangeSerializer(changes.change_for(request.user, pk)).data)


class ChangeDecideView(APIView):
    """POST (whoever the chain names next): ``{approve, comment}`` → the request."""

    @extend_schema(request=ChangeDecideSerializer, responses=ChangeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL, Role.FINANCE_HEAD)
        change = changes.change_for(request.user, pk)
        serializer = ChangeDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = steps.change_decide(change=change, actor=request.user, **serializer.validated_data)
        return Response(ChangeSerializer(changes.change_for(request.user, change.pk)).data)
