"""Issue 16's done-criterion through the REST API: one plan project from the call to acceptance.

A call with a mid-term check → the application funded → the task contract (targets, budget
lines, milestones) checked → the first tranche paid (finance officer, finance head, payment) →
the mid-term checks → a budget move and an extension approved (each writes a contract version;
the extension moves the end date) → acceptance → the tranches paid add up to the approved
amount exactly, tranche by tranche.

The issue's walk is its literal plan, "three tranches, two checks": ``[40, 30, 30]`` with
``midterm_checks=2`` — check 1 passed (tranche 2 requested), check 2 conditional, then passed on
the re-report (no tranche: tranche 3 is the last, paid at acceptance). The walk also runs on the
plans with one check per middle tranche (``applications.services.midterm_rounds``), the default:
three tranches (its one check conditional, then passed) and four (check 1 passed, check 2
conditional, then passed).

Only the clock is moved in code: the contract is put in force a year back, so both checks are
open when they are scheduled. Acceptance is today's simple one (report, staff decide), in
:func:`accept` alone, so the acceptance with experts can take its place.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from aftergrant.models import ContractVersion
from funding.models import Notice
from reviews.models import Assignment
from tests.conftest import ACCEPTANCE_SCORES, CRITERIA, api_key, make_expert, notice_window_passed

pytestmark = pytest.mark.django_db

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}
APPROVED = "250000.01"  # not a round sum: the last tranche takes the cent the shares leave over
#: The contract's budget: county / own / other per line; the county column adds up to APPROVED.
BUDGET = [
    {"line": "equipment", "county_yuan": "150000.01", "own_yuan": "300000.00", "other_yuan": "0.00"},
    {"line": "materials", "county_yuan": "60000.00", "own_yuan": "200000.00", "other_yuan": "50000.00"},
    {"line": "testing", "county_yuan": "40000.00", "own_yuan": "100000.00", "other_yuan": "0.00"},
]
#: Per plan: the call's tranches, its number of checks (None: one per middle tranche), each
#: check's results in turn, and what each tranche pays.
PLANS = {
    "three tranches, two checks": (
        [40, 30, 30],
        2,
        [["pass"], ["conditional", "pass"]],
        ["100000.00", "75000.00", "75000.01"],
    ),
    "three tranches": ([40, 30, 30], None, [["conditional", "pass"]], ["100000.00", "75000.00", "75000.01"]),
    "four tranches": (
        [40, 20, 20, 20],
        None,
        [["pass"], ["conditional", "pass"]],
        ["100000.00", "50000.00", "50000.00", "50000.01"],
    ),
}


def client(user: Any) -> APIClient:
    api = APIClient(headers={"accept-language": "en"})
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return api


def ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, (response.status_code, getattr(response, "data", response.content))
    return response.json()


def pay(officer: APIClient, head: APIClient, pk: int, tranche: int) -> dict[str, Any]:
    """Finance pay the project's requested tranche ``tranche``: officer, head, payment."""
    rows = ok(officer.get("/api/disbursements/"))["results"]
    (row,) = [r for r in rows if r["item"] == pk and r["tranche"] == tranche and r["status"] == "requested"]
    assert ok(officer.post(f"/api/disbursements/{row['id']}/approve/"))["status"] == "officer_approved"
    assert ok(head.post(f"/api/disbursements/{row['id']}/approve/"))["status"] == "approved"
    voucher = {"voucher": f"PZ-{pk}-{tranche}"}
    assert ok(officer.post(f"/api/disbursements/{row['id']}/pay/", voucher, format="json"))["status"] == "paid"
    return row


def tranches(officer: APIClient, pk: int) -> list[tuple[int, str, str]]:
    rows = ok(officer.get("/api/disbursements/"))["results"]
    return sorted((r["tranche"], r["amount_yuan"], r["status"]) for r in rows if r["item"] == pk)


def accept(pk: int, call: int, applicant: APIClient, staff: APIClient) -> None:
    """The acceptance with experts (issue 17): the applicant files every target's result and
    the accounts of every budget line of the contract in force (read from the API), staff
    check the file and draw three acceptance experts, who accept and recommend a pass; staff
    pass it, publish the call's acceptance notice, and its close requests the final tranche."""
    contract = ok(applicant.get(f"/api/applications/{pk}/contract/"))
    file = {
        "report": "全部考核指标完成，样机两台，专利申请三件。",
        "results": [{"target": t["id"], "achieved": t["value"]} for t in contract["targets"]],
        "accounts": [
            {"line": b["line"], "county_yuan": b["county_yuan"], "own_yuan": b["own_yuan"], "other_yuan": "0"}
            for b in contract["budget"]
        ],
    }
    ok(applicant.post(f"/api/applications/{pk}/acceptance/", file, format="json"), 201)
    ok(staff.post(f"/api/applications/{pk}/acceptance-check/", {"decision": "accept"}, format="json"))
    drawn = ok(staff.post(f"/api/applications/{pk}/acceptance-draw/", {"seed": "walk"}, format="json"))["assignments"]
    assert len(drawn) == 3
    for row in drawn:
        expert = client(Assignment.objects.get(pk=row["id"]).expert.user)
        ok(expert.post(f"/api/assignments/{row['id']}/accept/", {"no_conflict": True}, format="json"))
        review = {"scores": ACCEPTANCE_SCORES, "comment": "指标全部完成。", "recommendation": "pass"}
        ok(expert.post(f"/api/assignments/{row['id']}/review/", review, format="json"), 201)
    ok(staff.post(f"/api/applications/{pk}/acceptance-decision/", {"result": "pass"}, format="json"))
    notice = ok(staff.post(f"/api/calls/{call}/acceptance-notice/"), 201)
    notice_window_passed(Notice.objects.get(pk=notice["id"]))
    ok(staff.post(f"/api/notices/{notice['id']}/close/"))


def midterm_report(applicant: APIClient, pk: int, *, achieved: str) -> dict[str, Any]:
    """The report an integration would send: progress on every target of the contract in
    force (its ids read from the contract), spending on two lines, the problems met."""
    contract = ok(applicant.get(f"/api/applications/{pk}/contract/"))
    body = {
        "progress": [{"target": t["id"], "achieved": achieved} for t in contract["targets"]],
        "spent": [
            {"line": "equipment", "county_yuan": "60000.00", "own_yuan": "120000.00", "other_yuan": "0"},
            {"line": "materials", "county_yuan": "20000.00", "own_yuan": "0", "other_yuan": "0"},
        ],
        "problems": "进口阀体材料到货延迟，已改用国产替代。",
    }
    return ok(applicant.post(f"/api/applications/{pk}/midterm-report/", body, format="json"), 201)


@pytest.mark.parametrize("plan", list(PLANS))
def test_a_project_runs_contract_midterms_changes_and_acceptance_and_is_paid_exactly(
    plan, programme, applicant, staff, panel, expert, finance_officer, finance_head, org_expert, org_other
):
    shares, midterm_checks, checks, amounts = PLANS[plan]
    for n in range(3):  # the acceptance experts' pool, beside the reviewer
        make_expert(f"acceptor{n}", org_expert if n % 2 else org_other)
    as_applicant, as_staff, as_panel = client(applicant), client(staff), client(panel)
    as_expert, as_officer, as_head = client(expert.user), client(finance_officer), client(finance_head)
    today = timezone.localdate()

    # The call: a mid-term check every six months after the contract.
    now = timezone.now()
    call_body = {
        "programme": programme.pk,
        "title": "2026年度第一批科技计划项目",
        "year": 2026,
        "batch": 1,
        "opens_at": (now - dt.timedelta(days=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=30)).isoformat(),
        "budget_yuan": "1000000.00",
        "max_request_yuan": "500000.00",
        "reviewers_per_item": 1,
        "min_reviews": 1,
        "notice_days": 7,
        "tranches": shares,
        "midterm": True,
        "midterm_months": 6,
        "midterm_checks": midterm_checks,
        "criteria": CRITERIA,
    }
    call = ok(as_staff.post("/api/calls/", call_body, format="json"), 201)["id"]
    assert ok(as_staff.get(f"/api/calls/{call}/"))["midterm_checks"] == midterm_checks

    # Applied, reviewed, funded; the notice runs its course.
    draft = {
        "call": call,
        "title": "高效节能阀门研发及产业化",
        "summary": "研发新一代高效节能阀门。",
        "field": "manufacturing",
        "requested_yuan": "300000.00",
        "self_funding_yuan": "650000.00",
        "start_date": f"{today - dt.timedelta(days=360):%Y-%m-%d}",
        "end_date": f"{today + dt.timedelta(days=365):%Y-%m-%d}",
    }
    pk = ok(as_applicant.post("/api/applications/", draft, format="json"), 201)["id"]
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    ok(as_staff.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json"))
    assignment = ok(as_staff.post(f"/api/applications/{pk}/assignments/", {"expert": expert.pk}, format="json"), 201)
    ok(as_staff.post(f"/api/applications/{pk}/start-review/"))
    ok(as_expert.post(f"/api/assignments/{assignment['id']}/accept/", {"no_conflict": True}, format="json"))
    review = {"scores": SCORES, "comment": "好", "recommendation": "support"}
    ok(as_expert.post(f"/api/assignments/{assignment['id']}/review/", review, format="json"), 201)
    decision = {"fund": True, "approved_yuan": APPROVED, "comment": "同意"}
    assert ok(as_panel.post(f"/api/applications/{pk}/decision/", decision, format="json"))["status"] == "funded"
    notice = ok(as_staff.post(f"/api/calls/{call}/notice/"), 201)["id"]
    from funding.models import Notice

    notice_window_passed(Notice.objects.get(pk=notice))
    ok(as_staff.post(f"/api/notices/{notice}/close/"))

    # The task contract: returned once for a fix, then accepted; the first tranche is requested.
    terms = {
        "accept_terms": True,
        "targets": [
            {"name": "新产品样机", "unit": "台", "value": "2"},
            {"name": "发明专利申请", "unit": "件", "value": "3"},
        ],
        "budget": BUDGET,
        "milestones": [
            {"name": "样机试制", "due": f"{today + dt.timedelta(days=90):%Y-%m-%d}"},
            {"name": "小批量试产", "due": f"{today + dt.timedelta(days=300):%Y-%m-%d}"},
        ],
        "starts_on": draft["start_date"],
        "ends_on": draft["end_date"],
    }
    short = {**terms, "budget": [{**BUDGET[0], "county_yuan": "150000.00"}, *BUDGET[1:]]}
    assert "budget" in ok(as_applicant.post(f"/api/applications/{pk}/contract/", short, format="json"), 400)
    ok(as_applicant.post(f"/api/applications/{pk}/contract/", terms, format="json"), 201)
    check = {"decision": "return", "comment": "里程碑请细化"}
    ok(as_staff.post(f"/api/applications/{pk}/contract-check/", check, format="json"))
    ok(as_applicant.post(f"/api/applications/{pk}/contract/", terms, format="json"), 201)
    ok(as_staff.post(f"/api/applications/{pk}/contract-check/", {"decision": "accept"}, format="json"))
    contract = ok(as_applicant.get(f"/api/applications/{pk}/contract/"))
    assert (contract["version"], contract["status"], contract["versions"]) == (1, "in_force", [])
    assert [b["county_yuan"] for b in contract["budget"]] == [b["county_yuan"] for b in BUDGET]
    # The clock: the contract came into force nearly a year ago (check 1 fell due six months
    # on, check 2 falls due within the month), so each report opens when it is scheduled.
    ContractVersion.objects.filter(pk=contract["id"]).update(in_force_at=now - dt.timedelta(days=350))
    assert tranches(as_officer, pk) == [(1, amounts[0], "requested")]
    pay(as_officer, as_head, pk, 1)

    # The mid-term checks: each passed one requests the next tranche while that is a middle
    # one, which finance pay; a check after the middle tranches requests nothing.
    for round_, results in enumerate(checks, 1):
        for attempt, result in enumerate(results, 1):
            reports = ok(as_applicant.get(f"/api/applications/{pk}/midterm/"))
            assert (reports[-1]["round"], reports[-1]["attempt"], reports[-1]["status"]) == (round_, attempt, "open")
            assert midterm_report(as_applicant, pk, achieved=str(attempt))["status"] == "submitted"
            body: dict[str, Any] = {"result": result, "comment": "" if result == "pass" else "专利申请进度滞后"}
            if result == "conditional":
                body["fix_by"] = f"{today + dt.timedelta(days=30):%Y-%m-%d}"
            assert (
                ok(as_staff.post(f"/api/applications/{pk}/midterm-decision/", body, format="json"))["status"]
                == {
                    "pass": "passed",
                    "conditional": "conditional",
                }[result]
            )
        if round_ + 1 < len(shares):
            assert tranches(as_officer, pk)[-1] == (round_ + 1, amounts[round_], "requested")
            pay(as_officer, as_head, pk, round_ + 1)
        else:
            assert tranches(as_officer, pk) == [(n, amounts[n - 1], "paid") for n in range(1, len(shares))]
    reports = ok(as_staff.get(f"/api/applications/{pk}/midterm/"))
    assert [(r["round"], r["attempt"], r["status"], r["tranche"]) for r in reports] == [
        (
            n,
            a,
            {"pass": "passed", "conditional": "conditional"}[result],
            n + 1 if result == "pass" and n + 1 < len(shares) else None,
        )
        for n, results in enumerate(checks, 1)
        for a, result in enumerate(results, 1)
    ]

    # A budget move (more than a tenth of the materials line: staff, then the finance head).
    moved = [
        {**BUDGET[0], "county_yuan": "140000.01"},
        {**BUDGET[1], "county_yuan": "70000.00"},
        BUDGET[2],
    ]
    change = {"kind": "budget", "reason": "设备降价，材料涨价", "budget": moved}
    budget_move = ok(as_applicant.post(f"/api/applications/{pk}/changes/", change, format="json"), 201)["id"]
    first = ok(as_staff.post(f"/api/changes/{budget_move}/decide/", {"approve": True}, format="json"))
    assert (first["status"], first["next_step"]) == ("staff_approved", "finance_head")
    assert ok(as_head.post(f"/api/changes/{budget_move}/decide/", {"approve": True}, format="json"))["status"] == (
        "approved"
    )
    # An extension of six months (staff alone).
    old_end = dt.date.fromisoformat(draft["end_date"])
    new_end = f"{dt.date(old_end.year + (old_end.month + 5) // 12, (old_end.month + 5) % 12 + 1, 1):%Y-%m-%d}"
    change = {"kind": "extension", "reason": "样机试验周期延长", "new_end_date": new_end}
    extension = ok(as_applicant.post(f"/api/applications/{pk}/changes/", change, format="json"), 201)["id"]
    assert ok(as_staff.post(f"/api/changes/{extension}/decide/", {"approve": True}, format="json"))["status"] == (
        "approved"
    )
    contract = ok(as_applicant.get(f"/api/applications/{pk}/contract/"))
    assert (contract["version"], contract["ends_on"], len(contract["versions"])) == (3, new_end, 2)
    assert [b["county_yuan"] for b in contract["budget"]] == ["140000.01", "70000.00", "40000.00"]
    assert ok(as_applicant.get(f"/api/applications/{pk}/"))["end_date"] == new_end

    # Acceptance; the final tranche; the project closes.
    accept(pk, call, as_applicant, as_staff)
    last = len(shares)
    assert tranches(as_officer, pk)[-1] == (last, amounts[-1], "requested")
    pay(as_officer, as_head, pk, last)
    assert ok(as_applicant.get(f"/api/applications/{pk}/"))["status"] == "closed"

    paid = tranches(as_officer, pk)
    assert paid == [(n, amount, "paid") for n, amount in enumerate(amounts, 1)]
    assert sum(Decimal(amount) for _n, amount, _status in paid) == Decimal(APPROVED)
    assert ok(as_staff.get(f"/api/calls/{call}/report/"))["disbursed_yuan"] == APPROVED
