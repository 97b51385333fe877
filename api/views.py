"""REST endpoints (API.md). Each reads the request, calls one step or service, responds.

The services and steps check who may act; the role checks here only turn "this role may
never do this" into a clear 403 before an object lookup could answer 404. Objects the caller
may not see are 404 (``NotVisible``), whatever the reason.
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts.enums import Role
from accounts.models import User
from accounts.rules import has_role, is_staff
from accounts.tokens import token_issue, token_lifetime
from applications import services as app_services
from applications.filters import CallFilter, ItemFilter
from applications.models import Application, Call
from applications.rules import can_view_application
from applications.selectors import applications_visible_to
from core.errors import NotVisible
from core.ratelimit import client_address
from core.responses import XLSX, xlsx_response
from funding.exports import call_report_xlsx, payment_list_xlsx
from funding.filters import DisbursementFilter
from funding.models import Disbursement, Notice, Objection
from funding.selectors import call_report, disbursements_visible_to, notices_public, payment_list
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.services import notification_mark_read, notifications_mark_all_read
from reviews import services as review_services
from reviews.filters import AssignmentFilter, ExpertFilter
from reviews.models import Assignment, Criterion, Expert
from reviews.selectors import assignments_of, call_ranking, expert_pool
from workflow import steps

from . import serializers as s

FINANCE = (Role.FINANCE_OFFICER, Role.FINANCE_HEAD)


def _require(request: Request, *roles: str) -> None:
    """403 unless the caller has one of ``roles`` (a superuser counts as staff)."""
    if not any(has_role(request.user, role) for role in roles):
        raise PermissionDenied(_("Your role may not do this."))


def _me(request: Request) -> User:
    """The caller, on an endpoint that requires authentication (the default permission)."""
    user = request.user
    assert isinstance(user, User), "authenticated endpoint reached without a user"
    return user


def _valid(serializer_class: type[s.serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _get_or_404(queryset: QuerySet[Any], pk: Any) -> Any:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotVisible()
    return obj


def _application(request: Request, pk: int) -> Application:
    """The application, if the caller may see it; else 404 (never reveal it exists)."""
    application = Application.objects.select_related("call", "organisation").filter(pk=pk).first()
    if application is None or not can_view_application(request.user, application):
        raise NotVisible()
    return application


def _calls() -> QuerySet[Call]:
    acceptance = Criterion.all_purposes.filter(purpose="acceptance").order_by("position", "id")
    return Call.objects.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "id")),
        Prefetch("criteria", queryset=acceptance, to_attr="acceptance_rows"),
    )


def _field_error(field: str, message: Any) -> Any:
    from django.core.exceptions import ValidationError

    return ValidationError({field: [message]})


# --- authentication and people ------------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """POST {username, password} → {token, expires}. Wrong credentials: 400; too many wrong
    passwords for one username from one address: 429 (django-axes). A token expires
    ``PINGSHEN_TOKEN_HOURS`` after it was issued; asking again after that issues a new one."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                detail = _("Too many failed logins for this account from your address; try again later.")
                return Response({"detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise
        user = serializer.validated_data["user"]
        axes_reset(username=user.get_username())  # a right password clears the failure count
        token, key = token_issue(user)
        return Response({"token": key, "expires": token.created + token_lifetime()})


class RegisterView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=s.RegisterSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(s.RegisterSerializer, request)
        org = data["organisation"]
        user = account_services.applicant_register(
            username=data["username"],
            password=data["password"],
            email=data["email"],
            organisation_name=org["name"],
            credit_code=org["credit_code"],
            kind=org["kind"],
        )
        # "pending": the organisation was registered before; a member or staff must approve.
        membership = user.memberships.values_list("status", flat=True).first()
        return Response(
            {"id": user.pk, "username": user.username, "membership": membership}, status=status.HTTP_201_CREATED
        )


class UserCreateView(APIView):
    @extend_schema(request=s.UserCreateSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.UserCreateSerializer, request)
        org_data = data.pop("organisation")
        with transaction.atomic():
            organisation = (
                account_services.organisation_get_or_create(
                    name=org_data["name"], credit_code=org_data["credit_code"], kind=org_data["kind"]
                )
                if org_data
                else None
            )
            user = account_services.user_create_by_staff(actor=request.user, organisation=organisation, **data)
        return Response({"id": user.pk}, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(request.user).data)


class ExpertListView(generics.ListAPIView):
    """Staff list the pool (filtered as ``reviews.filters.ExpertFilter`` says) and add to it."""

    serializer_class = s.ExpertSerializer
    filterset_class = ExpertFilter

    def get_queryset(self) -> QuerySet[Expert]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Expert.objects.none()
        _require(self.request, Role.STAFF)
        return expert_pool()

    @extend_schema(request=s.ExpertCreateSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.ExpertCreateSerializer, request)
        expert = review_services.expert_create(actor=request.user, **data)
        return Response({"id": expert.pk}, status=status.HTTP_201_CREATED)


class ExpertConflictView(APIView):
    @extend_schema(request=s.ConflictSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request, pk: int) -> Response:
        expert = _get_or_404(Expert.objects.all(), pk)
        if not (is_staff(request.user) or expert.user_id == request.user.pk):
            raise NotVisible()
        data = _valid(s.ConflictSerializer, request)
        conflict = review_services.conflict_declare(expert=expert, actor=request.user, **data)
        return Response({"id": conflict.pk}, status=status.HTTP_201_CREATED)


# --- the fields vocabulary -------------------------------------------------------------------


class FieldListView(APIView):
    """The fields people pick from, named in the request's language; staff add to it."""

    @extend_schema(responses=s.FieldSerializer(many=True))
    def get(self, request: Request) -> Response:
        from applications.selectors import fields_offered

        # A short vocabulary, read whole: a plain list, as API.md gives it.
        return Response(s.FieldSerializer(fields_offered(), many=True).data)

    @extend_schema(request=s.FieldCreateSerializer, responses={201: s.FieldSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.FieldCreateSerializer, request)
        field = app_services.field_create(actor=request.user, **data)
        return Response(s.FieldSerializer(field).data, status=status.HTTP_201_CREATED)


# --- programmes and calls ----------------------------------------------------------------------


class ProgrammeListView(generics.ListAPIView):
    serializer_class = s.ProgrammeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        from applications.models import Programme

        return Programme.objects.filter(active=True)

    @extend_schema(request=s.ProgrammeSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.ProgrammeSerializer, request)
        programme = app_services.programme_create(actor=request.user, **data)
        return Response({"id": programme.pk}, status=status.HTTP_201_CREATED)


class CallListView(generics.ListAPIView):
    serializer_class = s.CallSerializer
    filterset_class = CallFilter

    def get_queryset(self) -> QuerySet[Call]:
        return _calls()

    @extend_schema(request=s.CallCreateSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request) -> Response:
        from applications.models import Programme

        _require(request, Role.STAFF)
        data = _valid(s.CallCreateSerializer, request)
        programme = Programme.objects.filter(pk=data.pop("programme")).first()
        if programme is None:
            raise _field_error("programme", _("No programme with this id."))
        criteria = [dict(c) for c in data.pop("criteria")]
        acceptance_criteria = [dict(c) for c in data.pop("acceptance_criteria", [])]
        call = steps.call_setup(
            actor=request.user,
            programme=programme,
            criteria=criteria,
            acceptance_criteria=acceptance_criteria,
            **data,
        )
        return Response({"id": call.pk}, status=status.HTTP_201_CREATED)


class CallDetailView(APIView):
    @extend_schema(responses=s.CallSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.CallSerializer(_get_or_404(_calls(), pk)).data)


class CallCloseView(APIView):
    @extend_schema(request=None, responses=s.CallClosedSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        call = app_services.call_close(call=_get_or_404(Call.objects.all(), pk), actor=request.user)
        return Response(s.CallClosedSerializer(call).data)


class CallRankingView(APIView):
    @extend_schema(responses=s.RankingItemSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL)
        ranking = call_ranking(_get_or_404(Call.objects.all(), pk))
        return Response(s.RankingItemSerializer(ranking, many=True).data)


class CallDrawView(APIView):
    @extend_schema(request=s.DrawRequestSerializer, responses=s.DrawResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.DrawRequestSerializer, request)
        draw = steps.call_draw(
            call=_get_or_404(Call.objects.all(), pk), actor=request.user, seed=data.get("seed") or None
        )
        assignments = Assignment.objects.filter(draw_item__draw=draw).order_by("pk")
        shortfalls = draw.items.filter(shortfall__gt=0).values("application_id", "shortfall")
        return Response(
            {
                "id": draw.pk,
                "seed": draw.seed,
                "assignments": [{"id": a.pk, "item": a.application_id, "expert": a.expert_id} for a in assignments],
                "shortfalls": [{"item": row["application_id"], "missing": row["shortfall"]} for row in shortfalls],
            }
        )


class CallNoticeView(APIView):
    @extend_schema(request=None, responses={201: s.NoticeCreatedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        notice = steps.notice_publish(call=_get_or_404(Call.objects.all(), pk), actor=request.user)
        return Response(s.NoticeCreatedSerializer(notice).data, status=status.HTTP_201_CREATED)


class CallAcceptanceNoticeView(APIView):
    """POST /api/calls/{id}/acceptance-notice/ (staff): the call's passed acceptances go on a
    public notice (验收结果公示); 409 while one runs or when none waits."""

    @extend_schema(request=None, responses={201: s.NoticeCreatedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        notice = steps.acceptance_notice_publish(call=_get_or_404(Call.objects.all(), pk), actor=request.user)
        return Response(s.NoticeCreatedSerializer(notice).data, status=status.HTTP_201_CREATED)


class CallReportView(APIView):
    @extend_schema(responses=s.CallReportSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF, Role.PANEL, *FINANCE)
        report = call_report(_get_or_404(Call.objects.all(), pk))
        return Response(s.CallReportSerializer(report).data)


class CallReportXlsxView(APIView):
    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="The call report as a spreadsheet")})
    def get(self, request: Request, pk: int) -> HttpResponse:
        _require(request, Role.STAFF, Role.PANEL, *FINANCE)
        call = _get_or_404(Call.objects.all(), pk)
        return xlsx_response(call_report_xlsx(call_report(call)), f"call-{call.pk}-report.xlsx")


class PaymentListXlsxView(APIView):
    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="Approved payments with payee bank details")})
    def get(self, request: Request) -> HttpResponse:
        _require(request, *FINANCE)
        return xlsx_response(payment_list_xlsx(payment_list()), "payment-list.xlsx")


# --- applications ---------------------------------------------------------------------------


class ApplicationListView(generics.ListAPIView):
    """An applicant lists their own; staff, panel and finance list every submitted one."""

    serializer_class = s.ApplicationListSerializer
    filterset_class = ItemFilter

    def get_queryset(self) -> QuerySet[Application]:
        return applications_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=s.ApplicationCreateSerializer, responses={201: s.ApplicationCreatedSerializer})
    def post(self, request: Request) -> Response:
        _require(request, Role.APPLICANT, Role.NOMINATOR)
        data = _valid(s.ApplicationCreateSerializer, request)
        if "upper_call" in data:
            # A higher-level call's items live on its internal call (see the ``upward`` app).
            call = Call.objects.filter(upper__pk=data.pop("upper_call")).first()
            if call is None:
                raise _field_error("upper_call", _("No higher-level call with this id."))
        else:
            call = Call.objects.filter(pk=data.pop("call")).first()
            if call is None:
                raise _field_error("call", _("No call with this id."))
        application = app_services.application_create(actor=request.user, call=call, **data)
        return Response({"id": application.pk, "status": application.status}, status=status.HTTP_201_CREATED)


class ApplicationDetailView(APIView):
    @extend_schema(responses=s.ApplicationDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ApplicationDetailSerializer(_application(request, pk)).data)

    @extend_schema(request=s.ApplicationWriteSerializer, responses=s.ApplicationDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        application = _application(request, pk)
        serializer = s.ApplicationWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        application = app_services.application_update(
            application=application, actor=request.user, **serializer.validated_data
        )
        return Response(s.ApplicationDetailSerializer(application).data)


class ItemView(APIView):
    """A step on one item; the nomination endpoints (``api.awards``) subclass these views and
    look the item up their way."""

    def item(self, request: Request, pk: int) -> Application:
        return _application(request, pk)


class AttachmentView(ItemView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.AttachmentInSerializer}, responses={201: s.AttachmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        application = self.item(request, pk)
        data = _valid(s.AttachmentInSerializer, request)
        attachment = app_services.attachment_add(
            application=application, actor=request.user, upload=data["file"], kind=data["kind"]
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDeleteView(APIView):
    """The applicant removes an attachment of their draft or returned item (409 after); to
    anyone else, staff included, the attachment is not there (404)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        from applications.models import Attachment
        from applications.rules import is_owner

        attachment = Attachment.objects.select_related("application").filter(pk=pk).first()
        if attachment is None or not (
            attachment.application.applicant_id == request.user.pk or is_owner(request.user, attachment.application)
        ):
            raise NotVisible()
        app_services.attachment_delete(attachment=attachment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApplicationSubmitView(ItemView):
    """Submit, signing the integrity pledge (诚信承诺): ``pledge: true`` is required (400 without
    it); a severe credit record in force on the organisation refuses the submission (409)."""

    #: Plan applications sign the pledge; a nomination (api/awards.py) is submitted as before.
    pledge_required = True

    @extend_schema(request=s.SubmitSerializer, responses=s.StatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        application = self.item(request, pk)
        pledge = _valid(s.SubmitSerializer, request)["pledge"] if self.pledge_required else True
        application = steps.application_submit(application=application, actor=request.user, pledge=pledge)
        return Response({"status": application.status})


class LimitsOverrideView(APIView):
    """Staff let one application past its call's limits (限项) with a reason (audited). Staff may
    act on a draft they cannot otherwise read: the applicant asks the bureau for the exception
    after the submission was refused, and the override shows nothing of the draft."""

    @extend_schema(request=s.LimitsOverrideSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = _get_or_404(Application.objects.filter(kind="application"), pk)
        data = _valid(s.LimitsOverrideSerializer, request)
        application = app_services.application_limits_override(
            application=application, actor=request.user, reason=data["reason"]
        )
        return Response({"id": application.pk, "status": application.status})


class FormalReviewView(ItemView):
    @extend_schema(request=s.FormalReviewSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.FormalReviewSerializer, request)
        application = steps.formal_review(application=self.item(request, pk), actor=request.user, **data)
        return Response({"id": application.pk, "status": application.status})


class AssignmentAddView(APIView):
    """Staff invite an expert by hand (before or during the review, or to refill a slot)."""

    @extend_schema(request=s.AssignmentAddSerializer, responses={201: s.IdSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = _application(request, pk)
        data = _valid(s.AssignmentAddSerializer, request)
        expert = Expert.objects.filter(pk=data["expert"]).first()
        if expert is None:
            raise _field_error("expert", _("No expert with this id."))
        replaces = None
        if data["replaces"] is not None:
            replaces = Assignment.objects.filter(pk=data["replaces"], application=application).first()
            if replaces is None:
                raise _field_error("replaces", _("No assignment of this application with this id."))
        assignment = steps.assignment_add(application=application, expert=expert, actor=request.user, replaces=replaces)
        return Response({"id": assignment.pk}, status=status.HTTP_201_CREATED)


class StartReviewView(APIView):
    @extend_schema(request=None, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        application = steps.expert_review_start(application=_application(request, pk), actor=request.user)
        return Response({"id": application.pk, "status": application.status})


class TerminateView(APIView):
    @extend_schema(request=s.ReasonSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.ReasonSerializer, request)
        application = steps.terminate(application=_application(request, pk), actor=request.user, **data)
        return Response({"id": application.pk, "status": application.status})


class DecisionView(APIView):
    @extend_schema(
        request=s.DecisionSerializer,
        responses={200: s.IdStatusSerializer, 409: OpenApiResponse(s.DetailSerializer, description="Over budget")},
    )
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.PANEL)
        data = _valid(s.DecisionSerializer, request)
        steps.decide(application=_application(request, pk), actor=request.user, **data)
        application = Application.objects.get(pk=pk)
        return Response({"id": application.pk, "status": application.status})


# --- expert review ----------------------------------------------------------------------------


def _own_assignment(request: Request, pk: int) -> Assignment:
    return _get_or_404(assignments_of(request.user), pk)


class AssignmentListView(generics.ListAPIView):
    """The caller's own invitations and reviews (empty for anyone who is not an expert)."""

    serializer_class = s.AssignmentSerializer
    filterset_class = AssignmentFilter

    def get_queryset(self) -> QuerySet[Assignment]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Assignment.objects.none()
        return assignments_of(self.request.user).select_related("application__organisation").order_by("due_at", "id")


class AssignmentAcceptView(APIView):
    @extend_schema(request=s.AcceptSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        assignment = _own_assignment(request, pk)
        data = _valid(s.AcceptSerializer, request)
        assignment = steps.assignment_accept(assignment=assignment, actor=request.user, **data)
        return Response({"id": assignment.pk, "status": assignment.status})


class AssignmentDeclineView(APIView):
    @extend_schema(request=s.ReasonSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        assignment = _own_assignment(request, pk)
        data = _valid(s.ReasonSerializer, request)
        assignment = steps.assignment_decline(assignment=assignment, actor=request.user, **data)
        return Response({"id": assignment.pk, "status": assignment.status})


class ReviewSubmitView(APIView):
    @extend_schema(request=s.ReviewInSerializer, responses={201: s.ReviewOutSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assignment = _own_assignment(request, pk)
        data = _valid(s.ReviewInSerializer, request)
        review = steps.review_submit(assignment=assignment, actor=request.user, **data)
        return Response(s.ReviewOutSerializer(review).data, status=status.HTTP_201_CREATED)


# --- notices and objections ----------------------------------------------------------------


class NoticeDetailView(APIView):
    """The public notice: anyone may read it, without logging in."""

    permission_classes = [AllowAny]

    @extend_schema(responses=s.NoticeSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.NoticeSerializer(_get_or_404(notices_public(), pk)).data)


class NoticeListView(generics.ListAPIView):
    """GET /api/notices/ (anyone, no login): current and past notices, newest first, each
    with its items as the notice shows them (funded projects and awards only, by default)."""

    permission_classes = [AllowAny]
    serializer_class = s.NoticeSerializer

    def get_queryset(self) -> QuerySet[Notice]:
        return notices_public()


class ObjectionFileView(APIView):
    """Anyone may object to an item on an open notice, by name and with a contact."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=s.ObjectionInSerializer,
        responses={
            201: s.IdSerializer,
            429: OpenApiResponse(s.DetailSerializer, description="Too many objections from this address"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        notice = _get_or_404(Notice.objects.all(), pk)
        data = _valid(s.ObjectionInSerializer, request)
        objection = steps.objection_file(
            notice=notice,
            address=client_address(request),
            application_id=data["item"],
            text=data["text"],
            name=data["name"],
            contact=data["contact"],
        )
        return Response({"id": objection.pk}, status=status.HTTP_201_CREATED)


class ObjectionsDismissView(APIView):
    """POST /api/objections/dismiss/ (staff) {objections: [ids], resolution}: dismiss duplicates
    in bulk, all or none; each is audited."""

    @extend_schema(request=s.ObjectionsDismissSerializer, responses=s.ObjectionsDismissedSerializer)
    def post(self, request: Request) -> Response:
        _require(request, Role.STAFF)
        data = _valid(s.ObjectionsDismissSerializer, request)
        dismissed = steps.objections_dismiss(
            objection_ids=data["objections"], actor=request.user, resolution=data["resolution"]
        )
        return Response({"dismissed": [o.pk for o in dismissed]})


class ObjectionResolveView(APIView):
    @extend_schema(request=s.ObjectionResolveSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        objection = _get_or_404(Objection.objects.select_related("application"), pk)
        data = _valid(s.ObjectionResolveSerializer, request)
        objection = steps.objection_resolve(objection=objection, actor=request.user, **data)
        return Response({"id": objection.pk, "status": objection.status})


class NoticeCloseView(APIView):
    @extend_schema(request=None, responses=s.NoticeClosedSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        notice = steps.notice_close(notice=_get_or_404(Notice.objects.all(), pk), actor=request.user)
        return Response(s.NoticeClosedSerializer(notice).data)


# --- money ----------------------------------------------------------------------------------


def _disbursement(request: Request, pk: int) -> Disbursement:
    _require(request, *FINANCE)
    return _get_or_404(Disbursement.objects.select_related("application", "application__call"), pk)


class DisbursementListView(generics.ListAPIView):
    serializer_class = s.DisbursementSerializer
    filterset_class = DisbursementFilter

    def get_queryset(self) -> QuerySet[Disbursement]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Disbursement.objects.none()
        _require(self.request, *FINANCE, Role.STAFF)
        return disbursements_visible_to(self.request.user).order_by("-requested_at", "-id")


class DisbursementApproveView(APIView):
    @extend_schema(request=None, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        d = steps.disbursement_approve(disbursement=_disbursement(request, pk), actor=request.user)
        return Response({"id": d.pk, "status": d.status})


class DisbursementRejectView(APIView):
    @extend_schema(request=s.ReasonSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        disbursement = _disbursement(request, pk)
        data = _valid(s.ReasonSerializer, request)
        d = steps.disbursement_reject(disbursement=disbursement, actor=request.user, **data)
        return Response({"id": d.pk, "status": d.status})


class DisbursementPayView(APIView):
    @extend_schema(request=s.VoucherSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        disbursement = _disbursement(request, pk)
        data = _valid(s.VoucherSerializer, request)
        d = steps.disbursement_pay(disbursement=disbursement, actor=request.user, **data)
        return Response({"id": d.pk, "status": d.status})


class DisbursementResubmitView(APIView):
    """POST /api/disbursements/{id}/resubmit/ (staff) {comment}: a rejected payment requested
    again; it goes through both approvals again."""

    @extend_schema(request=s.CommentSerializer, responses=s.IdStatusSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(request, Role.STAFF)
        disbursement = _get_or_404(Disbursement.objects.select_related("application"), pk)
        data = _valid(s.CommentSerializer, request)
        d = steps.disbursement_resubmit(disbursement=disbursement, actor=request.user, **data)
        return Response({"id": d.pk, "status": d.status})


# --- notifications ------------------------------------------------------------------------------


class NotificationListView(generics.ListAPIView):
    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        rows = Notification.objects.filter(recipient=_me(self.request)).order_by("-created_at", "-id")
        kind = self.request.query_params.get("kind")
        if kind:
            rows = rows.filter(kind=kind)
        unread = self.request.query_params.get("unread")
        if unread in ("true", "1"):
            rows = rows.filter(read_at__isnull=True)
        elif unread in ("false", "0"):
            rows = rows.filter(read_at__isnull=False)
        return rows


class NotificationReadAllView(APIView):
    """Mark every unread notification of the caller read (``?kind=`` only that kind): one UPDATE."""

    @extend_schema(request=None, responses=s.NotificationReadAllSerializer)
    def post(self, request: Request) -> Response:
        kind = request.query_params.get("kind") or request.data.get("kind") or None
        marked = notifications_mark_all_read(actor=_me(request), kind=kind)
        return Response({"marked": marked})


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=s.NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notification = _get_or_404(Notification.objects.filter(recipient=_me(request)), pk)
        notification = notification_mark_read(notification=notification, actor=request.user)
        return Response(s.NotificationSerializer(notification).data)
