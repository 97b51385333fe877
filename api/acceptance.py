"""The acceptance (验收) in the API (API.md, "Acceptance and integrity"): the applicant's file,
staff's check, the draw of the acceptance experts and the decision. The experts score through
``POST /api/assignments/{id}/review/`` like any review. The rules are ``aftergrant.acceptance``'s,
reached through ``workflow.steps`` as the pages reach them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from accounts.rules import is_staff
from aftergrant.acceptance import acceptance_advice, acceptance_assignments, acceptance_reports_of
from aftergrant.enums import BudgetLine
from funding.enums import AcceptanceCheckDecision, AcceptanceResult
from funding.models import AcceptanceReport
from reviews.models import Assignment
from workflow import steps

from .serializers import MONEY_OUT, DrawRequestSerializer, MoneyField
from .views import _application, _require, _valid


class AcceptanceResultInSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1)
    achieved = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class AcceptanceAccountInSerializer(serializers.Serializer):
    line = serializers.ChoiceField(choices=BudgetLine.choices)
    county_yuan = MoneyField(required=False, default="0")
    own_yuan = MoneyField(required=False, default="0")
    other_yuan = MoneyField(required=False, default="0")


class AcceptanceInSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=100000)
    spent_yuan = MoneyField(required=False, allow_null=True, default=None, help_text="The sum of the accounts.")
    results = AcceptanceResultInSerializer(many=True, allow_empty=False)
    accounts = AcceptanceAccountInSerializer(many=True, allow_empty=False)


class AcceptanceCheckInSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=AcceptanceCheckDecision.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AcceptanceDecisionInSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=AcceptanceResult.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AcceptanceOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    check_status = serializers.CharField()
    result = serializers.CharField()
    advice = serializers.CharField()
    amount_to_return = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    final_tranche_yuan = serializers.DecimalField(**MONEY_OUT, allow_null=True)


class AcceptanceDrawAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField()
    expert = serializers.IntegerField()


class AcceptanceDrawOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The draw (GET /api/draws/{id}/ shows its commitment).")
    seed = serializers.CharField()
    assignments = AcceptanceDrawAssignmentSerializer(many=True)
    missing = serializers.IntegerField(help_text="Experts the pool could not supply (then nobody is drawn).")


class AcceptanceResultLineSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target_id")
    name = serializers.CharField(source="target.name")
    unit = serializers.CharField(source="target.unit")
    value = serializers.DecimalField(source="target.value", max_digits=14, decimal_places=2)
    achieved = serializers.DecimalField(max_digits=14, decimal_places=2)
    met = serializers.BooleanField()


class AcceptanceAccountLineSerializer(serializers.Serializer):
    line = serializers.CharField()
    county_yuan = serializers.DecimalField(**MONEY_OUT)
    own_yuan = serializers.DecimalField(**MONEY_OUT)
    other_yuan = serializers.DecimalField(**MONEY_OUT)


class AcceptanceFileSerializer(serializers.ModelSerializer):
    results = AcceptanceResultLineSerializer(many=True, read_only=True)
    accounts = AcceptanceAccountLineSerializer(many=True, read_only=True)
    spent_yuan = serializers.DecimalField(**MONEY_OUT)
    amount_to_return = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    final_tranche_yuan = serializers.DecimalField(**MONEY_OUT, allow_null=True)

    class Meta:
        model = AcceptanceReport
        fields = [
            "id",
            "report",
            "spent_yuan",
            "results",
            "accounts",
            "submitted_at",
            "check_status",
            "check_comment",
            "checked_at",
            "targets_met",
            "targets_total",
            "advice",
            "result",
            "comment",
            "decided_at",
            "amount_to_return",
            "final_tranche_yuan",
        ]
        read_only_fields = fields


class AcceptanceAdviceSerializer(serializers.Serializer):
    targets_met = serializers.IntegerField()
    targets_total = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=6, decimal_places=4)
    threshold = serializers.DecimalField(max_digits=6, decimal_places=4)
    votes = serializers.DictField(child=serializers.IntegerField())
    reviews = serializers.IntegerField()
    final = serializers.BooleanField(help_text="After a rectify: this result is final (pass or fail).")
    advice = serializers.CharField(help_text="pass, rectify, fail, or empty before any expert scored.")


class AcceptanceExpertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    expert = serializers.IntegerField(source="expert_id")
    name = serializers.CharField(source="expert.name")
    status = serializers.CharField()
    recommendation = serializers.SerializerMethodField()
    weighted_total = serializers.SerializerMethodField()

    def _review(self, assignment: Assignment) -> Any:
        return getattr(assignment, "review", None) if assignment.status == "submitted" else None

    def get_recommendation(self, assignment: Assignment) -> str | None:
        review = self._review(assignment)
        return review.recommendation if review else None

    def get_weighted_total(self, assignment: Assignment) -> str | None:
        review = self._review(assignment)
        return str(review.weighted_total) if review else None


class AcceptanceStateSerializer(serializers.Serializer):
    files = AcceptanceFileSerializer(many=True)
    advice = AcceptanceAdviceSerializer(allow_null=True, help_text="Staff only: the system's advice now.")
    experts = AcceptanceExpertSerializer(many=True, help_text="Staff only: the acceptance experts and their words.")


def _out(report: AcceptanceReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "check_status": report.check_status,
        "result": report.result,
        "advice": report.advice,
        "amount_to_return": report.amount_to_return,
        "final_tranche_yuan": report.final_tranche_yuan,
    }


class AcceptanceView(APIView):
    @extend_schema(request=AcceptanceInSerializer, responses={201: AcceptanceOutSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.APPLICANT, Role.NOMINATOR)
        data = _valid(AcceptanceInSerializer, request)
        report = steps.acceptance_submit(
            application=_application(request, pk),
            actor=request.user,
            report=data["report"],
            results=[dict(row) for row in data["results"]],
            accounts=[dict(row) for row in data["accounts"]],
            spent_yuan=data.get("spent_yuan"),
        )
        return Response(AcceptanceOutSerializer(_out(report)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AcceptanceStateSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The project's acceptance files, oldest first (whoever may see the project); staff
        also get the advice on the newest file and the acceptance experts' words."""
        application = _application(request, pk)
        files = list(acceptance_reports_of(application))
        staff = is_staff(request.user)
        advice = acceptance_advice(application, files[-1]) if staff and files else None
        experts = list(acceptance_assignments(application)) if staff else []
        return Response(AcceptanceStateSerializer({"files": files, "advice": advice, "experts": experts}).data)


class AcceptanceCheckView(APIView):
    @extend_schema(request=AcceptanceCheckInSerializer, responses=AcceptanceOutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        data = _valid(AcceptanceCheckInSerializer, request)
        report = steps.acceptance_check(application=_application(request, pk), actor=request.user, **data)
        return Response(AcceptanceOutSerializer(_out(report)).data)


class AcceptanceDrawView(APIView):
    @extend_schema(request=DrawRequestSerializer, responses=AcceptanceDrawOutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        data = _valid(DrawRequestSerializer, request)
        draw = steps.acceptance_draw(application=_application(request, pk), actor=request.user, seed=data.get("seed"))
        made = Assignment.objects.filter(draw_item__draw=draw).order_by("pk")
        missing = sum(item.shortfall for item in draw.items.all())
        body = {
            "id": draw.pk,
            "seed": draw.seed,
            "assignments": [{"id": a.pk, "item": a.application_id, "expert": a.expert_id} for a in made],
            "missing": missing,
        }
        return Response(AcceptanceDrawOutSerializer(body).data)


class AcceptanceDecisionView(APIView):
    @extend_schema(request=AcceptanceDecisionInSerializer, responses=AcceptanceOutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        data = _valid(AcceptanceDecisionInSerializer, request)
        report = steps.acceptance_decide(application=_application(request, pk), actor=request.user, **data)
        return Response(AcceptanceOutSerializer(_out(report)).data)
