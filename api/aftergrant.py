"""API of the years after the grant (API.md "After the grant"): the task contract.

``POST /api/applications/{id}/contract/`` (the applicant) submits it, ``POST
/api/applications/{id}/contract-check/`` (staff) accepts or returns it, ``GET
/api/applications/{id}/contract/`` reads the version in force and ``GET
/api/applications/{id}/contract.pdf`` prints it. The rules are the services' (through
``workflow.steps``), the same the pages run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from aftergrant.documents import acceptance_certificate_pdf, contract_pdf
from aftergrant.enums import BudgetLine
from aftergrant.models import ContractVersion
from aftergrant.rules import can_view_contract
from aftergrant.selectors import contract_earlier_versions, contract_in_force
from aftergrant.services import MAX_ROWS, CheckDecision
from core.errors import NotVisible
from core.params import parse_int
from workflow import steps

from .funding import DocumentView
from .serializers import MONEY_OUT, IdStatusSerializer, MoneyField
from .views import _application, _require, _valid


class ContractTargetSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=30)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))


class ContractBudgetLineSerializer(serializers.Serializer):
    line = serializers.ChoiceField(choices=BudgetLine.choices)
    county_yuan = MoneyField(required=False, default=Decimal("0.00"))
    own_yuan = MoneyField(required=False, default=Decimal("0.00"))
    other_yuan = MoneyField(required=False, default=Decimal("0.00"))


class ContractMilestoneSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    due = serializers.DateField()


class ContractSerializer(serializers.Serializer):
    """At least one target; the county column adds up exactly to the approved amount;
    milestones within the project period (``starts_on``/``ends_on``, by default the
    application's)."""

    accept_terms = serializers.BooleanField()
    targets = serializers.ListField(child=ContractTargetSerializer(), max_length=MAX_ROWS)
    budget = serializers.ListField(child=ContractBudgetLineSerializer(), max_length=MAX_ROWS)
    milestones = serializers.ListField(
        child=ContractMilestoneSerializer(), max_length=MAX_ROWS, required=False, default=list
    )
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class ContractCheckSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=CheckDecision.CHOICES)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ContractVersionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)


class ContractTargetOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="what a mid-term report names as its target")
    position = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class ContractBudgetOutSerializer(serializers.Serializer):
    line = serializers.CharField(read_only=True)
    county_yuan = serializers.DecimalField(**MONEY_OUT)
    own_yuan = serializers.DecimalField(**MONEY_OUT)
    other_yuan = serializers.DecimalField(**MONEY_OUT)


class ContractMilestoneOutSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    due = serializers.DateField(read_only=True, source="due_on")


class ContractOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    application = serializers.IntegerField(read_only=True, source="application_id")
    version = serializers.IntegerField(read_only=True, source="number")
    status = serializers.CharField(read_only=True)
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)
    in_force_at = serializers.DateTimeField(read_only=True)
    targets = ContractTargetOutSerializer(many=True, read_only=True)
    budget = ContractBudgetOutSerializer(many=True, read_only=True)
    milestones = ContractMilestoneOutSerializer(many=True, read_only=True)
    versions = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="earlier versions' ids"
    )


def _contract_application(request: Request, pk: int) -> Any:
    application = _application(request, pk)
    if not can_view_contract(request.user, application):
        raise NotVisible()
    return application


class AcceptanceCertificateView(DocumentView):
    """GET /api/applications/{id}/acceptance-certificate.pdf: 409 until acceptance passed and its
    public notice closed."""

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(description="The acceptance certificate (PDF)")}
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        application = _contract_application(request, pk)
        content = acceptance_certificate_pdf(application, language=get_language())
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="acceptance-certificate-{application.pk}.pdf"'
        return response


class ContractView(APIView):
    @extend_schema(
        responses={200: ContractOutSerializer, 404: OpenApiResponse(description="No contract in force, or not yours")}
    )
    def get(self, request: Request, pk: int) -> Response:
        """The version in force, with the ids of the versions in force before it."""
        version = contract_in_force(_contract_application(request, pk))
        if version is None:
            raise NotVisible()
        version.versions = [v.pk for v in contract_earlier_versions(version)]  # type: ignore[attr-defined]
        return Response(ContractOutSerializer(version).data)

    @extend_schema(request=ContractSerializer, responses={201: ContractVersionOutSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """The applicant submits the task contract (again, once returned); staff check it next."""
        _require(request, Role.APPLICANT, Role.NOMINATOR)
        data = _valid(ContractSerializer, request)
        data["targets"] = [dict(row) for row in data["targets"]]
        data["budget"] = [dict(row) for row in data["budget"]]
        data["milestones"] = [dict(row) for row in data["milestones"]]
        version: ContractVersion = steps.contract_submit(
            application=_application(request, pk), actor=request.user, **data
        )
        return Response(
            {"id": version.pk, "version": version.number, "status": version.status}, status=status.HTTP_201_CREATED
        )


class ContractCheckView(APIView):
    @extend_schema(request=ContractCheckSerializer, responses=IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Staff accept the contract (in force; the first tranche is requested) or return it
        with a comment."""
        _require(request, Role.STAFF)
        data = _valid(ContractCheckSerializer, request)
        version = steps.contract_check(application=_application(request, pk), actor=request.user, **data)
        return Response({"id": version.pk, "status": version.status})


class ContractPdfView(DocumentView):
    """GET /api/applications/{id}/contract.pdf[?version=n]: 409 until a contract is in force."""

    @extend_schema(
        parameters=[OpenApiParameter("version", OpenApiTypes.INT, description="an earlier version's number")],
        responses={(200, "application/pdf"): OpenApiResponse(description="The task contract (PDF)")},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        application = _contract_application(request, pk)
        raw = request.query_params.get("version")
        number = parse_int(raw) if raw else None
        if raw and number is None:
            raise NotVisible()
        content = contract_pdf(application, number=number, language=get_language())
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="task-contract-{application.pk}.pdf"'
        return response
