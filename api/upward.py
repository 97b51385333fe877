"""REST endpoints of the county's upward work (API.md, "Higher-level calls and commissioners").

A higher-level call carries its items on an internal call (``upward`` app docstring), so the
draw (``/api/calls/{call}/draw/``), ranking, expert review, formal review, attachments and the
finance endpoints serve them unchanged; these views add what only upward work has."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from applications.enums import CallKind
from applications.models import Application, Programme
from applications.selectors import field_name
from core.errors import NotVisible
from core.params import parse_int
from core.responses import XLSX, xlsx_response
from upward import services as upward_services
from upward.enums import AssessmentResult, AwardLevelUp, UpperAcceptanceResult, UpperLevel
from upward.exports import recommendation_letter_pdf, recommendation_summary_xlsx
from upward.filters import UpperProjectFilter
from upward.models import AwardPutForward, Commissioner, UpperMilestone
from upward.selectors import (
    commissioner_projects,
    commissioners_list,
    may_read_upper_items,
    township_table,
    upper_call_items,
    upper_call_visible_to,
    upper_calls,
    upper_followup,
    upper_projects,
    upper_report,
)
from workflow import steps

from . import serializers as s
from .funding import DocumentView
from .views import _application, _field_error, _get_or_404, _me, _require, _valid

# --- shapes -------------------------------------------------------------------------------------


class UpperCallCreateSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=UpperLevel.choices)
    programme = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quota = serializers.IntegerField(min_value=1, max_value=1000)
    opens_at = serializers.DateTimeField(required=False)
    closes_at = serializers.DateTimeField()
    commissioner = serializers.BooleanField(required=False, default=False)
    criteria = s.CriterionSerializer(many=True, required=False)
    reviewers_per_item = serializers.IntegerField(min_value=1, max_value=50, required=False, default=3)
    min_reviews = serializers.IntegerField(min_value=1, max_value=50, required=False, default=2)


class UpperCallSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    call = serializers.IntegerField(source="call_id", read_only=True, help_text="the internal call of its items")
    level = serializers.CharField(read_only=True)
    programme = serializers.IntegerField(source="call.programme_id", read_only=True)
    programme_name = serializers.CharField(source="call.programme.name", read_only=True)
    title = serializers.CharField(source="call.title", read_only=True)
    year = serializers.IntegerField(source="call.year", read_only=True)
    quota = serializers.IntegerField(read_only=True)
    commissioner = serializers.BooleanField(read_only=True)
    opens_at = serializers.DateTimeField(source="call.opens_at", read_only=True)
    closes_at = serializers.DateTimeField(source="call.closes_at", read_only=True)
    items = serializers.IntegerField(source="n_items", read_only=True)
    recommended = serializers.IntegerField(source="n_recommended", read_only=True)


class UpperItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)
    requested_yuan = serializers.DecimalField(**s.MONEY_OUT)


class UpperCallDetailSerializer(UpperCallSerializer):
    applications = serializers.SerializerMethodField()

    def get_applications(self, obj: Any) -> list[dict[str, Any]]:
        if not self.context.get("items"):
            return []
        return list(UpperItemSerializer(self.context["items"], many=True).data)


class RecommendSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=1000)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RecommendedSerializer(serializers.Serializer):
    recommended = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    not_recommended = serializers.ListField(child=serializers.IntegerField(), read_only=True)


class OutcomeSerializer(serializers.Serializer):
    funded = serializers.BooleanField()
    upper_yuan = s.MoneyField(required=False, default="0")
    matching_yuan = s.MoneyField(required=False, default="0")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class OutcomeOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="application_id", read_only=True)
    status = serializers.CharField(source="application.status", read_only=True)
    funded = serializers.BooleanField(read_only=True)
    upper_yuan = serializers.DecimalField(**s.MONEY_OUT)
    matching_yuan = serializers.DecimalField(**s.MONEY_OUT)


class UpperProgrammeRowSerializer(serializers.Serializer):
    programme = serializers.CharField(read_only=True)
    projects = serializers.IntegerField(read_only=True)
    total_yuan = serializers.DecimalField(**s.MONEY_OUT)
    total_wan = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    matching_yuan = serializers.DecimalField(**s.MONEY_OUT)


class UpperLevelRowSerializer(serializers.Serializer):
    level = serializers.CharField(read_only=True)
    projects = serializers.IntegerField(read_only=True)
    total_yuan = serializers.DecimalField(**s.MONEY_OUT)
    total_wan = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    matching_yuan = serializers.DecimalField(**s.MONEY_OUT)
    by_programme = UpperProgrammeRowSerializer(source="programmes", many=True, read_only=True)


class UpperCommissionerFiguresSerializer(serializers.Serializer):
    projects = serializers.IntegerField(read_only=True)
    total_yuan = serializers.DecimalField(**s.MONEY_OUT)
    by_level = UpperLevelRowSerializer(source="levels", many=True, read_only=True)
    commissioners = serializers.IntegerField(read_only=True)
    bases = serializers.IntegerField(read_only=True)
    townships = serializers.SerializerMethodField()
    assessments = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    def get_townships(self, obj: Any) -> list[dict[str, Any]]:
        return [{"township": name, "commissioners": n} for name, n in obj.townships]


class AwardPutForwardSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    nomination = serializers.IntegerField(source="nomination_id", read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    level = serializers.CharField(read_only=True)
    award = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    grade = serializers.IntegerField(read_only=True, allow_null=True)


class UpperReportSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    projects = serializers.IntegerField(read_only=True)
    total_yuan = serializers.DecimalField(**s.MONEY_OUT)
    total_wan = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    matching_yuan = serializers.DecimalField(**s.MONEY_OUT)
    recommended = serializers.IntegerField(read_only=True)
    by_level = UpperLevelRowSerializer(source="levels", many=True, read_only=True)
    by_programme = serializers.SerializerMethodField()
    commissioners = UpperCommissionerFiguresSerializer(read_only=True)
    awards_put_forward = AwardPutForwardSerializer(many=True, read_only=True)

    def get_by_programme(self, obj: Any) -> list[dict[str, Any]]:
        return [{"level": row.level, **UpperProgrammeRowSerializer(row).data} for row in obj.programmes]


class CommissionerInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=UpperLevel.choices, required=False, default=UpperLevel.PROVINCE)
    township = serializers.CharField(max_length=60)
    field = serializers.CharField(max_length=60)
    term_start = serializers.DateField()
    term_end = serializers.DateField()


class CommissionerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    organisation = serializers.CharField(read_only=True)
    level = serializers.CharField(read_only=True)
    township = serializers.CharField(source="township.name", read_only=True)
    field = serializers.CharField(read_only=True)
    term_start = serializers.DateField(read_only=True)
    term_end = serializers.DateField(read_only=True)


class CommissionerProjectOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="application_id", read_only=True, help_text="the item's id")
    title = serializers.CharField(source="application.title", read_only=True)
    status = serializers.CharField(source="application.status", read_only=True)
    upper_call = serializers.IntegerField(source="application.call.upper.pk", read_only=True)
    call_title = serializers.CharField(source="application.call.title", read_only=True)
    year = serializers.IntegerField(source="application.call.year", read_only=True)
    base = serializers.CharField(read_only=True)
    upper_yuan = serializers.SerializerMethodField()

    def get_upper_yuan(self, obj: Any) -> str | None:
        outcome = getattr(obj.application, "upper_outcome", None)
        return f"{outcome.upper_yuan:.2f}" if outcome is not None else None


class CommissionerAssessmentOutSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    result = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)


class CommissionerDetailSerializer(CommissionerSerializer):
    projects = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()

    @extend_schema_field(CommissionerProjectOutSerializer(many=True))
    def get_projects(self, obj: Any) -> list[dict[str, Any]]:
        return list(CommissionerProjectOutSerializer(commissioner_projects(obj), many=True).data)

    @extend_schema_field(CommissionerAssessmentOutSerializer(many=True))
    def get_assessments(self, obj: Any) -> list[dict[str, Any]]:
        return list(CommissionerAssessmentOutSerializer(obj.assessments.order_by("-year"), many=True).data)


class TownshipRowSerializer(serializers.Serializer):
    township = serializers.CharField(read_only=True)
    commissioners = serializers.ListField(child=serializers.CharField(), read_only=True)
    projects = serializers.IntegerField(read_only=True)
    funded = serializers.IntegerField(read_only=True)
    field_codes = serializers.ListField(source="fields", child=serializers.CharField(), read_only=True)
    field_names = serializers.SerializerMethodField()

    def get_field_names(self, obj: Any) -> list[str]:
        return [field_name(code) for code in obj.fields]


class UpperMilestoneInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    due = serializers.DateField()


class UpperMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    application = serializers.IntegerField(source="application_id", read_only=True)
    name = serializers.CharField(read_only=True)
    due = serializers.DateField(read_only=True)
    done_at = serializers.DateField(read_only=True, allow_null=True)


class MilestoneDoneSerializer(serializers.Serializer):
    done_at = serializers.DateField()


class UpperAcceptanceInSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=UpperAcceptanceResult.choices)
    accepted_on = serializers.DateField()
    organised_by = serializers.CharField(max_length=200)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class UpperAcceptanceSerializer(serializers.Serializer):
    result = serializers.CharField(read_only=True)
    accepted_on = serializers.DateField(read_only=True)
    organised_by = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)


class UpperFollowupSerializer(serializers.Serializer):
    milestones = UpperMilestoneSerializer(many=True, read_only=True)
    acceptance = UpperAcceptanceSerializer(read_only=True, allow_null=True)


class UpperProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    upper_call = serializers.IntegerField(source="call.upper.pk", read_only=True)
    level = serializers.CharField(source="call.upper.level", read_only=True)
    programme = serializers.CharField(source="call.programme.name", read_only=True)
    year = serializers.IntegerField(source="call.year", read_only=True)
    upper_yuan = serializers.DecimalField(source="upper_outcome.upper_yuan", **s.MONEY_OUT)
    matching_yuan = serializers.DecimalField(source="upper_outcome.matching_yuan", **s.MONEY_OUT)
    milestones = serializers.IntegerField(source="n_milestones", read_only=True)
    milestones_done = serializers.IntegerField(source="n_done", read_only=True)
    next_due = serializers.DateField(read_only=True, allow_null=True)
    acceptance = serializers.SerializerMethodField()

    @extend_schema_field(UpperAcceptanceSerializer(allow_null=True))
    def get_acceptance(self, obj: Any) -> dict[str, Any] | None:
        accepted = getattr(obj, "upper_acceptance", None)
        return dict(UpperAcceptanceSerializer(accepted).data) if accepted is not None else None


class AssessmentInSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    result = serializers.ChoiceField(choices=AssessmentResult.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CommissionerProjectInSerializer(serializers.Serializer):
    commissioner = serializers.IntegerField(min_value=1)
    base = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class PutForwardInSerializer(serializers.Serializer):
    nomination = serializers.IntegerField(min_value=1, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=AwardLevelUp.choices)
    award = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class PutForwardOutcomeSerializer(serializers.Serializer):
    awarded = serializers.BooleanField()
    grade = serializers.IntegerField(min_value=1, max_value=3, required=False, allow_null=True, default=None)


# --- higher-level calls ---------------------------------------------------------------------------


def _upper_call(request: Request, pk: int) -> Any:
    upper = upper_call_visible_to(request.user, pk)
    if upper is None:
        raise NotVisible()
    return upper


class UpperCallListView(APIView):
    @extend_schema(responses=UpperCallSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(UpperCallSerializer(upper_calls(), many=True).data)

    @extend_schema(request=UpperCallCreateSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(UpperCallCreateSerializer, request)
        programme = Programme.objects.filter(pk=data.pop("programme")).first()
        if programme is None:
            raise _field_error("programme", _("No programme with this id."))
        upper = upward_services.upper_call_create(actor=_me(request), programme=programme, **data)
        return Response({"id": upper.pk, "call": upper.call_id}, status=status.HTTP_201_CREATED)


class UpperCallDetailView(APIView):
    @extend_schema(responses=UpperCallDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        upper = _upper_call(request, pk)
        items = upper_call_items(upper) if may_read_upper_items(request.user) else None
        return Response(UpperCallDetailSerializer(upper, context={"items": items}).data)


class UpperRecommendView(APIView):
    @extend_schema(request=RecommendSerializer, responses=RecommendedSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.PANEL)
        upper = _upper_call(request, pk)
        data = _valid(RecommendSerializer, request)
        decided = steps.upper_recommend(upper_call=upper, actor=_me(request), **data)
        return Response(
            {
                "recommended": [a.pk for a in decided if a.status == "recommended"],
                "not_recommended": [a.pk for a in decided if a.status != "recommended"],
            }
        )


class UpperSummaryXlsxView(DocumentView):
    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="推荐汇总表")})
    def get(self, request: Request, pk: int) -> HttpResponse:
        _require(request, Role.STAFF, Role.PANEL)
        upper = _upper_call(request, pk)
        return xlsx_response(recommendation_summary_xlsx(upper), f"upper-call-{upper.pk}-summary.xlsx")


class UpperLetterPdfView(DocumentView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="推荐函")})
    def get(self, request: Request, pk: int) -> HttpResponse:
        _require(request, Role.STAFF)
        upper = _upper_call(request, pk)
        pdf = recommendation_letter_pdf(upper)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="upper-call-{upper.pk}-letter.pdf"'
        return response


class UpperToPanelView(APIView):
    """Staff send an accepted item to the panel without ranking (within the quota only)."""

    @extend_schema(request=None, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = steps.upper_skip_ranking(application=_application(request, pk), actor=_me(request))
        return Response({"id": application.pk, "status": application.status})


class UpperOutcomeView(APIView):
    @extend_schema(request=OutcomeSerializer, responses=OutcomeOutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = _application(request, pk)
        data = _valid(OutcomeSerializer, request)
        outcome = steps.upper_outcome_record(application=application, actor=_me(request), **data)
        return Response(OutcomeOutSerializer(outcome).data)


class UpperFollowupView(APIView):
    """The county-organised follow-up of a funded upward project: whoever may see the item
    reads its milestones and acceptance."""

    @extend_schema(responses=UpperFollowupSerializer)
    def get(self, request: Request, pk: int) -> Response:
        application = _application(request, pk)
        if application.call.kind != CallKind.UPPER:
            raise NotVisible()  # a county project has its own acceptance (``/acceptance/``)
        return Response(UpperFollowupSerializer(upper_followup(application)).data)


class UpperMilestoneListView(APIView):
    @extend_schema(request=UpperMilestoneInSerializer, responses={201: UpperMilestoneSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = _application(request, pk)
        data = _valid(UpperMilestoneInSerializer, request)
        milestone = upward_services.upper_milestone_add(application=application, actor=_me(request), **data)
        return Response(UpperMilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


class UpperMilestoneDoneView(APIView):
    @extend_schema(request=MilestoneDoneSerializer, responses=UpperMilestoneSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        milestone = _get_or_404(UpperMilestone.objects.select_related("application"), pk)
        data = _valid(MilestoneDoneSerializer, request)
        milestone = upward_services.upper_milestone_done(milestone=milestone, actor=_me(request), **data)
        return Response(UpperMilestoneSerializer(milestone).data)


class UpperAcceptanceView(APIView):
    @extend_schema(request=UpperAcceptanceInSerializer, responses={201: UpperAcceptanceSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = _application(request, pk)
        data = _valid(UpperAcceptanceInSerializer, request)
        acceptance = upward_services.upper_acceptance_record(application=application, actor=_me(request), **data)
        return Response(UpperAcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)


class UpperProjectListView(generics.ListAPIView):
    """Projects the higher level funded with their follow-up (staff, panel), paginated; the
    filters of the page: ``year``, ``level``, ``acceptance`` (passed / failed / none), ``search``."""

    serializer_class = UpperProjectSerializer
    filterset_class = UpperProjectFilter

    def get_queryset(self) -> QuerySet[Application]:
        return upper_projects()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        return super().get(request, *args, **kwargs)


class UpperReportView(APIView):
    """A year's higher-level results (staff, panel, finance); the public reads them on /figures/."""

    @extend_schema(responses=UpperReportSerializer)
    def get(self, request: Request) -> Response:
        _require(request, Role.STAFF, Role.PANEL, Role.FINANCE_OFFICER, Role.FINANCE_HEAD)
        year = parse_int(request.GET.get("year"), digits=4)
        if year is None:
            raise _field_error("year", _("Give the year, e.g. ?year=2016."))
        return Response(UpperReportSerializer(upper_report(year)).data)


# --- commissioners -------------------------------------------------------------------------------


class CommissionerListView(APIView):
    @extend_schema(responses=CommissionerSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        return Response(CommissionerSerializer(commissioners_list(), many=True).data)

    @extend_schema(request=CommissionerInSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(CommissionerInSerializer, request)
        commissioner = upward_services.commissioner_create(actor=_me(request), **data)
        return Response({"id": commissioner.pk}, status=status.HTTP_201_CREATED)


class CommissionerDetailView(APIView):
    """A commissioner with their projects (latest call first) and assessments."""

    @extend_schema(responses=CommissionerDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        commissioner = _get_or_404(Commissioner.objects.select_related("township"), pk)
        return Response(CommissionerDetailSerializer(commissioner).data)


class TownshipListView(APIView):
    """The townships covered: commissioners, projects (funded) and fields per township;
    ``?year=`` narrows to the commissioners on duty and the calls of that year."""

    @extend_schema(responses=TownshipRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        year = None
        if request.GET.get("year"):
            year = parse_int(request.GET.get("year"), digits=4)
            if year is None:
                raise _field_error("year", _("Give the year, e.g. ?year=2016."))
        return Response(TownshipRowSerializer(township_table(year), many=True).data)


class CommissionerAssessmentView(APIView):
    @extend_schema(request=AssessmentInSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        commissioner = _get_or_404(Commissioner.objects.all(), pk)
        data = _valid(AssessmentInSerializer, request)
        assessment = upward_services.assessment_record(commissioner=commissioner, actor=_me(request), **data)
        return Response({"id": assessment.pk}, status=status.HTTP_201_CREATED)


class CommissionerProjectView(APIView):
    """Staff name the commissioner leading an item of a commissioner call."""

    @extend_schema(request=CommissionerProjectInSerializer, responses=s.IdSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = _application(request, pk)
        data = _valid(CommissionerProjectInSerializer, request)
        commissioner = Commissioner.objects.filter(pk=data["commissioner"]).first()
        if commissioner is None:
            raise _field_error("commissioner", _("No commissioner with this id."))
        project = upward_services.commissioner_project_set(
            application=application, actor=_me(request), commissioner=commissioner, base=data["base"]
        )
        return Response({"id": project.pk})


# --- awards put forward --------------------------------------------------------------------------


class PutForwardListView(APIView):
    @extend_schema(responses=AwardPutForwardSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        items = AwardPutForward.objects.select_related("nomination").order_by("-year", "id")
        return Response(AwardPutForwardSerializer(items, many=True).data)

    @extend_schema(request=PutForwardInSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(PutForwardInSerializer, request)
        nomination = None
        if "nomination" in data:
            nomination = Application.objects.filter(pk=data.pop("nomination")).first()
            if nomination is None:
                raise _field_error("nomination", _("No nomination with this id."))
        item = upward_services.award_put_forward(nomination=nomination, actor=_me(request), **data)
        return Response({"id": item.pk}, status=status.HTTP_201_CREATED)


class PutForwardOutcomeView(APIView):
    @extend_schema(request=PutForwardOutcomeSerializer, responses=AwardPutForwardSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        item = _get_or_404(AwardPutForward.objects.all(), pk)
        data = _valid(PutForwardOutcomeSerializer, request)
        item = upward_services.award_put_forward_outcome(item=item, actor=_me(request), **data)
        return Response(AwardPutForwardSerializer(item).data)
