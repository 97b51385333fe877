"""The suggested funding list: down the ranking, filling the budget, with what-if inputs.

Nothing here writes. The panel looks at the list, tries another budget, cuts an amount or
sets a minimum score, and only then decides (``workflow.suggestions.suggestions_apply`` runs
one ``workflow.steps.decide`` per item, each under the budget lock).

The rules, in the order a bureau applies them:

1. Items already decided keep their decided amount; their money is reserved first, wherever
   they stand in the ranking, because the budget lock already counts it.
2. Undecided items (``reviewed``) are taken down the ranking at the requested amount, or at
   the panel's cut. A cut of 0 leaves the item out; an item scoring below the minimum score is
   left out.
3. Items that share a rank (a tie) are taken together or not at all: when the remaining
   budget holds only some of them, the list does not pick one by its id, it marks the whole
   tie for the panel to settle.
4. The first item (or tie) that does not fit draws the funding line: everything below it is
   below the line, unless ``fill_gaps`` asks to go on with smaller items further down.
5. Items with fewer reviews than the call's minimum are unranked and come last; the list
   leaves them out unless the panel adds them (``include``), and then they are taken after
   every ranked item, in score order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from applications.enums import ApplicationStatus, CallKind
from applications.models import Application, Call
from applications.services import parse_money
from core.errors import StateConflict
from core.money import to_wan, yuan
from core.params import parse_int
from funding.models import FundingDecision
from reviews.selectors import RankedItem, call_ranking_with_token

S = ApplicationStatus
ZERO = Decimal("0.00")
MAX_SCORE_INPUT = Decimal("1000")


class Outcome(models.TextChoices):
    """Where one row of the list stands."""

    FUNDED = "funded", gettext_lazy("Already funded")
    NOT_FUNDED = "not_funded", gettext_lazy("Already decided: not funded")
    FITS = "fits", gettext_lazy("Fits the budget")
    OVER_BUDGET = "over_budget", gettext_lazy("Does not fit the remaining budget")
    TIE_AT_LINE = "tie_at_line", gettext_lazy("Tied at the funding line: the panel decides")
    BELOW_LINE = "below_line", gettext_lazy("Below the funding line")
    BELOW_CUTOFF = "below_cutoff", gettext_lazy("Below the minimum score")
    EXCLUDED = "excluded", gettext_lazy("Left out (cut to 0)")
    INCOMPLETE = "incomplete", gettext_lazy("Too few reviews: left out unless the panel adds it")


# The outcomes as plain strings, for the walk down a 10,000-row list (an enum member read
# through its class costs a descriptor call each time).
_FUNDED, _NOT_FUNDED, _FITS = Outcome.FUNDED.value, Outcome.NOT_FUNDED.value, Outcome.FITS.value
_OVER_BUDGET, _TIE_AT_LINE, _BELOW_LINE = Outcome.OVER_BUDGET.value, Outcome.TIE_AT_LINE.value, Outcome.BELOW_LINE.value
_BELOW_CUTOFF, _EXCLUDED, _INCOMPLETE = Outcome.BELOW_CUTOFF.value, Outcome.EXCLUDED.value, Outcome.INCOMPLETE.value
_FIT_OUTCOMES = frozenset({_FUNDED, _FITS})


# Not frozen: a frozen dataclass sets each of its 16 fields through ``object.__setattr__``,
# 54 ms for a county's 10,000 rows against 10 ms; nothing changes a row once it is made.
@dataclass(slots=True)
class SuggestionRow:
    #: None for an item below the call's minimum of reviews (unranked).
    rank: int | None
    item: int
    title: str
    organisation: str
    score: Decimal
    flagged: bool
    requested_yuan: Decimal
    #: The panel's what-if amount for this item, if it typed one.
    cut_yuan: Decimal | None
    #: The decided amount (decided items) or the amount proposed (0 when it does not fit).
    suggested_yuan: Decimal
    #: Money committed from the top of the list down to this row, decided and proposed.
    cumulative_yuan: Decimal
    fits: bool
    decided: bool
    outcome: str
    #: It has the call's minimum of reviews; if not, ``missing`` more are needed.
    complete: bool = True
    missing: int = 0
    #: The panel added this incomplete item to the list.
    included: bool = False

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def suggested_wan(self) -> Decimal:
        return to_wan(self.suggested_yuan)

    @property
    def to_apply(self) -> bool:
        """An undecided item the list proposes to fund."""
        return self.fits and not self.decided


@dataclass(frozen=True)
class Suggestion:
    call: Call
    budget_yuan: Decimal
    cutoff: Decimal | None
    fill_gaps: bool
    rows: list[SuggestionRow]
    #: Funded by decisions already taken.
    decided_yuan: Decimal
    #: Proposed now for undecided items.
    suggested_yuan: Decimal

    @property
    def total_yuan(self) -> Decimal:
        return self.decided_yuan + self.suggested_yuan

    @property
    def remaining_yuan(self) -> Decimal:
        return self.budget_yuan - self.total_yuan

    @property
    def total_wan(self) -> Decimal:
        return to_wan(self.total_yuan)

    @property
    def budget_wan(self) -> Decimal:
        return to_wan(self.budget_yuan)

    @property
    def remaining_wan(self) -> Decimal:
        return to_wan(self.remaining_yuan)

    @cached_property
    def to_apply(self) -> list[SuggestionRow]:
        return [row for row in self.rows if row.to_apply]

    @property
    def line_position(self) -> int | None:
        """Where the funding line falls: the position in ``rows`` of the first item that does
        not fit (or the tie the panel settles); None when everything fits."""
        return next(
            (i for i, row in enumerate(self.rows) if row.outcome in (Outcome.OVER_BUDGET, Outcome.TIE_AT_LINE)),
            None,
        )

    @property
    def fingerprint(self) -> str:
        """Identifies exactly what applying would decide (items and amounts), so that an
        apply based on a list that has changed since the panel looked at it is refused."""
        text = ";".join(f"{row.item}:{row.suggested_yuan}" for row in self.to_apply)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Item(NamedTuple):
    """What the list reads of one application: plain values, no model instance (a county's
    list is 10,000 of them)."""

    title: str
    organisation: str
    requested_yuan: Decimal
    status: str
    #: None when undecided; else whether it was funded, and the amount approved.
    fund: bool | None
    approved_yuan: Decimal | None


def _items(call: Call) -> dict[int, _Item]:
    """The call's applications with their decision, in one query. All of the call's: a filter
    on the ranking's 10,000 ids would cost more to send and plan than the rows it leaves out."""
    rows = Application.objects.filter(call=call).values_list(
        "pk",
        "title",
        "organisation__name",
        "requested_yuan",
        "status",
        "decision__fund",
        "decision__approved_yuan",
    )
    return {
        pk: _Item(title, organisation, requested, status, fund, approved)
        for pk, title, organisation, requested, status, fund, approved in rows
    }


def suggest_funding(
    call: Call,
    *,
    budget: Decimal | None = None,
    cuts: Mapping[int, Decimal] | None = None,
    cutoff: Decimal | None = None,
    fill_gaps: bool = False,
    include: frozenset[int] | set[int] = frozenset(),
) -> Suggestion:
    """Propose who gets what, down the ranking, within ``budget`` (default: the call's).

    ``cuts`` maps an application id to the amount the panel would give instead of the
    request (≤ requested; 0 leaves it out); ``cutoff`` is a minimum score; ``include`` the
    ids of items below the minimum of reviews the panel adds to the list. One query, and the
    call's ranking (cached).

    The list as it stands (no what-if) is kept in the process while nothing it was computed
    from has changed (:func:`_as_listed_state`): it is the page most of the panel opens, and a
    county's 10,000 items cost ≈ 70 ms to list afresh against ≈ 10 ms to check.
    """
    if call.kind != CallKind.PLAN:
        raise StateConflict(_("Award rounds are decided by level, not by amount."))
    token, ranking = call_ranking_with_token(call)
    as_listed = budget is None and not cuts and cutoff is None and not fill_gaps and not include
    state = _as_listed_state(call, token) if as_listed else None
    if state is not None:
        held = _held.get(call.pk)
        if held is not None and held[0] == state:
            return dataclasses.replace(held[1], call=call)
    suggestion = _suggest(call, ranking, budget=budget, cuts=cuts, cutoff=cutoff, fill_gaps=fill_gaps, include=include)
    if state is not None:
        with _held_lock:
            if len(_held) >= _HELD_MAX and call.pk not in _held:
                _held.pop(next(iter(_held)))  # the oldest list goes first
            _held[call.pk] = (state, suggestion)
    return suggestion


#: The list as it stands for the last few calls this process listed, by call, with the state it
#: was computed from (:func:`_as_listed_state`). A county call's list of 10,000 rows is ≈ 6 MB:
#: four calls decided at once is more than a bureau's year has.
_held: dict[int, tuple[tuple[Any, ...], Suggestion]] = {}
_HELD_MAX = 4
_held_lock = threading.Lock()


def _as_listed_state(call: Call, ranking_token: str) -> tuple[Any, ...] | None:
    """What the list as it stands is computed from, in one statement: the ranking (its token),
    the call's budget, and every row the list reads: the call's applications, their decisions
    and their organisations, each row as the version PostgreSQL holds of it (``xmin``, the
    transaction that wrote it). Any committed write to any of them changes the digest; none of
    the services has to remember to say so.

    None (compute afresh) on other databases, and inside a transaction: there, rows written by
    the transaction itself all carry its own ``xmin``, so a second change to a row would not
    show.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [call.pk])
        count, digest = cursor.fetchone()
    return (ranking_token, call.budget_yuan, count, digest)


_STATE_SQL = f"""
SELECT count(*), md5(string_agg(
    a.id::text || ':' || a.xmin::text || ':' || coalesce(d.xmin::text, '-') || ':' || o.xmin::text,
    ',' ORDER BY a.id))
FROM {Application._meta.db_table} a
LEFT JOIN {FundingDecision._meta.db_table} d ON d.application_id = a.id
JOIN {Organisation._meta.db_table} o ON o.id = a.organisation_id
WHERE a.call_id = %s
"""  # noqa: S608 - table names from the models, the one value a parameter


def _suggest(
    call: Call,
    ranking: list[RankedItem],
    *,
    budget: Decimal | None,
    cuts: Mapping[int, Decimal] | None,
    cutoff: Decimal | None,
    fill_gaps: bool,
    include: frozenset[int] | set[int],
) -> Suggestion:
    cuts = dict(cuts or {})
    budget_yuan = yuan(call.budget_yuan if budget is None else budget)
    every = _items(call)
    # Only the ranking's items: the call's drafts and items without reviews are not on it.
    on_ranking = {r.item: r for r in ranking if r.item in every}
    errors: dict[str, list[str]] = {}
    for item, amount in cuts.items():
        if item not in on_ranking:
            errors[f"cut_{item}"] = [_("This item is not on the ranking of this call.")]
        elif amount > every[item].requested_yuan:
            errors[f"cut_{item}"] = [
                _("The amount cannot exceed the %(req)s yuan requested.") % {"req": every[item].requested_yuan}
            ]
    for item in include:
        if item not in on_ranking:
            errors[f"include_{item}"] = [_("This item is not on the ranking of this call.")]
        elif on_ranking[item].complete:
            errors[f"include_{item}"] = [_("This item has its reviews: it is on the list already.")]
    if errors:
        raise ValidationError(errors)

    # Only items the panel can still decide, or has decided, belong on the list: one still in
    # review (some reviews in) or terminated is not a candidate. Each with what was read of it.
    reviewed = S.REVIEWED.value
    ranked = [
        (r, a) for r in ranking if (a := every.get(r.item)) is not None and (a.status == reviewed or a.fund is not None)
    ]
    # Every amount read or typed has two places (``DecimalField``, ``parse_money``), and so has
    # every sum of them: no rounding is needed down the list (10,000 rows of it cost ≈ 20 ms).
    decided_yuan = sum((a.approved_yuan or ZERO for _r, a in ranked if a.fund), ZERO)
    left = budget_yuan - decided_yuan

    # First the outcome and amount of every undecided item, a tie group at a time. Tie groups
    # in ranking order; an unranked (incomplete) item is a group of its own, after them all,
    # as the ranking lists it.
    outcomes: dict[int, str] = {}
    amounts: dict[int, Decimal] = {}
    line_drawn = False
    groups: list[list[tuple[RankedItem, _Item]]] = []
    previous_rank: int | None = None
    for pair in ranked:
        rank = pair[0].rank
        if rank is not None and rank == previous_rank:
            groups[-1].append(pair)
        else:
            groups.append([pair])
        previous_rank = rank
    for group in groups:
        candidates = []
        for r, a in group:
            if a.fund is not None:
                continue
            wanted = cuts.get(r.item, a.requested_yuan)
            if not r.complete and r.item not in include:
                outcomes[r.item] = _INCOMPLETE
            elif not wanted:
                outcomes[r.item] = _EXCLUDED
            elif cutoff is not None and r.score < cutoff:
                outcomes[r.item] = _BELOW_CUTOFF
            elif line_drawn and not fill_gaps:
                outcomes[r.item] = _BELOW_LINE
            else:
                candidates.append((r.item, wanted))
        if not candidates:
            continue
        needed = sum((w for _i, w in candidates), ZERO)
        if needed <= left:
            for item, wanted in candidates:
                outcomes[item], amounts[item] = _FITS, wanted
            left -= needed
            continue
        line_drawn = True
        tie = len(candidates) > 1 and any(w <= left for _i, w in candidates)
        for item, _w in candidates:
            outcomes[item] = _TIE_AT_LINE if tie else _OVER_BUDGET

    rows: list[SuggestionRow] = []
    cumulative = ZERO
    suggested_yuan = ZERO
    for r, a in ranked:
        item = r.item
        decided = a.fund is not None
        if decided:
            row_amount = (a.approved_yuan or ZERO) if a.fund else ZERO
            row_outcome = _FUNDED if a.fund else _NOT_FUNDED
        else:
            row_amount, row_outcome = amounts.get(item, ZERO), outcomes[item]
            if row_outcome == _FITS:
                suggested_yuan += row_amount
        cumulative += row_amount
        rows.append(
            SuggestionRow(
                rank=r.rank,
                item=item,
                title=a.title,
                organisation=a.organisation,
                score=r.score,
                flagged=r.flagged,
                requested_yuan=a.requested_yuan,
                cut_yuan=None if decided else cuts.get(item),
                suggested_yuan=row_amount,
                cumulative_yuan=cumulative,
                fits=row_outcome in _FIT_OUTCOMES,
                decided=decided,
                outcome=row_outcome,
                complete=r.complete,
                missing=r.missing,
                included=item in include,
            )
        )
    return Suggestion(
        call=call,
        budget_yuan=budget_yuan,
        cutoff=cutoff,
        fill_gaps=fill_gaps,
        rows=rows,
        decided_yuan=decided_yuan,
        suggested_yuan=suggested_yuan,
    )


@dataclass(frozen=True)
class WhatIf:
    """The what-if inputs as typed (for the form) and as parsed (for :func:`suggest_funding`)."""

    budget: Decimal | None
    cuts: dict[int, Decimal]
    cutoff: Decimal | None
    fill_gaps: bool
    include: frozenset[int] = frozenset()

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "cuts": self.cuts,
            "cutoff": self.cutoff,
            "fill_gaps": self.fill_gaps,
            "include": self.include,
        }


TRUE_WORDS = frozenset({"1", "true", "on", "yes"})


def what_if_from(data: Mapping[str, Any]) -> WhatIf:
    """Parse ``budget``, ``cutoff``, ``fill_gaps`` and ``cut_<application id>`` from a query
    string or form. Empty fields mean "as is"; anything unreadable is a ``ValidationError``
    naming the field."""
    errors: dict[str, list[str]] = {}
    budget: Decimal | None = None
    cutoff: Decimal | None = None
    cuts: dict[int, Decimal] = {}
    raw_budget = str(data.get("budget") or "").strip()
    if raw_budget:
        try:
            budget = parse_money(raw_budget, "budget")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    raw_cutoff = str(data.get("cutoff") or "").strip()
    if raw_cutoff:
        try:
            cutoff = Decimal(raw_cutoff)
            if not cutoff.is_finite() or cutoff < 0 or cutoff > MAX_SCORE_INPUT:
                raise ValueError
        except (ArithmeticError, ValueError):
            errors["cutoff"] = [_("Enter a minimum score, such as 75.")]
            cutoff = None
    include: set[int] = set()
    for key in data:
        if str(key).startswith("include_"):
            added = parse_int(str(key)[8:])  # ASCII digits only: ``include_²`` is no item
            if added is None:
                errors[str(key)] = [_("Unknown item.")]
            elif str(data.get(key) or "").strip().lower() in TRUE_WORDS:
                include.add(added)
            continue
        if not str(key).startswith("cut_"):
            continue
        raw = str(data.get(key) or "").strip()
        if not raw:
            continue
        item = parse_int(str(key)[4:])
        if item is None:
            errors[str(key)] = [_("Unknown item.")]
            continue
        try:
            cuts[item] = parse_money(raw, str(key))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    fill_gaps = str(data.get("fill_gaps") or "").strip().lower() in TRUE_WORDS
    return WhatIf(budget=budget, cuts=cuts, cutoff=cutoff, fill_gaps=fill_gaps, include=frozenset(include))
