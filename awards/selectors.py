"""Reads about award rounds and nominations that the API and the pages share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from applications.enums import ItemKind
from applications.models import Application
from applications.selectors import applications_visible_to
from funding.models import FundingDecision
from funding.selectors import FieldRow, ProgrammeReport, field_report, programme_report
from reviews.selectors import RankedItem, call_ranking
from upward.selectors import UpperReport, upper_report

from .models import AwardRound
from .services import LevelRow, RoundReport, round_report


def award_rounds() -> QuerySet[AwardRound]:
    return AwardRound.objects.select_related("programme").prefetch_related("levels").order_by("-year", "-id")


def award_rounds_open() -> QuerySet[AwardRound]:
    now = timezone.now()
    return award_rounds().filter(closed_at__isnull=True, opens_at__lte=now, closes_at__gt=now)


def nominations_visible_to(user: Any) -> QuerySet[Application]:
    """Nominations a user may list: their own, or every submitted one for bureau roles."""
    return applications_visible_to(user).filter(kind=ItemKind.NOMINATION)


@dataclass(frozen=True)
class CommitteeRow:
    """One line of the committee's ranking: the expert scores beside the decision so far."""

    ranked: RankedItem
    nomination: Application
    level: int | None
    decided: bool


def committee_rows(award_round: AwardRound) -> tuple[list[CommitteeRow], list[LevelRow]]:
    """The round's ranking (the same aggregation as plan calls) with each nomination's
    decision, and the levels with the places left: what the committee decides from."""
    ranking = call_ranking(award_round)
    items = Application.objects.in_bulk([r.item for r in ranking])
    decisions = {
        d.application_id: d
        for d in FundingDecision.objects.filter(application__call=award_round).only("application_id", "level")
    }
    rows = [
        CommitteeRow(
            ranked=r,
            nomination=items[r.item],
            level=decisions[r.item].level if r.item in decisions else None,
            decided=r.item in decisions,
        )
        for r in ranking
        if r.item in items
    ]
    return rows, round_report(award_round).levels


# --- the public figures of a year (issue 19.4) ----------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """What the public page of a year shows: the programme report itself (the same figures, not
    a second count), the same applications by field, and every award round of the year with its
    report — so the page and the reports can never disagree."""

    year: int
    programmes: ProgrammeReport
    fields: list[FieldRow]
    award_rounds: list[RoundReport]
    #: Projects funded above the county, commissioners, winners put forward (``upward``).
    upper: UpperReport

    @property
    def awards(self) -> int:
        return sum(r.count for r in self.award_rounds)

    @property
    def award_total_yuan(self) -> Decimal:
        return sum((r.total_yuan for r in self.award_rounds), Decimal("0.00"))


def year_figures(year: int) -> YearFigures:
    rounds = award_rounds().filter(year=year).order_by("id")
    return YearFigures(
        year=year,
        programmes=programme_report(year),
        fields=field_report(year),
        award_rounds=[round_report(r) for r in rounds],
        upper=upper_report(year),
    )
