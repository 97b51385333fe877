"""Reads the pages share: what waits for each role on the home page.

These join our models to viewflow's task table (which open step an application is at);
they only read, and every write still goes through ``workflow.steps``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, CharField, Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from applications.enums import DECIDED_STATES, ApplicationStatus, CallKind
from applications.models import Application, Call
from funding.enums import DisbursementStatus
from funding.models import Disbursement, FundingDecision
from reviews.enums import OPEN_ASSIGNMENT_STATES, AssignmentStatus
from reviews.models import Assignment

S = ApplicationStatus
D = DisbursementStatus
ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _nodes(name: str) -> list[Any]:
    """The node called ``name`` in every flow that has one: a plan project and an award
    nomination share their review part, so a staff queue must look at both processes."""
    from workflow.flows import AwardNominationFlow, PlanProjectFlow, UpperProjectFlow

    flows = (PlanProjectFlow, AwardNominationFlow, UpperProjectFlow)
    return [getattr(flow, name) for flow in flows if hasattr(flow, name)]


def _open_task(node_name: str) -> Exists:
    """An open viewflow task at ``node_name`` (in either flow) for the item in the outer query."""
    ct = ContentType.objects.get_for_model(Application)
    return Exists(
        Task.objects.filter(
            process__artifact_content_type=ct,
            process__artifact_object_id=OuterRef("pk"),
            flow_task__in=_nodes(node_name),
            status__in=ACTIVE,
        )
    )


def open_step_names(application: Application) -> set[str]:
    """Names of the flow nodes with an open task for this application (e.g. ``contract``)."""
    ct = ContentType.objects.get_for_model(Application)
    names = Task.objects.filter(
        process__artifact_content_type=ct, process__artifact_object_id=application.pk, status__in=ACTIVE
    ).values_list("flow_task", flat=True)
    return {node.name for node in names}


def process_url(application: Application) -> str | None:
    """Viewflow's page of the item's process (its tasks and history), for staff and the panel;
    ``None`` before it is submitted."""
    from viewflow.workflow.models import Process

    ct = ContentType.objects.get_for_model(Application)
    process = (
        Process.objects.filter(artifact_content_type=ct, artifact_object_id=application.pk).order_by("-pk").first()
    )
    if process is None:
        return None
    return str(process.flow_class.instance.reverse("process_detail", args=[process.pk]))


def calls_open() -> QuerySet[Call]:
    """Plan-project calls taking applications now (award rounds take nominations: pages/awards.py)."""
    now = timezone.now()
    return Call.objects.filter(
        kind=CallKind.PLAN, closed_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    ).select_related("programme")


def applications_of_applicant(user: Any) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("call")
        .annotate(
            contract_open=_open_task("contract"),
            contract_check_open=_open_task("contract_check"),
            acceptance_open=_open_task("acceptance"),
            midterm_open=_open_task("midterm_report"),
            midterm_check_open=_open_task("midterm_check"),
        )
    )


def applications_awaiting_formal_review() -> QuerySet[Application]:
    return (
        Application.objects.filter(status=S.SUBMITTED).select_related("call", "organisation").order_by("submitted_at")
    )


def applications_awaiting_experts() -> QuerySet[Application]:
    return (
        Application.objects.filter(status=S.IN_REVIEW)
        .filter(_open_task("expert_assignment"))
        .select_related("call", "organisation")
        .annotate(n_assigned=Count("assignments", filter=~Q(assignments__status=AssignmentStatus.DECLINED)))
        .order_by("submitted_at")
    )


def declined_slots() -> QuerySet[Assignment]:
    """Declined invitations during a running review whose slot is neither refilled nor closed."""
    # The slot's id sits in the task's JSON data; compare it as text on every database.
    open_slot = Exists(
        Task.objects.annotate(slot=KT("data__assignment_id")).filter(
            flow_task__in=_nodes("review"),
            status__in=ACTIVE,
            slot=Cast(OuterRef("pk"), output_field=CharField()),
        )
    )
    return (
        Assignment.objects.filter(status=AssignmentStatus.DECLINED, application__status=S.IN_REVIEW)
        .filter(open_slot)
        .select_related("application", "expert")
    )


def acceptance_to_decide() -> QuerySet[Application]:
    return Application.objects.filter(status=S.ACCEPTANCE_SUBMITTED).select_related("call", "organisation")


def calls_with_counts() -> QuerySet[Call]:
    def n(*states: str) -> Count:
        return Count("applications", filter=Q(applications__status__in=states))

    return Call.objects.select_related("programme").annotate(
        n_submitted=n(S.SUBMITTED, S.RETURNED),
        n_in_review=n(S.IN_REVIEW),
        n_reviewed=n(S.REVIEWED),
        # Funded by the panel's decision, whatever happened after (a failed acceptance, a
        # termination): the figure bureaus publish (52 and 39 projects in the demo year).
        n_funded=Count("applications", filter=Q(applications__decision__fund=True)),
        n_decided=n(*DECIDED_STATES),
        n_total=Count("applications", filter=~Q(applications__status=S.DRAFT)),
    )


def applications_to_decide() -> QuerySet[Application]:
    """Reviewed items waiting for the panel, with the mean weighted total of their reviews."""
    return (
        Application.objects.filter(status=S.REVIEWED)
        .select_related("call", "organisation")
        .annotate(
            mean_total=Avg(
                "assignments__review__weighted_total",
                filter=Q(assignments__status=AssignmentStatus.SUBMITTED),
            ),
            n_reviews=Count("assignments__review"),
        )
        .order_by("call", "-mean_total")
    )


def disbursements_pending() -> QuerySet[Disbursement]:
    return (
        Disbursement.objects.filter(status__in=[D.REQUESTED, D.OFFICER_APPROVED, D.APPROVED])
        .select_related("application", "application__organisation", "application__call")
        .order_by("requested_at", "id")
    )


def disbursements_recent() -> QuerySet[Disbursement]:
    return (
        Disbursement.objects.filter(status__in=[D.PAID, D.REJECTED])
        .select_related("application", "application__organisation")
        .order_by("-requested_at", "-id")[:50]
    )


# --- the role dashboards (pages/dashboards.py): every list in a fixed number of queries ----------


def applications_submitted() -> QuerySet[Application]:
    """Every application the bureau has received, for the staff's work list."""
    return Application.objects.exclude(status=S.DRAFT).select_related("call", "organisation")


def assignments_overdue() -> QuerySet[Assignment]:
    """Invitations not answered and reviews not handed in by their due date, oldest first."""
    return (
        Assignment.objects.filter(status__in=OPEN_ASSIGNMENT_STATES, due_at__lt=timezone.now())
        .select_related("application", "application__call", "expert")
        .order_by("due_at", "id")
    )


def budget_execution() -> QuerySet[Call]:
    """Per call: its budget, what the panel granted and what finance paid (one query).

    Two sums over two different joins would multiply each other, so each is a subquery.
    """
    granted = (
        FundingDecision.objects.filter(application__call=OuterRef("pk"), fund=True)
        .order_by()
        .values("application__call")
        .annotate(total=Sum("approved_yuan"))
        .values("total")
    )
    paid = (
        Disbursement.objects.filter(application__call=OuterRef("pk"), status=D.PAID)
        .order_by()
        .values("application__call")
        .annotate(total=Sum("amount_yuan"))
        .values("total")
    )
    money: Any = DecimalField(max_digits=16, decimal_places=2)
    return (
        Call.objects.annotate(
            granted_yuan=Coalesce(Subquery(granted, output_field=money), Value(Decimal(0)), output_field=money),
            paid_yuan=Coalesce(Subquery(paid, output_field=money), Value(Decimal(0)), output_field=money),
        )
        .filter(Q(granted_yuan__gt=0) | Q(closed_at__isnull=True))
        .order_by("-opens_at", "-id")
    )
