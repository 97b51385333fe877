"""After the higher level funds a project, the county follows it: staff set milestones and
record them done, then organise the acceptance (passed or failed); the project's page shows
them, the list of upward projects counts them, each step is audited and the applicant told."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application
from applications.services import application_create, call_close
from audit.models import AuditEntry
from notifications.models import Notification
from tests.api.conftest import ok
from tests.conftest import PASSWORD
from upward.models import UpperAcceptance, UpperMilestone
from workflow import steps

pytestmark = pytest.mark.django_db

DRAFT = {"summary": "示范。", "field": "agriculture", "requested_yuan": "300000.00"}


def _funded(staff: Any, applicant: Any, panel: Any, upper: Any, *, funded: bool = True) -> Application:
    app = application_create(actor=applicant, call=upper.call, title="楠溪江特色农业示范", **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    call_close(call=upper.call, actor=staff)
    steps.upper_skip_ranking(application=app, actor=staff)
    steps.upper_recommend(upper_call=upper, actor=panel, items=[app.pk])
    amounts = {"upper_yuan": "600000", "matching_yuan": "100000"} if funded else {}
    steps.upper_outcome_record(application=app, actor=staff, funded=funded, **amounts)
    return Application.objects.get(pk=app.pk)


def test_milestones_and_acceptance_through_the_api(
    staff, applicant, panel, upper_call, as_staff, as_applicant, as_panel, as_other_applicant
):
    app = _funded(staff, applicant, panel, upper_call)
    url = f"/api/applications/{app.pk}/upper-milestones/"
    first = ok(as_staff.post(url, {"name": "建成示范基地", "due": "2017-06-30"}, format="json"), 201)
    assert as_staff.post(url, {"name": "建成示范基地", "due": "2017-09-30"}, format="json").status_code == 400
    assert as_staff.post(url, {"name": "", "due": "2017-09-30"}, format="json").status_code == 400
    assert as_applicant.post(url, {"name": "自定", "due": "2017-09-30"}, format="json").status_code == 403
    second = ok(as_staff.post(url, {"name": "推广新品种", "due": "2017-12-31"}, format="json"), 201)

    # A pass needs every milestone done; a date to come is refused.
    accept_url = f"/api/applications/{app.pk}/upper-acceptance/"
    today = timezone.localdate()
    passed = {"result": "passed", "accepted_on": today.isoformat(), "organised_by": "永嘉县科技局农村科技科"}
    assert as_staff.post(accept_url, passed, format="json").status_code == 409
    done = f"/api/upper-milestones/{first['id']}/done/"
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert as_staff.post(done, {"done_at": tomorrow}, format="json").status_code == 400
    assert ok(as_staff.post(done, {"done_at": "2017-06-20"}, format="json"))["done_at"] == "2017-06-20"
    assert as_staff.post(done, {"done_at": "2017-06-21"}, format="json").status_code == 409
    ok(as_staff.post(f"/api/upper-milestones/{second['id']}/done/", {"done_at": "2017-12-01"}, format="json"))
    assert as_staff.post(accept_url, {**passed, "accepted_on": tomorrow}, format="json").status_code == 400
    assert as_staff.post(accept_url, {**passed, "organised_by": ""}, format="json").status_code == 400
    recorded = ok(as_staff.post(accept_url, {**passed, "comment": "目标全部完成"}, format="json"), 201)
    assert recorded["result"] == "passed"
    assert as_staff.post(accept_url, passed, format="json").status_code == 409  # once
    assert as_staff.post(url, {"name": "追加", "due": "2018-01-31"}, format="json").status_code == 409  # closed

    # The applicant reads it; another unit does not see the project at all.
    shown = ok(as_applicant.get(f"/api/applications/{app.pk}/upper-followup/"))
    assert [(m["name"], m["done_at"]) for m in shown["milestones"]] == [
        ("建成示范基地", "2017-06-20"),
        ("推广新品种", "2017-12-01"),
    ]
    assert shown["acceptance"]["organised_by"] == "永嘉县科技局农村科技科"
    assert as_other_applicant.get(f"/api/applications/{app.pk}/upper-followup/").status_code == 404

    listed = ok(as_panel.get("/api/upper-projects/?acceptance=passed"))["results"]
    assert [(p["id"], p["milestones"], p["milestones_done"], p["acceptance"]["result"]) for p in listed] == [
        (app.pk, 2, 2, "passed")
    ]
    assert ok(as_panel.get("/api/upper-projects/?acceptance=none"))["results"] == []
    assert as_panel.get("/api/upper-projects/?acceptance=maybe").status_code == 400

    actions = list(
        AuditEntry.objects.filter(target_id=app.pk, action__startswith="upper.").values_list("action", flat=True)
    )
    assert actions[-5:] == [
        "upper.milestone_add",
        "upper.milestone_add",
        "upper.milestone_done",
        "upper.milestone_done",
        "upper.acceptance",
    ]
    assert Notification.objects.filter(recipient=applicant, kind="upper_followup").count() == 5


def test_only_a_funded_project_is_followed(staff, applicant, panel, upper_call, as_staff):
    app = _funded(staff, applicant, panel, upper_call, funded=False)
    body = {"name": "建成示范基地", "due": "2017-06-30"}
    assert as_staff.post(f"/api/applications/{app.pk}/upper-milestones/", body, format="json").status_code == 409
    failed = {"result": "failed", "accepted_on": "2017-06-30", "organised_by": "县科技局"}
    assert as_staff.post(f"/api/applications/{app.pk}/upper-acceptance/", failed, format="json").status_code == 409
    assert not UpperMilestone.objects.exists() and not UpperAcceptance.objects.exists()


def test_staff_follow_the_project_on_its_page(staff, applicant, panel, upper_call):
    app = _funded(staff, applicant, panel, upper_call)
    staff_c = Client()
    assert staff_c.login(username=staff.username, password=PASSWORD)
    detail = reverse("application-detail", args=[app.pk])
    assert 'id="upper-followup"' in staff_c.get(detail).content.decode()
    response = staff_c.post(
        reverse("upper-milestone-add", args=[app.pk]), {"name": "建成示范基地", "due": "2017-06-30"}
    )
    assert response.status_code == 302
    milestone = UpperMilestone.objects.get(application=app)
    staff_c.post(reverse("upper-milestone-done", args=[milestone.pk]), {"done_at": "2017-06-20"})
    form = {"result": "failed", "accepted_on": "2017-12-20", "organised_by": "县科技局", "comment": "示范面积未达标"}
    assert staff_c.post(reverse("upper-acceptance", args=[app.pk]), form).status_code == 302
    page = staff_c.get(detail).content.decode()
    assert "示范面积未达标" in page and "2017-06-20" in page
    assert reverse("upper-acceptance", args=[app.pk]) not in page  # recorded: no form again

    applicant_c = Client()
    assert applicant_c.login(username=applicant.username, password=PASSWORD)
    seen = applicant_c.get(detail).content.decode()
    assert "建成示范基地" in seen and reverse("upper-milestone-add", args=[app.pk]) not in seen
    assert applicant_c.post(reverse("upper-milestone-add", args=[app.pk]), {"name": "x"}).status_code == 403

    listing = staff_c.get(reverse("upper-projects"), {"acceptance": "failed"})
    assert [item.pk for item in listing.context["page"].object_list] == [app.pk]
    sheet = load_workbook(io.BytesIO(staff_c.get(reverse("upper-projects-xlsx")).content)).active
    row = list(sheet.iter_rows(min_row=2, values_only=True))[0]
    assert row[1] == "楠溪江特色农业示范" and row[9:11] == (1, 1)
