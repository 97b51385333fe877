"""Bad input is 400 naming the field, on every endpoint that takes input; never a 500."""

from __future__ import annotations

import pytest

from applications.models import Application
from funding.models import Notice
from tests.api.conftest import DRAFT, SCORES, ok
from tests.conftest import CRITERIA, PASSWORD, contract_terms, make_code, notice_window_passed

pytestmark = pytest.mark.django_db


def bad(response, field):
    assert response.status_code == 400, (response.status_code, response.content)
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requested_yuan", "-1"),
        ("requested_yuan", "NaN"),
        ("requested_yuan", "Infinity"),
        ("requested_yuan", "1.001"),
        ("requested_yuan", [1]),
        ("requested_yuan", True),
        ("requested_yuan", "900000.00"),  # above the call's maximum
        ("self_funding_yuan", "abc"),
        ("title", ""),
        ("title", {"a": 1}),
        ("start_date", "2016-13-01"),
        ("end_date", "2015-01-01"),  # before the start
        ("call", "x"),
        ("call", 999999),
        ("status", "funded"),  # not the applicant's to set
    ],
)
def test_application_create_rejects_bad_fields(as_applicant, call, field, value):
    bad(as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, field: value}, format="json"), field)


def test_application_create_requires_fields_and_a_dict(as_applicant, call):
    bad(as_applicant.post("/api/applications/", {"call": call.pk}, format="json"), "title")
    bad(as_applicant.post("/api/applications/", [1, 2], format="json"), "non_field_errors")
    response = as_applicant.post("/api/applications/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_application_patch_rejects_bad_fields(as_applicant, draft):
    pk = draft()
    bad(as_applicant.patch(f"/api/applications/{pk}/", {"requested_yuan": "-5"}, format="json"), "requested_yuan")
    bad(as_applicant.patch(f"/api/applications/{pk}/", {"call": 1}, format="json"), "call")
    bad(as_applicant.patch(f"/api/applications/{pk}/", {"status": "funded"}, format="json"), "status")


def test_attachment_of_wrong_type_or_content_is_400(as_applicant, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pk = draft()
    url = f"/api/applications/{pk}/attachments/"
    bad(as_applicant.post(url, {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, format="multipart"), "file")
    bad(as_applicant.post(url, {"file": SimpleUploadedFile("a.pdf", b"not a pdf")}, format="multipart"), "file")
    bad(as_applicant.post(url, {}, format="multipart"), "file")


def test_register_checks_the_credit_code(anon):
    body = {
        "username": "newco",
        "password": PASSWORD,
        "email": "n@example.org",
        "organisation": {"name": "某公司", "credit_code": "91330324MA285KJ350"},
    }
    bad(anon.post("/api/register/", body, format="json"), "credit_code")
    bad(anon.post("/api/register/", {**body, "organisation": "某公司"}, format="json"), "organisation")
    bad(anon.post("/api/register/", {**body, "email": "nope"}, format="json"), "email")
    good_org = {"name": "某公司", "credit_code": make_code("91330324MA2HK5RP3")}
    bad(anon.post("/api/register/", {**body, "organisation": good_org, "password": "123"}, format="json"), "password")


def test_staff_creates_with_bad_input(as_staff, expert):
    user = {"username": "u1", "password": PASSWORD, "email": "u1@example.org", "roles": ["king"]}
    bad(as_staff.post("/api/users/", user, format="json"), "roles")
    bad(as_staff.post("/api/users/", {**user, "roles": "staff"}, format="json"), "roles")
    new = {"username": "e1", "password": PASSWORD, "name": "专家", "fields": []}
    bad(as_staff.post("/api/experts/", new, format="json"), "fields")
    bad(as_staff.post("/api/experts/", {**new, "fields": ["x"], "load_limit": "many"}, format="json"), "load_limit")
    bad(
        as_staff.post(f"/api/experts/{expert.pk}/conflicts/", {"organisation_name": ""}, format="json"),
        "organisation_name",
    )
    bad(as_staff.post("/api/programmes/", {"code": "", "name": "x"}, format="json"), "code")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("programme", 999999),
        ("programme", "abc"),
        ("budget_yuan", "NaN"),
        ("budget_yuan", -1),
        ("max_request_yuan", "2000000"),  # more than the budget
        ("tranches", [60, 30]),
        ("tranches", "60,40"),
        ("tranches", [40, 30, 30]),
        ("criteria", []),
        ("criteria", [{"code": "a", "label": "A", "weight": -1, "max_score": 10}]),
        ("criteria", [{"code": "a", "label": "A", "weight": "NaN", "max_score": 10}]),
        ("closes_at", "2015-01-01T00:00:00Z"),  # before it opens
        ("scoring_rule", "median"),
        ("year", "two thousand"),
        ("reviewers_per_item", 10**30),
    ],
)
def test_call_create_rejects_bad_fields(as_staff, programme, field, value):
    body = {
        "programme": programme.pk,
        "title": "第二批",
        "year": 2016,
        "opens_at": "2016-01-01T00:00:00Z",
        "closes_at": "2016-03-01T00:00:00Z",
        "budget_yuan": "1000000",
        "max_request_yuan": "500000",
        "tranches": [60, 40],
        "criteria": CRITERIA,
        field: value,
    }
    bad(as_staff.post("/api/calls/", body, format="json"), field)


def test_formal_review_and_terminate_bad_input(draft, as_applicant, as_staff):
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    url = f"/api/applications/{pk}/formal-review/"
    bad(as_staff.post(url, {"decision": "maybe"}, format="json"), "decision")
    bad(as_staff.post(url, {"decision": "return", "comment": ""}, format="json"), "comment")
    bad(as_staff.post(f"/api/applications/{pk}/terminate/", {"reason": ""}, format="json"), "reason")


def test_assignment_add_bad_input(draft, as_applicant, as_staff, conflicted_expert):
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    ok(as_staff.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json"))
    url = f"/api/applications/{pk}/assignments/"
    bad(as_staff.post(url, {"expert": 999999}, format="json"), "expert")
    bad(as_staff.post(url, {"expert": "x"}, format="json"), "expert")
    bad(as_staff.post(url, {"expert": conflicted_expert.pk}, format="json"), "expert")  # 回避
    bad(as_staff.post(url, {"expert": conflicted_expert.pk, "replaces": 999999}, format="json"), "replaces")


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({**SCORES, "innovation": 101}, "scores.innovation"),
        ({**SCORES, "innovation": -1}, "scores.innovation"),
        ({**SCORES, "innovation": "NaN"}, "scores.innovation"),
        ({**SCORES, "innovation": "high"}, "scores.innovation"),
        ({**SCORES, "innovation": True}, "scores.innovation"),
        ({**SCORES, "innovation": [1]}, "scores.innovation"),
        ({"innovation": 80}, "scores.feasibility"),
        ({**SCORES, "charm": 5}, "scores.charm"),
        ([80, 90], "scores"),
        ("all good", "scores"),
    ],
)
def test_review_bad_scores_are_400(in_review, as_expert, scores, field):
    _pk, (assignment,) = in_review()
    ok(as_expert.post(f"/api/assignments/{assignment}/accept/", {"no_conflict": True}, format="json"))
    body = {"scores": scores, "comment": "好", "recommendation": "support"}
    bad(as_expert.post(f"/api/assignments/{assignment}/review/", body, format="json"), field)


def test_assignment_answers_bad_input(in_review, as_expert):
    _pk, (assignment,) = in_review()
    bad(as_expert.post(f"/api/assignments/{assignment}/accept/", {"no_conflict": False}, format="json"), "no_conflict")
    bad(as_expert.post(f"/api/assignments/{assignment}/accept/", {}, format="json"), "no_conflict")
    bad(as_expert.post(f"/api/assignments/{assignment}/decline/", {"reason": ""}, format="json"), "reason")
    ok(as_expert.post(f"/api/assignments/{assignment}/accept/", {"no_conflict": True}, format="json"))
    body = {"scores": SCORES, "comment": "", "recommendation": "meh"}
    bad(as_expert.post(f"/api/assignments/{assignment}/review/", body, format="json"), "recommendation")
    bad(
        as_expert.post(f"/api/assignments/{assignment}/review/", {**body, "recommendation": "support"}, format="json"),
        "comment",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fund": True, "approved_yuan": "300000.01"}, "approved_yuan"),  # more than requested
        ({"fund": True, "approved_yuan": "-1"}, "approved_yuan"),
        ({"fund": True, "approved_yuan": "NaN"}, "approved_yuan"),
        ({"fund": True, "approved_yuan": "0"}, "approved_yuan"),
        ({"fund": True}, "approved_yuan"),
        ({"fund": "perhaps"}, "fund"),
        ({}, "fund"),
    ],
)
def test_decision_bad_input(reviewed, as_panel, body, field):
    pk = reviewed()
    bad(as_panel.post(f"/api/applications/{pk}/decision/", body, format="json"), field)


def test_notice_objection_and_resolution_bad_input(reviewed, as_panel, as_staff, anon, call):
    pk = reviewed()
    ok(as_panel.post(f"/api/applications/{pk}/decision/", {"fund": True, "approved_yuan": "1000"}, format="json"))
    notice = ok(as_staff.post(f"/api/calls/{call.pk}/notice/"), 201)["id"]
    url = f"/api/notices/{notice}/objections/"
    full = {"item": pk, "text": "不公", "contact": "a@example.org", "name": "李四"}
    bad(anon.post(url, {**full, "item": 999999}, format="json"), "item")
    bad(anon.post(url, {**full, "item": "x"}, format="json"), "item")
    bad(anon.post(url, {**full, "name": ""}, format="json"), "name")
    bad(anon.post(url, {**full, "contact": ""}, format="json"), "contact")
    bad(anon.post(url, {**full, "text": ""}, format="json"), "text")
    objection = ok(anon.post(url, full, format="json"), 201)["id"]
    resolve = f"/api/objections/{objection}/resolve/"
    bad(as_staff.post(resolve, {"upheld": "maybe", "resolution": "x"}, format="json"), "upheld")
    bad(as_staff.post(resolve, {"upheld": False, "resolution": ""}, format="json"), "resolution")


def test_contract_money_and_acceptance_bad_input(reviewed, as_panel, as_staff, as_applicant, as_officer, call):
    pk = reviewed()
    ok(as_panel.post(f"/api/applications/{pk}/decision/", {"fund": True, "approved_yuan": "1000"}, format="json"))
    notice = ok(as_staff.post(f"/api/calls/{call.pk}/notice/"), 201)["id"]
    notice_window_passed(Notice.objects.get(pk=notice))
    ok(as_staff.post(f"/api/notices/{notice}/close/"))
    url = f"/api/applications/{pk}/contract/"
    terms = contract_terms(Application.objects.get(pk=pk))
    bad(as_applicant.post(url, {**terms, "accept_terms": False}, format="json"), "accept_terms")
    bad(as_applicant.post(url, {}, format="json"), "accept_terms")
    bad(as_applicant.post(url, {**terms, "targets": []}, format="json"), "targets")
    ok(as_applicant.post(url, terms, format="json"), 201)
    check = f"/api/applications/{pk}/contract-check/"
    bad(as_staff.post(check, {"decision": "maybe"}, format="json"), "decision")
    bad(as_staff.post(check, {"decision": "return", "comment": ""}, format="json"), "comment")
    ok(as_staff.post(check, {"decision": "accept"}, format="json"))
    d = ok(as_officer.get("/api/disbursements/"))["results"][0]["id"]
    bad(as_officer.post(f"/api/disbursements/{d}/reject/", {"reason": ""}, format="json"), "reason")
    bad(as_officer.post(f"/api/disbursements/{d}/pay/", {"voucher": ""}, format="json"), "voucher")
    assert as_officer.post(f"/api/disbursements/{d}/pay/", {"voucher": "PZ-1"}, format="json").status_code == 409
    body = {"report": "完成", "spent_yuan": "NaN"}
    bad(as_applicant.post(f"/api/applications/{pk}/acceptance/", body, format="json"), "spent_yuan")
    bad(as_staff.post(f"/api/applications/{pk}/acceptance-decision/", {"result": "great"}, format="json"), "result")
