"""The demo year's upward work reads as the bureau's summary reports it: 35 projects above
the county for 525 万元 (3 / 11 / 15 provincial, 2 / 4 municipal), 13 provincial commissioner
projects for 75 万元 and 4 municipal ones for 45 万元, the two provincial award winners — and the
county's own figures stay as they were."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from applications.enums import ApplicationStatus as S
from applications.models import Application, Call
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from upward.models import Assessment, AwardPutForward, Commissioner, UpperCall
from workflow import steps

PASSWORD = "demo-pass-2026"


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        from applications.services import fields_seed

        fields_seed()
        call_command("load_demo", verbosity=0)
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def staff_client() -> Client:
    client = Client()
    assert client.login(username="demo_staff", password=PASSWORD)
    return client


def test_the_upper_report_reads_as_the_summary():
    body = staff_client().get("/api/reports/upper/?year=2016").json()
    assert (body["projects"], body["total_yuan"], body["total_wan"]) == (35, "5250000.00", "525.0000")
    levels = {row["level"]: row for row in body["by_level"]}
    assert (levels["province"]["projects"], levels["city"]["projects"]) == (29, 6)
    programmes = {row["programme"]: row["projects"] for row in body["by_programme"]}
    assert programmes == {
        "省级重大科技攻关项目": 3,
        "省级新产品试制计划项目": 11,
        "省级科技特派员项目": 15,
        "市级重大科技专项": 2,
        "市级科技特派员项目": 4,
    }
    commissioners = {row["level"]: (row["projects"], row["total_yuan"]) for row in body["commissioners"]["by_level"]}
    assert commissioners == {"province": (13, "750000.00"), "city": (4, "450000.00")}
    assert body["commissioners"]["commissioners"] == 19
    assert body["commissioners"]["bases"] == 17
    assert {t["township"] for t in body["commissioners"]["townships"]} >= {"沙头镇", "巽宅镇", "金溪镇"}
    winners = {(a["unit"], a["level"], a["grade"]) for a in body["awards_put_forward"] if a["outcome"] == "awarded"}
    assert ("浙江迦南科技股份有限公司", "province", 2) in winners
    assert ("超达阀门集团股份有限公司", "province", 3) in winners


def test_the_county_figures_are_unchanged():
    client = staff_client()
    for title, funded, wan in (
        ("2016年度第一批科技计划项目", 52, "1847.2425"),
        ("2016年度第二批科技计划项目", 39, "716.6540"),
    ):
        body = client.get(f"/api/calls/{Call.objects.get(title=title).pk}/report/").json()
        assert (body["funded"], body["total_approved_wan"]) == (funded, wan)
    county = client.get("/api/reports/programmes/?year=2016").json()
    assert county["funded"] == 91


def test_the_upward_year_went_through_the_steps():
    assert UpperCall.objects.filter(call__year=2016).count() == 5
    ranked = UpperCall.objects.get(call__title="2016年度省级新产品试制计划项目")
    items = Application.objects.filter(call=ranked.call)
    assert items.count() == 13 and items.filter(status=S.NOT_RECOMMENDED).count() == 2
    assert all(a.assignments.count() == 3 for a in items)
    for item in Application.objects.filter(call__kind="upper"):
        process = steps.process_of(item)
        assert {t.created.year for t in process.task_set.all()} <= {2016, 2017}
    matching = Disbursement.objects.filter(application__call__kind="upper")
    assert sorted(matching.values_list("status", flat=True)) == [D.OFFICER_APPROVED, D.PAID, D.PAID]
    for d in matching.filter(status=D.PAID):
        assert d.officer_id != d.head_id and d.amount_yuan == d.application.upper_outcome.matching_yuan
    assert Commissioner.objects.count() == 19
    assert Assessment.objects.filter(year=2016).count() == 19
    assert AwardPutForward.objects.filter(nomination__isnull=False, outcome="pending").count() == 1


def test_loading_again_changes_nothing():
    before = (Application.objects.count(), Commissioner.objects.count(), AwardPutForward.objects.count())
    call_command("load_demo", verbosity=0)
    assert (Application.objects.count(), Commissioner.objects.count(), AwardPutForward.objects.count()) == before


def test_the_public_figures_show_the_upward_year():
    page = Client().get("/figures/?year=2016").content.decode()
    assert "525.0000" in page
    assert Decimal("75") and "75.0000" in page


def test_the_county_follows_a_few_funded_projects():
    from upward.models import UpperAcceptance, UpperMilestone

    accepted = dict(UpperAcceptance.objects.values_list("application__title", "result"))
    assert accepted == {"深冷工况超低温阀门关键技术攻关": "passed", "沙头“大粒香”水稻良种示范基地建设": "failed"}
    assert UpperMilestone.objects.count() == 7 and UpperMilestone.objects.filter(done_at__isnull=True).count() == 2
    listed = staff_client().get("/api/upper-projects/?year=2016").json()
    assert listed["count"] == 35
    under_way = next(p for p in listed["results"] if p["title"] == "泵阀智能制造数字化车间关键技术")
    assert (under_way["milestones"], under_way["milestones_done"], under_way["acceptance"]) == (2, 1, None)
    townships = staff_client().get("/api/commissioners/townships/?year=2016").json()
    assert sum(len(t["commissioners"]) for t in townships) == 19
    assert sum(t["funded"] for t in townships) == 17  # the 13 provincial and 4 municipal commissioner projects
