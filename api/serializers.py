"""Request and response shapes of the REST API (API.md).

Input serializers only check types and shapes, so that no input reaches a service in a form
it cannot handle (a list where a dict belongs, "NaN" as money); every rule about the domain
stays in the services, which the web UI calls too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.enums import Language, OrganisationKind, Role
from applications.enums import FormalDecision, ScoringRule
from applications.models import Application, Call
from applications.services import parse_money
from core.money import yuan
from funding.selectors import notice_public_items
from notifications.links import notification_link
from notifications.models import Notification
from reviews.enums import AssignmentPurpose, Recommendation
from reviews.models import Assignment, Criterion

MONEY_OUT: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "read_only": True}


@extend_schema_field(OpenApiTypes.DECIMAL)
class MoneyField(serializers.Field):
    """Yuan in: a decimal string or a number, finite, not negative, at most two places.

    Out: a decimal string with two places, "18472425.00".
    """

    default_error_messages = {"invalid": _("Enter an amount in yuan, such as 150000.00.")}

    def __init__(self, *, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 40:
            self.fail("invalid")
        field_name = self.field_name or ""  # None only on a field not yet bound to a serializer
        try:
            return parse_money(data, field_name, allow_zero=self.allow_zero)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict.get(field_name, exc.messages)) from None

    def to_representation(self, value: Any) -> str:
        return str(yuan(value))


# --- small shared responses -------------------------------------------------------------


class IdSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)


class IdStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)


class LimitsOverrideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class SubmitSerializer(serializers.Serializer):
    pledge = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "The integrity pledge (诚信承诺): true to sign it. Required: without it the submission is refused (400)."
        ),
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


# --- people -----------------------------------------------------------------------------------


class OrganisationInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, required=False, default=OrganisationKind.ENTERPRISE
    )


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    email = serializers.EmailField()
    organisation = OrganisationInSerializer()


#: Optional on accounts staff make: without one the person is invited to set their own.
def _invitation_password() -> serializers.CharField:
    return serializers.CharField(
        max_length=128,
        write_only=True,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        style={"input_type": "password"},
        help_text="Leave out: the person gets an invitation e-mail with a one-time link to set one.",
    )


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = _invitation_password()
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), max_length=len(Role.values))
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    organisation = OrganisationInSerializer(required=False, allow_null=True, default=None)
    language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.ZH_HANS)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    roles = serializers.SerializerMethodField()
    # Staff, panel and finance belong to no organisation: null, as the schema says.
    organisation = serializers.CharField(source="organisation.name", read_only=True, default=None, allow_null=True)

    def get_roles(self, user: Any) -> list[str]:
        roles = set(user.roles)
        if user.has_role(Role.STAFF):
            roles.add(Role.STAFF)  # a superuser may do everything staff may
        return sorted(roles)


class ExpertCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = _invitation_password()
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=100)
    organisation = OrganisationInSerializer(required=False, allow_null=True, default=None)
    # The stubs see Serializer.fields; SerializerMetaclass moves declared fields out of the class.
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(max_length=60), min_length=1, max_length=50
    )
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    load_limit = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=10)


class ExpertSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True, default=None, allow_null=True)
    fields = serializers.ListField(child=serializers.CharField(), read_only=True)  # type: ignore[assignment]
    title = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True)
    active = serializers.BooleanField(read_only=True)
    load = serializers.IntegerField(read_only=True, help_text="Open invitations and reviews")
    load_limit = serializers.IntegerField(read_only=True)


class ConflictSerializer(serializers.Serializer):
    organisation_name = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# --- the fields vocabulary -------------------------------------------------------------------


class FieldSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="In the request's language")


class FieldCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=60)
    name_zh = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100)


# --- programmes and calls -----------------------------------------------------------------------


class ProgrammeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)


class CriterionSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=30)
    # The stubs see Field.label; SerializerMetaclass moves declared fields out of the class.
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]
    guidance = serializers.CharField(required=False, allow_blank=True, default="")
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"))


class RequiredDocumentSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9_-]{1,30}$", max_length=30)
    name = serializers.CharField(max_length=100)


class CallCreateSerializer(serializers.Serializer):
    programme = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    batch = serializers.IntegerField(min_value=1, max_value=20, required=False, default=1)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    budget_yuan = MoneyField()
    max_request_yuan = MoneyField(allow_zero=False)
    reviewers_per_item = serializers.IntegerField(min_value=1, max_value=50, required=False, default=5)
    min_reviews = serializers.IntegerField(min_value=1, max_value=50, required=False, default=3)
    review_days = serializers.IntegerField(min_value=1, max_value=365, required=False, default=14)
    scoring_rule = serializers.ChoiceField(choices=ScoringRule.choices, required=False, default=ScoringRule.MEAN)
    spread_threshold = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0"), required=False, default=Decimal("20")
    )
    blind = serializers.BooleanField(required=False, default=False)
    notice_days = serializers.IntegerField(min_value=1, max_value=60, required=False, default=7)
    tranches = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=100), min_length=1)
    criteria = CriterionSerializer(many=True, allow_empty=False)
    #: What experts score a project's acceptance (验收) against; none: targets met 40, money used
    #: as planned 30, results 30.
    acceptance_criteria = CriterionSerializer(many=True, required=False)
    max_attachments = serializers.IntegerField(min_value=1, max_value=200, required=False, default=20)
    max_attachments_mb = serializers.IntegerField(min_value=1, max_value=2000, required=False, default=100)
    required_documents = RequiredDocumentSerializer(many=True, required=False, default=list)
    # Limits (限项), checked at submission; null: no limit.
    max_applications_per_organisation = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, allow_null=True, default=None
    )
    block_overdue_acceptance = serializers.BooleanField(required=False, default=False)
    max_open_projects_per_organisation = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, allow_null=True, default=None
    )
    # The mid-term check (中期检查): with it, 3 or more tranches, each middle one released by a
    # passed check; the checks fall every ``midterm_months`` after the contract.
    midterm = serializers.BooleanField(required=False, default=False)
    midterm_months = serializers.IntegerField(min_value=1, max_value=60, required=False, default=12)
    # How many checks, 1 to 6 and at least one per middle tranche; null: one per middle tranche.
    midterm_checks = serializers.IntegerField(min_value=1, max_value=6, required=False, allow_null=True, default=None)
    # The experts drawn for a project's acceptance (验收).
    acceptance_experts = serializers.IntegerField(min_value=3, max_value=5, required=False, default=3)


class CallSerializer(serializers.ModelSerializer):
    budget_yuan = serializers.DecimalField(**MONEY_OUT)
    max_request_yuan = serializers.DecimalField(**MONEY_OUT)
    is_open = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True, read_only=True)
    acceptance_criteria = serializers.SerializerMethodField()
    tranches = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "programme",
            "title",
            "year",
            "batch",
            "opens_at",
            "closes_at",
            "closed_at",
            "is_open",
            "budget_yuan",
            "max_request_yuan",
            "reviewers_per_item",
            "min_reviews",
            "review_days",
            "scoring_rule",
            "blind",
            "notice_days",
            "tranches",
            "max_attachments",
            "max_attachments_mb",
            "max_applications_per_organisation",
            "block_overdue_acceptance",
            "max_open_projects_per_organisation",
            "midterm",
            "midterm_months",
            "midterm_checks",
            "acceptance_experts",
            "criteria",
            "acceptance_criteria",
            "required_documents",
        ]
        read_only_fields = fields

    @extend_schema_field(CriterionSerializer(many=True))
    def get_acceptance_criteria(self, call: Call) -> list[Any]:
        """Set by staff, or the defaults once a first acceptance drew its experts; empty before."""
        rows = getattr(call, "acceptance_rows", None)  # prefetched by the call views
        if rows is None:
            rows = Criterion.all_purposes.filter(call=call, purpose=AssignmentPurpose.ACCEPTANCE).order_by("position")
        return list(CriterionSerializer(rows, many=True).data)

    def get_is_open(self, call: Call) -> bool:
        return call.is_open()


class CallClosedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True)


class RankingItemSerializer(serializers.Serializer):
    item = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    rank = serializers.IntegerField(read_only=True, allow_null=True, help_text="null: too few reviews, unranked")
    score = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True)
    raw_mean = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True)
    reviews = serializers.IntegerField(read_only=True)
    spread = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True)
    flagged = serializers.BooleanField(read_only=True)
    complete = serializers.BooleanField(read_only=True, help_text="It has the call's minimum of reviews")
    missing = serializers.IntegerField(read_only=True, help_text="Reviews still missing to reach the minimum")


class CallReportSerializer(serializers.Serializer):
    applications = serializers.IntegerField(read_only=True)
    submitted = serializers.IntegerField(read_only=True)
    funded = serializers.IntegerField(read_only=True)
    total_approved_yuan = serializers.DecimalField(**MONEY_OUT)
    total_approved_wan = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    disbursed_yuan = serializers.DecimalField(**MONEY_OUT)
    by_status = serializers.DictField(child=serializers.IntegerField(), read_only=True)


# --- applications ---------------------------------------------------------------------------


class ApplicationWriteSerializer(serializers.Serializer):
    """The applicant's fields; on PATCH every one is optional, and nothing else may be sent."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    field = serializers.CharField(max_length=60)
    requested_yuan = MoneyField()
    self_funding_yuan = MoneyField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({unknown[0]: [_("This field cannot be changed here.")]})
        return super().to_internal_value(data)


class ApplicationCreateSerializer(ApplicationWriteSerializer):
    """Name a county ``call``, or an ``upper_call`` (a higher-level call, ``upward``)."""

    call = serializers.IntegerField(min_value=1, required=False)
    upper_call = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("call" in attrs) == ("upper_call" in attrs):
            raise serializers.ValidationError({"call": [_("Name either a call or an upper_call.")]})
        return attrs


class ApplicationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)


class ApplicationListSerializer(serializers.ModelSerializer):
    requested_yuan = serializers.DecimalField(**MONEY_OUT)
    approved_yuan = serializers.DecimalField(**MONEY_OUT, allow_null=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "title",
            "field",
            "organisation",
            "status",
            "requested_yuan",
            "approved_yuan",
            "submitted_at",
        ]
        read_only_fields = fields


class HistoryEntrySerializer(serializers.Serializer):
    """One step of the application's history. Never who acted: reviewers stay anonymous."""

    step = serializers.CharField(source="action", read_only=True)
    at = serializers.DateTimeField(read_only=True)
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)


class AttachmentInSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text="A required document's code"
    )


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    kind = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)


class ApplicationDetailSerializer(ApplicationListSerializer):
    self_funding_yuan = serializers.DecimalField(**MONEY_OUT)
    history = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "summary",
            "self_funding_yuan",
            "start_date",
            "end_date",
            "created_at",
            "history",
            "attachments",
            "missing_documents",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, application: Application) -> Any:
        return AttachmentSerializer(application.attachments.all(), many=True).data

    @extend_schema_field(RequiredDocumentSerializer(many=True))
    def get_missing_documents(self, application: Application) -> Any:
        from applications.services import missing_documents

        return missing_documents(application)

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, application: Application) -> Any:
        from audit.selectors import audit_for

        return HistoryEntrySerializer(audit_for(application), many=True).data


class FormalReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=FormalDecision.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AssignmentAddSerializer(serializers.Serializer):
    expert = serializers.IntegerField(min_value=1)
    replaces = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DecisionSerializer(serializers.Serializer):
    fund = serializers.BooleanField()
    approved_yuan = MoneyField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


# --- expert review ----------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    """An expert's queue item. On a blind call, nothing says who applied."""

    item_type = serializers.SerializerMethodField()
    item = serializers.IntegerField(source="application_id", read_only=True)
    title = serializers.CharField(source="application.title", read_only=True)
    field = serializers.CharField(source="application.field", read_only=True)
    organisation = serializers.SerializerMethodField()
    # A plain string, not an enum: two enums both named "status" collide in the schema.
    status = serializers.CharField(read_only=True, help_text="invited, accepted, declined, submitted, expired")

    class Meta:
        model = Assignment
        fields = ["id", "item_type", "item", "title", "field", "organisation", "status", "due_at"]
        read_only_fields = fields

    def get_item_type(self, assignment: Assignment) -> str:
        if assignment.purpose == AssignmentPurpose.ACCEPTANCE:
            return "acceptance"  # a funded project's acceptance (验收), scored on acceptance criteria
        return assignment.application.kind  # "application" or "nomination"

    def get_organisation(self, assignment: Assignment) -> str | None:
        if assignment.application.call.blind:
            return None
        return assignment.application.organisation.name

    def to_representation(self, instance: Assignment) -> Any:
        data = super().to_representation(instance)
        if instance.application.call.blind:
            data.pop("organisation", None)
        return data


class AcceptSerializer(serializers.Serializer):
    no_conflict = serializers.BooleanField()


class ReviewInSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.JSONField())
    comment = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Your comment and scores will be shown to the applicant after the public notice closes, "
            "anonymously: reviewers are numbered, never named."
        ),
    )
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)


class ReviewOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    weighted_total = serializers.DecimalField(max_digits=8, decimal_places=3, read_only=True)


# --- notices and objections ----------------------------------------------------------------


class NoticeCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)


class NoticeItemSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="pk", read_only=True)
    title = serializers.CharField(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    fund = serializers.SerializerMethodField()
    approved_yuan = serializers.SerializerMethodField()
    #: On an acceptance notice: an objection to the project's pass was upheld (a new decision
    #: follows). Always false on a decision notice.
    set_aside = serializers.SerializerMethodField()

    def get_set_aside(self, application: Application) -> bool:
        return bool(getattr(application, "set_aside", False))

    def get_fund(self, application: Application) -> bool | None:
        decision = getattr(application, "decision", None)
        return decision.fund if decision else None

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_approved_yuan(self, application: Application) -> str | None:
        decision = getattr(application, "decision", None)
        return str(yuan(decision.approved_yuan)) if decision and decision.fund else None


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    call = serializers.IntegerField(source="call_id", read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)
    #: "decision" (a call's funding or award decisions) or "acceptance" (its projects that
    #: passed acceptance).
    kind = serializers.CharField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    items = serializers.SerializerMethodField()

    @extend_schema_field(NoticeItemSerializer(many=True))
    def get_items(self, notice: Any) -> Any:
        return NoticeItemSerializer(notice_public_items(notice), many=True).data


class ObjectionInSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    text = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ObjectionsDismissSerializer(serializers.Serializer):
    objections = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000)
    resolution = serializers.CharField(max_length=10000)


class ObjectionsDismissedSerializer(serializers.Serializer):
    dismissed = serializers.ListField(child=serializers.IntegerField(), read_only=True)


class ObjectionResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    resolution = serializers.CharField(max_length=10000)


class NoticeClosedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True)


# --- money ----------------------------------------------------------------------------------


class DisbursementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    item_type = serializers.SerializerMethodField()
    item = serializers.IntegerField(source="application_id", read_only=True)
    title = serializers.CharField(source="application.title", read_only=True)
    tranche = serializers.IntegerField(read_only=True)
    amount_yuan = serializers.DecimalField(**MONEY_OUT)
    status = serializers.CharField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    voucher = serializers.CharField(read_only=True)

    def get_item_type(self, disbursement: Any) -> str:
        return disbursement.application.kind  # "application" or "nomination"


class VoucherSerializer(serializers.Serializer):
    voucher = serializers.CharField(max_length=100)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


# --- notifications ------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The page this notification is about.")

    def get_url(self, notification: Notification) -> str:
        return notification_link(notification)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "created_at", "read"]
        read_only_fields = fields


class NotificationReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True, help_text="How many notifications were marked read.")


class DrawRequestSerializer(serializers.Serializer):
    seed = serializers.CharField(required=False, allow_blank=True, max_length=64)


class DrawAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField()
    expert = serializers.IntegerField()


class DrawShortfallSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    missing = serializers.IntegerField()


class DrawResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seed = serializers.CharField()
    assignments = DrawAssignmentSerializer(many=True)
    shortfalls = DrawShortfallSerializer(many=True)
