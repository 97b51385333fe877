"""API about money (additive to API.md): the suggested funding list and applying it, the live
budget of a call, the report by programme, and the funding notice PDF.

The same functions as the pages: ``funding.suggestions.suggest_funding``,
``workflow.suggestions.suggestions_apply``, ``funding.selectors`` and
``funding.documents.funding_notice_pdf``; errors map as everywhere (api/exceptions.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from applications.models import Call
from core.params import parse_int
from core.responses import xlsx_response
from funding.documents import funding_notice_pdf
from funding.exports import programme_report_xlsx
from funding.selectors import call_budget, programme_report, report_years
from funding.suggestions import suggest_funding, what_if_from
from workflow.suggestions import suggestions_apply

from .serializers import MONEY_OUT
from .views import FINANCE, _application, _get_or_404, _require

WAN_OUT: dict[str, Any] = {"max_digits": 14, "decimal_places": 4, "read_only": True}


class DocumentView(APIView):
    """A view that answers with a file (PDF, xlsx): a client that sends ``Accept:
    application/pdf`` gets it rather than a 406, and errors are still JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)


class SuggestionRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(read_only=True, allow_null=True, help_text="null: too few reviews, unranked")
    item = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    organisation = serializers.CharField(read_only=True)
    score = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True)
    flagged = serializers.BooleanField(read_only=True)
    requested_yuan = serializers.DecimalField(**MONEY_OUT)
    cut_yuan = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    suggested_yuan = serializers.DecimalField(**MONEY_OUT)
    suggested_wan = serializers.DecimalField(**WAN_OUT)
    cumulative_yuan = serializers.DecimalField(**MONEY_OUT)
    fits = serializers.BooleanField(read_only=True)
    decided = serializers.BooleanField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    complete = serializers.BooleanField(read_only=True)
    missing = serializers.IntegerField(read_only=True)
    included = serializers.BooleanField(read_only=True)


class SuggestionSerializer(serializers.Serializer):
    budget_yuan = serializers.DecimalField(**MONEY_OUT)
    budget_wan = serializers.DecimalField(**WAN_OUT)
    decided_yuan = serializers.DecimalField(**MONEY_OUT)
    suggested_yuan = serializers.DecimalField(**MONEY_OUT)
    total_yuan = serializers.DecimalField(**MONEY_OUT)
    total_wan = serializers.DecimalField(**WAN_OUT)
    remaining_yuan = serializers.DecimalField(**MONEY_OUT)
    remaining_wan = serializers.DecimalField(**WAN_OUT)
    cutoff = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True, allow_null=True)
    fill_gaps = serializers.BooleanField(read_only=True)
    fingerprint = serializers.CharField(read_only=True)
    rows = SuggestionRowSerializer(many=True, read_only=True)


WHAT_IF_PARAMETERS = [
    OpenApiParameter("budget", OpenApiTypes.DECIMAL, description="What-if budget in yuan (default: the call's)"),
    OpenApiParameter("cutoff", OpenApiTypes.DECIMAL, description="Minimum score"),
    OpenApiParameter(
        "fill_gaps", OpenApiTypes.BOOL, description="Go on with smaller items below one that does not fit"
    ),
    OpenApiParameter(
        "include_{id}",
        OpenApiTypes.BOOL,
        description="Put application {id} on the list although it has fewer reviews than the call's minimum",
    ),
    OpenApiParameter(
        "cut_{id}",
        OpenApiTypes.DECIMAL,
        description="Amount for application {id} instead of its request (0: leave out)",
    ),
]


class CallSuggestionsView(APIView):
    """GET /api/calls/{id}/suggestions/?budget=&cutoff=&fill_gaps=&cut_<id>= (staff, panel)."""

    @extend_schema(parameters=WHAT_IF_PARAMETERS, responses=SuggestionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        call = _get_or_404(Call.objects.all(), pk)
        suggestion = suggest_funding(call, **what_if_from(request.query_params).as_kwargs())
        return Response(SuggestionSerializer(suggestion).data)


class SuggestionsApplySerializer(serializers.Serializer):
    expected = serializers.CharField(max_length=64, help_text="The list's fingerprint, as read from GET")
    budget = serializers.CharField(required=False, allow_blank=True, max_length=40)
    cutoff = serializers.CharField(required=False, allow_blank=True, max_length=20)
    fill_gaps = serializers.BooleanField(required=False, default=False)
    cuts = serializers.DictField(child=serializers.CharField(max_length=40), required=False, default=dict)
    include = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=10000,
        help_text="Items short of reviews the panel puts on the list",
    )
    decline_rest = serializers.BooleanField(required=False, default=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SuggestionsApplyView(APIView):
    """POST /api/calls/{id}/suggestions/apply/ (panel): one decision per listed item."""

    @extend_schema(request=SuggestionsApplySerializer, responses=OpenApiResponse(description="{decided, refused}"))
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.PANEL)
        call = _get_or_404(Call.objects.all(), pk)
        serializer = SuggestionsApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        inputs = {f"cut_{item}": amount for item, amount in data["cuts"].items()}
        inputs.update({f"include_{item}": "1" for item in data["include"]})
        inputs.update(budget=data.get("budget", ""), cutoff=data.get("cutoff", ""), fill_gaps=str(data["fill_gaps"]))
        result = suggestions_apply(
            call=call,
            actor=request.user,
            expected=data["expected"],
            what_if=what_if_from(inputs).as_kwargs(),
            decline_rest=data["decline_rest"],
            comment=data["comment"],
        )
        return Response(
            {
                "decided": [{"item": item, "title": title} for item, title in result.decided],
                "refused": [{"item": item, "title": title, "reason": reason} for item, title, reason in result.refused],
            }
        )


class CallBudgetSerializer(serializers.Serializer):
    budget_yuan = serializers.DecimalField(**MONEY_OUT)
    budget_wan = serializers.DecimalField(**WAN_OUT)
    decided_yuan = serializers.DecimalField(**MONEY_OUT)
    decided_wan = serializers.DecimalField(**WAN_OUT)
    remaining_yuan = serializers.DecimalField(**MONEY_OUT)
    remaining_wan = serializers.DecimalField(**WAN_OUT)
    disbursed_yuan = serializers.DecimalField(**MONEY_OUT)
    disbursed_wan = serializers.DecimalField(**WAN_OUT)
    funded = serializers.IntegerField(read_only=True)


class CallBudgetView(APIView):
    """GET /api/calls/{id}/budget/ (staff, panel, finance): the live budget figures."""

    @extend_schema(responses=CallBudgetSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL, *FINANCE)
        return Response(CallBudgetSerializer(call_budget(_get_or_404(Call.objects.all(), pk))).data)


class ProgrammeRowSerializer(serializers.Serializer):
    programme = serializers.IntegerField(source="programme.pk", read_only=True)
    code = serializers.CharField(source="programme.code", read_only=True)
    name = serializers.CharField(source="programme.name", read_only=True)
    calls = serializers.IntegerField(read_only=True)
    budget_yuan = serializers.DecimalField(**MONEY_OUT)
    applications = serializers.IntegerField(read_only=True)
    submitted = serializers.IntegerField(read_only=True)
    funded = serializers.IntegerField(read_only=True)
    approved_yuan = serializers.DecimalField(**MONEY_OUT)
    approved_wan = serializers.DecimalField(**WAN_OUT)
    disbursed_yuan = serializers.DecimalField(**MONEY_OUT)
    disbursed_wan = serializers.DecimalField(**WAN_OUT)


class ProgrammeReportSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    calls = serializers.IntegerField(read_only=True)
    applications = serializers.IntegerField(read_only=True)
    submitted = serializers.IntegerField(read_only=True)
    funded = serializers.IntegerField(read_only=True)
    approved_yuan = serializers.DecimalField(**MONEY_OUT)
    approved_wan = serializers.DecimalField(**WAN_OUT)
    disbursed_yuan = serializers.DecimalField(**MONEY_OUT)
    disbursed_wan = serializers.DecimalField(**WAN_OUT)
    rows = ProgrammeRowSerializer(many=True, read_only=True)


def _year(request: Request) -> int:
    raw = str(request.query_params.get("year") or "")
    if not raw:
        years = report_years()
        return years[0] if years else timezone.localdate().year
    year = parse_int(raw, digits=4)
    if year is None:
        raise ValidationError({"year": [_("Enter a year, such as 2016.")]})
    return year


YEAR_PARAMETER = [OpenApiParameter("year", OpenApiTypes.INT, description="Default: the latest year with calls")]


class ProgrammeReportView(APIView):
    """GET /api/reports/programmes/?year= (staff, panel, finance)."""

    @extend_schema(parameters=YEAR_PARAMETER, responses=ProgrammeReportSerializer)
    def get(self, request: Request) -> Response:
        _require(request, Role.STAFF, Role.PANEL, *FINANCE)
        return Response(ProgrammeReportSerializer(programme_report(_year(request))).data)


class ProgrammeReportXlsxView(DocumentView):
    @extend_schema(
        parameters=YEAR_PARAMETER,
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                description="The report by programme as a spreadsheet"
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        _require(request, Role.STAFF, Role.PANEL, *FINANCE)
        year = _year(request)
        return xlsx_response(programme_report_xlsx(programme_report(year)), f"programmes-{year}.xlsx")


class FundingNoticePdfView(DocumentView):
    """GET /api/applications/{id}/funding-notice.pdf: whoever may see the application (else
    404); 409 when it was not funded."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The funding notice (PDF)")})
    def get(self, request: Request, pk: int) -> HttpResponse:
        application = _application(request, pk)
        content = funding_notice_pdf(application, language=get_language())
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="funding-notice-{application.pk}.pdf"'
        return response
