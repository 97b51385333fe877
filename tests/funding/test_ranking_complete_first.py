"""Items below the call's minimum of reviews are listed apart, after the complete ones and
unranked, and the suggested funding list leaves them out unless the panel adds them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application
from funding.suggestions import suggest_funding, what_if_from
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Review
from reviews.selectors import call_ranking
from reviews.services import ranking_changed
from tests.conftest import make_expert

pytestmark = pytest.mark.django_db


def second_review(app: Application, expert, score: str) -> None:
    assignment = Assignment.objects.create(
        application=app, expert=expert, status=AssignmentStatus.SUBMITTED, due_at=timezone.now() + dt.timedelta(days=7)
    )
    Review.objects.create(
        assignment=assignment, scores={}, weighted_total=Decimal(score), comment="好", recommendation="support"
    )
    ranking_changed(app.call_id)  # as review_submit leaves it


@pytest.fixture
def mixed(call, items, org_expert):
    """Call needing 2 reviews: "Short" scores 95 from one review; A and B have both theirs."""
    call.min_reviews = 2
    call.save(update_fields=["min_reviews"])
    short, a, b = items(("Short", "95", "100000.00"), ("A", "90", "300000.00"), ("B", "80", "400000.00"))
    other = make_expert("second", org_expert)
    second_review(a, other, "90")
    second_review(b, other, "80")
    return short, a, b


def test_an_item_short_of_reviews_comes_after_the_complete_ones_unranked(call, mixed):
    short, a, b = mixed
    ranking = call_ranking(call)
    assert [(r.item, r.rank, r.complete, r.missing) for r in ranking] == [
        (a.pk, 1, True, 0),
        (b.pk, 2, True, 0),
        (short.pk, None, False, 1),
    ]


def test_ranking_follows_a_change_of_the_minimum(call, mixed):
    call_ranking(call)  # cached under the old minimum
    call.min_reviews = 1
    call.save(update_fields=["min_reviews"])
    assert [r.title for r in call_ranking(call)] == ["Short", "A", "B"]
    assert all(r.complete for r in call_ranking(call))


def test_ranking_api_says_complete_and_what_is_missing(call, mixed, api_client, staff):
    short, _a, _b = mixed
    rows = api_client(staff).get(f"/api/calls/{call.pk}/ranking/").json()
    assert [r["rank"] for r in rows] == [1, 2, None]
    assert rows[-1]["item"] == short.pk and rows[-1]["complete"] is False and rows[-1]["missing"] == 1
    assert rows[0]["complete"] is True and rows[0]["missing"] == 0


def test_ranking_page_lists_short_items_apart(call, mixed, page_client, staff):
    html = page_client(staff).get(reverse("call-ranking", args=[call.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ranked, _sep, apart = html.partition("Too few reviews: not ranked")
    assert "A</a>" in ranked and "B</a>" in ranked and "Short</a>" not in ranked
    assert "Short</a>" in apart and "1 missing" in apart


def test_ranking_xlsx_puts_short_items_last_without_a_rank(call, mixed, page_client, staff):
    response = page_client(staff).get(reverse("call-ranking-xlsx", args=[call.pk]), HTTP_ACCEPT_LANGUAGE="en")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["A", "B", "Short"]
    assert rows[1][0] == 1 and rows[3][0] == "unranked: too few reviews"
    assert rows[3][7] == 1  # reviews missing


def test_suggested_list_leaves_short_items_out(call, mixed):
    suggestion = suggest_funding(call)
    assert [(r.title, r.outcome, str(r.suggested_yuan)) for r in suggestion.rows] == [
        ("A", "fits", "300000.00"),
        ("B", "fits", "400000.00"),
        ("Short", "incomplete", "0.00"),
    ]
    assert suggestion.rows[-1].rank is None and suggestion.rows[-1].missing == 1
    assert suggestion.suggested_yuan == Decimal("700000.00")


def test_the_panel_adds_a_short_item_and_it_is_taken_after_the_ranked_ones(call, mixed):
    short, _a, _b = mixed
    suggestion = suggest_funding(call, **what_if_from({f"include_{short.pk}": "on"}).as_kwargs())
    assert [(r.title, r.outcome, str(r.cumulative_yuan)) for r in suggestion.rows] == [
        ("A", "fits", "300000.00"),
        ("B", "fits", "700000.00"),
        ("Short", "fits", "800000.00"),
    ]
    assert suggestion.rows[-1].included


def test_including_a_complete_or_unknown_item_is_refused(call, mixed):
    from django.core.exceptions import ValidationError

    _short, a, _b = mixed
    with pytest.raises(ValidationError) as exc:
        suggest_funding(call, include={a.pk, 999999})
    assert set(exc.value.message_dict) == {f"include_{a.pk}", "include_999999"}


def test_declining_the_rest_leaves_short_items_undecided(call, mixed, panel):
    """The items here have no process, so the decision step refuses each one it is asked to
    take: what matters is that the short item is never among them."""
    from workflow.suggestions import suggestions_apply

    short, a, b = mixed
    expected = suggest_funding(call).fingerprint
    result = suggestions_apply(call=call, actor=panel, expected=expected, what_if={}, decline_rest=True, comment="")
    asked = [item for item, _t in result.decided] + [item for item, _t, _r in result.refused]
    assert sorted(asked) == sorted([a.pk, b.pk])


def test_api_suggestions_apply_takes_an_included_short_item(call, mixed, api_client, panel):
    short, a, b = mixed
    client = api_client(panel)
    listed = client.get(f"/api/calls/{call.pk}/suggestions/?include_{short.pk}=1").json()
    assert listed["rows"][-1]["included"] and listed["rows"][-1]["outcome"] == "fits"
    body = {"expected": listed["fingerprint"], "include": [short.pk]}
    response = client.post(f"/api/calls/{call.pk}/suggestions/apply/", body, format="json")
    assert response.status_code == 200, response.json()
    asked = [row["item"] for row in response.json()["decided"] + response.json()["refused"]]
    assert sorted(asked) == sorted([a.pk, b.pk, short.pk])
    # Without the include the fingerprint is another list's: refused as changed.
    response = client.post(
        f"/api/calls/{call.pk}/suggestions/apply/", {"expected": listed["fingerprint"]}, format="json"
    )
    assert response.status_code == 409


def test_ranking_page_reads_the_ranking_version_once(call, mixed, page_client, staff):
    """The page takes its counts and its rows from two cached slices: both under one reading
    of the call's ranking version (one lookup, and the two slices cannot straddle a review)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = page_client(staff)
    url = reverse("call-ranking", args=[call.pk])
    client.get(url)  # the ranking and its slices cached
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    version_only = 'SELECT "applications_call"."ranking_version" AS "ranking_version" FROM'
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(version_only)]
    assert len(reads) == 1, reads
    assert "A</a>" in html and "Short</a>" in html
