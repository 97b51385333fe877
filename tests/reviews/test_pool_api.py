"""The pool's API: importing a sheet and staff reopening a review."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reviews.enums import AssignmentStatus
from reviews.models import Expert, Review
from tests.conftest import api_key
from tests.workflow.test_plan_project_services import SCORES

from .conftest import reviewed_item, sheet

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def upload(content):
    return {"file": SimpleUploadedFile("pool.xlsx", content)}


def test_import_answers_a_report_per_row(staff, expert, django_capture_on_commit_callbacks):
    content = sheet(
        [
            ["钱十", "qianshi", "qianshi@example.org", "", "", "manufacturing", "", "", 2, "yes", "某公司"],
            ["专家", "expert", "", "", "", "", "", "", 7, "", ""],
            ["", "nobody", "", "", "", "", "", "", "", "", ""],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):  # the import job runs (eagerly) after commit
        response = api(staff).post("/api/experts/import/", upload(content), format="multipart")
    assert response.status_code == 202, response.content
    body = api(staff).get(response.json()["status_url"]).json()["report"]
    assert (body["created"], body["updated"], body["refused"]) == (1, 1, 1)
    created, updated, refused = body["rows"]
    assert created["status"] == "created" and created["expert"] == Expert.objects.get(user__username="qianshi").pk
    assert updated == {
        "row": 3,
        "username": "expert",
        "name": "专家",
        "status": "updated",
        "errors": {},
        "expert": expert.pk,
    }
    assert refused["status"] == "refused" and set(refused["errors"]) == {"name"} and refused["expert"] is None
    expert.refresh_from_db()
    assert expert.load_limit == 7


def test_import_refuses_a_bad_file_with_400_and_non_staff_with_403(staff, expert):
    bad = api(staff).post("/api/experts/import/", upload(b"plain text"), format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    missing = api(staff).post("/api/experts/import/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    refused = api(expert.user).post("/api/experts/import/", upload(sheet([])), format="multipart")
    assert refused.status_code == 403


def test_reopen_through_the_api(call, applicant, staff, expert, expert2):
    _app, (a1, _a2) = reviewed_item(call, applicant, staff, [expert, expert2])
    review = Review.objects.get(assignment=a1)
    url = f"/api/reviews/{review.pk}/reopen/"
    assert api(expert.user).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(applicant).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(staff).post("/api/reviews/999999/reopen/", {"reason": "x"}, format="json").status_code == 404
    assert api(staff).post(url, {}, format="json").status_code == 400
    response = api(staff).post(url, {"reason": "复核"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id": review.pk, "assignment": a1.pk, "status": AssignmentStatus.ACCEPTED}
    assert api(staff).post(url, {"reason": "again"}, format="json").status_code == 409
    again = api(expert.user).post(
        f"/api/assignments/{a1.pk}/review/",
        {"scores": SCORES, "comment": "复评", "recommendation": "support"},
        format="json",
    )
    assert again.status_code == 201
    second = api(expert.user).post(
        f"/api/assignments/{a1.pk}/review/",
        {"scores": SCORES, "comment": "三评", "recommendation": "support"},
        format="json",
    )
    assert second.status_code == 409
