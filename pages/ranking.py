"""The ranking of a call for staff and the panel: raw and adjusted scores side by side,
reviews against the call's minimum, the spread, and a flag where the reviews disagree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.rules import is_panel, is_staff
from applications.enums import ScoringRule
from applications.models import Call
from core.links import pk_link
from core.responses import xlsx_response
from reviews.exports import xlsx_table
from reviews.selectors import RankedItem, call_ranking, call_review_progress, ranking_slice, ranking_version


def _ranking_call(request: HttpRequest, pk: int) -> Call:
    # Experts (on blind calls above all) and applicants never see who ranks where.
    if not (is_staff(request.user) or is_panel(request.user)):
        raise PermissionDenied(_("Only bureau staff and the panel see the ranking."))
    return get_object_or_404(Call.objects.select_related("programme"), pk=pk)


def adjusted_label(call: Call) -> str:
    """What the adjusted column holds under the call's rule."""
    if call.scoring_rule == ScoringRule.ZSCORE:
        return _("Normalised score (z-score)")
    if call.scoring_rule == ScoringRule.TRIMMED_MEAN:
        return _("Trimmed mean")
    return _("Mean")


def _rows(call: Call, ranking: list[RankedItem]) -> list[dict[str, Any]]:
    link = pk_link("item-reviews")
    return [
        {
            "item": r,
            "url": link(r.item),
            "short": not r.complete,
            "trimmed": call.scoring_rule == ScoringRule.TRIMMED_MEAN and r.reviews >= 5,
        }
        for r in ranking
    ]


def call_ranking_page(request: HttpRequest, pk: int) -> HttpResponse:
    call = _ranking_call(request, pk)
    # 100 rows a page: a province's call ranks 10,000 items (the xlsx download has them all).
    # The items short of reviews come last in the ranking, so they close its last pages.
    # The paginator counts positions; the cache hands over only this page's items.
    # The call's ranking version is read once: both slices come from the same ranking.
    version = ranking_version(call)
    summary = ranking_slice(call, start=0, stop=0, version=version)
    page = Paginator(range(summary.total), 100).get_page(request.GET.get("page"))
    start = page.start_index() - 1 if summary.total else 0
    ranking = ranking_slice(call, start=start, stop=page.end_index(), version=version)
    # In ranking order: the items short of reviews, unranked, come last.
    chart = [
        {"label": f"{r.rank or '—'}. {r.title}"[:40], "value": r.score, "display": f"{r.score}"} for r in ranking.top
    ]
    rows = _rows(call, ranking.rows)
    return render(
        request,
        "pages/ranking.html",
        {
            "call": call,
            "rows": [row for row in rows if not row["short"]],
            "short_rows": [row for row in rows if row["short"]],
            "incomplete": ranking.incomplete,
            "page": page,
            "chart": chart,
            "adjusted_label": adjusted_label(call),
            "flagged": ranking.flagged,
            "is_staff": is_staff(request.user),
        },
    )


def call_ranking_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    call = _ranking_call(request, pk)
    ranking = call_ranking(call)
    headers = [
        _("Rank"),
        _("Item"),
        _("Title"),
        _("Raw mean"),
        adjusted_label(call),
        _("Reviews"),
        _("Minimum reviews"),
        _("Reviews missing"),
        _("Spread"),
        _("Reviews disagree"),
    ]
    rows = (
        [
            r.rank if r.complete else _("unranked: too few reviews"),
            r.item,
            r.title,
            r.raw_mean,
            r.score,
            r.reviews,
            call.min_reviews,
            r.missing,
            r.spread,
            _("yes") if r.flagged else "",
        ]
        for r in ranking
    )
    return xlsx_response(xlsx_table(_("Ranking"), headers, rows), f"call-{call.pk}-ranking.xlsx")


def call_progress_page(request: HttpRequest, pk: int) -> HttpResponse:
    """How far the experts are with each item: invited, accepted, submitted, dropped out,
    overdue, against the reviewers wanted per item."""
    call = _ranking_call(request, pk)
    items: list[Any] = list(call_review_progress(call))  # annotated counts
    wanted = call.reviewers_per_item
    totals = {
        "items": len(items),
        "complete": sum(1 for i in items if i.submitted >= wanted),
        "submitted": sum(i.submitted for i in items),
        "wanted": wanted * len(items),
        "overdue": sum(i.overdue for i in items),
    }
    chart = [
        {"label": i.title[:40], "value": wanted, "part": min(i.submitted, wanted), "display": f"{i.submitted}/{wanted}"}
        for i in items[:50]
    ]
    return render(
        request,
        "pages/progress.html",
        {"call": call, "items": items, "wanted": wanted, "totals": totals, "chart": chart},
    )
