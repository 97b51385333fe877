"""Reads about money: the call report and the payment list, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from applications.enums import SUBMITTED_STATES, ApplicationStatus, CallKind
from applications.models import Application, Call, Programme
from core.money import to_wan, yuan

from .enums import AcceptanceResult, DisbursementStatus, NoticeKind
from .models import Disbursement, FundingDecision, Notice


@dataclass(frozen=True)
class CallReport:
    call: Call
    applications: int
    submitted: int
    funded: int
    total_approved_yuan: Decimal
    disbursed_yuan: Decimal
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total_approved_wan(self) -> Decimal:
        return to_wan(self.total_approved_yuan)

    @property
    def disbursed_wan(self) -> Decimal:
        return to_wan(self.disbursed_yuan)

    @property
    def remaining_budget_yuan(self) -> Decimal:
        return self.call.budget_yuan - self.total_approved_yuan


def call_report(call: Call) -> CallReport:
    """Counts and sums for one call, from its decisions and payments (three queries)."""
    by_status = dict(Application.objects.filter(call=call).values_list("status").annotate(n=Count("id")).order_by())
    approved = Application.objects.filter(call=call, decision__fund=True).aggregate(
        n=Count("id"), total=Sum("decision__approved_yuan")
    )
    paid = Disbursement.objects.filter(application__call=call, status=DisbursementStatus.PAID).aggregate(
        total=Sum("amount_yuan")
    )
    return CallReport(
        call=call,
        applications=sum(by_status.values()),
        submitted=sum(n for s, n in by_status.items() if s in SUBMITTED_STATES),
        funded=approved["n"] or 0,
        total_approved_yuan=yuan(approved["total"] or 0),
        disbursed_yuan=yuan(paid["total"] or 0),
        by_status={s.value: by_status.get(s.value, 0) for s in ApplicationStatus},
    )


def disbursements_visible_to(user: Any) -> QuerySet[Disbursement]:
    """Finance staff and bureau staff see every disbursement; applicants their own."""
    from accounts.rules import is_finance, is_staff

    qs = Disbursement.objects.select_related("application", "application__organisation", "application__call")
    if is_finance(user) or is_staff(user):
        return qs
    return qs.filter(application__applicant=user)


def payment_list(
    *, call: Call | None = None, statuses: tuple[str, ...] = (DisbursementStatus.APPROVED,)
) -> QuerySet[Disbursement]:
    """What finance pays (or paid): one row per disbursement with the payee's bank details."""
    qs = Disbursement.objects.filter(status__in=statuses).select_related(
        "application", "application__organisation", "application__call"
    )
    if call is not None:
        qs = qs.filter(application__call=call)
    return qs.order_by("application__call_id", "application_id", "tranche")


def funded_filter() -> Q:
    return Q(decision__fund=True)


# --- the live budget of a call ------------------------------------------------------------------


@dataclass(frozen=True)
class CallBudget:
    """Budget, decided, remaining and disbursed for one call, as the staff page shows them."""

    call: Call
    budget_yuan: Decimal
    decided_yuan: Decimal
    disbursed_yuan: Decimal
    funded: int

    @property
    def remaining_yuan(self) -> Decimal:
        return self.budget_yuan - self.decided_yuan

    @property
    def budget_wan(self) -> Decimal:
        return to_wan(self.budget_yuan)

    @property
    def decided_wan(self) -> Decimal:
        return to_wan(self.decided_yuan)

    @property
    def remaining_wan(self) -> Decimal:
        return to_wan(self.remaining_yuan)

    @property
    def disbursed_wan(self) -> Decimal:
        return to_wan(self.disbursed_yuan)


def call_budget(call: Call) -> CallBudget:
    """Two queries. "Decided" is what the budget lock counts: every funding decision of the
    call (``decision_make`` refuses a decision that would take it past the budget)."""
    decided = FundingDecision.objects.filter(application__call=call, fund=True).aggregate(
        n=Count("id"), total=Sum("approved_yuan")
    )
    paid = Disbursement.objects.filter(application__call=call, status=DisbursementStatus.PAID).aggregate(
        total=Sum("amount_yuan")
    )
    return CallBudget(
        call=call,
        budget_yuan=yuan(call.budget_yuan),
        decided_yuan=yuan(decided["total"] or 0),
        disbursed_yuan=yuan(paid["total"] or 0),
        funded=decided["n"] or 0,
    )


# --- a year's calls by programme ----------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeFigures:
    """What the programme report counts, for one programme or for the year."""

    calls: int
    budget_yuan: Decimal
    applications: int
    submitted: int
    funded: int
    approved_yuan: Decimal
    disbursed_yuan: Decimal

    @property
    def approved_wan(self) -> Decimal:
        return to_wan(self.approved_yuan)

    @property
    def disbursed_wan(self) -> Decimal:
        return to_wan(self.disbursed_yuan)

    @property
    def budget_wan(self) -> Decimal:
        return to_wan(self.budget_yuan)


FIGURES = [f.name for f in fields(ProgrammeFigures)]


@dataclass(frozen=True)
class ProgrammeRow(ProgrammeFigures):
    programme: Programme


@dataclass(frozen=True)
class ProgrammeReport(ProgrammeFigures):
    """The year's totals (the figures of the report itself) and a row per programme."""

    year: int
    rows: list[ProgrammeRow]


def report_years() -> list[int]:
    """Years that have plan calls, newest first."""
    return list(Call.objects.filter(kind=CallKind.PLAN).order_by("-year").values_list("year", flat=True).distinct())


def programme_report(year: int) -> ProgrammeReport:
    """A year's plan calls grouped by programme (four queries, however many calls)."""
    plan_calls = Q(calls__year=year, calls__kind=CallKind.PLAN)
    programmes = list(
        Programme.objects.filter(plan_calls)
        .annotate(n_calls=Count("calls", filter=plan_calls, distinct=True))
        .order_by("code")
    )
    # The budgets are summed on their own: joined with the applications they would repeat.
    budgets = dict(
        Call.objects.filter(year=year, kind=CallKind.PLAN)
        .values_list("programme")
        .annotate(total=Sum("budget_yuan"))
        .order_by()
    )
    counts = {
        row["call__programme"]: row
        for row in Application.objects.filter(call__year=year, call__kind=CallKind.PLAN)
        .values("call__programme")
        .annotate(
            n=Count("id"),
            submitted=Count("id", filter=Q(status__in=SUBMITTED_STATES)),
            funded=Count("id", filter=Q(decision__fund=True)),
            approved=Sum("decision__approved_yuan", filter=Q(decision__fund=True)),
        )
        .order_by()
    }
    paid = dict(
        Disbursement.objects.filter(
            status=DisbursementStatus.PAID, application__call__year=year, application__call__kind=CallKind.PLAN
        )
        .values_list("application__call__programme")
        .annotate(total=Sum("amount_yuan"))
        .order_by()
    )
    rows = []
    for programme in programmes:
        c = counts.get(programme.pk, {})
        rows.append(
            ProgrammeRow(
                programme=programme,
                calls=programme.n_calls,  # annotated above
                budget_yuan=yuan(budgets.get(programme.pk) or 0),
                applications=c.get("n", 0),
                submitted=c.get("submitted", 0),
                funded=c.get("funded", 0),
                approved_yuan=yuan(c.get("approved") or 0),
                disbursed_yuan=yuan(paid.get(programme.pk) or 0),
            )
        )
    zero: dict[str, Any] = {name: Decimal("0.00") if name.endswith("_yuan") else 0 for name in FIGURES}
    totals: dict[str, Any] = {name: sum((getattr(row, name) for row in rows), zero[name]) for name in FIGURES}
    return ProgrammeReport(year=year, rows=rows, **totals)


# --- the public figures of a year (issue 19.4) ----------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    field: str
    applications: int
    funded: int
    approved_yuan: Decimal

    @property
    def approved_wan(self) -> Decimal:
        return to_wan(self.approved_yuan)


def field_report(year: int) -> list[FieldRow]:
    """A year's plan applications by field: how many, how many funded, for how much."""
    by_field = (
        Application.objects.filter(call__year=year, call__kind=CallKind.PLAN)
        .values("field")
        .annotate(
            n=Count("id"),
            funded=Count("id", filter=Q(decision__fund=True)),
            approved=Sum("decision__approved_yuan", filter=Q(decision__fund=True)),
        )
        .order_by("-approved", "field")
    )
    return [
        FieldRow(field=r["field"], applications=r["n"], funded=r["funded"], approved_yuan=yuan(r["approved"] or 0))
        for r in by_field
    ]


def public_years() -> list[int]:
    """Years with a plan call or an award round, newest first."""
    return list(Call.objects.order_by("-year").values_list("year", flat=True).distinct())


def on_closed_notice(application: Application) -> bool:
    """Was the item on a public notice that has closed? (The contract, the funding notice
    PDF and the award certificate wait for it.)"""
    return Notice.objects.filter(applications=application, closed_at__isnull=False).exists()


def _public_items_filter() -> Q:
    from django.conf import settings

    return Q() if getattr(settings, "PINGSHEN_NOTICE_SHOWS_NOT_FUNDED", False) else Q(decision__fund=True)


def notice_public_items(notice: Notice) -> Any:
    """What the public sees on a notice: the funded projects and awarded nominations (on an
    acceptance notice: the projects that passed, each marked ``set_aside`` when an objection to
    it was upheld). Items
    not funded are on the notice too (it decides them all), but are shown only where the
    bureau chose to publish them (``PINGSHEN_NOTICE_SHOWS_NOT_FUNDED``). Uses the list that
    ``notices_public`` prefetched, when there is one."""
    if notice.kind == NoticeKind.ACCEPTANCE:
        # Every project on an acceptance notice passed; an objection upheld sets its pass aside
        # (a new decision follows), which the notice then shows beside it.
        from django.db.models import Exists, OuterRef

        from .enums import ObjectionStatus
        from .models import Objection

        upheld = Objection.objects.filter(notice=notice.pk, application=OuterRef("pk"), status=ObjectionStatus.UPHELD)
        return (
            notice.applications.annotate(set_aside=Exists(upheld))
            .select_related("organisation", "decision")
            .order_by("id")
        )
    prefetched = getattr(notice, "public_items", None)
    if prefetched is not None:
        return prefetched
    return notice.applications.filter(_public_items_filter()).select_related("organisation", "decision").order_by("id")


def notices_public() -> QuerySet[Notice]:
    """Every notice, current and past, newest first, with its public items in one query."""
    from django.db.models import Prefetch

    items = Application.objects.filter(_public_items_filter()).select_related("organisation", "decision").order_by("id")
    return (
        Notice.objects.select_related("call")
        .prefetch_related(Prefetch("applications", queryset=items, to_attr="public_items"))
        .order_by("-published_at", "-id")
    )


def notice_publish_problem(call: Call) -> str | None:
    """Why the call's decided items cannot go on a new notice now, in words for staff (the
    page shows it instead of the button, the API answers it with 409); ``None`` when they can."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from applications.enums import NOTICE_STATES

    running = (
        Notice.objects.filter(call=call, kind=NoticeKind.DECISION, closed_at__isnull=True)
        .order_by("-published_at")
        .first()
    )
    if running is not None:
        return _("A notice for this call is still open (until %(ends)s): one notice at a time.") % {
            "ends": f"{timezone.localtime(running.ends_at):%Y-%m-%d %H:%M}"
        }
    waiting = Application.objects.filter(call=call, status__in=NOTICE_STATES).exclude(notices__kind=NoticeKind.DECISION)
    if not waiting.exists():
        undecided = Application.objects.filter(
            call=call, status__in=[ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED]
        ).count()
        if undecided:
            return _("Nothing to publish: %(n)s items of this call are not decided yet.") % {"n": undecided}
        return _("There are no decided applications to publish.")
    return None


# --- the acceptance notice (验收结果公示) -------------------------------------------------------


def acceptance_notice_waiting(call: Call) -> QuerySet[Application]:
    """The call's projects whose acceptance passed and whose result has not been on an
    acceptance notice yet: the next acceptance notice publishes them."""
    return Application.objects.filter(
        call=call,
        status=ApplicationStatus.ACCEPTANCE_SUBMITTED,
        acceptance_reports__result=AcceptanceResult.PASS,
        acceptance_reports__notice__isnull=True,
    ).distinct()


def acceptance_notice_problem(call: Call) -> str | None:
    """Why the call's passed acceptances cannot go on a new acceptance notice now, in words for
    staff (the page shows it instead of the button; the API answers 409); ``None`` when they can."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    running = (
        Notice.objects.filter(call=call, kind=NoticeKind.ACCEPTANCE, closed_at__isnull=True)
        .order_by("-published_at")
        .first()
    )
    if running is not None:
        return _("An acceptance notice for this call is still open (until %(ends)s): one at a time.") % {
            "ends": f"{timezone.localtime(running.ends_at):%Y-%m-%d %H:%M}"
        }
    if not acceptance_notice_waiting(call).exists():
        return _("No passed acceptance of this call waits for a notice.")
    return None


def acceptance_notice_of(application: Application) -> Notice | None:
    """The closed acceptance notice that published the project's passed acceptance, if any."""
    return (
        Notice.objects.filter(applications=application, kind=NoticeKind.ACCEPTANCE, closed_at__isnull=False)
        .order_by("-closed_at")
        .first()
    )
