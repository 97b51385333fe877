"""The fields vocabulary (API.md: /api/fields/) and the documents a call requires."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application, Attachment, Call, Field
from tests.api.conftest import DRAFT, ok

#: The integrity pledge every submission signs (issue 17.5).
PLEDGE = {"pledge": True}

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 test"


def pdf(name: str = "申报书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- the fields vocabulary -------------------------------------------------------------------


def test_fields_list_names_each_field_in_the_request_language(as_applicant):
    zh = ok(as_applicant.get("/api/fields/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    en = ok(as_applicant.get("/api/fields/", HTTP_ACCEPT_LANGUAGE="en"))
    assert {"code": "manufacturing", "name": "先进制造"} in zh
    assert {"code": "manufacturing", "name": "Advanced manufacturing"} in en
    assert [row["code"] for row in zh] == [row["code"] for row in en]


def test_fields_list_leaves_out_deactivated_fields(as_applicant):
    Field.objects.filter(code="energy").update(active=False)
    codes = [row["code"] for row in ok(as_applicant.get("/api/fields/"))]
    assert "energy" not in codes and "manufacturing" in codes


def test_fields_list_needs_a_login(anon):
    assert anon.get("/api/fields/").status_code == 401


def test_staff_add_a_field_and_applicants_may_pick_it_at_once(as_staff, as_applicant, call):
    body = {"code": "robotics", "name_zh": "机器人", "name_en": "Robotics"}
    created = as_staff.post("/api/fields/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert ok(created, 201) == {"code": "robotics", "name": "Robotics"}
    assert {"code": "robotics", "name": "机器人"} in ok(
        as_applicant.get("/api/fields/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    )
    ok(as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, "field": "robotics"}, format="json"), 201)


def test_adding_a_field_is_for_staff_only(as_applicant, as_expert):
    body = {"code": "robotics", "name_zh": "机器人", "name_en": "Robotics"}
    assert as_applicant.post("/api/fields/", body, format="json").status_code == 403
    assert as_expert.post("/api/fields/", body, format="json").status_code == 403
    assert not Field.objects.filter(code="robotics").exists()


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"code": "manufacturing", "name_zh": "制造", "name_en": "Manufacturing"}, "code"),
        ({"code": "Bad Code!", "name_zh": "坏", "name_en": "Bad"}, "code"),
        ({"code": "robotics", "name_zh": " ", "name_en": "Robotics"}, "name_zh"),
        ({"code": "robotics", "name_zh": "机器人"}, "name_en"),
    ],
)
def test_adding_a_field_refuses_bad_input_naming_the_field(as_staff, body, key):
    response = as_staff.post("/api/fields/", body, format="json")
    assert response.status_code == 400 and key in response.json()


def test_an_unknown_field_is_refused_naming_it(as_applicant, call):
    response = as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, "field": "制造业"}, format="json")
    assert response.status_code == 400
    assert "制造业" in response.json()["field"][0]
    assert not Application.objects.exists()


def test_a_deactivated_field_is_refused_for_new_items_but_kept_on_old_ones(as_applicant, draft):
    pk = draft(field="energy")
    Field.objects.filter(code="energy").update(active=False)
    # Editing the draft without touching its field still works, the field stays.
    ok(as_applicant.patch(f"/api/applications/{pk}/", {"title": "新标题", "field": "energy"}, format="json"))
    assert Application.objects.get(pk=pk).field == "energy"
    body = {"call": Application.objects.get(pk=pk).call_id, **DRAFT, "field": "energy"}
    assert as_applicant.post("/api/applications/", body, format="json").status_code == 400


def test_patching_to_an_unknown_field_is_400(as_applicant, draft):
    pk = draft()
    response = as_applicant.patch(f"/api/applications/{pk}/", {"field": "nonsense"}, format="json")
    assert response.status_code == 400 and "field" in response.json()
    assert Application.objects.get(pk=pk).field == "manufacturing"


def test_an_expert_with_an_unknown_field_is_refused(as_staff):
    body = {
        "username": "newexpert",
        "password": "Pingshen-test-2026",
        "email": "n@example.org",
        "name": "新专家",
        "fields": ["manufacturing", "制造"],
    }
    response = as_staff.post("/api/experts/", body, format="json")
    assert response.status_code == 400 and "制造" in response.json()["fields"][0]
    body["fields"] = ["manufacturing", "materials"]
    ok(as_staff.post("/api/experts/", body, format="json"), 201)


# --- required documents ------------------------------------------------------------------------

DOCUMENTS = [{"code": "proposal", "name": "申报书"}, {"code": "licence", "name": "营业执照"}]


@pytest.fixture
def call_with_documents(call: Call) -> Call:
    call.required_documents = DOCUMENTS
    call.save(update_fields=["required_documents"])
    return call


def call_body(programme, **overrides: Any) -> dict[str, Any]:
    from tests.conftest import CRITERIA

    return {
        "programme": programme.pk,
        "title": "2027年度第一批",
        "year": 2027,
        "opens_at": "2027-03-01T00:00:00+08:00",
        "closes_at": "2027-04-01T00:00:00+08:00",
        "budget_yuan": "1000000.00",
        "max_request_yuan": "300000.00",
        "tranches": [60, 40],
        "criteria": CRITERIA,
        **overrides,
    }


def test_a_call_is_created_with_its_required_documents(as_staff, programme):
    pk = ok(as_staff.post("/api/calls/", call_body(programme, required_documents=DOCUMENTS), format="json"), 201)["id"]
    assert ok(as_staff.get(f"/api/calls/{pk}/"))["required_documents"] == DOCUMENTS
    assert Call.objects.get(pk=pk).required_documents == DOCUMENTS


@pytest.mark.parametrize(
    "documents",
    [
        [*DOCUMENTS, {"code": "licence", "name": "执照"}],
        [{"code": "bad code!", "name": "坏"}],
        [{"code": "proposal", "name": ""}],
        "申报书",
    ],
)
def test_a_call_refuses_bad_required_documents(as_staff, programme, documents):
    response = as_staff.post("/api/calls/", call_body(programme, required_documents=documents), format="json")
    assert response.status_code == 400 and "required_documents" in response.json()
    assert not Call.objects.filter(year=2027).exists()


def test_submit_without_required_documents_is_409_naming_each_missing(as_applicant, draft, call_with_documents):
    pk = draft()
    response = as_applicant.post(
        f"/api/applications/{pk}/submit/", PLEDGE, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 409
    assert "申报书" in response.json()["detail"] and "营业执照" in response.json()["detail"]
    ok(as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": pdf(), "kind": "proposal"}), 201)
    response = as_applicant.post(f"/api/applications/{pk}/submit/", PLEDGE, format="json")
    assert response.status_code == 409
    assert "营业执照" in response.json()["detail"] and "申报书" not in response.json()["detail"]
    ok(as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": pdf("执照.pdf"), "kind": "licence"}), 201)
    assert ok(as_applicant.post(f"/api/applications/{pk}/submit/", PLEDGE, format="json")) == {"status": "submitted"}


def test_an_attachment_without_a_kind_does_not_count_as_a_required_document(as_applicant, draft, call_with_documents):
    pk = draft()
    ok(as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": pdf()}), 201)
    assert as_applicant.post(f"/api/applications/{pk}/submit/", PLEDGE, format="json").status_code == 409
    detail = ok(as_applicant.get(f"/api/applications/{pk}/"))
    assert [d["code"] for d in detail["missing_documents"]] == ["proposal", "licence"]
    assert detail["attachments"][0]["kind"] == ""


def test_an_attachment_naming_a_document_the_call_does_not_require_is_400(as_applicant, draft, call_with_documents):
    pk = draft()
    response = as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": pdf(), "kind": "audit"})
    assert response.status_code == 400 and "kind" in response.json()
    assert not Attachment.objects.exists()


def test_a_call_without_required_documents_submits_as_before(as_applicant, draft):
    pk = draft()
    assert ok(as_applicant.post(f"/api/applications/{pk}/submit/", PLEDGE, format="json")) == {"status": "submitted"}


def _attachment(as_applicant: Any, pk: int, kind: str = "") -> int:
    return ok(as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": pdf(), "kind": kind}), 201)["id"]


def test_the_applicant_deletes_an_attachment_of_a_draft(as_applicant, draft):
    pk = draft()
    attachment = _attachment(as_applicant, pk)
    assert as_applicant.delete(f"/api/attachments/{attachment}/").status_code == 204
    assert not Attachment.objects.filter(pk=attachment).exists()
    assert as_applicant.delete(f"/api/attachments/{attachment}/").status_code == 404


def test_deleting_an_attachment_after_submitting_is_409(as_applicant, draft):
    pk = draft()
    attachment = _attachment(as_applicant, pk)
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", PLEDGE, format="json"))
    response = as_applicant.delete(f"/api/attachments/{attachment}/")
    assert response.status_code == 409 and response.json()["detail"]
    assert Attachment.objects.filter(pk=attachment).exists()


def test_deleting_an_attachment_of_a_returned_item_is_allowed(as_applicant, as_staff, draft):
    pk = draft()
    attachment = _attachment(as_applicant, pk)
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", PLEDGE, format="json"))
    body = {"decision": "return", "comment": "补充材料"}
    ok(as_staff.post(f"/api/applications/{pk}/formal-review/", body, format="json"))
    assert as_applicant.delete(f"/api/attachments/{attachment}/").status_code == 204


def test_nobody_else_may_delete_an_attachment(as_applicant, as_other_applicant, as_staff, as_expert, draft):
    pk = draft()
    attachment = _attachment(as_applicant, pk)
    ok(as_applicant.post(f"/api/applications/{pk}/submit/", PLEDGE, format="json"))
    for other in (as_other_applicant, as_staff, as_expert):
        assert other.delete(f"/api/attachments/{attachment}/").status_code == 404
    assert Attachment.objects.filter(pk=attachment).exists()
