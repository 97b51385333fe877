"""The suggested list as it stands is kept in the process (issue 18): read again while nothing it
was computed from has changed, and never once anything has, whichever way the change was written
(a service, a bulk ``update()``, another table). PostgreSQL only, outside a transaction: these
tests commit, as requests do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from applications.models import Application, Call
from funding.suggestions import suggest_funding

from .conftest import decide_directly, make_item

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the held list checks PostgreSQL's row versions"),
]

THREE = (("A", "90", "300000.00"), ("B", "85", "400000.00"), ("C", "80", "350000.00"))


def listed(call: Call) -> tuple[list[tuple[str, str, str, str, str]], bool]:
    """The rows as the panel reads them, and whether the call's applications were read for them."""
    with CaptureQueriesContext(connection) as queries:
        suggestion = suggest_funding(Call.objects.get(pk=call.pk))
    read = any('"title"' in q["sql"] and "applications_application" in q["sql"] for q in queries.captured_queries)
    rows = [
        (r.title, r.organisation, str(r.suggested_yuan), str(r.cumulative_yuan), r.outcome) for r in suggestion.rows
    ]
    return rows, read


def test_the_list_as_it_stands_is_read_again_while_nothing_changes(call, items):
    items(*THREE)
    first, read_first = listed(call)
    again, read_again = listed(call)
    assert read_first and not read_again
    assert again == first
    assert [row[4] for row in again] == ["fits", "fits", "over_budget"]


def test_a_decision_shows_at_once(call, items, staff):
    a, _b, _c = items(*THREE)
    listed(call)
    decide_directly(a, staff, "250000.00")
    rows, read = listed(call)
    assert read
    assert rows[0][2:] == ("250000.00", "250000.00", "funded")


def test_a_bulk_update_no_service_announces_shows_at_once(call, items):
    _a, b, _c = items(*THREE)
    listed(call)
    Application.objects.filter(pk=b.pk).update(title="B, renamed", requested_yuan=Decimal("100000.00"))
    rows, read = listed(call)
    assert read
    assert rows[1][0] == "B, renamed"
    assert [row[4] for row in rows] == ["fits", "fits", "fits"]


def test_an_organisation_renamed_shows_at_once(call, items, applicant):
    items(*THREE)
    listed(call)
    Organisation.objects.filter(pk=applicant.organisation_id).update(name="县农机研究所（更名）")
    rows, read = listed(call)
    assert read
    assert {row[1] for row in rows} == {"县农机研究所（更名）"}


def test_a_new_budget_and_a_new_review_show_at_once(call, items, applicant, expert):
    items(*THREE)
    listed(call)
    Call.objects.filter(pk=call.pk).update(budget_yuan=Decimal("2000000.00"))
    rows, _read = listed(call)
    assert [row[4] for row in rows] == ["fits", "fits", "fits"]
    make_item(call, applicant, expert, title="D", score="95", requested="100000.00")
    rows, read = listed(call)
    assert read
    assert [row[0] for row in rows] == ["D", "A", "B", "C"]


def test_a_what_if_is_computed_afresh_each_time(call, items):
    items(*THREE)
    listed(call)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            suggestion = suggest_funding(Call.objects.get(pk=call.pk), budget=Decimal("700000.00"))
        assert any('"title"' in q["sql"] for q in queries.captured_queries)
        assert [r.outcome for r in suggestion.rows] == ["fits", "fits", "over_budget"]
        assert suggestion.remaining_yuan == Decimal("0.00")


def test_inside_a_transaction_two_changes_to_one_row_both_show(call, items):
    """Rows a transaction writes all carry its own version: there the list is never held."""
    a, _b, _c = items(*THREE)
    with transaction.atomic():
        Application.objects.filter(pk=a.pk).update(title="A1")
        first, _read = listed(call)
        Application.objects.filter(pk=a.pk).update(title="A2")
        second, read = listed(call)
    assert (first[0][0], second[0][0], read) == ("A1", "A2", True)
