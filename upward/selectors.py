"""Reads of the county's upward work that the API, the pages, the exports and the public
figures share: the figures are computed once (``upper_report``), so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from accounts.rules import is_panel, is_staff
from applications.enums import ApplicationStatus
from applications.models import Application
from core.money import to_wan, yuan

from .enums import LEVEL_ORDER, UpperLevel
from .models import Assessment, AwardPutForward, Commissioner, CommissionerProject, UpperCall, UpperOutcome

S = ApplicationStatus
ZERO = Decimal("0.00")


def upper_calls() -> QuerySet[UpperCall]:
    """Every higher-level call with its items counted (one query)."""
    return (
        UpperCall.objects.select_related("call", "call__programme")
        .annotate(
            n_items=Count("call__applications", filter=~Q(call__applications__status=S.DRAFT)),
            n_recommended=Count("call__applications", filter=Q(call__applications__recommendation__recommended=True)),
        )
        .order_by("-call__year", "-id")
    )


def upper_call_visible_to(user: Any, pk: Any) -> UpperCall | None:
    """Any logged-in person may read a higher-level call (units apply to it)."""
    if not (user and user.is_authenticated):
        return None
    return upper_calls().filter(pk=pk).first()


def upper_call_items(upper_call: UpperCall) -> QuerySet[Application]:
    """The call's submitted items, for staff and the panel, with what was decided."""
    return (
        Application.objects.filter(call_id=upper_call.call_id)
        .exclude(status=S.DRAFT)
        .select_related("organisation", "recommendation", "upper_outcome", "commissioner_project__commissioner")
        .order_by("id")
    )


def may_read_upper_items(user: Any) -> bool:
    return is_staff(user) or is_panel(user)


@dataclass
class ProgrammeRow:
    level: str
    programme: str
    projects: int = 0
    total_yuan: Decimal = ZERO
    matching_yuan: Decimal = ZERO

    @property
    def total_wan(self) -> Decimal:
        return to_wan(self.total_yuan)

    @property
    def level_label(self) -> str:
        return str(UpperLevel(self.level).label)


@dataclass
class LevelRow:
    level: str
    projects: int = 0
    total_yuan: Decimal = ZERO
    matching_yuan: Decimal = ZERO
    programmes: list[ProgrammeRow] = field(default_factory=list)

    @property
    def total_wan(self) -> Decimal:
        return to_wan(self.total_yuan)

    @property
    def label(self) -> str:
        return str(UpperLevel(self.level).label)


@dataclass
class CommissionerFigures:
    """Commissioner projects funded in the year, by the level of their call; the people."""

    levels: list[LevelRow]
    commissioners: int
    townships: list[tuple[str, int]]
    bases: int
    assessments: dict[str, int]

    @property
    def projects(self) -> int:
        return sum(r.projects for r in self.levels)

    @property
    def total_yuan(self) -> Decimal:
        return sum((r.total_yuan for r in self.levels), ZERO)


@dataclass
class UpperReport:
    year: int
    levels: list[LevelRow]
    commissioners: CommissionerFigures
    recommended: int
    awards_put_forward: list[AwardPutForward]

    @property
    def projects(self) -> int:
        return sum(r.projects for r in self.levels)

    @property
    def total_yuan(self) -> Decimal:
        return sum((r.total_yuan for r in self.levels), ZERO)

    @property
    def total_wan(self) -> Decimal:
        return to_wan(self.total_yuan)

    @property
    def matching_yuan(self) -> Decimal:
        return sum((r.matching_yuan for r in self.levels), ZERO)

    @property
    def programmes(self) -> list[ProgrammeRow]:
        return [p for level in self.levels for p in level.programmes]


def _level_rows(rows: list[dict[str, Any]]) -> list[LevelRow]:
    levels = {level: LevelRow(level=level) for level in LEVEL_ORDER}
    for row in rows:
        level = levels[row["level"]]
        programme = ProgrammeRow(
            level=row["level"],
            programme=row["programme"],
            projects=row["n"],
            total_yuan=yuan(row["upper"] or 0),
            matching_yuan=yuan(row.get("matching") or 0),
        )
        level.programmes.append(programme)
        level.projects += programme.projects
        level.total_yuan += programme.total_yuan
        level.matching_yuan += programme.matching_yuan
    return [levels[level] for level in LEVEL_ORDER if levels[level].projects]


def commissioner_figures(year: int) -> CommissionerFigures:
    funded = (
        CommissionerProject.objects.filter(
            application__call__year=year,
            application__upper_outcome__funded=True,
            application__call__upper__isnull=False,
        )
        .values(level=F("application__call__upper__level"), programme=F("application__call__programme__name"))
        .annotate(n=Count("id"), upper=Sum("application__upper_outcome__upper_yuan"))
        .order_by()
    )
    levels = _level_rows(list(funded))
    on_duty = Commissioner.objects.filter(term_start__year__lte=year, term_end__year__gte=year)
    townships = list(
        on_duty.values_list("township__name", "township__order")
        .annotate(n=Count("id"))
        .order_by("township__order", "township__name")
    )
    bases = (
        CommissionerProject.objects.filter(application__call__year=year, application__upper_outcome__funded=True)
        .exclude(base="")
        .values("base")
        .distinct()
        .count()
    )
    assessments = dict(Assessment.objects.filter(year=year).values_list("result").annotate(n=Count("id")).order_by())
    return CommissionerFigures(
        levels=levels,
        commissioners=on_duty.count(),
        townships=[(name, n) for name, _order, n in townships],
        bases=bases,
        assessments=assessments,
    )


def upper_report(year: int) -> UpperReport:
    """The year's projects funded above the county, by level and programme (their calls'
    year), the commissioner figures and the award winners put forward. Four queries and a few."""
    rows = (
        UpperOutcome.objects.filter(funded=True, application__call__year=year, application__call__upper__isnull=False)
        .values(level=F("application__call__upper__level"), programme=F("application__call__programme__name"))
        .annotate(n=Count("id"), upper=Sum("upper_yuan"), matching=Sum("matching_yuan"))
        .order_by("programme")
    )
    recommended = Application.objects.filter(
        call__year=year, call__upper__isnull=False, recommendation__recommended=True
    ).count()
    put_forward = list(AwardPutForward.objects.filter(year=year).select_related("nomination").order_by("id"))
    return UpperReport(
        year=year,
        levels=_level_rows(list(rows)),
        commissioners=commissioner_figures(year),
        recommended=recommended,
        awards_put_forward=put_forward,
    )


def commissioners_list() -> QuerySet[Commissioner]:
    return (
        Commissioner.objects.select_related("township")
        .annotate(n_projects=Count("projects"))
        .order_by("township__order", "township__name", "name", "id")
    )
