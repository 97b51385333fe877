"""The suggested funding list, computed by hand: down the ranking, filling the budget, with the
panel's what-if (another budget, cut amounts, a minimum score), ties and decided items."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import load_workbook

from applications.enums import ApplicationStatus as S
from funding.exports import suggestion_xlsx
from funding.models import FundingDecision
from funding.suggestions import suggest_funding, what_if_from

from .conftest import decide_directly, make_item

pytestmark = pytest.mark.django_db

FIVE = (
    ("A", "90", "300000.00"),
    ("B", "85", "400000.00"),
    ("C", "80", "350000.00"),
    ("D", "75", "200000.00"),
    ("E", "70", "100000.00"),
)


def table(suggestion):
    """(title, suggested, cumulative, outcome) per row, as the panel reads the list."""
    return [(r.title, str(r.suggested_yuan), str(r.cumulative_yuan), r.outcome) for r in suggestion.rows]


def test_list_fills_the_budget_down_the_ranking_and_stops_at_the_first_that_does_not_fit(call, items):
    items(*FIVE)  # budget 1,000,000.00
    suggestion = suggest_funding(call)
    assert table(suggestion) == [
        ("A", "300000.00", "300000.00", "fits"),
        ("B", "400000.00", "700000.00", "fits"),
        ("C", "0.00", "700000.00", "over_budget"),
        ("D", "0.00", "700000.00", "below_line"),
        ("E", "0.00", "700000.00", "below_line"),
    ]
    assert [r.rank for r in suggestion.rows] == [1, 2, 3, 4, 5]
    assert suggestion.suggested_yuan == Decimal("700000.00")
    assert suggestion.remaining_yuan == Decimal("300000.00")
    assert str(suggestion.total_wan) == "70.0000"


def test_fill_gaps_goes_on_with_smaller_items_below_the_line(call, items):
    items(*FIVE)
    suggestion = suggest_funding(call, fill_gaps=True)
    assert [(t, s, o) for t, s, _c, o in table(suggestion)] == [
        ("A", "300000.00", "fits"),
        ("B", "400000.00", "fits"),
        ("C", "0.00", "over_budget"),
        ("D", "200000.00", "fits"),
        ("E", "100000.00", "fits"),
    ]
    assert suggestion.remaining_yuan == Decimal("0.00")


def test_a_cut_makes_the_next_item_fit(call, items):
    _a, _b, c, _d, _e = items(*FIVE)
    suggestion = suggest_funding(call, cuts={c.pk: Decimal("300000.00")})
    assert table(suggestion) == [
        ("A", "300000.00", "300000.00", "fits"),
        ("B", "400000.00", "700000.00", "fits"),
        ("C", "300000.00", "1000000.00", "fits"),
        ("D", "0.00", "1000000.00", "over_budget"),
        ("E", "0.00", "1000000.00", "below_line"),
    ]
    assert suggestion.rows[2].cut_yuan == Decimal("300000.00")
    assert suggestion.remaining_yuan == Decimal("0.00")


def test_a_cut_to_zero_leaves_the_item_out(call, items):
    _a, b, *_rest = items(*FIVE)
    suggestion = suggest_funding(call, cuts={b.pk: Decimal("0")})
    assert [(t, s, o) for t, s, _c, o in table(suggestion)] == [
        ("A", "300000.00", "fits"),
        ("B", "0.00", "excluded"),
        ("C", "350000.00", "fits"),
        ("D", "200000.00", "fits"),
        ("E", "100000.00", "fits"),
    ]
    assert suggestion.suggested_yuan == Decimal("950000.00")


def test_what_if_budget_and_minimum_score(call, items):
    items(*FIVE)
    bigger = suggest_funding(call, budget=Decimal("2000000.00"))
    assert all(r.outcome == "fits" for r in bigger.rows)
    assert bigger.suggested_yuan == Decimal("1350000.00")
    assert bigger.remaining_yuan == Decimal("650000.00")
    call.refresh_from_db()
    assert call.budget_yuan == Decimal("1000000.00")  # nothing is written

    strict = suggest_funding(call, budget=Decimal("2000000.00"), cutoff=Decimal("78"))
    assert [(t, o) for t, _s, _c, o in table(strict)] == [
        ("A", "fits"),
        ("B", "fits"),
        ("C", "fits"),
        ("D", "below_cutoff"),
        ("E", "below_cutoff"),
    ]
    assert strict.suggested_yuan == Decimal("1050000.00")


def test_a_tie_straddling_the_budget_line_is_left_to_the_panel(call, items):
    items(("A", "90", "300000.00"), ("B", "85", "400000.00"), ("C", "85", "400000.00"), ("D", "60", "50000.00"))
    suggestion = suggest_funding(call)  # after A 700,000 remain: B or C would fit, not both
    assert [(r.rank, r.title, r.outcome) for r in suggestion.rows] == [
        (1, "A", "fits"),
        (2, "B", "tie_at_line"),
        (2, "C", "tie_at_line"),
        (4, "D", "below_line"),
    ]
    assert suggestion.suggested_yuan == Decimal("300000.00")

    enough = suggest_funding(call, budget=Decimal("1100000.00"))
    assert [(r.title, r.outcome) for r in enough.rows] == [
        ("A", "fits"),
        ("B", "fits"),
        ("C", "fits"),
        ("D", "over_budget"),
    ]
    assert enough.suggested_yuan == Decimal("1100000.00")


def test_a_tie_where_neither_fits_is_simply_over_budget(call, items):
    items(("A", "90", "500000.00"), ("B", "85", "500000.00"), ("C", "85", "500000.00"))
    suggestion = suggest_funding(call, budget=Decimal("800000.00"))
    assert [r.outcome for r in suggestion.rows] == ["fits", "over_budget", "over_budget"]


def test_decided_items_keep_their_amount_and_are_reserved_first(call, items, panel):
    a, b, c, d, e = items(*FIVE)
    decide_directly(a, panel, "250000.00")
    decide_directly(b, panel, None)
    suggestion = suggest_funding(call, cuts={a.pk: Decimal("1.00")})  # a cut on a decided item changes nothing
    assert table(suggestion) == [
        ("A", "250000.00", "250000.00", "funded"),
        ("B", "0.00", "250000.00", "not_funded"),
        ("C", "350000.00", "600000.00", "fits"),
        ("D", "200000.00", "800000.00", "fits"),
        ("E", "100000.00", "900000.00", "fits"),
    ]
    assert suggestion.decided_yuan == Decimal("250000.00")
    assert suggestion.suggested_yuan == Decimal("650000.00")
    assert [r.item for r in suggestion.to_apply] == [c.pk, d.pk, e.pk]


def test_a_decided_item_low_in_the_ranking_still_counts_against_the_budget(call, items, panel):
    *_top, e = items(*FIVE)
    decide_directly(e, panel, "100000.00")
    suggestion = suggest_funding(call, budget=Decimal("700000.00"))
    # 600,000 left for the undecided: A fits, B (400,000 of the 300,000 left) draws the line.
    assert table(suggestion) == [
        ("A", "300000.00", "300000.00", "fits"),
        ("B", "0.00", "300000.00", "over_budget"),
        ("C", "0.00", "300000.00", "below_line"),
        ("D", "0.00", "300000.00", "below_line"),
        ("E", "100000.00", "400000.00", "funded"),
    ]
    assert suggestion.remaining_yuan == Decimal("300000.00")


def test_items_not_ready_for_a_decision_are_not_on_the_list(call, items, applicant, expert):
    items(("A", "90", "300000.00"))
    make_item(call, applicant, expert, title="still in review", score="99", requested="1000.00", status=S.IN_REVIEW)
    make_item(call, applicant, expert, title="terminated", score="98", requested="1000.00", status=S.TERMINATED)
    assert [r.title for r in suggest_funding(call).rows] == ["A"]


def test_cut_above_the_request_or_for_an_unknown_item_is_refused(call, items):
    a, *_rest = items(*FIVE)
    with pytest.raises(ValidationError) as exc:
        suggest_funding(call, cuts={a.pk: Decimal("300000.01"), 999999: Decimal("1.00")})
    assert set(exc.value.message_dict) == {f"cut_{a.pk}", "cut_999999"}


def test_what_if_inputs_are_parsed_or_refused_by_field():
    what_if = what_if_from(
        {"budget": "1500000", "cutoff": "80.5", "cut_12": "100000.00", "cut_13": "", "fill_gaps": "on"}
    )
    assert what_if.budget == Decimal("1500000.00")
    assert what_if.cutoff == Decimal("80.5")
    assert what_if.cuts == {12: Decimal("100000.00")}
    assert what_if.fill_gaps is True
    assert what_if_from({}).as_kwargs() == {
        "budget": None,
        "cuts": {},
        "cutoff": None,
        "fill_gaps": False,
        "include": frozenset(),
    }
    with pytest.raises(ValidationError) as exc:
        what_if_from({"budget": "lots", "cutoff": "-1", "cut_x": "5", "cut_7": "1.001"})
    assert set(exc.value.message_dict) == {"budget", "cutoff", "cut_x", "cut_7"}


def test_list_takes_three_queries_however_many_items(call, items, django_assert_num_queries):
    # The ranking's version and reviews (reviews.selectors.call_ranking), then the requests
    # and decisions of the ranked items.
    items(("A", "90", "300000.00"))
    with django_assert_num_queries(3):
        suggest_funding(call)
    items(*[(f"X{i}", str(50 + i), "10000.00") for i in range(25)])
    with django_assert_num_queries(3):
        suggest_funding(call)


def test_list_as_xlsx_reads_back_with_the_figures(call, items, panel):
    a, *_rest = items(*FIVE)
    decide_directly(a, panel, "250000.00")
    suggestion = suggest_funding(call)
    with translation.override("en"):
        sheet = load_workbook(BytesIO(suggestion_xlsx(suggestion))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[2], Decimal(str(r[7])), Decimal(str(r[8]))) for r in rows[:5]] == [
        ("A", Decimal("250000"), Decimal("250000")),
        ("B", Decimal("400000"), Decimal("650000")),
        ("C", Decimal("350000"), Decimal("1000000")),
        ("D", Decimal("0"), Decimal("1000000")),
        ("E", Decimal("0"), Decimal("1000000")),
    ]
    assert rows[0][9] == "Already funded" and rows[3][9] == "Does not fit the remaining budget"
    totals = {r[2]: Decimal(str(r[7])) for r in rows[6:]}
    assert totals == {
        "Budget (yuan)": Decimal("1000000"),
        "Already decided (yuan)": Decimal("250000"),
        "Suggested now (yuan)": Decimal("750000"),
        "Remaining (yuan)": Decimal("0"),
    }
    assert FundingDecision.objects.count() == 1  # reading the list decides nothing
