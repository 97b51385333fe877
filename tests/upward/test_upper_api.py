"""A higher-level call through the REST API: applications, formal review, expert ranking when
they exceed the quota, the panel's recommendation within it, the outcome, and the county's
matching funds approved by two finance people and paid (issue 20's done-criterion)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Application
from funding.models import Disbursement
from tests.api.conftest import DRAFT, ok
from workflow.steps import process_of

pytestmark = pytest.mark.django_db


def _submit(client, upper_id, **overrides):
    pk = ok(client.post("/api/applications/", {"upper_call": upper_id, **DRAFT, **overrides}, format="json"), 201)["id"]
    ok(client.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    return pk


def test_higher_level_call_runs_from_application_to_matching_funds_paid(
    as_staff, as_applicant, as_other_applicant, as_panel, as_expert, as_expert2, as_officer, as_head, expert, expert2
):
    programme = ok(
        as_staff.post("/api/programmes/", {"code": "prov_major", "name": "省级重大科技攻关项目"}, format="json"), 201
    )
    body = {
        "level": "province",
        "programme": programme["id"],
        "title": "2016年省级重大科技攻关项目",
        "year": 2016,
        "quota": 1,
        "opens_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        "closes_at": (timezone.now() + dt.timedelta(days=30)).isoformat(),
        "reviewers_per_item": 2,
        "min_reviews": 2,
    }
    created = ok(as_staff.post("/api/upper-calls/", body, format="json"), 201)
    upper_id, call_id = created["id"], created["call"]
    listed = ok(as_applicant.get("/api/upper-calls/"))
    assert [(c["id"], c["level"], c["quota"]) for c in listed] == [(upper_id, "province", 1)]

    # Two units apply; formal review accepts both.
    first = _submit(as_applicant, upper_id, title="深海海底取样装置及阀门")
    second = _submit(as_other_applicant, upper_id, title="藥用料斗自動清洗機")
    for pk in (first, second):
        ok(as_staff.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json"))

    # The deadline passes with two items for one place: the panel cannot have them unranked.
    ok(as_staff.post(f"/api/calls/{call_id}/close/"))
    refused = as_staff.post(f"/api/applications/{first}/to-panel/")
    assert refused.status_code == 409 and "2" in refused.json()["detail"]

    # The same draw, scores and ranking as any county call.
    draw = ok(as_staff.post(f"/api/calls/{call_id}/draw/", {"seed": "upward"}, format="json"))
    assert len(draw["assignments"]) == 4
    scores = {first: 90, second: 70}
    for client in (as_expert, as_expert2):
        for assignment in ok(client.get("/api/assignments/"))["results"]:
            ok(client.post(f"/api/assignments/{assignment['id']}/accept/", {"no_conflict": True}, format="json"))
            value = scores[assignment["item"]]
            review = {
                "scores": {"innovation": value, "feasibility": value, "team": value, "benefit": value},
                "comment": "好",
                "recommendation": "support",
            }
            ok(client.post(f"/api/assignments/{assignment['id']}/review/", review, format="json"), 201)
    ranking = ok(as_panel.get(f"/api/calls/{call_id}/ranking/"))
    assert [row["item"] for row in ranking] == [first, second]

    # Beyond the quota: 409; within it, the rest are not recommended.
    beyond = as_panel.post(f"/api/upper-calls/{upper_id}/recommend/", {"items": [first, second]}, format="json")
    assert beyond.status_code == 409
    assert (
        as_staff.post(f"/api/upper-calls/{upper_id}/recommend/", {"items": [first]}, format="json").status_code == 403
    )
    decided = ok(as_panel.post(f"/api/upper-calls/{upper_id}/recommend/", {"items": [first]}, format="json"))
    assert decided == {"recommended": [first], "not_recommended": [second]}
    detail = ok(as_staff.get(f"/api/upper-calls/{upper_id}/"))
    assert {a["id"]: a["status"] for a in detail["applications"]} == {first: "recommended", second: "not_recommended"}
    assert process_of(Application.objects.get(pk=second)).finished is not None

    # The exports: the summary table and the letter.
    summary = as_staff.get(f"/api/upper-calls/{upper_id}/summary.xlsx")
    assert summary.status_code == 200 and summary.content[:2] == b"PK"
    letter = as_staff.get(f"/api/upper-calls/{upper_id}/letter.pdf")
    assert letter.status_code == 200 and letter.content[:4] == b"%PDF"

    # Only a recommended item gets an outcome; the county's matching funds stay within the request.
    outcome = {"funded": True, "upper_yuan": "600000.00", "matching_yuan": "100000.00"}
    assert as_staff.post(f"/api/applications/{second}/upper-outcome/", outcome, format="json").status_code == 409
    too_much = {**outcome, "matching_yuan": "900000.00"}
    response = as_staff.post(f"/api/applications/{first}/upper-outcome/", too_much, format="json")
    assert response.status_code == 400 and "matching_yuan" in response.json()
    recorded = ok(as_staff.post(f"/api/applications/{first}/upper-outcome/", outcome, format="json"))
    assert recorded["status"] == "upper_funded"
    assert as_staff.post(f"/api/applications/{first}/upper-outcome/", outcome, format="json").status_code == 409

    # The matching funds: a finance officer, then a different finance head, then the payment.
    disbursement = Disbursement.objects.get(application_id=first)
    assert disbursement.amount_yuan == 100000
    d = disbursement.pk
    ok(as_officer.post(f"/api/disbursements/{d}/approve/"))
    assert as_officer.post(f"/api/disbursements/{d}/approve/").status_code == 403
    ok(as_head.post(f"/api/disbursements/{d}/approve/"))
    paid = ok(as_officer.post(f"/api/disbursements/{d}/pay/", {"voucher": "YJKJ-2016-0001"}, format="json"))
    assert paid["status"] == "paid"
    assert process_of(Application.objects.get(pk=first)).finished is not None

    report = ok(as_staff.get("/api/reports/upper/?year=2016"))
    assert (report["projects"], report["total_yuan"], report["total_wan"]) == (1, "600000.00", "60.0000")
    assert report["matching_yuan"] == "100000.00"
    assert [(lv["level"], lv["projects"]) for lv in report["by_level"]] == [("province", 1)]
    # Never in the county's own figures.
    county = ok(as_staff.get("/api/reports/programmes/?year=2016"))
    assert county["funded"] == 0


def test_items_within_the_quota_go_to_the_panel_without_experts(as_staff, as_applicant, as_panel, upper_call):
    pk = _submit(as_applicant, upper_call.pk)
    ok(as_staff.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json"))
    # Until the deadline more may apply: whether experts must rank is not known yet.
    assert as_staff.post(f"/api/applications/{pk}/to-panel/").status_code == 409
    ok(as_staff.post(f"/api/calls/{upper_call.call_id}/close/"))
    assert ok(as_staff.post(f"/api/applications/{pk}/to-panel/"))["status"] == "reviewed"
    ok(as_panel.post(f"/api/upper-calls/{upper_call.pk}/recommend/", {"items": [pk]}, format="json"))
    no_money = {"funded": False}
    assert ok(as_staff.post(f"/api/applications/{pk}/upper-outcome/", no_money, format="json"))["status"] == (
        "upper_not_funded"
    )
    assert not Disbursement.objects.filter(application_id=pk).exists()
    assert process_of(Application.objects.get(pk=pk)).finished is not None


def test_recommending_waits_for_every_item_to_be_ranked(
    as_staff, as_applicant, as_other_applicant, as_panel, upper_call
):
    url = f"/api/upper-calls/{upper_call.pk}/recommend/"
    pk = _submit(as_applicant, upper_call.pk)
    other = _submit(as_other_applicant, upper_call.pk)
    # Nothing reviewed yet: nothing to recommend.
    assert as_panel.post(url, {"items": [pk]}, format="json").status_code == 409
    upper_call.quota = 2
    upper_call.save(update_fields=["quota"])
    for item in (pk, other):
        ok(as_staff.post(f"/api/applications/{item}/formal-review/", {"decision": "accept"}, format="json"))
    ok(as_staff.post(f"/api/calls/{upper_call.call_id}/close/"))
    ok(as_staff.post(f"/api/applications/{pk}/to-panel/"))
    # One is still waiting for staff: the panel waits for it.
    assert as_panel.post(url, {"items": [pk]}, format="json").status_code == 409
    ok(as_staff.post(f"/api/applications/{other}/to-panel/"))
    response = as_panel.post(url, {"items": [pk, 999999]}, format="json")
    assert response.status_code == 400 and "items" in response.json()
    assert ok(as_panel.post(url, {"items": [pk, other]}, format="json"))["recommended"] == [pk, other]
    # Decided: a second recommendation finds nothing left.
    assert as_panel.post(url, {"items": []}, format="json").status_code == 409


def test_roles_and_visibility(as_applicant, as_other_applicant, as_staff, as_panel, anon, upper_call, programme):
    body = {
        "level": "city",
        "programme": programme.pk,
        "title": "x",
        "year": 2016,
        "quota": 2,
        "closes_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
    }
    assert as_applicant.post("/api/upper-calls/", body, format="json").status_code == 403
    assert as_panel.post("/api/upper-calls/", body, format="json").status_code == 403
    assert anon.get("/api/upper-calls/").status_code == 401
    assert as_applicant.get("/api/upper-calls/999999/").status_code == 404
    assert as_applicant.get("/api/reports/upper/?year=2016").status_code == 403
    assert as_staff.get("/api/reports/upper/").status_code == 400
    pk = ok(as_applicant.post("/api/applications/", {"upper_call": upper_call.pk, **DRAFT}, format="json"), 201)["id"]
    # A draft is the applicant's alone: staff do not see it.
    assert as_staff.post(f"/api/applications/{pk}/upper-outcome/", {"funded": False}, format="json").status_code == 404
    assert (
        as_applicant.post(f"/api/applications/{pk}/upper-outcome/", {"funded": False}, format="json").status_code == 403
    )
    both = {"call": upper_call.call_id, "upper_call": upper_call.pk, **DRAFT}
    assert as_applicant.post("/api/applications/", both, format="json").status_code == 400
    missing = {"upper_call": 999999, **DRAFT}
    response = as_applicant.post("/api/applications/", missing, format="json")
    assert response.status_code == 400 and "upper_call" in response.json()
    assert as_applicant.get(f"/api/upper-calls/{upper_call.pk}/").json()["applications"] == []
