"""Reads about money: the call report and the payment list, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from applications.enums import SUBMITTED_STATES, ApplicationStatus
from applications.models import Application, Call
from core.money import to_wan, yuan

from .enums import DisbursementStatus
from .models import Disbursement


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
