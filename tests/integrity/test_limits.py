"""Issue 17.6: limits (限项). A call may cap the applications per organisation, refuse
organisations with a project overdue for acceptance and cap their open projects; a submission
beyond them is 409 naming the rule and the projects that count; staff may override one
application with a reason (audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from applications.enums import ApplicationStatus as S
from applications.models import Application
from audit.models import AuditEntry
from tests.integrity.test_credit_records import api, draft, page

pytestmark = pytest.mark.django_db

SUBMIT = {"pledge": True}


def submit(user: Any, app: Application) -> Any:
    return api(user).post(f"/api/applications/{app.pk}/submit/", SUBMIT, format="json")


def project(call: Any, applicant: Any, title: str, status: str, end: dt.date | None = None) -> Application:
    app = draft(call, applicant)
    Application.objects.filter(pk=app.pk).update(title=title, status=status, end_date=end)
    app.refresh_from_db()
    return app


def test_applications_per_organisation_refuses_the_one_beyond_naming_those_that_count(call, applicant, other_applicant):
    call.max_applications_per_organisation = 1
    call.save()
    first = draft(call, applicant)
    assert submit(applicant, first).status_code == 200
    second = draft(call, applicant)
    refused = submit(applicant, second)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "limit of 1 applications per organisation" in detail and f"({first.pk})" in detail
    # Another organisation is not held to this one's count.
    assert submit(other_applicant, draft(call, other_applicant)).status_code == 200


def test_a_project_overdue_for_acceptance_refuses_when_the_call_says_so(call, applicant, settings):
    """Overdue is the one rule (``aftergrant.selectors.acceptance_overdue_q``): ended more than
    the acceptance window ago and still owing its file."""
    settings.PINGSHEN_ACCEPTANCE_WINDOW_DAYS = 90
    today = timezone.localdate()
    late = project(call, applicant, "逾期项目", S.CONTRACTED, end=today - dt.timedelta(days=91))
    project(call, applicant, "待验收项目", S.CONTRACTED, end=today - dt.timedelta(days=89))
    project(call, applicant, "在研项目", S.CONTRACTED, end=today + dt.timedelta(days=30))
    app = draft(call, applicant)
    call.block_overdue_acceptance = True
    call.save()
    refused = submit(applicant, app)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "overdue acceptance" in detail and "逾期项目" in detail and f"({late.pk})" in detail
    assert "在研项目" not in detail and "待验收项目" not in detail
    call.block_overdue_acceptance = False
    call.save()
    assert submit(applicant, app).status_code == 200


def test_open_projects_per_organisation(call, applicant):
    project(call, applicant, "甲项目", S.FUNDED)
    project(call, applicant, "乙项目", S.ACCEPTANCE_SUBMITTED)
    project(call, applicant, "已结题", S.CLOSED)
    call.max_open_projects_per_organisation = 2
    call.save()
    refused = submit(applicant, draft(call, applicant))
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "open projects" in detail and "甲项目" in detail and "乙项目" in detail and "已结题" not in detail


def test_staff_override_one_application_with_a_reason(call, applicant, staff, panel):
    call.max_applications_per_organisation = 1
    call.save()
    submit(applicant, draft(call, applicant))
    app = draft(call, applicant)
    assert submit(applicant, app).status_code == 409
    url = f"/api/applications/{app.pk}/limits-override/"
    assert api(applicant).post(url, {"reason": "x"}).status_code == 403
    assert api(panel).post(url, {"reason": "x"}).status_code == 403
    assert api(staff).post(url, {"reason": " "}).status_code == 400
    assert api(staff).post("/api/applications/999999/limits-override/", {"reason": "x"}).status_code == 404
    assert api(staff).post(url, {"reason": "县重点产业链项目，经局务会同意"}).status_code == 200
    entry = AuditEntry.objects.get(action="application.limits_override", target_id=app.pk)
    assert entry.comment == "县重点产业链项目，经局务会同意" and "per organisation" in entry.data["refusal"]
    assert submit(applicant, app).status_code == 200
    # Once submitted, there is nothing left to override.
    assert api(staff).post(url, {"reason": "再次"}).status_code == 409


def test_the_override_page(call, applicant, staff):
    call.max_applications_per_organisation = 1
    call.save()
    submit(applicant, draft(call, applicant))
    app = draft(call, applicant)
    assert page(applicant).get(f"/applications/{app.pk}/limits-override/").status_code == 403
    # Beyond the limit the draft's page names the rule instead of offering Submit.
    submit_form = f'action="/applications/{app.pk}/submit/"'
    with translation.override("en"):
        refused = page(applicant).get(f"/applications/{app.pk}/").content.decode()
    assert "per organisation" in refused and submit_form not in refused
    client = page(staff)
    shown = client.get(f"/applications/{app.pk}/limits-override/").content.decode()
    assert "per organisation" in shown and app.title in shown
    assert client.post(f"/applications/{app.pk}/limits-override/", {"reason": ""}).status_code == 200
    assert client.post(f"/applications/{app.pk}/limits-override/", {"reason": "特批"}).status_code == 302
    app.refresh_from_db()
    assert app.limits_override_reason == "特批"
    assert submit_form in page(applicant).get(f"/applications/{app.pk}/").content.decode()  # overridden
    refused_page = page(applicant).post(f"/applications/{app.pk}/submit/", {"pledge": "on"})
    assert refused_page.status_code == 302
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_limits_on_the_call_api_and_the_call_form(staff, programme):
    from tests.conftest import CRITERIA
    from tests.pages.test_setup_pages import CALL_POST

    body = {
        "programme": programme.pk,
        "title": "2017年度第一批",
        "year": 2017,
        "opens_at": "2017-01-01T00:00:00Z",
        "closes_at": "2017-03-01T00:00:00Z",
        "budget_yuan": "1000000",
        "max_request_yuan": "500000",
        "tranches": [60, 40],
        "criteria": CRITERIA,
        "max_applications_per_organisation": 2,
        "block_overdue_acceptance": True,
    }
    created = api(staff).post("/api/calls/", body, format="json")
    assert created.status_code == 201
    call = api(staff).get(f"/api/calls/{created.json()['id']}/").json()
    assert (call["max_applications_per_organisation"], call["block_overdue_acceptance"]) == (2, True)
    assert call["max_open_projects_per_organisation"] is None
    bad = api(staff).post("/api/calls/", {**body, "max_applications_per_organisation": 0}, format="json")
    assert bad.status_code == 400 and "max_applications_per_organisation" in bad.json()

    client = page(staff)
    form = client.get("/calls/new/").content.decode()
    assert 'name="max_applications_per_organisation"' in form and 'name="block_overdue_acceptance"' in form
    post = {**CALL_POST, "programme": programme.pk, "max_open_projects_per_organisation": "3"}
    assert client.post("/calls/new/", post).status_code == 302
    from applications.models import Call

    made = Call.objects.get(title=CALL_POST["title"])
    assert (made.max_open_projects_per_organisation, made.max_applications_per_organisation) == (3, None)
    edit = client.get(f"/calls/{made.pk}/edit/").content.decode()
    assert 'name="max_open_projects_per_organisation"' in edit and 'value="3"' in edit
