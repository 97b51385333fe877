"""REST endpoints for progress awards (API.md, "Awards"). A round is a call and a
nomination an application, so the draw, ranking and notice reuse the call views, and the
expert review, notices and payments endpoints serve nominations unchanged."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from applications.enums import ItemKind, ScoringRule
from applications.filters import CallFilter, ItemFilter
from applications.models import Application
from applications.rules import can_view_application
from awards import services as award_services
from awards.exports import round_report_xlsx
from awards.models import LEVELS, AwardRound
from awards.selectors import award_rounds, nominations_visible_to
from core.errors import NotVisible
from core.responses import XLSX, xlsx_response
from funding.documents import nomination_certificate_pdf
from reviews.models import Criterion
from workflow import steps

from . import serializers as s
from . import views
from .funding import DocumentView
from .views import (
    FINANCE,
    ApplicationSubmitView,
    AttachmentView,
    FormalReviewView,
    _field_error,
    _get_or_404,
    _require,
    _valid,
)

# --- shapes -------------------------------------------------------------------------------------


class LevelInSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=[(lv, str(lv)) for lv in LEVELS])
    quota = serializers.IntegerField(min_value=0, max_value=10000)
    bonus_yuan = s.MoneyField(allow_zero=False)


class AwardRoundCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    # At most one row per level: the service refuses a level given twice.
    levels = LevelInSerializer(many=True, allow_empty=False)
    criteria = s.CriterionSerializer(many=True, allow_empty=False)
    reviewers_per_item = serializers.IntegerField(min_value=1, max_value=50, required=False, default=5)
    min_reviews = serializers.IntegerField(min_value=1, max_value=50, required=False, default=3)
    review_days = serializers.IntegerField(min_value=1, max_value=365, required=False, default=14)
    scoring_rule = serializers.ChoiceField(choices=ScoringRule.choices, required=False, default=ScoringRule.MEAN)
    blind = serializers.BooleanField(required=False, default=False)
    notice_days = serializers.IntegerField(min_value=1, max_value=60, required=False, default=7)
    required_documents = s.RequiredDocumentSerializer(many=True, required=False, default=list)


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField(read_only=True)
    quota = serializers.IntegerField(read_only=True)
    bonus_yuan = serializers.DecimalField(**s.MONEY_OUT)


class AwardRoundSerializer(serializers.ModelSerializer):
    budget_yuan = serializers.DecimalField(**s.MONEY_OUT)
    is_open = serializers.SerializerMethodField()
    levels = LevelSerializer(many=True, read_only=True)
    criteria = s.CriterionSerializer(many=True, read_only=True)
    required_documents = s.RequiredDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = AwardRound
        fields = [
            "id",
            "title",
            "year",
            "opens_at",
            "closes_at",
            "closed_at",
            "is_open",
            "budget_yuan",
            "reviewers_per_item",
            "min_reviews",
            "review_days",
            "scoring_rule",
            "blind",
            "notice_days",
            "levels",
            "criteria",
            "required_documents",
        ]
        read_only_fields = fields

    def get_is_open(self, award_round: AwardRound) -> bool:
        return award_round.is_open()


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True)


class NominationWriteSerializer(serializers.Serializer):
    """The nominator's fields; on PATCH every one is optional, and nothing else may be sent."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    field = serializers.CharField(max_length=60)
    units = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1, max_length=20)
    #: In order of contribution: each a name, or {name, organisation?, role?} (checked by the service).
    persons = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=50,
        help_text="In order of contribution: a name, or {name, organisation, role}.",
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({unknown[0]: [_("This field cannot be changed here.")]})
        return super().to_internal_value(data)


class NominationCreateSerializer(NominationWriteSerializer):
    round = serializers.IntegerField(min_value=1)


class NominationListSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="call_id", read_only=True)
    lead_unit = serializers.CharField(source="organisation.name", read_only=True)
    approved_yuan = serializers.DecimalField(**s.MONEY_OUT, allow_null=True)
    level = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "round", "title", "field", "lead_unit", "status", "level", "approved_yuan", "submitted_at"]
        read_only_fields = fields

    def get_level(self, nomination: Application) -> int | None:
        decision = getattr(nomination, "decision", None)
        return decision.level if decision is not None else None


class NominationDetailSerializer(NominationListSerializer):
    units = serializers.ListField(child=serializers.CharField(), read_only=True)
    persons = PersonSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()

    class Meta(NominationListSerializer.Meta):
        fields = [*NominationListSerializer.Meta.fields, "summary", "units", "persons", "created_at", "history"]
        read_only_fields = fields

    def get_history(self, nomination: Application) -> Any:
        return s.ApplicationDetailSerializer().get_history(nomination)


class AwardDecisionSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=[(lv, str(lv)) for lv in LEVELS], allow_null=True)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AwardDecisionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    level = serializers.IntegerField(read_only=True, allow_null=True)
    approved_yuan = serializers.DecimalField(**s.MONEY_OUT, allow_null=True)


class LevelReportSerializer(serializers.Serializer):
    level = serializers.IntegerField(read_only=True)
    quota = serializers.IntegerField(read_only=True)
    count = serializers.IntegerField(read_only=True)
    left = serializers.IntegerField(read_only=True)
    bonus_yuan = serializers.DecimalField(**s.MONEY_OUT)
    total_yuan = serializers.DecimalField(**s.MONEY_OUT)


class RoundReportSerializer(serializers.Serializer):
    levels = LevelReportSerializer(many=True, read_only=True)
    count = serializers.IntegerField(read_only=True)
    total_yuan = serializers.DecimalField(**s.MONEY_OUT)
    total_wan = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    awarded = serializers.IntegerField(read_only=True)
    nominations = serializers.IntegerField(read_only=True)
    requested_yuan = serializers.DecimalField(**s.MONEY_OUT)
    paid_yuan = serializers.DecimalField(**s.MONEY_OUT)
    problems = serializers.ListField(child=serializers.CharField(), read_only=True)


# --- lookups ------------------------------------------------------------------------------------


def _rounds() -> QuerySet[AwardRound]:
    return award_rounds().prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("position", "id")))


def _round(pk: int) -> AwardRound:
    return _get_or_404(AwardRound.objects.all(), pk)


def _nomination(request: Request, pk: int) -> Application:
    """The nomination, if the caller may see it; else 404 (never reveal it exists)."""
    nomination = (
        Application.objects.select_related("call", "organisation", "decision")
        .filter(pk=pk, kind=ItemKind.NOMINATION)
        .first()
    )
    if nomination is None or not can_view_application(request.user, nomination):
        raise NotVisible()
    return nomination


# --- rounds -------------------------------------------------------------------------------------


class AwardRoundListView(generics.ListAPIView):
    serializer_class = AwardRoundSerializer
    filterset_class = CallFilter

    def get_queryset(self) -> QuerySet[AwardRound]:
        return _rounds()

    @extend_schema(request=AwardRoundCreateSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(AwardRoundCreateSerializer, request)
        data["levels"] = [dict(level) for level in data["levels"]]
        data["criteria"] = [dict(c) for c in data["criteria"]]
        award_round = award_services.award_round_create(actor=request.user, **data)
        return Response({"id": award_round.pk}, status=status.HTTP_201_CREATED)


class AwardRoundDetailView(APIView):
    @extend_schema(responses=AwardRoundSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(AwardRoundSerializer(_get_or_404(_rounds(), pk)).data)


class AwardRoundDrawView(views.CallDrawView):
    """The same draw as for a call's applications (API.md, "Expert review")."""

    @extend_schema(request=s.DrawRequestSerializer, responses=s.DrawResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        return super().post(request, _round(pk).pk)


class AwardRoundRankingView(views.CallRankingView):
    @extend_schema(responses=s.RankingItemSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        return super().get(request, _round(pk).pk)


class AwardRoundNoticeView(views.CallNoticeView):
    """Publishes every decided nomination; 409 when the round's results do not add up."""

    @extend_schema(
        request=None,
        responses={
            201: s.NoticeCreatedSerializer,
            409: OpenApiResponse(s.DetailSerializer, description="Counts do not add up"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        return super().post(request, _round(pk).pk)


def _report_data(award_round: AwardRound) -> dict[str, Any]:
    report = award_services.round_report(award_round)
    return {
        "levels": report.levels,
        "count": report.count,
        "total_yuan": report.total_yuan,
        "total_wan": report.total_wan,
        "awarded": report.awarded,
        "nominations": report.nominations,
        "requested_yuan": report.requested_yuan,
        "paid_yuan": report.paid_yuan,
        "problems": award_services.round_problems(award_round),
    }


class AwardRoundReportView(APIView):
    """Counts and bonuses per level, computed from the committee's decisions."""

    @extend_schema(responses=RoundReportSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL, *FINANCE)
        return Response(RoundReportSerializer(_report_data(_round(pk))).data)


class AwardRoundReportXlsxView(APIView):
    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="The round report as a spreadsheet")})
    def get(self, request: Request, pk: int) -> HttpResponse:
        _require(request, Role.STAFF, Role.PANEL, *FINANCE)
        award_round = _round(pk)
        return xlsx_response(
            round_report_xlsx(award_services.round_report(award_round)), f"award-round-{award_round.pk}-report.xlsx"
        )


# --- nominations --------------------------------------------------------------------------------


class NominationListView(generics.ListAPIView):
    """A nominator lists their own; staff, the committee and finance every submitted one."""

    serializer_class = NominationListSerializer
    filterset_class = ItemFilter

    def get_queryset(self) -> QuerySet[Application]:
        return nominations_visible_to(self.request.user).select_related("decision").order_by("-created_at", "-id")

    @extend_schema(request=NominationCreateSerializer, responses={201: s.ApplicationCreatedSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.NOMINATOR, Role.APPLICANT)
        data = _valid(NominationCreateSerializer, request)
        award_round = AwardRound.objects.filter(pk=data.pop("round")).first()
        if award_round is None:
            raise _field_error("round", _("No award round with this id."))
        nomination = award_services.nomination_create(actor=request.user, award_round=award_round, **data)
        return Response({"id": nomination.pk, "status": nomination.status}, status=status.HTTP_201_CREATED)


class NominationDetailView(APIView):
    @extend_schema(responses=NominationDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(NominationDetailSerializer(_nomination(request, pk)).data)

    @extend_schema(request=NominationWriteSerializer, responses=NominationDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        nomination = _nomination(request, pk)
        serializer = NominationWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        award_services.nomination_update(nomination=nomination, actor=request.user, **data)
        return Response(NominationDetailSerializer(_nomination(request, pk)).data)


class NominationItem:
    """Looks the item up as a nomination (404 for an application or a nomination not visible)."""

    def item(self, request: Request, pk: int) -> Application:
        return _nomination(request, pk)


class NominationAttachmentView(NominationItem, AttachmentView):
    pass


class NominationSubmitView(NominationItem, ApplicationSubmitView):
    # The integrity pledge belongs to plan applications (issue 17.5); nominations keep their contract.
    pledge_required = False

    @extend_schema(request=None, responses=s.StatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class NominationFormalReviewView(NominationItem, FormalReviewView):
    pass


class NominationDecisionView(APIView):
    @extend_schema(
        request=AwardDecisionSerializer,
        responses={
            200: AwardDecisionOutSerializer,
            409: OpenApiResponse(s.DetailSerializer, description="The level's quota is full, or already decided"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.PANEL)
        data = _valid(AwardDecisionSerializer, request)
        decision = steps.award_decide(nomination=_nomination(request, pk), actor=request.user, **data)
        nomination = Application.objects.get(pk=pk)
        out = {"id": nomination.pk, "status": nomination.status, "level": decision.level}
        return Response(AwardDecisionOutSerializer({**out, "approved_yuan": nomination.approved_yuan}).data)


class NominationCertificateView(DocumentView):
    """GET /api/nominations/{id}/certificate.pdf: whoever may see the nomination (else 404);
    409 before the round's notice closed, or when it won no award (API.md)."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The award certificate (PDF)")})
    def get(self, request: Request, pk: int) -> HttpResponse:
        nomination = _nomination(request, pk)
        content = nomination_certificate_pdf(nomination, language=get_language())
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="award-certificate-{nomination.pk}.pdf"'
        return response
