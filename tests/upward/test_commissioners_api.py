"""Commissioners, their assessments and projects, and award winners put forward, via the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from notifications.models import Notification
from tests.api.conftest import DRAFT, ok
from upward import services as upward_services

pytestmark = pytest.mark.django_db

COMMISSIONER = {
    "name": "陈建华",
    "organisation": "浙江省农业科学院",
    "level": "province",
    "township": "沙头镇",
    "field": "agriculture",
    "term_start": "2016-01-01",
    "term_end": "2018-12-31",
}


def test_commissioner_assessment_once_a_year(as_staff, as_panel, as_applicant):
    pk = ok(as_staff.post("/api/commissioners/", COMMISSIONER, format="json"), 201)["id"]
    unknown = as_staff.post("/api/commissioners/", {**COMMISSIONER, "field": "alchemy"}, format="json")
    assert unknown.status_code == 400 and "field" in unknown.json()
    assert [c["township"] for c in ok(as_panel.get("/api/commissioners/"))] == ["沙头镇"]
    url = f"/api/commissioners/{pk}/assessments/"
    ok(as_staff.post(url, {"year": 2016, "result": "excellent"}, format="json"), 201)
    assert as_staff.post(url, {"year": 2016, "result": "qualified"}, format="json").status_code == 409
    assert as_staff.post(url, {"year": 2016, "result": "great"}, format="json").status_code == 400
    assert as_applicant.post(url, {"year": 2017, "result": "qualified"}, format="json").status_code == 403


def test_a_commissioner_leads_an_item_of_a_commissioner_call(as_staff, as_applicant, staff, programme, upper_call):
    commissioner = ok(as_staff.post("/api/commissioners/", COMMISSIONER, format="json"), 201)["id"]
    now = timezone.now()
    commissioner_call = upward_services.upper_call_create(
        actor=staff,
        level="city",
        programme=programme,
        title="2016年度温州市科技特派员项目",
        year=2016,
        quota=4,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
        commissioner=True,
    )
    body = {**DRAFT, "field": "agriculture"}
    item = ok(as_applicant.post("/api/applications/", {"upper_call": commissioner_call.pk, **body}, format="json"), 201)
    other = ok(as_applicant.post("/api/applications/", {"upper_call": upper_call.pk, **DRAFT}, format="json"), 201)
    for pk in (item["id"], other["id"]):
        ok(as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json"))
    link = {"commissioner": commissioner, "base": "沙头镇蔬菜绿色防控示范区"}
    ok(as_staff.post(f"/api/applications/{item['id']}/commissioner/", link, format="json"))
    # An item of a call that is not a commissioner programme has no commissioner.
    assert as_staff.post(f"/api/applications/{other['id']}/commissioner/", link, format="json").status_code == 409

    # Each commissioner's projects, the applicant told, the audit row names who led it before.
    shown = ok(as_staff.get(f"/api/commissioners/{commissioner}/"))
    assert [(p["id"], p["base"], p["upper_yuan"]) for p in shown["projects"]] == [
        (item["id"], "沙头镇蔬菜绿色防控示范区", None)
    ]
    assert Notification.objects.filter(kind="commissioner_project", recipient__username="applicant").exists()
    second = ok(
        as_staff.post("/api/commissioners/", {**COMMISSIONER, "name": "李明", "township": "巽宅镇"}, format="json"), 201
    )
    ok(as_staff.post(f"/api/applications/{item['id']}/commissioner/", {"commissioner": second["id"]}, format="json"))
    assert ok(as_staff.get(f"/api/commissioners/{commissioner}/"))["projects"] == []
    row = AuditEntry.objects.filter(action="commissioner.project").order_by("-id").first()
    assert row.data["before"] == commissioner and row.data["commissioner"] == second["id"]

    townships = ok(as_staff.get("/api/commissioners/townships/?year=2016"))
    assert sorted((t["township"], t["commissioners"], t["projects"], t["field_codes"]) for t in townships) == [
        ("巽宅镇", ["李明"], 1, ["agriculture"]),
        ("沙头镇", ["陈建华"], 0, ["agriculture"]),
    ]
    assert ok(as_staff.get("/api/commissioners/townships/?year=2030")) == []  # nobody on duty then
    assert as_staff.get("/api/commissioners/townships/?year=twenty").status_code == 400


def test_award_winners_put_forward_with_their_result(as_staff, as_panel):
    body = {
        "level": "province",
        "award": "浙江省科学技术进步奖",
        "year": 2016,
        "title": "药用料斗自动清洗机",
        "unit": "浙江迦南科技股份有限公司",
    }
    pk = ok(as_staff.post("/api/awards-put-forward/", body, format="json"), 201)["id"]
    assert as_staff.post("/api/awards-put-forward/", body, format="json").status_code == 409
    no_title = as_staff.post("/api/awards-put-forward/", {**body, "title": ""}, format="json")
    assert no_title.status_code == 400 and "title" in no_title.json()
    url = f"/api/awards-put-forward/{pk}/outcome/"
    assert as_staff.post(url, {"awarded": True}, format="json").status_code == 400  # the grade
    assert ok(as_staff.post(url, {"awarded": True, "grade": 2}, format="json"))["grade"] == 2
    assert as_staff.post(url, {"awarded": False}, format="json").status_code == 409
    assert [(a["unit"], a["outcome"]) for a in ok(as_panel.get("/api/awards-put-forward/"))] == [
        ("浙江迦南科技股份有限公司", "awarded")
    ]
