"""A higher-level call through the pages: staff record it, a unit applies with the usual form,
staff accept it and send it to the panel (within the quota), the panel recommends, staff record
the outcome, finance approve (two people) and pay the matching funds; the commissioners' pages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.enums import ApplicationStatus as S
from applications.models import Application
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from tests.conftest import PASSWORD
from upward import services as upward_services
from upward.models import Assessment, Commissioner, UpperCall

pytestmark = pytest.mark.django_db

DRAFT = {
    "title": "楠溪江无公害特色农业基地建设研究与示范",
    "field": "agriculture",
    "summary": "建设无公害特色农业示范基地。",
    "requested_yuan": "300000.00",
    "self_funding_yuan": "300000.00",
    "start_date": "2016-07-01",
    "end_date": "2017-12-31",
}


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def ok(response: Any) -> Any:
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def test_a_higher_level_call_through_the_pages(staff, applicant, panel, finance_officer, finance_head, programme):
    staff_c, applicant_c, panel_c = client_for(staff), client_for(applicant), client_for(panel)
    closes = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "title": "2016年度省级科技特派员项目",
        "level": "province",
        "programme": programme.pk,
        "year": "2016",
        "quota": "2",
        "closes_at": closes,
        "commissioner": "on",
    }
    assert staff_c.get(reverse("upper-call-create")).status_code == 200
    ok(staff_c.post(reverse("upper-call-create"), form))
    upper = UpperCall.objects.get(call__title=form["title"])
    assert upper.commissioner and upper.quota == 2

    listing = applicant_c.get(reverse("upper-calls")).content.decode()
    assert reverse("application-create", args=[upper.call_id]) in listing
    ok(applicant_c.post(reverse("application-create", args=[upper.call_id]), DRAFT))
    app = Application.objects.get(title=DRAFT["title"])
    ok(applicant_c.post(reverse("application-submit", args=[app.pk]), {"pledge": "on"}))
    ok(staff_c.post(reverse("formal-review", args=[app.pk]), {"decision": "accept", "comment": ""}))

    from applications.services import call_close

    call_close(call=upper.call, actor=staff)  # the deadline passed: nobody else applied
    page = staff_c.get(reverse("upper-call", args=[upper.pk])).content.decode()
    assert reverse("upper-to-panel", args=[app.pk]) in page
    ok(staff_c.post(reverse("upper-to-panel", args=[app.pk])))
    page = panel_c.get(reverse("upper-call", args=[upper.pk]))
    assert page.context["recommend_form"] is not None
    reviewed = panel_c.get(reverse("application-detail", args=[app.pk]))
    assert "decision" not in reviewed.context["forms"]  # recommended with the call's others
    ok(panel_c.post(reverse("upper-recommend", args=[upper.pk]), {"items": [app.pk], "comment": "同意推荐"}))
    app.refresh_from_db()
    assert app.status == S.RECOMMENDED
    for client in (staff_c, panel_c, applicant_c):
        detail = client.get(reverse("application-detail", args=[app.pk]))
        assert detail.status_code == 200 and reverse("upper-call", args=[upper.pk]) in detail.content.decode()
        assert "decision" not in detail.context["forms"]

    outcome_url = reverse("upper-outcome", args=[app.pk])
    assert staff_c.get(outcome_url).status_code == 200
    shown = staff_c.post(outcome_url, {"funded": "1", "upper_yuan": "60000", "matching_yuan": "400000"})
    assert shown.status_code == 200 and shown.context["form"].errors["matching_yuan"]
    ok(staff_c.post(outcome_url, {"funded": "1", "upper_yuan": "60000", "matching_yuan": "20000"}))
    d = Disbursement.objects.get(application=app)
    ok(client_for(finance_officer).post(reverse("disbursement-approve", args=[d.pk])))
    ok(client_for(finance_head).post(reverse("disbursement-approve", args=[d.pk])))
    ok(client_for(finance_officer).post(reverse("disbursement-pay", args=[d.pk]), {"voucher": "PZ-2016-009"}))
    d.refresh_from_db()
    assert d.status == D.PAID and d.amount_yuan == 20000

    summary = staff_c.get(reverse("upper-summary-xlsx", args=[upper.pk]))
    assert summary.status_code == 200 and summary.content[:2] == b"PK"
    assert staff_c.get(reverse("upper-letter", args=[upper.pk])).content[:4] == b"%PDF"
    assert staff_c.get(reverse("upper-calls-xlsx")).status_code == 200


def test_commissioners_pages(staff, panel, applicant):
    staff_c = client_for(staff)
    form = {
        "name": "陈建华",
        "organisation": "浙江省农业科学院",
        "level": "province",
        "township": "沙头镇",
        "field": "agriculture",
        "term_start": "2016-01-01",
        "term_end": "2018-12-31",
    }
    ok(staff_c.post(reverse("commissioner-create"), form))
    commissioner = Commissioner.objects.get(name="陈建华")
    bad = staff_c.post(reverse("commissioner-create"), {**form, "term_end": "2015-01-01"})
    assert bad.status_code == 200 and bad.context["form"].errors["term_end"]
    ok(staff_c.post(reverse("commissioner", args=[commissioner.pk]), {**form, "township": "巽宅镇"}))
    commissioner.refresh_from_db()
    assert commissioner.township.name == "巽宅镇"
    assess = reverse("commissioner-assess", args=[commissioner.pk])
    ok(staff_c.post(assess, {"year": "2016", "result": "excellent", "comment": "驻点服务到位"}))
    ok(staff_c.post(assess, {"year": "2016", "result": "qualified"}))  # again: refused with a message
    assert list(Assessment.objects.values_list("result", flat=True)) == ["excellent"]
    listing = client_for(panel).get(reverse("commissioners"))
    assert "陈建华" in listing.content.decode()
    assert client_for(panel).post(reverse("commissioner-assess", args=[commissioner.pk]), {}).status_code == 403
    assert client_for(applicant).get(reverse("commissioners")).status_code == 403
    assert staff_c.get(reverse("commissioners-xlsx")).status_code == 200


def test_award_winners_put_forward_pages(staff, panel, applicant):
    staff_c = client_for(staff)
    body = {
        "title": "深海海底取样装置及阀门",
        "unit": "超达阀门集团股份有限公司",
        "level": "province",
        "award": "浙江省科学技术进步奖",
        "year": "2016",
    }
    ok(staff_c.post(reverse("awards-put-forward"), body))
    shown = staff_c.post(reverse("awards-put-forward"), {**body, "title": "", "unit": ""})
    assert shown.status_code == 200 and shown.context["form"].errors["title"]
    from upward.models import AwardPutForward

    item = AwardPutForward.objects.get()
    ok(staff_c.post(reverse("award-put-forward-outcome", args=[item.pk]), {"awarded": "1", "grade": "3"}))
    item.refresh_from_db()
    assert (item.outcome, item.grade) == ("awarded", 3)
    assert "超达阀门集团股份有限公司" in client_for(panel).get(reverse("awards-put-forward")).content.decode()
    assert client_for(applicant).get(reverse("awards-put-forward")).status_code == 403


def test_the_lists_filter_by_year_level_township_and_search(staff, panel, programme):
    now = timezone.now()
    for title, level, year in (
        ("2016年省级重大科技攻关项目", "province", 2016),
        ("2017年温州市科技计划", "city", 2017),
    ):
        upward_services.upper_call_create(
            actor=staff,
            level=level,
            programme=programme,
            title=title,
            year=year,
            quota=3,
            closes_at=now + dt.timedelta(days=9),
        )
    for name, township, level in (("陈建华", "沙头镇", "province"), ("李明", "巽宅镇", "city")):
        upward_services.commissioner_create(
            actor=staff,
            name=name,
            township=township,
            level=level,
            field="agriculture",
            term_start=dt.date(2016, 1, 1),
            term_end=dt.date(2018, 12, 31),
        )
    staff_c, panel_c = client_for(staff), client_for(panel)

    def titles(query: dict[str, Any]) -> list[str]:
        page = staff_c.get(reverse("upper-calls"), query).context["page"]
        return [u.call.title for u in page.object_list]

    assert titles({}) == ["2017年温州市科技计划", "2016年省级重大科技攻关项目"]
    assert titles({"level": "province"}) == ["2016年省级重大科技攻关项目"]
    assert titles({"year": "2017"}) == ["2017年温州市科技计划"]
    assert titles({"search": "温州"}) == ["2017年温州市科技计划"]
    assert titles({"level": "nowhere"}) == titles({})  # a value not offered filters nothing
    query = staff_c.get(reverse("upper-calls"), {"level": "city", "page": "1"}).context["query"]
    assert query == "level=city"  # the pager and export links carry the filters, not the page

    def names(query: dict[str, Any]) -> list[str]:
        return [c.name for c in panel_c.get(reverse("commissioners"), query).context["page"].object_list]

    shatou = Commissioner.objects.get(name="陈建华").township_id
    assert names({"township": shatou}) == ["陈建华"]
    assert names({"level": "city"}) == ["李明"]
    assert names({"search": "巽宅"}) == ["李明"]
    sheet = load_workbook(io.BytesIO(staff_c.get(reverse("commissioners-xlsx"), {"level": "city"}).content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["李明"]


def test_staff_link_a_commissioner_to_a_project_and_read_the_townships(staff, panel, applicant, programme):
    now = timezone.now()
    upper = upward_services.upper_call_create(
        actor=staff,
        level="province",
        programme=programme,
        title="2016年度省级科技特派员项目",
        year=2016,
        quota=5,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
        commissioner=True,
    )
    applicant_c, staff_c = client_for(applicant), client_for(staff)
    ok(applicant_c.post(reverse("application-create", args=[upper.call_id]), DRAFT))
    app = Application.objects.get(title=DRAFT["title"])
    commissioner = upward_services.commissioner_create(
        actor=staff,
        name="陈建华",
        township="沙头镇",
        field="agriculture",
        term_start=dt.date(2016, 1, 1),
        term_end=dt.date(2018, 12, 31),
    )
    page = staff_c.get(reverse("commissioner", args=[commissioner.pk]))
    assert list(page.context["project_form"].fields["application"].queryset) == []  # a draft is not offered
    ok(applicant_c.post(reverse("application-submit", args=[app.pk]), {"pledge": "on"}))
    page = staff_c.get(reverse("commissioner", args=[commissioner.pk]))
    assert list(page.context["project_form"].fields["application"].queryset) == [app]
    link = reverse("commissioner-project-link", args=[commissioner.pk])
    assert client_for(panel).post(link, {"application": app.pk}).status_code == 403
    ok(staff_c.post(link, {"application": app.pk, "base": "沙头镇蔬菜绿色防控示范区"}))
    page = staff_c.get(reverse("commissioner", args=[commissioner.pk]))
    assert [p.application_id for p in page.context["projects"]] == [app.pk]
    assert "沙头镇蔬菜绿色防控示范区" in page.content.decode()

    townships = client_for(panel).get(reverse("townships"), {"year": "2016"})
    assert [(row.township, row.commissioners, row.projects) for row, _fields in townships.context["rows"]] == [
        ("沙头镇", ["陈建华"], 1)
    ]
    assert "<svg" in townships.content.decode()  # the chart by township
    sheet = load_workbook(io.BytesIO(staff_c.get(reverse("townships-xlsx"), {"year": "2016"}).content)).active
    assert list(sheet.iter_rows(min_row=2, values_only=True))[0][1:5] == ("沙头镇", 1, "陈建华", 1)
    assert client_for(applicant).get(reverse("townships")).status_code == 403
