"""Reads for expert review: an expert's queue and the ranking of a call."""

from __future__ import annotations

import math
import secrets
import statistics
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from applications.enums import DECIDED_STATES, ApplicationStatus, ScoringRule
from applications.models import Application, Call

from . import proof
from .enums import LOAD_STATES, AssignmentPurpose, AssignmentStatus
from .models import Assignment, Draw, Expert, Review


def assignments_of(user: Any) -> QuerySet[Assignment]:
    return Assignment.objects.filter(expert__user=user).select_related("application", "application__call")


def expert_pool(*, field: str = "", region: str = "", active: str = "", search: str = "") -> QuerySet[Expert]:
    """The expert pool filtered as staff ask, each expert with ``load`` (open assignments)
    and ``conflict_count``: one query for any page of it.

    ``active`` is "yes", "no" or "" (everyone); ``search`` matches the name, the user name or
    the organisation's name."""
    experts = Expert.objects.select_related("organisation", "user").annotate(
        load=Count("assignments", filter=Q(assignments__status__in=LOAD_STATES), distinct=True),
        conflict_count=Count("conflicts", distinct=True),
    )
    if field.strip():
        experts = experts.filter(fields__contains=[field.strip()])
    if region.strip():
        experts = experts.filter(region__icontains=region.strip())
    if active == "yes":
        experts = experts.filter(active=True)
    elif active == "no":
        experts = experts.filter(active=False)
    if search.strip():
        term = search.strip()
        experts = experts.filter(
            Q(name__icontains=term) | Q(user__username__icontains=term) | Q(organisation__name__icontains=term)
        )
    return experts.order_by("name", "id")


@dataclass(frozen=True)
class RankedItem:
    item: int
    title: str
    #: None for an item below the call's minimum of reviews: it is listed, not ranked.
    rank: int | None
    score: Decimal
    raw_mean: Decimal
    reviews: int
    spread: Decimal
    flagged: bool
    #: It has the call's minimum of submitted reviews.
    complete: bool = True
    #: Reviews still missing to reach the minimum (0 when complete).
    missing: int = 0


def _pstdev(values: list[float], mean: float) -> float:
    """Population standard deviation, in floats (``statistics.pstdev`` works in exact
    fractions: right, but a hundred times slower over a province's reviews)."""
    if len(values) < 2:
        return 0.0
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


def _q(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def ranking_version(call: Call) -> int | None:
    """The call's ``ranking_version`` read afresh (one primary-key lookup): the ``call`` in
    hand may predate a review submitted since. A page that reads several slices reads it
    once and passes it to each (:func:`ranking_slice`), so the slices agree."""
    return Call.objects.filter(pk=call.pk).values_list("ranking_version", flat=True).first()


def _ranking_key(call: Call, version: int | None = None) -> str:
    """The cache key of a call's ranking (and of its parts, after a colon): it changes with the call's
    ``ranking_version``, which the review services raise, and with the rule and thresholds;
    the creation time tells apart a call made again under a reused id (a reloaded database).
    The version is read afresh unless the caller read it (:func:`ranking_version`)."""
    if version is None:
        version = ranking_version(call)
    return (
        f"ranking:v3:{call.pk}:{call.created_at.timestamp()}:{version}:{call.scoring_rule}:"
        f"{call.spread_threshold}:{call.min_reviews}"
    )


def call_ranking(call: Call) -> list[RankedItem]:
    """:func:`call_ranking_compute`, kept in the cache under the call's ranking version: a
    province's ranking (50,000 reviews) is computed once per submitted or reopened review,
    and reading it costs one primary-key lookup."""
    return _cached_ranking(call, _ranking_key(call) + ":all")[1]


def call_ranking_with_token(call: Call) -> tuple[str, list[RankedItem]]:
    """:func:`call_ranking` and the token it is stored under in the cache. The token is drawn
    afresh whenever the ranking is stored, so what a caller derives from a ranking may be kept
    under its token (the suggested funding list is)."""
    return _cached_ranking(call, _ranking_key(call) + ":all")


#: Whole rankings this process has read from the cache, by cache key, with the token they were
#: stored under: a 10,000-item ranking costs ≈ 45 ms to unpickle on every page that reads it
#: whole (the suggested funding list), a token ≈ 0.2 ms. The token is drawn afresh whenever the
#: ranking is stored, so a copy held here is used only while the cache holds that very ranking
#: (a key reused after a database restore, or a cache flushed, never serves an old copy).
_held: dict[str, tuple[str, list[RankedItem]]] = {}
_HELD_MAX = 8
_held_lock = threading.Lock()


def _cached_ranking(call: Call, key: str) -> tuple[str, list[RankedItem]]:
    token_key = f"{key}:token"
    token = cache.get(token_key)
    held = _held.get(key)
    if token is not None and held is not None and held[0] == token:
        return token, list(held[1])
    found = cache.get_many([key, token_key])
    ranked: list[RankedItem] | None = found.get(key)
    token = found.get(token_key)
    if ranked is None or token is None:
        ranked = call_ranking_compute(call)
        token = secrets.token_hex(8)
        cache.set_many({key: ranked, token_key: token}, timeout=3600)
    with _held_lock:  # a threaded server (runserver) may read two rankings at once
        if len(_held) >= _HELD_MAX and key not in _held:
            _held.pop(next(iter(_held)))  # the oldest copy goes first
        _held[key] = (token, ranked)
    return token, list(ranked)


@dataclass(frozen=True)
class RankingPage:
    """What a page shows of a ranking: its rows ``start``–``stop``, the first 50 for the
    chart, and the counts. Cached on its own, so a page of a 10,000-item ranking does not
    unpickle the 10,000 items."""

    rows: list[RankedItem]
    top: list[RankedItem]
    total: int
    incomplete: int
    flagged: int


def ranking_slice(call: Call, *, start: int, stop: int, version: int | None = None) -> RankingPage:
    """Rows ``start``–``stop`` of the call's ranking, with its counts; ``version`` as read by
    :func:`ranking_version` for this request (read here when not given)."""
    prefix = _ranking_key(call, version)
    key = f"{prefix}:{start}-{stop}"
    page: RankingPage | None = cache.get(key)
    if page is None:
        ranked = _cached_ranking(call, prefix + ":all")[1]
        page = RankingPage(
            rows=ranked[start:stop],
            top=ranked[:50],
            total=len(ranked),
            incomplete=sum(not r.complete for r in ranked),
            flagged=sum(r.flagged for r in ranked),
        )
        cache.set(key, page, timeout=3600)
    return page


def call_ranking_compute(call: Call) -> list[RankedItem]:
    """Rank a call's reviewed items by its scoring rule, from one query over its reviews.

    mean; trimmed mean (drop one highest and one lowest with ≥ 5 reviews); z-score per expert
    over their reviews in this call, rescaled to the mean and spread of all scores so the
    numbers stay readable. Ties share a rank (1, 2, 2, 4).

    Items with fewer submitted reviews than the call's minimum come after every complete
    item, unranked (``rank`` None, ``complete`` False, ``missing`` reviews), by score: a
    score from one review must not stand above items every reviewer has scored.
    """
    rows = list(
        Review.objects.filter(
            assignment__application__call=call,
            assignment__purpose=AssignmentPurpose.REVIEW,
            assignment__status=AssignmentStatus.SUBMITTED,
        )
        # Floats straight from the database: 50,000 Decimals made only to be turned into
        # floats would cost more than the whole aggregation.
        .annotate(total=Cast("weighted_total", FloatField()))
        .values_list("assignment__application_id", "assignment__application__title", "assignment__expert_id", "total")
    )
    by_item: dict[int, list[tuple[int, float]]] = {}
    titles: dict[int, str] = {}
    by_expert: dict[int, list[float]] = {}
    for item, title, expert, total in rows:
        by_item.setdefault(item, []).append((expert, total))
        titles[item] = title
        by_expert.setdefault(expert, []).append(total)
    all_scores = [r[3] for r in rows]
    grand_mean = statistics.fmean(all_scores) if all_scores else 0.0
    grand_sd = _pstdev(all_scores, grand_mean)
    expert_stats = {e: (m := statistics.fmean(v), _pstdev(v, m)) for e, v in by_expert.items()}

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

    minimum = call.min_reviews
    scored.sort(key=lambda r: (r[3] < minimum, -r[1], r[0]))
    ranked: list[RankedItem] = []
    previous_score = None
    rank = 0
    for position, (item, item_score, item_mean, count, item_spread) in enumerate(scored, 1):
        complete = count >= minimum
        if complete and item_score != previous_score:
            rank = position
            previous_score = item_score
        ranked.append(
            RankedItem(
                item=item,
                title=titles[item],
                rank=rank if complete else None,
                score=item_score,
                raw_mean=item_mean,
                reviews=count,
                spread=item_spread,
                flagged=item_spread > call.spread_threshold,
                complete=complete,
                missing=max(minimum - count, 0),
            )
        )
    return ranked


def call_review_progress(call: Call) -> QuerySet[Application]:
    """Each item of the call that reached expert review, with its assignments counted by
    state (``invited``, ``accepted``, ``submitted``, ``dropped`` = declined or expired) and
    ``overdue`` = open past their due date: one query for the whole call."""
    states = [ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED, *sorted(DECIDED_STATES)]

    review = Q(assignments__purpose=AssignmentPurpose.REVIEW)

    def count(*status: str) -> Count:
        return Count("assignments", filter=review & Q(assignments__status__in=status))

    return (
        Application.objects.filter(call=call, status__in=states)
        .annotate(
            invited=count(AssignmentStatus.INVITED),
            accepted=count(AssignmentStatus.ACCEPTED),
            submitted=count(AssignmentStatus.SUBMITTED),
            dropped=count(AssignmentStatus.DECLINED, AssignmentStatus.EXPIRED),
            overdue=Count(
                "assignments",
                filter=review & Q(assignments__status__in=list(LOAD_STATES), assignments__due_at__lt=timezone.now()),
            ),
        )
        .order_by("id")
    )


# --- a draw anyone can verify (reviews/proof.py) -----------------------------------------------


def draw_export(draw: Draw) -> dict[str, Any]:
    """The revealed draw: its commitment, seed, public snapshot and recorded choices — what
    ``docs/verify_draw.py`` checks on any machine. No expert's name or organisation is in it."""
    items = list(draw.items.order_by("id").values("application_id", "item", "needed", "assigned", "chosen"))
    document = proof.snapshot_document(
        pool=draw.pool, items=[{"item": i["item"], "needed": i["needed"], "assigned": i["assigned"]} for i in items]
    )
    return {
        "draw": draw.pk,
        "call": draw.call_id,
        "kind": draw.kind,
        "performed_at": draw.performed_at.isoformat(),
        "algorithm": draw.algorithm,
        "pool_sha256": draw.pool_sha256,
        "seed_sha256": draw.seed_sha256,
        "seed": draw.seed,
        "snapshot": document,
        "chosen": {str(i["application_id"]): list(i["chosen"]) for i in items},
    }


def draw_verify(draw: Draw) -> dict[str, Any]:
    """Check a draw against its commitment: the snapshot rebuilt from what is stored hashes to
    the recorded ``pool_sha256``, the seed to ``seed_sha256``, and running the rules again on
    them chooses exactly the recorded experts. ``matches`` only when all three hold."""
    from .services import draw_replay

    exported = draw_export(draw)
    pool_sha256 = proof.sha256_hex(proof.canonical_bytes(exported["snapshot"]))
    seed_sha256 = proof.sha256_hex(draw.seed)
    replayed = {str(k): v for k, v in draw_replay(draw=draw).items()}
    differing = sorted(int(k) for k, chosen in exported["chosen"].items() if replayed.get(k) != chosen)
    checks = {
        "snapshot_matches": pool_sha256 == draw.pool_sha256,
        "seed_matches": seed_sha256 == draw.seed_sha256,
        "replay_matches": not differing,
    }
    return {
        "matches": all(checks.values()),
        **checks,
        "pool_sha256": pool_sha256,
        "seed_sha256": seed_sha256,
        "recorded_pool_sha256": draw.pool_sha256,
        "recorded_seed_sha256": draw.seed_sha256,
        "algorithm": draw.algorithm,
        "differing_items": differing,
    }
