"""Reads of the county's upward work that the API, the pages, the exports and the public
figures share: the figures are computed once (``upper_report``), so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Sum

from accounts.rules import is_panel, is_staff
from applications.enums import ApplicationStatus
from applications.models import Application
from core.money import to_wan, yuan

from .enums import LEVEL_ORDER, UpperLevel
from .models import (
    Assessment,
    AwardPutForward,
    Commissioner,
    CommissionerProject,
    UpperAcceptance,
    UpperCall,
    UpperMilestone,
    UpperOutcome,
)

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


@dataclass
class TownshipRow:
    """A township covered by commissioners: who is stationed there, their projects and fields."""

    township: str
    commissioners: list[str] = field(default_factory=list)
    projects: int = 0
    funded: int = 0
    fields: list[str] = field(default_factory=list)


def township_table(year: int | None = None) -> list[TownshipRow]:
    """The townships covered (科技特派员服务乡镇), in the county's order: each with its
    commissioners (on duty in ``year``, or all), their projects (of that year's calls, or all;
    ``funded`` those the higher level funded) and the fields they work in. Two queries."""
    people = Commissioner.objects.select_related("township").order_by("township__order", "township__name", "name")
    projects = CommissionerProject.objects.all()
    if year is not None:
        people = people.filter(term_start__year__lte=year, term_end__year__gte=year)
        projects = projects.filter(application__call__year=year)
    counts = {
        row["commissioner"]: row
        for row in projects.values("commissioner")
        .annotate(n=Count("id"), funded=Count("id", filter=Q(application__upper_outcome__funded=True)))
        .order_by()
    }
    rows: dict[int, TownshipRow] = {}
    for person in people:
        row = rows.setdefault(person.township_id, TownshipRow(township=person.township.name))
        row.commissioners.append(person.name)
        counted = counts.get(person.pk)
        if counted:
            row.projects += counted["n"]
            row.funded += counted["funded"]
        if person.field not in row.fields:
            row.fields.append(person.field)
    return list(rows.values())


def commissioner_projects(commissioner: Commissioner) -> QuerySet[CommissionerProject]:
    """A commissioner's projects with their calls and outcomes, the latest call first."""
    return commissioner.projects.select_related(
        "application", "application__call", "application__call__upper", "application__upper_outcome"
    ).order_by("-application__call__year", "application_id")


def commissioner_project_choices() -> QuerySet[Application]:
    """Items of commissioner calls a commissioner may be named for: submitted, still alive or
    recommended/funded (not drafts, nor rejected or not recommended ones)."""
    return (
        Application.objects.filter(call__upper__commissioner=True)
        .exclude(status__in=[S.DRAFT, S.REJECTED, S.TERMINATED, S.NOT_RECOMMENDED, S.UPPER_NOT_FUNDED])
        .select_related("call", "commissioner_project__commissioner")
        .order_by("-call__year", "call_id", "title", "id")
    )


def upper_projects() -> QuerySet[Application]:
    """The projects the higher level funded, with their follow-up counted (one query): the
    level and programme of their call, the amounts, milestones (done / all, the next one due)
    and the acceptance. Filter with ``upward.filters.UpperProjectFilter``."""
    return (
        Application.objects.filter(call__upper__isnull=False, upper_outcome__funded=True)
        .select_related("organisation", "call", "call__programme", "call__upper", "upper_outcome", "upper_acceptance")
        .annotate(
            n_milestones=Count("upper_milestones"),
            n_done=Count("upper_milestones", filter=Q(upper_milestones__done_at__isnull=False)),
            next_due=Min("upper_milestones__due", filter=Q(upper_milestones__done_at__isnull=True)),
        )
        .order_by("-call__year", "call__upper__level", "call_id", "id")
    )


@dataclass
class Followup:
    """What a funded upward project's page shows of its county-organised follow-up."""

    milestones: list[UpperMilestone]
    acceptance: UpperAcceptance | None

    @property
    def open_milestones(self) -> list[UpperMilestone]:
        return [m for m in self.milestones if m.done_at is None]


def upper_followup(application: Application) -> Followup:
    return Followup(
        milestones=list(UpperMilestone.objects.filter(application=application).order_by("due", "id")),
        acceptance=UpperAcceptance.objects.filter(application=application).first(),
    )
