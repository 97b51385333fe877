"""The whole plan-project path through the REST API, as the personas would drive it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application
from funding.models import Notice
from reviews.models import Expert
from tests.api.conftest import DRAFT, SCORES, ok
from tests.conftest import (
    ACCEPTANCE_SCORES,
    CRITERIA,
    PASSWORD,
    acceptance_file,
    contract_terms,
    make_code,
    make_expert,
    notice_window_passed,
)
from workflow import steps

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_good_credentials_only(anon, applicant):
    token = ok(anon.post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json"))["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = ok(anon.get("/api/me/"))
    assert me["username"] == "applicant"
    assert me["roles"] == ["applicant"]
    response = APIClient().post("/api/auth/token/", {"username": "applicant", "password": "wrong"}, format="json")
    assert response.status_code == 400


def test_plan_project_runs_from_draft_to_closed_through_the_api(
    anon, as_staff, as_panel, as_expert, as_expert2, as_officer, as_head, client_for, expert, expert2, staff
):
    # Staff set up the programme and the call.
    programme = ok(
        as_staff.post("/api/programmes/", {"code": "industrial", "name": "工业重点项目"}, format="json"), 201
    )
    now = timezone.now()
    call_body = {
        "programme": programme["id"],
        "title": "2016年度第一批科技计划项目",
        "year": 2016,
        "batch": 1,
        "opens_at": (now - dt.timedelta(days=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=30)).isoformat(),
        "budget_yuan": "1000000.00",
        "max_request_yuan": "500000.00",
        "reviewers_per_item": 2,
        "min_reviews": 1,
        "scoring_rule": "mean",
        "blind": True,
        "notice_days": 7,
        "tranches": [60, 40],
        "criteria": CRITERIA,
    }
    call_id = ok(as_staff.post("/api/calls/", call_body, format="json"), 201)["id"]
    assert ok(as_staff.get(f"/api/calls/{call_id}/"))["budget_yuan"] == "1000000.00"

    # An applicant registers and applies.
    registration = {
        "username": "dongmeng",
        "password": PASSWORD,
        "email": "dongmeng@example.org",
        "organisation": {"name": "永嘉县东蒙集团有限公司", "credit_code": make_code("91330324MA285KJ35")},
    }
    ok(anon.post("/api/register/", registration, format="json"), 201)
    token = ok(anon.post("/api/auth/token/", {"username": "dongmeng", "password": PASSWORD}, format="json"))["token"]
    applicant = APIClient()
    applicant.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert ok(applicant.get("/api/calls/"))["count"] == 1

    created = ok(applicant.post("/api/applications/", {"call": call_id, **DRAFT}, format="json"), 201)
    assert created["status"] == "draft"
    pk = created["id"]
    ok(applicant.patch(f"/api/applications/{pk}/", {"requested_yuan": "280000"}, format="json"))
    ok(applicant.post(f"/api/applications/{pk}/attachments/", {"file": _pdf()}, format="multipart"), 201)
    assert ok(applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json")) == {
        "status": "submitted"
    }

    # Formal review returns it once, then accepts it.
    body = {"decision": "return", "comment": "补充预算明细"}
    assert ok(as_staff.post(f"/api/applications/{pk}/formal-review/", body, format="json"))["status"] == "returned"
    ok(applicant.patch(f"/api/applications/{pk}/", {"summary": "补充了预算明细。"}, format="json"))
    ok(applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    ok(as_staff.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json"))

    # Two experts, assigned by hand; on a blind call their queue does not name the applicant.
    a1 = ok(as_staff.post(f"/api/applications/{pk}/assignments/", {"expert": expert.pk}, format="json"), 201)["id"]
    a2 = ok(as_staff.post(f"/api/applications/{pk}/assignments/", {"expert": expert2.pk}, format="json"), 201)["id"]
    ok(as_staff.post(f"/api/applications/{pk}/start-review/"))
    queue = ok(as_expert.get("/api/assignments/"))
    assert queue["count"] == 1
    item = queue["results"][0]
    assert {k: item[k] for k in ("id", "item_type", "item", "status")} == {
        "id": a1,
        "item_type": "application",
        "item": pk,
        "status": "invited",
    }
    assert "organisation" not in item and "applicant" not in item
    for client, assignment in ((as_expert, a1), (as_expert2, a2)):
        ok(client.post(f"/api/assignments/{assignment}/accept/", {"no_conflict": True}, format="json"))
        review = {"scores": SCORES, "comment": "好", "recommendation": "support"}
        total = ok(client.post(f"/api/assignments/{assignment}/review/", review, format="json"), 201)
        assert total["weighted_total"] == "82.500"

    ranking = ok(as_panel.get(f"/api/calls/{call_id}/ranking/"))
    assert ranking == [
        {
            "item": pk,
            "title": DRAFT["title"],
            "rank": 1,
            "score": "82.500",
            "raw_mean": "82.500",
            "reviews": 2,
            "spread": "0.000",
            "flagged": False,
            "complete": True,
            "missing": 0,
        }
    ]

    # Panel decides, the notice runs with one objection, which is dismissed.
    body = {"fund": True, "approved_yuan": "250000.00", "comment": "同意"}
    assert ok(as_panel.post(f"/api/applications/{pk}/decision/", body, format="json"))["status"] == "funded"
    notice = ok(as_staff.post(f"/api/calls/{call_id}/notice/"), 201)
    public = APIClient()
    shown = ok(public.get(f"/api/notices/{notice['id']}/"))
    assert shown["items"] == [
        {
            "item": pk,
            "title": DRAFT["title"],
            "organisation": "永嘉县东蒙集团有限公司",
            "fund": True,
            "approved_yuan": "250000.00",
            "set_aside": False,
        }
    ]
    objection = {"item": pk, "text": "预算虚高", "contact": "13800000000", "name": "张三"}
    objection_id = ok(public.post(f"/api/notices/{notice['id']}/objections/", objection, format="json"), 201)["id"]
    assert as_staff.post(f"/api/notices/{notice['id']}/close/").status_code == 409
    body = {"upheld": False, "resolution": "经核实预算合理"}
    assert ok(as_staff.post(f"/api/objections/{objection_id}/resolve/", body, format="json"))["status"] == "dismissed"
    notice_window_passed(Notice.objects.get(pk=notice["id"]))
    ok(as_staff.post(f"/api/notices/{notice['id']}/close/"))

    # Contract, first tranche, acceptance (rectify once), final tranche.
    terms = contract_terms(Application.objects.get(pk=pk))
    ok(applicant.post(f"/api/applications/{pk}/contract/", terms, format="json"), 201)
    ok(as_staff.post(f"/api/applications/{pk}/contract-check/", {"decision": "accept"}, format="json"))
    first = ok(as_officer.get("/api/disbursements/"))["results"][0]
    assert {k: first[k] for k in ("item_type", "item", "tranche", "amount_yuan", "status")} == {
        "item_type": "application",
        "item": pk,
        "tranche": 1,
        "amount_yuan": "150000.00",
        "status": "requested",
    }
    _approve_and_pay(as_officer, as_head, first["id"], "PZ-2016-001")
    acceptance = acceptance_file(Application.objects.get(pk=pk))
    ok(applicant.post(f"/api/applications/{pk}/acceptance/", acceptance, format="json"), 201)
    ok(as_staff.post(f"/api/applications/{pk}/acceptance-check/", {"decision": "accept"}, format="json"))
    for n in range(3):
        make_expert(f"acceptance{n}", None)
    drawn = ok(as_staff.post(f"/api/applications/{pk}/acceptance-draw/", {}, format="json"))["assignments"]
    review = {"scores": ACCEPTANCE_SCORES, "comment": "需补充决算", "recommendation": "rectify"}
    for row in drawn:
        acceptor = client_for(Expert.objects.get(pk=row["expert"]).user)
        ok(acceptor.post(f"/api/assignments/{row['id']}/accept/", {"no_conflict": True}, format="json"))
        ok(acceptor.post(f"/api/assignments/{row['id']}/review/", review, format="json"), 201)
    body = {"result": "rectify", "comment": "补充财务决算"}
    ok(as_staff.post(f"/api/applications/{pk}/acceptance-decision/", body, format="json"))
    ok(applicant.post(f"/api/applications/{pk}/acceptance/", acceptance, format="json"), 201)
    ok(as_staff.post(f"/api/applications/{pk}/acceptance-check/", {"decision": "accept"}, format="json"))
    ok(as_staff.post(f"/api/applications/{pk}/acceptance-decision/", {"result": "pass"}, format="json"))
    steps.acceptance_notice_closed(application=Application.objects.get(pk=pk), actor=staff)
    final = next(d for d in ok(as_head.get("/api/disbursements/"))["results"] if d["tranche"] == 2)
    assert final["amount_yuan"] == "100000.00"
    _approve_and_pay(as_officer, as_head, final["id"], "PZ-2017-002")

    detail = ok(applicant.get(f"/api/applications/{pk}/"))
    assert detail["status"] == "closed"
    assert detail["requested_yuan"] == "280000.00"
    assert detail["approved_yuan"] == "250000.00"
    steps_done = [h["step"] for h in detail["history"]]
    assert steps_done[0] == "application.create"
    assert "formal_review.return" in steps_done and "decision.fund" in steps_done
    assert steps_done[-1] == "application.close"
    assert all(set(h) >= {"step", "at", "comment"} and "actor" not in h for h in detail["history"])

    report = ok(as_staff.get(f"/api/calls/{call_id}/report/"))
    assert report.pop("by_status")["closed"] == 1
    assert report == {
        "applications": 1,
        "submitted": 1,
        "funded": 1,
        "total_approved_yuan": "250000.00",
        "total_approved_wan": "25.0000",
        "disbursed_yuan": "250000.00",
    }

    inbox = ok(applicant.get("/api/notifications/"))
    assert inbox["count"] > 0 and set(inbox["results"][0]) >= {"id", "kind", "subject", "body", "created_at", "read"}
    first_note = inbox["results"][0]["id"]
    assert ok(applicant.post(f"/api/notifications/{first_note}/read/"))["read"] is True


def _approve_and_pay(officer, head, disbursement_id, voucher):
    assert ok(officer.post(f"/api/disbursements/{disbursement_id}/approve/"))["status"] == "officer_approved"
    assert ok(head.post(f"/api/disbursements/{disbursement_id}/approve/"))["status"] == "approved"
    body = {"voucher": voucher}
    assert ok(officer.post(f"/api/disbursements/{disbursement_id}/pay/", body, format="json"))["status"] == "paid"


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("预算.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")


def test_staff_terminate_ends_the_application(in_review, as_staff, as_applicant):
    pk, _assignments = in_review()
    body = {"reason": "申报材料造假"}
    assert ok(as_staff.post(f"/api/applications/{pk}/terminate/", body, format="json"))["status"] == "terminated"
    assert ok(as_applicant.get(f"/api/applications/{pk}/"))["status"] == "terminated"


def test_declined_assignment_is_refilled_by_staff(in_review, as_expert, as_staff, unassigned_expert, client_for):
    pk, (a1,) = in_review()
    assert ok(as_expert.post(f"/api/assignments/{a1}/decline/", {"reason": "出差"}, format="json"))["status"] == (
        "declined"
    )
    body = {"expert": unassigned_expert.pk, "replaces": a1}
    a2 = ok(as_staff.post(f"/api/applications/{pk}/assignments/", body, format="json"), 201)["id"]
    replacement = client_for(unassigned_expert.user)
    ok(replacement.post(f"/api/assignments/{a2}/accept/", {"no_conflict": True}, format="json"))
    review = {"scores": SCORES, "comment": "可", "recommendation": "support"}
    ok(replacement.post(f"/api/assignments/{a2}/review/", review, format="json"), 201)
    assert ok(as_staff.get(f"/api/applications/{pk}/"))["status"] == "reviewed"


def test_expert_declares_own_conflict_and_staff_creates_people(as_staff, as_expert, expert, expert2, client_for):
    body = {"organisation_name": "永嘉县东蒙集团有限公司"}
    ok(as_expert.post(f"/api/experts/{expert.pk}/conflicts/", body, format="json"), 201)
    ok(as_staff.post(f"/api/experts/{expert2.pk}/conflicts/", body, format="json"), 201)
    assert as_expert.post(f"/api/experts/{expert2.pk}/conflicts/", body, format="json").status_code == 404
    # Money roles come from an administrator only (issue 14.1); staff make applicants and the like.
    officer = {"username": "officer2", "password": PASSWORD, "email": "o2@example.org", "roles": ["finance_officer"]}
    assert as_staff.post("/api/users/", officer, format="json").status_code == 403
    user = {"username": "applicant2", "password": PASSWORD, "email": "a2@example.org", "roles": ["applicant"]}
    user_id = ok(as_staff.post("/api/users/", user, format="json"), 201)["id"]
    new = {
        "username": "prof_li",
        "password": PASSWORD,
        "email": "li@example.org",
        "name": "李教授",
        "organisation": {"name": "浙江大学"},
        "fields": ["manufacturing"],
        "title": "教授",
    }
    expert_id = ok(as_staff.post("/api/experts/", new, format="json"), 201)["id"]
    assert user_id and expert_id
