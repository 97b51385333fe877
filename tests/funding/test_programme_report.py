"""A year's plan calls by programme: counts and money per programme, on a page with a chart,
as xlsx and through the API; other years and award rounds stay out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from applications.enums import ApplicationStatus as S
from applications.models import Application, Call, Programme
from funding.exports import programme_report_xlsx
from funding.selectors import programme_report

from .conftest import decide_directly, pay_directly

pytestmark = pytest.mark.django_db


def make_call(programme, year, batch, budget, **extra):
    now = timezone.now()
    return Call.objects.create(
        programme=programme,
        title=f"{year}年度第{batch}批 {programme.name}",
        year=year,
        batch=batch,
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        budget_yuan=Decimal(budget),
        max_request_yuan=Decimal("20000000.00"),
        tranches=[60, 40],
        **extra,
    )


def add(call, applicant, status, requested="100000.00"):
    return Application.objects.create(
        call=call,
        applicant=applicant,
        organisation=applicant.organisation,
        title=f"{call.title} {status}",
        field="manufacturing",
        requested_yuan=Decimal(requested),
        status=status,
    )


@pytest.fixture
def year_2016(programme, applicant, panel):
    """Industrial: two batches, 3 funded for 18,472,425.00; agricultural: one call, 1 funded."""
    agri = Programme.objects.create(code="agri", name="农业与科技特派员项目")
    batch1 = make_call(programme, 2016, 1, "20000000.00")
    batch2 = make_call(programme, 2016, 2, "8000000.00")
    agri_call = make_call(agri, 2016, 1, "1000000.00")
    old = make_call(programme, 2015, 1, "5000000.00")
    for call, amount in ((batch1, "18000000.00"), (batch1, "372425.00"), (batch2, "100000.00")):
        app = add(call, applicant, S.REVIEWED, amount)
        decide_directly(app, panel, amount)
    paid = Application.objects.get(call=batch1, requested_yuan=Decimal("18000000.00"))
    pay_directly(paid, 1, "10800000.00")
    decide_directly(add(batch2, applicant, S.REVIEWED), panel, None)
    add(batch1, applicant, S.DRAFT)
    add(batch2, applicant, S.IN_REVIEW)
    agri_app = add(agri_call, applicant, S.REVIEWED, "50000.00")
    decide_directly(agri_app, panel, "50000.00")
    pay_directly(agri_app, 1, "30000.00")
    decide_directly(add(old, applicant, S.REVIEWED, "999999.00"), panel, "999999.00")  # 2015: not in 2016
    return {"industrial": programme, "agri": agri}


def test_programme_report_groups_a_years_calls(year_2016):
    report = programme_report(2016)
    assert [r.programme.code for r in report.rows] == ["agri", "industrial"]
    agri, industrial = report.rows
    assert (industrial.calls, industrial.applications, industrial.submitted, industrial.funded) == (2, 6, 5, 3)
    assert industrial.approved_yuan == Decimal("18472425.00")
    assert str(industrial.approved_wan) == "1847.2425"
    assert industrial.disbursed_yuan == Decimal("10800000.00")
    assert industrial.budget_yuan == Decimal("28000000.00")
    assert (agri.calls, agri.applications, agri.funded, agri.approved_yuan) == (1, 1, 1, Decimal("50000.00"))
    assert report.approved_yuan == Decimal("18522425.00")
    assert str(report.approved_wan) == "1852.2425"
    assert report.disbursed_yuan == Decimal("10830000.00")
    assert (report.calls, report.applications, report.funded) == (3, 7, 4)


def test_award_rounds_are_not_plan_programmes(year_2016, applicant, panel):
    from applications.enums import CallKind

    award = make_call(year_2016["industrial"], 2016, 9, "500000.00", kind=CallKind.AWARD)
    add(award, applicant, S.SUBMITTED)
    report = programme_report(2016)
    assert report.calls == 3 and report.applications == 7


def test_programme_report_takes_four_queries_however_many_programmes(year_2016, django_assert_num_queries):
    with django_assert_num_queries(4):
        programme_report(2016)
    for i in range(5):
        make_call(Programme.objects.create(code=f"p{i}", name=f"计划{i}"), 2016, 1, "1000.00")
    with django_assert_num_queries(4):
        assert len(programme_report(2016).rows) == 7


def test_programme_report_xlsx_reads_back(year_2016):
    with translation.override("en"):
        sheet = load_workbook(BytesIO(programme_report_xlsx(programme_report(2016)))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Programme", "Code", "Calls")
    by_code = {r[1]: r for r in rows[1:]}
    industrial = by_code["industrial"]
    assert industrial[2:7] == (2, 28000000, 6, 5, 3)
    assert Decimal(str(industrial[7])) == Decimal("18472425.00")
    assert Decimal(str(industrial[8])) == Decimal("1847.2425")
    assert Decimal(str(industrial[9])) == Decimal("10800000")
    total = rows[-1]
    assert total[0] == "Total" and total[6] == 4
    assert Decimal(str(total[7])) == Decimal("18522425.00")
    assert Decimal(str(total[8])) == Decimal("1852.2425")


def test_programme_report_page_api_and_who_sees_them(
    year_2016, staff, finance_head, applicant, page_client, api_client
):
    page = page_client(finance_head).get("/reports/programmes/", {"year": "2016"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "农业与科技特派员项目" in html and "18,472,425.00" in html and "1847.2425" in html
    assert '<svg role="img"' in html
    assert page.context["years"] == [2016, 2015]
    download = page_client(staff).get("/reports/programmes.xlsx", {"year": "2015"})
    assert download.status_code == 200
    rows = list(load_workbook(BytesIO(download.content)).active.iter_rows(min_row=2, values_only=True))
    assert Decimal(str(rows[0][7])) == Decimal("999999.00")
    assert page_client(applicant).get("/reports/programmes/").status_code == 404

    body = api_client(staff).get("/api/reports/programmes/", {"year": 2016}).json()
    assert body["approved_yuan"] == "18522425.00" and body["approved_wan"] == "1852.2425"
    industrial = next(r for r in body["rows"] if r["code"] == "industrial")
    assert industrial["approved_wan"] == "1847.2425" and industrial["funded"] == 3
    assert api_client(staff).get("/api/reports/programmes/", {"year": "20x6"}).status_code == 400
    assert api_client(applicant).get("/api/reports/programmes/").status_code == 403
    xlsx = api_client(finance_head).get("/api/reports/programmes.xlsx", {"year": 2016})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
