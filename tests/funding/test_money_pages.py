"""The money pages and API: the suggested list with its what-if, the live budget fragment, and
who may see or act on each."""

from __future__ import annotations

from decimal import Decimal

import pytest

from funding.enums import DisbursementStatus as D
from funding.models import FundingDecision

from .conftest import decide_directly, pay_directly
from .test_suggestions import FIVE

pytestmark = pytest.mark.django_db


def test_suggestions_page_shows_the_list_and_keeps_the_typed_what_if(call, items, panel, page_client):
    _a, _b, c, _d, _e = items(*FIVE)
    response = page_client(panel).get(
        f"/calls/{call.pk}/suggestions/", {"budget": "1200000", "cutoff": "72", f"cut_{c.pk}": "300000.00"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="budget" id="budget" value="1200000"' in html
    assert 'name="cutoff" id="cutoff" value="72"' in html
    assert f'name="cut_{c.pk}" value="300000.00"' in html
    suggestion = response.context["suggestion"]
    # 1,200,000: A 300 + B 400 + C cut to 300 + D 200 = 1,200,000; E scores 70 < 72.
    assert [r.outcome for r in suggestion.rows] == ["fits", "fits", "fits", "fits", "below_cutoff"]
    assert "1,200,000.00" in html and "120.0000" in html
    assert '<svg role="img"' in html  # the cumulative-against-budget chart
    assert f'name="expected" value="{suggestion.fingerprint}"' in html  # the panel may apply
    assert FundingDecision.objects.count() == 0


def test_suggestions_page_shows_bad_input_next_to_the_field(call, items, panel, page_client):
    a, *_rest = items(*FIVE)
    response = page_client(panel).get(f"/calls/{call.pk}/suggestions/", {"budget": "lots", f"cut_{a.pk}": "999999"})
    assert response.status_code == 200
    errors = response.context["errors"]
    assert set(errors) == {"budget", f"cut_{a.pk}"}
    assert 'aria-invalid="true"' in response.content.decode()
    assert response.context["can_apply"] is False
    assert [r.outcome for r in response.context["suggestion"].rows][:2] == ["fits", "fits"]


def test_suggestions_page_for_staff_and_panel_only_and_only_the_panel_applies(
    call, items, staff, applicant, finance_officer, page_client
):
    items(*FIVE)
    url = f"/calls/{call.pk}/suggestions/"
    staff_page = page_client(staff).get(url)
    assert staff_page.status_code == 200
    assert staff_page.context["can_apply"] is False
    for user in (applicant, finance_officer):
        assert page_client(user).get(url).status_code == 404
        assert page_client(user).post(f"{url}apply/", {"expected": "x"}).status_code == 404
    assert page_client(staff).post(f"{url}apply/", {"expected": "x"}).status_code == 403


def test_stale_list_applied_from_the_page_is_refused_with_a_message(call, items, panel, page_client):
    items(*FIVE)
    client = page_client(panel)
    response = client.post(f"/calls/{call.pk}/suggestions/apply/", {"expected": "not-the-list", "budget": "900000"})
    assert response.status_code == 302
    assert response["Location"] == f"/calls/{call.pk}/suggestions/?budget=900000"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert [m.tags for m in page.context["messages"]] == ["error"]
    assert FundingDecision.objects.count() == 0


def test_suggestions_xlsx_download_follows_the_what_if(call, items, panel, page_client):
    from io import BytesIO

    from openpyxl import load_workbook

    items(*FIVE)
    response = page_client(panel).get(f"/calls/{call.pk}/suggestions.xlsx", {"budget": "2000000"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, max_row=6, values_only=True))
    assert Decimal(str(rows[-1][8])) == Decimal("1350000")  # everyone fits a 2,000,000 budget


def test_api_suggestions_with_cuts_and_bad_input(call, items, panel, applicant, api_client):
    _a, _b, c, _d, _e = items(*FIVE)
    response = api_client(panel).get(f"/api/calls/{call.pk}/suggestions/", {f"cut_{c.pk}": "300000.00"})
    assert response.status_code == 200
    body = response.json()
    assert body["budget_yuan"] == "1000000.00" and body["budget_wan"] == "100.0000"
    assert body["remaining_yuan"] == "0.00"
    assert [(r["item"], r["suggested_yuan"], r["outcome"]) for r in body["rows"]][2] == (c.pk, "300000.00", "fits")
    assert body["rows"][2]["cut_yuan"] == "300000.00"
    assert body["rows"][2]["cumulative_yuan"] == "1000000.00"

    bad = api_client(panel).get(f"/api/calls/{call.pk}/suggestions/", {f"cut_{c.pk}": "350000.01", "budget": "-5"})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"budget"}
    over = api_client(panel).get(f"/api/calls/{call.pk}/suggestions/", {f"cut_{c.pk}": "350000.01"})
    assert over.status_code == 400 and f"cut_{c.pk}" in over.json()
    assert api_client(applicant).get(f"/api/calls/{call.pk}/suggestions/").status_code == 403
    assert api_client(panel).get("/api/calls/999999/suggestions/").status_code == 404


def test_api_apply_refuses_a_stale_list_with_409(call, items, panel, staff, api_client):
    items(*FIVE)
    url = f"/api/calls/{call.pk}/suggestions/apply/"
    assert api_client(panel).post(url, {"expected": "stale"}, format="json").status_code == 409
    assert api_client(staff).post(url, {"expected": "stale"}, format="json").status_code == 403
    assert api_client(panel).post(url, {}, format="json").status_code == 400
    assert FundingDecision.objects.count() == 0


# --- the live budget panel -----------------------------------------------------------------------


@pytest.fixture
def spent_call(call, items, panel):
    """Budget 20,000,000.00; decided 18,472,425.00 (1847.2425 万元); paid 11,083,455.00."""
    call.budget_yuan = Decimal("20000000.00")
    call.max_request_yuan = Decimal("20000000.00")
    call.save()
    a, b = items(("A", "90", "18000000.00"), ("B", "80", "472425.00"))
    decide_directly(a, panel, "18000000.00")
    decide_directly(b, panel, "472425.00")
    pay_directly(a, 1, "10800000.00")
    pay_directly(b, 1, "283455.00")
    pay_directly(b, 2, "188970.00", status=D.APPROVED)  # approved, not paid: not disbursed yet
    return call


def test_budget_fragment_shows_budget_decided_remaining_and_disbursed(spent_call, staff, panel, page_client):
    for user in (staff, panel):
        response = page_client(user).get(f"/calls/{spent_call.pk}/budget/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        html = response.content.decode()
        assert "<html" not in html  # a fragment, not a page
        budget = response.context["budget"]
        assert budget.decided_yuan == Decimal("18472425.00")
        assert budget.remaining_yuan == Decimal("1527575.00")
        assert budget.disbursed_yuan == Decimal("11083455.00")
        for figure in ("20,000,000.00", "2000.0000", "18,472,425.00", "1847.2425", "1,527,575.00", "152.7575"):
            assert figure in html, figure
        assert "11,083,455.00" in html and "1108.3455" in html
        assert '<svg role="img"' in html


def test_budget_fragment_follows_a_new_decision(spent_call, items, panel, page_client):
    client = page_client(panel)
    before = client.get(f"/calls/{spent_call.pk}/budget/").context["budget"]
    (c,) = items(("C", "70", "1000000.00"))
    decide_directly(c, panel, "1000000.00")
    after = client.get(f"/calls/{spent_call.pk}/budget/").context["budget"]
    assert after.decided_yuan - before.decided_yuan == Decimal("1000000.00")
    assert after.remaining_yuan == Decimal("527575.00")


def test_call_page_embeds_the_live_budget_panel(spent_call, staff, page_client):
    html = page_client(staff).get(f"/calls/{spent_call.pk}/").content.decode()
    assert f'data-refresh-url="/calls/{spent_call.pk}/budget/"' in html
    assert "js/refresh.js" in html
    assert "1847.2425" in html
    assert f"/calls/{spent_call.pk}/suggestions/" in html


def test_budget_fragment_hidden_from_applicants_and_api_budget_for_finance(
    spent_call, applicant, finance_officer, page_client, api_client
):
    assert page_client(applicant).get(f"/calls/{spent_call.pk}/budget/").status_code == 404
    body = api_client(finance_officer).get(f"/api/calls/{spent_call.pk}/budget/").json()
    assert body["decided_yuan"] == "18472425.00" and body["decided_wan"] == "1847.2425"
    assert body["disbursed_yuan"] == "11083455.00" and body["remaining_yuan"] == "1527575.00"
    assert api_client(applicant).get(f"/api/calls/{spent_call.pk}/budget/").status_code == 403


def test_budget_figures_take_two_queries_however_many_decisions(spent_call, items, panel, django_assert_num_queries):
    from funding.selectors import call_budget

    with django_assert_num_queries(2):
        call_budget(spent_call)
    for i, app in enumerate(items(*[(f"X{i}", "60", "1000.00") for i in range(20)])):
        decide_directly(app, panel, "1000.00" if i % 2 else None)
    with django_assert_num_queries(2):
        assert call_budget(spent_call).funded == 12
