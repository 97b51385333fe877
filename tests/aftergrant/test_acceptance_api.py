"""The acceptance (验收) through the API, as the applicant, staff, the experts and finance drive
it: file → check (return, file again) → draw → scores → rectify → file again → pass → the
notice closes → the final tranche by the min rule, paid exactly; a failing project gets its
pending credit record and the money to return."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from applications.enums import ApplicationStatus as S
from funding.enums import DisbursementStatus
from funding.feedback import application_feedback
from funding.models import AcceptanceReport, Disbursement
from integrity.models import CreditRecord
from reviews.models import Assignment, Criterion, Draw
from reviews.selectors import call_ranking, call_review_progress
from tests.conftest import ACCEPTANCE_SCORES, acceptance_file, api_key, make_expert
from workflow import steps

from .conftest import pay

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    # Answers in English, which the assertions on reasons read.
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def paid_project(project, finance_officer, finance_head):
    """The 250,000 yuan project with its first tranche (60 %, 150,000 yuan) paid."""
    pay(Disbursement.objects.get(application=project, tranche=1), finance_officer, finance_head, "PZ-1")
    return project


@pytest.fixture
def pool(org_expert, org_other):
    """Five experts in the project's field who may be drawn, and one of the applicant's own
    organisation is made by ``conflicted_expert`` where a test wants it."""
    return [make_expert(f"acceptor{n}", org_expert if n % 2 else org_other) for n in range(5)]


def score(assignment: Assignment, word: str, **overrides: Any) -> Any:
    body = {"scores": ACCEPTANCE_SCORES, "comment": "资料齐全。", "recommendation": word, **overrides}
    client = api(assignment.expert.user)
    assert client.post(
        f"/api/assignments/{assignment.pk}/accept/", {"no_conflict": True}, format="json"
    ).status_code in (
        200,
        409,
    )
    return client.post(f"/api/assignments/{assignment.pk}/review/", body, format="json")


def test_acceptance_walk_file_check_draw_rectify_pass_and_final_tranche(
    paid_project, applicant, other_applicant, staff, expert, conflicted_expert, pool, finance_officer, finance_head
):
    app = paid_project
    url = f"/api/applications/{app.pk}/"
    reviewers_before = list(Assignment.objects.filter(application=app).values_list("pk", flat=True))
    ranking_before = [(r.item, r.reviews) for r in call_ranking(app.call)]
    data = acceptance_file(app)

    # The file: only the applicant; every target and every line; spent = the accounts' sum.
    assert api(other_applicant).post(url + "acceptance/", data, format="json").status_code == 404
    assert api(staff).post(url + "acceptance/", data, format="json").status_code == 403
    with translation.override("en"):
        short = api(applicant).post(url + "acceptance/", {**data, "results": data["results"][:1]}, format="json")
        assert short.status_code == 400 and "results" in short.json()
        lines = api(applicant).post(url + "acceptance/", {**data, "accounts": data["accounts"][:2]}, format="json")
        assert lines.status_code == 400 and "every budget line" in str(lines.json()["accounts"])
        wrong = api(applicant).post(url + "acceptance/", {**data, "spent_yuan": "1.00"}, format="json")
        assert wrong.status_code == 400 and "sum of the accounts" in str(wrong.json()["spent_yuan"])
    first = api(applicant).post(url + "acceptance/", {**data, "spent_yuan": "900000.00"}, format="json")
    assert first.status_code == 201, first.json()
    assert api(applicant).post(url + "acceptance/", data, format="json").status_code == 409

    # Staff return it (the comment says what is missing); the applicant files a new version.
    assert api(staff).post(url + "acceptance-check/", {"decision": "return"}, format="json").status_code == 400
    returned = api(staff).post(url + "acceptance-check/", {"decision": "return", "comment": "缺审计"}, format="json")
    assert returned.status_code == 200 and returned.json()["check_status"] == "returned"
    app.refresh_from_db()
    assert app.status == S.CONTRACTED
    accounts = [dict(row) for row in data["accounts"]]
    accounts[0]["county_yuan"] = "130000.00"  # the county grant spent: 230,000 yuan of 250,000
    data = {**data, "accounts": accounts}
    assert api(applicant).post(url + "acceptance/", data, format="json").status_code == 201
    assert AcceptanceReport.objects.filter(application=app).count() == 2  # the old file kept
    assert api(staff).post(url + "acceptance-decision/", {"result": "pass"}, format="json").status_code == 409
    assert api(staff).post(url + "acceptance-draw/", {}, format="json").status_code == 409  # not checked yet
    ok = api(staff).post(url + "acceptance-check/", {"decision": "accept"}, format="json")
    assert ok.status_code == 200 and ok.json()["check_status"] == "accepted"

    # The draw: three experts by the review's rules (the conflicted one never), its commitment.
    assert api(applicant).post(url + "acceptance-draw/", {}, format="json").status_code == 403
    drawn = api(staff).post(url + "acceptance-draw/", {"seed": "yj-2018"}, format="json")
    assert drawn.status_code == 200, drawn.json()
    body = drawn.json()
    assert len(body["assignments"]) == 3 and body["missing"] == 0
    draw = Draw.objects.get(pk=body["id"])
    assert draw.kind == "acceptance" and draw.pool_sha256 and draw.seed == "yj-2018"
    experts = {a["expert"] for a in body["assignments"]}
    assert conflicted_expert.pk not in experts
    assert api(staff).post(url + "acceptance-draw/", {}, format="json").status_code == 409  # drawn already
    drawn_rows = list(Assignment.objects.filter(pk__in=[a["id"] for a in body["assignments"]]).order_by("pk"))
    assert {a.purpose for a in drawn_rows} == {"acceptance"}
    # The default acceptance criteria are written beside the review's, which stay as they were.
    assert [c.code for c in app.call.criteria.all()] == ["innovation", "feasibility", "team", "benefit"]
    acceptance_criteria = Criterion.all_purposes.filter(call=app.call, purpose="acceptance")
    assert [(c.code, c.max_score) for c in acceptance_criteria.order_by("position")] == [
        ("targets", 40),
        ("money", 30),
        ("results", 30),
    ]

    # Experts see the acceptance in their queue; nobody else's item is visible to them.
    first_expert = drawn_rows[0].expert.user
    queue = api(first_expert).get("/api/assignments/").json()["results"]
    # (The draw may seat one of the project's reviewers: their review stays an "application" row.)
    mine = {q["id"]: q["item_type"] for q in queue if q["item"] == app.pk}
    assert mine.pop(drawn_rows[0].pk) == "acceptance"
    assert set(mine.values()) <= {"application"}
    assert set(mine) == set(
        Assignment.objects.filter(application=app, expert=drawn_rows[0].expert, purpose="review").values_list(
            "pk", flat=True
        )
    )
    outsider = next(e for e in pool if e.pk not in experts)
    assert api(outsider.user).post(f"/api/assignments/{drawn_rows[0].pk}/review/", {}, format="json").status_code == 404

    # Acceptance assignments never count in the ranking, its progress or the feedback.
    assert [(r.item, r.reviews) for r in call_ranking(app.call)] == ranking_before
    progress = next(row for row in call_review_progress(app.call) if row.pk == app.pk)
    assert (progress.invited, progress.submitted) == (0, len(reviewers_before))  # type: ignore[attr-defined]
    assert len(application_feedback(application=app, user=applicant)["reviews"]) == len(reviewers_before)

    # Scores: a review word is refused; two rectify and a pass → the advice is rectify.
    with translation.override("en"):
        bad = score(drawn_rows[0], "support")
        assert bad.status_code == 400 and "pass, rectify or fail" in str(bad.json()["recommendation"])
    assert score(drawn_rows[0], "rectify").status_code == 201
    assert api(staff).post(url + "acceptance-decision/", {"result": "pass"}, format="json").status_code == 409
    assert score(drawn_rows[1], "rectify").status_code == 201
    assert score(drawn_rows[2], "pass").status_code == 201
    state = api(staff).get(url + "acceptance/").json()
    assert state["advice"]["advice"] == "rectify" and state["advice"]["votes"] == {"pass": 1, "rectify": 2, "fail": 0}
    assert api(applicant).get(url + "acceptance/").json()["advice"] is None

    # Against the advice needs a comment; rectify goes back to the applicant.
    with translation.override("en"):
        against = api(staff).post(url + "acceptance-decision/", {"result": "pass"}, format="json")
        assert against.status_code == 400 and "differs from the advice" in str(against.json()["comment"])
    rectify = api(staff).post(url + "acceptance-decision/", {"result": "rectify", "comment": "补充决算"}, format="json")
    assert rectify.status_code == 200 and rectify.json()["result"] == "rectify"
    app.refresh_from_db()
    assert app.status == S.CONTRACTED

    # Filed again and checked, the rectified file is decided without a new draw, once.
    assert api(applicant).post(url + "acceptance/", data, format="json").status_code == 201
    assert api(staff).post(url + "acceptance-check/", {"decision": "accept"}, format="json").status_code == 200
    assert api(staff).post(url + "acceptance-draw/", {}, format="json").status_code == 409
    again = api(staff).post(url + "acceptance-decision/", {"result": "rectify", "comment": "再改"}, format="json")
    assert again.status_code == 400
    passed = api(staff).post(url + "acceptance-decision/", {"result": "pass"}, format="json")
    assert passed.status_code == 200, passed.json()
    assert passed.json()["advice"] == "pass"
    # min(approved − paid, county spent − paid) = min(100,000, 80,000)
    assert passed.json()["final_tranche_yuan"] == "80000.00"
    assert not Disbursement.objects.filter(application=app, tranche=2).exists()  # waits for the notice

    # The acceptance notice closes: the final tranche is requested with that amount, paid exactly.
    final = steps.acceptance_notice_closed(application=app, actor=staff)
    assert final is not None and final.tranche == 2 and final.amount_yuan == Decimal("80000.00")
    pay(final, finance_officer, finance_head, "PZ-2")
    app.refresh_from_db()
    assert app.status == S.CLOSED
    paid = Disbursement.objects.filter(application=app, status=DisbursementStatus.PAID)
    assert sum(d.amount_yuan for d in paid) == Decimal("230000.00")
    report = AcceptanceReport.objects.filter(application=app).latest("submitted_at")
    assert report.amount_to_return == Decimal("0.00")


def test_failing_acceptance_records_pending_credit_record_and_money_to_return(
    paid_project, applicant, staff, pool, finance_officer
):
    app = paid_project
    url = f"/api/applications/{app.pk}/"
    data = acceptance_file(app, achieved={2: "1"})  # one target of two met: 50 % < 80 %
    accounts = [dict(row) for row in data["accounts"]]
    for row in accounts:
        row["county_yuan"] = "40000.00"  # 120,000 yuan of county money spent, 150,000 paid
    assert api(applicant).post(url + "acceptance/", {**data, "accounts": accounts}, format="json").status_code == 201
    api(staff).post(url + "acceptance-check/", {"decision": "accept"}, format="json")
    drawn = api(staff).post(url + "acceptance-draw/", {}, format="json").json()["assignments"]
    for row in drawn:
        assert score(Assignment.objects.get(pk=row["id"]), "pass").status_code == 201
    state = api(staff).get(url + "acceptance/").json()
    assert state["advice"]["advice"] == "fail" and state["advice"]["targets_met"] == 1  # the targets rule wins
    assert api(staff).post(url + "acceptance-decision/", {"result": "pass"}, format="json").status_code == 400
    failed = api(staff).post(url + "acceptance-decision/", {"result": "fail", "comment": "指标未完成"}, format="json")
    assert failed.status_code == 200, failed.json()
    assert failed.json()["amount_to_return"] == "30000.00"
    app.refresh_from_db()
    assert app.status == S.FAILED
    record = CreditRecord.objects.get(organisation=app.organisation)
    assert (record.status, record.level, record.source) == ("pending", "serious", "acceptance failed")
    assert (record.valid_until.year - record.created_at.year) == 3
    # Finance and the applicant see the money to return.
    files = api(applicant).get(url + "acceptance/").json()["files"]
    assert files[-1]["amount_to_return"] == "30000.00"
    assert finance_officer.notifications.filter(kind="acceptance_decided").exists()


def test_declined_acceptance_expert_is_replaced_by_the_same_draw(paid_project, applicant, staff, pool):
    app = paid_project
    app.call.acceptance_experts = 4  # the call's setting, 3 to 5
    app.call.save(update_fields=["acceptance_experts"])
    url = f"/api/applications/{app.pk}/"
    api(applicant).post(url + "acceptance/", acceptance_file(app), format="json")
    api(staff).post(url + "acceptance-check/", {"decision": "accept"}, format="json")
    drawn = api(staff).post(url + "acceptance-draw/", {}, format="json").json()["assignments"]
    assert len(drawn) == 4
    first = Assignment.objects.get(pk=drawn[0]["id"])
    declined = api(first.expert.user).post(f"/api/assignments/{first.pk}/decline/", {"reason": "出差"}, format="json")
    assert declined.status_code == 200
    replacement = Assignment.objects.get(replaces=first)
    assert replacement.purpose == "acceptance" and replacement.expert_id not in {r["expert"] for r in drawn}


def test_unanswered_acceptance_invitation_expires_and_is_redrawn(paid_project, applicant, staff, pool):
    import datetime as dt

    from django.utils import timezone

    app = paid_project
    url = f"/api/applications/{app.pk}/"
    api(applicant).post(url + "acceptance/", acceptance_file(app), format="json")
    api(staff).post(url + "acceptance-check/", {"decision": "accept"}, format="json")
    drawn = api(staff).post(url + "acceptance-draw/", {}, format="json").json()["assignments"]
    late = Assignment.objects.get(pk=drawn[0]["id"])
    replacement = steps.assignment_expire(assignment=late, now=timezone.now() + dt.timedelta(days=60))
    assert replacement is not None and replacement.purpose == "acceptance" and replacement.replaces_id == late.pk
    # The decision waits for the replacement as for the others.
    for row in drawn[1:]:
        assert score(Assignment.objects.get(pk=row["id"]), "pass").status_code == 201
    assert api(staff).post(url + "acceptance-decision/", {"result": "pass"}, format="json").status_code == 409
    assert score(replacement, "pass").status_code == 201
    assert api(staff).post(url + "acceptance-decision/", {"result": "pass"}, format="json").status_code == 200


def test_staff_set_a_calls_acceptance_criteria_and_experts(programme, staff):
    import datetime as dt

    from django.utils import timezone

    from tests.conftest import CRITERIA

    now = timezone.now()
    body = {
        "programme": programme.pk,
        "title": "2017年度科技计划项目",
        "year": 2017,
        "opens_at": (now + dt.timedelta(days=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=30)).isoformat(),
        "budget_yuan": "1000000.00",
        "max_request_yuan": "500000.00",
        "tranches": [60, 40],
        "criteria": CRITERIA,
        "acceptance_experts": 5,
        "acceptance_criteria": [
            {"code": "targets", "label": "指标完成", "weight": 60, "max_score": 60},
            {"code": "money", "label": "经费使用", "weight": 40, "max_score": 40},
        ],
    }
    assert api(staff).post("/api/calls/", {**body, "acceptance_experts": 6}, format="json").status_code == 400
    created = api(staff).post("/api/calls/", body, format="json")
    assert created.status_code == 201, created.json()
    call = api(staff).get(f"/api/calls/{created.json()['id']}/").json()
    assert call["acceptance_experts"] == 5
    assert [c["code"] for c in call["criteria"]] == [c["code"] for c in CRITERIA]
    assert [(c["code"], c["max_score"]) for c in call["acceptance_criteria"]] == [
        ("targets", "60.00"),
        ("money", "40.00"),
    ]
