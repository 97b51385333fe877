"""Who may do what through the API: 401, 403, 404 and 409, endpoint by endpoint."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from tests.api.conftest import SCORES, ok
from tests.conftest import contract_terms

pytestmark = pytest.mark.django_db


# --- 401 without credentials --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/me/"),
        ("get", "/api/calls/"),
        ("post", "/api/calls/"),
        ("get", "/api/applications/"),
        ("post", "/api/applications/"),
        ("get", "/api/applications/1/"),
        ("post", "/api/applications/1/submit/"),
        ("get", "/api/assignments/"),
        ("get", "/api/disbursements/"),
        ("get", "/api/notifications/"),
        ("post", "/api/objections/1/resolve/"),
    ],
)
def test_anonymous_gets_401(anon, method, path):
    response = getattr(anon, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_notice_is_public_but_unknown_notice_is_404(anon):
    assert anon.get("/api/notices/999999/").status_code == 404


# --- 403: the role may not act ------------------------------------------------------------


def test_expert_gets_403_on_formal_review(draft, as_applicant, as_expert):
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    response = as_expert.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json")
    assert response.status_code == 403


def test_applicant_gets_403_on_staff_and_panel_and_finance_actions(as_applicant, call, draft):
    pk = draft()
    assert (
        as_applicant.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json").status_code
        == 403
    )
    assert as_applicant.post(f"/api/applications/{pk}/decision/", {"fund": False}, format="json").status_code == 403
    assert as_applicant.post("/api/programmes/", {"code": "x", "name": "x"}, format="json").status_code == 403
    assert as_applicant.post(f"/api/calls/{call.pk}/close/").status_code == 403
    assert as_applicant.get(f"/api/calls/{call.pk}/ranking/").status_code == 403
    assert as_applicant.get(f"/api/calls/{call.pk}/report/").status_code == 403
    assert as_applicant.get("/api/disbursements/").status_code == 403
    assert as_applicant.post("/api/users/", {}, format="json").status_code == 403
    assert as_applicant.post("/api/experts/", {}, format="json").status_code == 403


def test_staff_cannot_apply_and_panel_cannot_decide_formal_review(as_staff, as_panel, call, draft, as_applicant):
    assert as_staff.post("/api/applications/", {"call": call.pk}, format="json").status_code == 403
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    assert (
        as_panel.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json").status_code
        == 403
    )


# --- 404: objects the caller may not see ------------------------------------------------------


def test_other_applicant_gets_404_on_someone_elses_application(draft, as_other_applicant):
    pk = draft()
    assert as_other_applicant.get(f"/api/applications/{pk}/").status_code == 404
    assert as_other_applicant.patch(f"/api/applications/{pk}/", {"title": "x"}, format="json").status_code == 404
    assert (
        as_other_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json").status_code == 404
    )
    assert ok(as_other_applicant.get("/api/applications/"))["count"] == 0


def test_staff_does_not_see_drafts(draft, as_staff):
    pk = draft()
    assert as_staff.get(f"/api/applications/{pk}/").status_code == 404
    assert ok(as_staff.get("/api/applications/"))["count"] == 0


def test_unassigned_expert_gets_404_on_an_assignment(in_review, client_for, unassigned_expert):
    _pk, (assignment,) = in_review()
    stranger = client_for(unassigned_expert.user)
    assert (
        stranger.post(f"/api/assignments/{assignment}/accept/", {"no_conflict": True}, format="json").status_code == 404
    )
    assert stranger.post(f"/api/assignments/{assignment}/decline/", {"reason": "x"}, format="json").status_code == 404
    body = {"scores": SCORES, "comment": "x", "recommendation": "support"}
    assert stranger.post(f"/api/assignments/{assignment}/review/", body, format="json").status_code == 404
    assert ok(stranger.get("/api/assignments/"))["count"] == 0


def test_expert_does_not_see_the_application_itself(in_review, as_expert):
    pk, _assignments = in_review()
    assert as_expert.get(f"/api/applications/{pk}/").status_code == 404


def test_other_applicant_cannot_sign_or_report(reviewed, as_other_applicant):
    pk = reviewed()
    terms = contract_terms(Application.objects.get(pk=pk))
    response = as_other_applicant.post(f"/api/applications/{pk}/contract/", terms, format="json")
    assert response.status_code == 404, response.content
    body = {"report": "x", "results": [{"target": 1, "achieved": "1"}], "accounts": [{"line": "equipment"}]}
    assert as_other_applicant.post(f"/api/applications/{pk}/acceptance/", body, format="json").status_code == 404


def test_someone_elses_notification_is_404(client_for, applicant, other_applicant, draft, as_applicant):
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    note = ok(as_applicant.get("/api/notifications/"))["results"][0]["id"]
    assert client_for(other_applicant).post(f"/api/notifications/{note}/read/").status_code == 404


def test_reviewers_are_never_named_to_the_applicant(reviewed, as_applicant, expert):
    detail = ok(as_applicant.get(f"/api/applications/{reviewed()}/"))
    text = str(detail)
    assert expert.name not in text and expert.user.username not in text


# --- 409: the state forbids the action --------------------------------------------------------


def test_submit_after_call_close_is_409(draft, as_applicant, as_staff, call):
    pk = draft()
    ok(as_staff.post(f"/api/calls/{call.pk}/close/"))
    response = as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()


def test_patch_after_submit_is_409(draft, as_applicant):
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    assert as_applicant.patch(f"/api/applications/{pk}/", {"title": "改"}, format="json").status_code == 409


def test_second_review_is_409(in_review, as_expert):
    _pk, (assignment,) = in_review()
    ok(as_expert.post(f"/api/assignments/{assignment}/accept/", {"no_conflict": True}, format="json"))
    body = {"scores": SCORES, "comment": "好", "recommendation": "support"}
    ok(as_expert.post(f"/api/assignments/{assignment}/review/", body, format="json"), 201)
    assert as_expert.post(f"/api/assignments/{assignment}/review/", body, format="json").status_code == 409


def test_decision_beyond_budget_is_409_and_twice_is_409(reviewed, as_panel, call):
    call.budget_yuan = Decimal("400000.00")
    call.save(update_fields=["budget_yuan"])
    first, second = reviewed(), reviewed(title="第二个项目")
    ok(as_panel.post(f"/api/applications/{first}/decision/", {"fund": True, "approved_yuan": "300000"}, format="json"))
    response = as_panel.post(
        f"/api/applications/{second}/decision/", {"fund": True, "approved_yuan": "200000"}, format="json"
    )
    assert response.status_code == 409
    assert as_panel.post(f"/api/applications/{first}/decision/", {"fund": False}, format="json").status_code == 409


def test_closing_a_notice_with_an_open_objection_is_409(reviewed, as_panel, as_staff, anon):
    pk = reviewed()
    body = {"fund": True, "approved_yuan": "1000", "comment": "同意"}
    ok(as_panel.post(f"/api/applications/{pk}/decision/", body, format="json"))
    notice = ok(as_staff.post(f"/api/calls/{_call_of(pk)}/notice/"), 201)["id"]
    objection = {"item": pk, "text": "不公", "contact": "a@example.org", "name": "李四"}
    ok(anon.post(f"/api/notices/{notice}/objections/", objection, format="json"), 201)
    from funding.models import Notice
    from tests.conftest import notice_window_passed

    notice_window_passed(Notice.objects.get(pk=notice))  # the window has run: the objection alone holds it
    closing = as_staff.post(f"/api/notices/{notice}/close/")
    assert closing.status_code == 409 and "异议" in closing.json()["detail"]
    assert as_staff.post(f"/api/calls/{_call_of(pk)}/notice/").status_code == 409  # one open notice per call


def _call_of(pk):
    from applications.models import Application

    return Application.objects.get(pk=pk).call_id


def test_start_review_without_experts_and_assign_before_formal_review_are_409(draft, as_applicant, as_staff, expert):
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    assert (
        as_staff.post(f"/api/applications/{pk}/assignments/", {"expert": expert.pk}, format="json").status_code == 409
    )
    ok(as_staff.post(f"/api/applications/{pk}/formal-review/", {"decision": "accept"}, format="json"))
    assert as_staff.post(f"/api/applications/{pk}/start-review/").status_code == 409


def test_contract_before_notice_closed_is_409(reviewed, as_panel, as_applicant):
    pk = reviewed()
    ok(as_panel.post(f"/api/applications/{pk}/decision/", {"fund": True, "approved_yuan": "1000"}, format="json"))
    terms = contract_terms(Application.objects.get(pk=pk))
    assert as_applicant.post(f"/api/applications/{pk}/contract/", terms, format="json").status_code == 409


# --- queries and schema -------------------------------------------------------------------------


def _count_list_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        ok(client.get(path))
    return len(ctx.captured_queries)


def test_application_list_queries_do_not_grow_with_rows(as_applicant, as_staff, call, applicant):
    from applications.services import application_create, application_submit

    def make(n):
        for i in range(n):
            app = application_create(
                actor=applicant, call=call, title=f"项目{i}", summary="s", field="manufacturing", requested_yuan="1000"
            )
            application_submit(application=app, actor=applicant)

    make(1)
    one_applicant = _count_list_queries(as_applicant, "/api/applications/")
    one_staff = _count_list_queries(as_staff, "/api/applications/")
    make(19)
    assert _count_list_queries(as_applicant, "/api/applications/") == one_applicant
    assert _count_list_queries(as_staff, "/api/applications/") == one_staff
    assert ok(as_staff.get("/api/applications/"))["count"] == 20


def test_other_lists_queries_do_not_grow_with_rows(in_review, as_expert, as_staff):
    in_review()
    one_assignments = _count_list_queries(as_expert, "/api/assignments/")
    one_calls = _count_list_queries(as_staff, "/api/calls/")
    one_inbox = _count_list_queries(as_staff, "/api/notifications/")
    for i in range(4):
        in_review(title=f"项目{i}")
    assert _count_list_queries(as_expert, "/api/assignments/") == one_assignments
    assert _count_list_queries(as_staff, "/api/calls/") == one_calls
    assert _count_list_queries(as_staff, "/api/notifications/") == one_inbox


def test_schema_builds(anon, as_staff):
    response = as_staff.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/applications/{id}/decision/" in response.content
