"""The mid-term check through the API and the pages, as integrations and people use them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from aftergrant.enums import MidtermStatus as M
from aftergrant.models import ContractVersion, MidtermReport
from funding.models import Disbursement
from tests.conftest import PASSWORD, api_key

from .conftest import pay, report_data

pytestmark = pytest.mark.django_db(transaction=True)


def api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def browser(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def reporting(midterm_project, finance_officer, finance_head):
    """The first tranche is paid: the first mid-term report is open."""
    pay(Disbursement.objects.get(application=midterm_project, tranche=1), finance_officer, finance_head, "PZ-1")
    return midterm_project


def test_api_report_decide_and_read(reporting, applicant, other_applicant, staff):
    url = f"/api/applications/{reporting.pk}/"
    data = report_data(reporting)
    assert api(other_applicant).post(url + "midterm-report/", data, format="json").status_code == 404
    assert api(staff).post(url + "midterm-report/", data, format="json").status_code == 403
    response = api(applicant).post(url + "midterm-report/", data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"
    assert api(applicant).post(url + "midterm-report/", data, format="json").status_code == 409
    assert api(applicant).post(url + "midterm-decision/", {"result": "pass"}, format="json").status_code == 403
    bad = api(staff).post(url + "midterm-decision/", {"result": "conditional", "comment": "补"}, format="json")
    assert bad.status_code == 400 and "fix_by" in bad.json()
    fix_by = f"{timezone.localdate() + dt.timedelta(days=20):%Y-%m-%d}"
    response = api(staff).post(
        url + "midterm-decision/", {"result": "conditional", "comment": "补充", "fix_by": fix_by}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"id": response.json()["id"], "status": "conditional", "result": "conditional"}
    reports = api(applicant).get(url + "midterm/").json()
    assert [(r["round"], r["attempt"], r["status"]) for r in reports] == [(1, 1, "conditional"), (1, 2, "open")]
    assert reports[0]["fix_by"] == fix_by
    assert reports[0]["spent"][1] == {
        "line": "materials",
        "county_yuan": "20000.50",
        "own_yuan": "0.00",
        "other_yuan": "0.00",
    }
    assert api(other_applicant).get(url + "midterm/").status_code == 404


def test_api_bad_report_names_the_fields(reporting, applicant):
    url = f"/api/applications/{reporting.pk}/midterm-report/"
    response = api(applicant).post(url, {"progress": [], "spent": [{"line": "gold"}]}, format="json")
    assert response.status_code == 400
    assert {"progress", "spent", "problems"} <= set(response.json())
    data = report_data(reporting)
    data["progress"] = data["progress"][:1]
    response = api(applicant).post(url, data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"progress"}
    data = report_data(reporting)
    data["spent"][0]["county_yuan"] = "12.345"
    response = api(applicant).post(url, data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"spent"}


def test_api_call_takes_the_midterm_settings(programme, staff):
    body = {
        "programme": programme.pk,
        "title": "2017年度第一批科技计划项目",
        "year": 2017,
        "opens_at": "2030-03-01T00:00:00+08:00",
        "closes_at": "2030-04-01T00:00:00+08:00",
        "budget_yuan": "1000000.00",
        "max_request_yuan": "500000.00",
        "tranches": [40, 30, 30],
        "criteria": [{"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100}],
    }
    client = api(staff)
    response = client.post("/api/calls/", body, format="json")
    assert response.status_code == 400 and "tranches" in response.json()
    response = client.post("/api/calls/", {**body, "midterm": True, "midterm_months": 0}, format="json")
    assert response.status_code == 400 and "midterm_months" in response.json()
    response = client.post("/api/calls/", {**body, "midterm": True, "tranches": [60, 40]}, format="json")
    assert response.status_code == 400 and "tranches" in response.json()
    response = client.post("/api/calls/", {**body, "midterm": True, "midterm_months": 9}, format="json")
    assert response.status_code == 201, response.json()
    call = client.get(f"/api/calls/{response.json()['id']}/").json()
    assert (call["midterm"], call["midterm_months"], call["tranches"]) == (True, 9, [40, 30, 30])
    assert call["midterm_checks"] is None  # one per middle tranche


@pytest.mark.parametrize(
    "terms",
    [
        {"midterm_checks": 2},  # a call without a mid-term check
        {"midterm": True, "midterm_checks": 0},
        {"midterm": True, "midterm_checks": 7},
        {"midterm": True, "midterm_checks": 1, "tranches": [40, 20, 20, 20]},  # two middle tranches
    ],
)
def test_api_call_refuses_a_number_of_checks_it_cannot_hold(programme, staff, terms):
    body = {
        "programme": programme.pk,
        "title": "2017年度第一批科技计划项目",
        "year": 2017,
        "opens_at": "2030-03-01T00:00:00+08:00",
        "closes_at": "2030-04-01T00:00:00+08:00",
        "budget_yuan": "1000000.00",
        "max_request_yuan": "500000.00",
        "tranches": [60, 40],
        "criteria": [{"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100}],
    }
    if terms.get("midterm"):
        body["tranches"] = [40, 30, 30]
    with translation.override("en"):
        response = api(staff).post("/api/calls/", {**body, **terms}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"midterm_checks"}, response.json()


def test_api_call_takes_more_checks_than_middle_tranches(programme, staff):
    body = {
        "programme": programme.pk,
        "title": "2017年度第一批科技计划项目",
        "year": 2017,
        "opens_at": "2030-03-01T00:00:00+08:00",
        "closes_at": "2030-04-01T00:00:00+08:00",
        "budget_yuan": "1000000.00",
        "max_request_yuan": "500000.00",
        "tranches": [40, 30, 30],
        "midterm": True,
        "midterm_checks": 2,
        "criteria": [{"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100}],
    }
    client = api(staff)
    response = client.post("/api/calls/", body, format="json")
    assert response.status_code == 201, response.json()
    call = client.get(f"/api/calls/{response.json()['id']}/").json()
    assert (call["midterm_checks"], call["tranches"]) == (2, [40, 30, 30])


def test_pages_report_and_check(reporting, applicant, staff):
    version = ContractVersion.objects.get(application=reporting)
    targets = list(version.targets.all())
    owner = browser(applicant)
    detail = owner.get(reverse("application-detail", args=[reporting.pk]))
    assert reverse("midterm-report", args=[reporting.pk]) in detail.content.decode()
    page = owner.get(reverse("midterm-report", args=[reporting.pk]))
    assert page.status_code == 200 and f"achieved_{targets[0].pk}" in page.content.decode()
    form = {
        f"achieved_{targets[0].pk}": "1",
        f"achieved_{targets[1].pk}": "2",
        "county_equipment": "80,000.00",
        "own_equipment": "50000",
        "problems": "",
    }
    with translation.override("en"):
        again = owner.post(reverse("midterm-report", args=[reporting.pk]), form, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 200 and "problems" in again.context["form"].errors
    response = owner.post(reverse("midterm-report", args=[reporting.pk]), {**form, "problems": "无"})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = MidtermReport.objects.get(application=reporting)
    assert report.status == M.SUBMITTED
    assert report.spending.get(line="equipment").county_yuan == Decimal("80000.00")

    officer = browser(staff)
    check = officer.get(reverse("midterm-check", args=[reporting.pk]))
    assert check.status_code == 200 and "新产品" in check.content.decode()
    response = officer.post(reverse("midterm-check", args=[reporting.pk]), {"result": "pass", "comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == M.PASSED
    assert Disbursement.objects.filter(application=reporting, tranche=2).exists()
    assert owner.get(reverse("midterm-check", args=[reporting.pk])).status_code == 404


def test_overdue_list_and_xlsx(reporting, staff, applicant):
    MidtermReport.objects.filter(application=reporting).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    client = browser(staff)
    page = client.get(reverse("midterm-overdue"))
    assert page.status_code == 200 and reporting.title in page.content.decode()
    sheet = client.get(reverse("midterm-overdue") + "?format=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert browser(applicant).get(reverse("midterm-overdue")).status_code == 404


def test_report_page_stays_under_its_query_ceiling(reporting, applicant, django_assert_max_num_queries):
    owner = browser(applicant)
    owner.get(reverse("midterm-report", args=[reporting.pk]))  # warm caches (sessions, content types)
    with django_assert_max_num_queries(30):
        assert owner.get(reverse("midterm-report", args=[reporting.pk])).status_code == 200


def test_call_page_sets_the_midterm_and_refuses_a_plan_that_cannot_pay(programme, staff):
    from applications.models import Call
    from tests.pages.test_setup_pages import CALL_POST

    client = browser(staff)
    post = {**CALL_POST, "programme": programme.pk, "tranches": "40, 30, 30"}
    with translation.override("en"):
        page = client.post(reverse("call-create"), post, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "tranches" in page.context["form"].errors
    response = client.post(reverse("call-create"), {**post, "midterm": "on", "midterm_months": "9"})
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(title=CALL_POST["title"])
    assert (call.midterm, call.midterm_months, call.midterm_checks, call.tranches) == (True, 9, None, [40, 30, 30])
    copy = client.get(reverse("call-copy", args=[call.pk])).context["form"]
    assert (copy.initial["midterm"], copy.initial["midterm_months"]) == (True, 9)


def test_call_page_sets_the_number_of_checks_and_the_copy_keeps_it(programme, staff):
    from applications.models import Call
    from tests.pages.test_setup_pages import CALL_POST

    client = browser(staff)
    post = {**CALL_POST, "programme": programme.pk, "tranches": "40, 30, 30", "midterm": "on", "midterm_months": "6"}
    with translation.override("en"):
        page = client.post(reverse("call-create"), {**post, "midterm_checks": "7"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "midterm_checks" in page.context["form"].errors
    response = client.post(reverse("call-create"), {**post, "midterm_checks": "2"})
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(title=CALL_POST["title"])
    assert (call.midterm_checks, call.tranches) == (2, [40, 30, 30])
    copy = client.get(reverse("call-copy", args=[call.pk])).context["form"]
    assert copy.initial["midterm_checks"] == 2
    edit = client.get(reverse("call-edit", args=[call.pk]))
    assert 'name="midterm_checks"' in edit.content.decode() and edit.context["form"].initial["midterm_checks"] == 2


def test_the_project_page_shows_what_the_last_report_said(reporting, applicant, staff):
    """Targets beside the progress last reported, budget lines beside the spending last
    reported (issue 16.4): nothing before a report, the re-report's figures after it."""
    url = reverse("project", args=[reporting.pk])
    before = browser(applicant).get(url).context
    assert [row["achieved"] for row in before["targets"]] == [None, None] and before["spent_total"] is None
    api(applicant).post(f"/api/applications/{reporting.pk}/midterm-report/", report_data(reporting), format="json")
    fix_by = f"{timezone.localdate() + dt.timedelta(days=20):%Y-%m-%d}"
    body = {"result": "conditional", "comment": "补充", "fix_by": fix_by}
    api(staff).post(f"/api/applications/{reporting.pk}/midterm-decision/", body, format="json")
    again = report_data(reporting, achieved="2")
    again["spent"][0]["own_yuan"] = "70000"
    api(applicant).post(f"/api/applications/{reporting.pk}/midterm-report/", again, format="json")
    page = browser(staff).get(url)
    assert [row["achieved"] for row in page.context["targets"]] == [Decimal("2"), Decimal("2")]
    spent = {row["line"]: row["spent_yuan"] for row in page.context["lines"]}
    assert spent == {"equipment": Decimal("150000.00"), "materials": Decimal("20000.50"), "testing": None}
    assert page.context["spent_total"] == Decimal("170000.50") and "170,000.50" in page.content.decode()


def test_a_project_owing_its_midterm_report_is_overdue_in_the_project_list(reporting, staff):
    # The contract period runs another year: only the mid-term report can be overdue.
    ContractVersion.objects.filter(application=reporting).update(ends_on=timezone.localdate() + dt.timedelta(days=365))
    client = browser(staff)
    url = reverse("projects")
    assert reporting.title not in client.get(url, {"projects-overdue": "true"}).content.decode()
    MidtermReport.objects.filter(application=reporting).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    assert reporting.title in client.get(url, {"projects-overdue": "true"}).content.decode()
    assert reporting.title not in client.get(url, {"projects-overdue": "false"}).content.decode()


def test_the_project_page_says_which_checks_release_a_tranche(reporting, applicant):
    """Three tranches: one middle tranche; with two checks the page says the second releases none."""
    owner = browser(applicant)
    url = reverse("application-detail", args=[reporting.pk])
    with translation.override("en"):
        page = owner.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "One mid-term check, 6 months after the contract; a pass releases the next tranche." in page
    reporting.call.midterm_checks = 2
    reporting.call.save(update_fields=["midterm_checks"])
    with translation.override("en"):
        page = owner.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "2 mid-term checks, every 6 months after the contract; a pass of the first releases the next tranche, "
        "the later checks release none."
    ) in page
