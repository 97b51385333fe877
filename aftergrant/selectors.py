"""Reads of the task contract and the project page, shared by the pages, the API and the PDF.

:func:`target_progress` and :func:`budget_spent` read the last mid-term report; acceptance
with per-target results extends them (not their callers). :func:`projects_overdue_q` counts a
mid-term report owed past its day as overdue, as the acceptance report past the period's end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from applications.enums import ACCEPTANCE_DUE_STATES, ApplicationStatus
from applications.models import Application
from funding.enums import DisbursementStatus
from funding.models import Disbursement

from .enums import MIDTERM_OWED_STATES, BudgetLine, ContractStatus
from .models import ContractMilestone, ContractVersion, MidtermProgress, MidtermReport, MidtermSpending

S = ApplicationStatus
C = ContractStatus

ZERO = Decimal("0.00")


def _with_rows(qs: QuerySet[ContractVersion]) -> QuerySet[ContractVersion]:
    return qs.prefetch_related("targets", "budget", "milestones")


def contract_in_force(application: Application) -> ContractVersion | None:
    """The version in force, with its targets, budget lines and milestones (four queries)."""
    return _with_rows(ContractVersion.objects.filter(application=application, status=C.IN_FORCE)).first()


def contract_latest(application: Application) -> ContractVersion | None:
    """The newest version whatever its state: a draft being checked or returned, else the one in force."""
    return _with_rows(ContractVersion.objects.filter(application=application).order_by("-number")).first()


def contract_version(application: Application, number: int) -> ContractVersion | None:
    """One version that is or was in force (a returned or unchecked draft is not a contract)."""
    return _with_rows(
        ContractVersion.objects.filter(application=application, number=number, status__in=[C.IN_FORCE, C.SUPERSEDED])
    ).first()


def contract_earlier_versions(version: ContractVersion) -> list[ContractVersion]:
    """The versions in force before ``version``, oldest first (they stay readable)."""
    return list(
        ContractVersion.objects.filter(
            application_id=version.application_id, number__lt=version.number, status=C.SUPERSEDED
        ).order_by("number")
    )


def last_reported(version: ContractVersion) -> MidtermReport | None:
    """The project's mid-term report submitted last (whatever staff made of it), or ``None``;
    read once per version object (the two functions below share it)."""
    if not hasattr(version, "_last_reported"):
        version._last_reported = (  # type: ignore[attr-defined]
            MidtermReport.objects.filter(application_id=version.application_id, submitted_at__isnull=False)
            .order_by("-round", "-attempt")
            .first()
        )
    return version._last_reported  # type: ignore[attr-defined]


def target_progress(version: ContractVersion) -> dict[int, Decimal | None]:
    """Per target (by ``position``, stable across versions) the latest achieved value reported
    at mid-term; ``None`` while nothing is reported. HOOK: acceptance with per-target results
    fills it from its report when that is the later one."""
    progress: dict[int, Decimal | None] = {target.position: None for target in version.targets.all()}
    report = last_reported(version)
    if report is not None:
        for position, achieved in MidtermProgress.objects.filter(report=report).values_list(
            "target__position", "achieved"
        ):
            if position in progress:
                progress[position] = achieved
    return progress


def budget_spent(version: ContractVersion) -> dict[str, Decimal | None]:
    """Per budget line the spending last reported at mid-term (county + own + other); ``None``
    while nothing is reported on the line. HOOK, as :func:`target_progress`."""
    spent: dict[str, Decimal | None] = {line.line: None for line in version.budget.all()}
    report = last_reported(version)
    if report is not None:
        for row in MidtermSpending.objects.filter(report=report):
            if row.line in spent:
                spent[row.line] = row.county_yuan + row.own_yuan + row.other_yuan
    return spent


def paid_yuan(application: Application) -> Decimal:
    """Money paid to the project so far, every tranche."""
    total = Disbursement.objects.filter(application=application, status=DisbursementStatus.PAID).aggregate(
        s=Sum("amount_yuan")
    )["s"]
    return total or ZERO


def next_milestone(version: ContractVersion, today: dt.date | None = None) -> ContractMilestone | None:
    """The first milestone not yet past (from the prefetched rows)."""
    today = today or timezone.localdate()
    return next((m for m in version.milestones.all() if m.due_on >= today), None)


def project_overview(application: Application, version: ContractVersion) -> dict[str, Any]:
    """What the project page shows of the contract in force: targets beside their reported
    progress, money by line (granted, reported spent) with the totals and what was paid,
    milestones and what is due next."""
    progress = target_progress(version)
    spent = budget_spent(version)
    labels = dict(BudgetLine.choices)
    lines: list[dict[str, Any]] = [
        {
            "line": row.line,
            "label": labels.get(row.line, row.line),
            "county_yuan": row.county_yuan,
            "own_yuan": row.own_yuan,
            "other_yuan": row.other_yuan,
            "total_yuan": row.county_yuan + row.own_yuan + row.other_yuan,
            "spent_yuan": spent.get(row.line),
        }
        for row in version.budget.all()
    ]
    today = timezone.localdate()
    return {
        "version": version,
        "earlier": contract_earlier_versions(version),
        "targets": [{"target": t, "achieved": progress.get(t.position)} for t in version.targets.all()],
        "lines": lines,
        "county_total": sum((r["county_yuan"] for r in lines), ZERO),
        "own_total": sum((r["own_yuan"] for r in lines), ZERO),
        "other_total": sum((r["other_yuan"] for r in lines), ZERO),
        "grand_total": sum((r["total_yuan"] for r in lines), ZERO),
        "spent_total": (
            sum((r["spent_yuan"] for r in lines if r["spent_yuan"] is not None), ZERO)
            if any(r["spent_yuan"] is not None for r in lines)
            else None
        ),
        "paid_yuan": paid_yuan(application),
        "milestones": [{"milestone": m, "past": m.due_on < today} for m in version.milestones.all()],
        "next_milestone": next_milestone(version, today),
        "today": today,
    }


# --- lists ------------------------------------------------------------------------------------


def acceptance_overdue_q(today: dt.date | None = None) -> Q:
    """THE rule for a project overdue for acceptance (验收), one for the project list, the
    reminders and their escalation (``workflow.tasks.remind_acceptance_due``) and the limit
    ``Call.block_overdue_acceptance``: granted and still owing its acceptance file
    (``ACCEPTANCE_DUE_STATES``: a returned or rectified file owes it again) more than
    ``PINGSHEN_ACCEPTANCE_WINDOW_DAYS`` after its end date: the contract version in force's,
    else the application's (no contract yet). A filter on ``Application``."""
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.PINGSHEN_ACCEPTANCE_WINDOW_DAYS)
    in_force = ContractVersion.objects.filter(application=OuterRef("pk"), status=C.IN_FORCE)
    ended = Q(Exists(in_force.filter(ends_on__lt=cutoff))) | (~Q(Exists(in_force)) & Q(end_date__lt=cutoff))
    return Q(status__in=ACCEPTANCE_DUE_STATES) & ended


def acceptance_end_q() -> Any:
    """The end date the acceptance window runs from, as an annotation on ``Application``: the
    contract version in force's end date, else the application's."""
    in_force = ContractVersion.objects.filter(application=OuterRef("pk"), status=C.IN_FORCE)
    return Coalesce(Subquery(in_force.values("ends_on")[:1]), F("end_date"))


def acceptance_due_on(end: dt.date) -> dt.date:
    """The last day to file the acceptance of a project that ends on ``end``."""
    return end + dt.timedelta(days=settings.PINGSHEN_ACCEPTANCE_WINDOW_DAYS)


def projects_overdue_q(today: dt.date | None = None) -> Q:
    """Projects owing a report: the acceptance file past its window
    (:func:`acceptance_overdue_q`), or a mid-term report past its due day (as
    ``aftergrant.midterm.midterm_overdue`` lists them)."""
    today = today or timezone.localdate()
    midterm_owed = MidtermReport.objects.filter(
        application=OuterRef("pk"), status__in=MIDTERM_OWED_STATES, due_on__lt=today
    )
    return acceptance_overdue_q(today) | (Q(status=S.CONTRACTED) & Q(Exists(midterm_owed)))


def projects_contracted() -> QuerySet[Application]:
    """Every project with a task contract in force, for the staff list (one query per page):
    the version number, period end, next milestone, paid so far and whether it is overdue."""
    in_force = ContractVersion.objects.filter(application=OuterRef("pk"), status=C.IN_FORCE)
    today = timezone.localdate()
    next_due = ContractMilestone.objects.filter(
        version__application=OuterRef("pk"), version__status=C.IN_FORCE, due_on__gte=today
    ).order_by("due_on")
    paid = (
        Disbursement.objects.filter(application=OuterRef("pk"), status=DisbursementStatus.PAID)
        .values("application")
        .annotate(s=Sum("amount_yuan"))
        .values("s")
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    return (
        Application.objects.filter(Exists(in_force))
        .select_related("call", "call__programme", "organisation")
        .annotate(
            contract_number=Subquery(in_force.values("number")[:1]),
            contract_ends_on=Subquery(in_force.values("ends_on")[:1]),
            next_due_on=Subquery(next_due.values("due_on")[:1]),
            next_due_name=Subquery(next_due.values("name")[:1]),
            paid_yuan=Coalesce(Subquery(paid, output_field=money), Value(ZERO), output_field=money),
        )
        .annotate(
            is_overdue=Case(
                When(projects_overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    )


def contracts_to_check() -> QuerySet[Application]:
    """Funded applications whose task contract waits for the bureau's check (staff's queue)."""
    waiting = ContractVersion.objects.filter(application=OuterRef("pk"), status=C.SUBMITTED)
    return (
        Application.objects.filter(status=S.FUNDED)
        .filter(Exists(waiting))
        .select_related("organisation", "call")
        .annotate(contract_submitted_at=Subquery(waiting.values("submitted_at")[:1]))
        .order_by("contract_submitted_at", "pk")
    )
