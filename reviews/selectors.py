"""Reads for expert review: an expert's queue and the ranking of a call."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from applications.enums import ScoringRule
from applications.models import Call

from .enums import AssignmentStatus
from .models import Assignment, Review


def assignments_of(user: Any) -> QuerySet[Assignment]:
    return Assignment.objects.filter(expert__user=user).select_related("application", "application__call")


@dataclass(frozen=True)
class RankedItem:
    item: int
    title: str
    rank: int
    score: Decimal
    raw_mean: Decimal
    reviews: int
    spread: Decimal
    flagged: bool


def _q(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def call_ranking(call: Call) -> list[RankedItem]:
    """Rank a call's reviewed items by its scoring rule, from one query over its reviews.

    mean; trimmed mean (drop one highest and one lowest with ≥ 5 reviews); z-score per expert
    over their reviews in this call, rescaled to the mean and spread of all scores so the
    numbers stay readable. Ties share a rank (1, 2, 2, 4).
    """
    rows = list(
        Review.objects.filter(
            assignment__application__call=call, assignment__status=AssignmentStatus.SUBMITTED
        ).values_list(
            "assignment__application_id",
            "assignment__application__title",
            "assignment__expert_id",
            "weighted_total",
        )
    )
    by_item: dict[int, list[tuple[int, float]]] = {}
    titles: dict[int, str] = {}
    by_expert: dict[int, list[float]] = {}
    for item, title, expert, total in rows:
        by_item.setdefault(item, []).append((expert, float(total)))
        titles[item] = title
        by_expert.setdefault(expert, []).append(float(total))
    all_scores = [float(r[3]) for r in rows]
    grand_mean = statistics.fmean(all_scores) if all_scores else 0.0
    grand_sd = statistics.pstdev(all_scores) if len(all_scores) > 1 else 0.0
    expert_stats = {e: (statistics.fmean(v), statistics.pstdev(v) if len(v) > 1 else 0.0) for e, v in by_expert.items()}

    scored: list[tuple[int, Decimal, Decimal, int, Decimal]] = []
    for item, pairs in by_item.items():
        raw = [s for _e, s in pairs]
        raw_mean = statistics.fmean(raw)
        if call.scoring_rule == ScoringRule.TRIMMED_MEAN and len(raw) >= 5:
            trimmed = sorted(raw)[1:-1]
            score_value = statistics.fmean(trimmed)
        elif call.scoring_rule == ScoringRule.ZSCORE:
            zs = []
            for expert, s in pairs:
                mean, sd = expert_stats[expert]
                # An expert who gave everyone the same score says nothing about order: z = 0.
                zs.append((s - mean) / sd if sd > 0 else 0.0)
            score_value = grand_mean + statistics.fmean(zs) * grand_sd
        else:
            score_value = raw_mean
        spread = max(raw) - min(raw)
        scored.append((item, _q(score_value), _q(raw_mean), len(raw), _q(spread)))

    scored.sort(key=lambda r: (-r[1], r[0]))
    ranked: list[RankedItem] = []
    previous_score = None
    rank = 0
    for position, (item, item_score, item_mean, count, item_spread) in enumerate(scored, 1):
        if item_score != previous_score:
            rank = position
            previous_score = item_score
        ranked.append(
            RankedItem(
                item=item,
                title=titles[item],
                rank=rank,
                score=item_score,
                raw_mean=item_mean,
                reviews=count,
                spread=item_spread,
                flagged=item_spread > call.spread_threshold,
            )
        )
    return ranked
