"""A progress award round through the web pages, as each persona would click it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus as S
from applications.models import Application
from awards.services import award_round_create, round_report
from funding.models import Disbursement, Notice
from reviews.models import Assignment
from tests.conftest import notice_window_passed

from ..conftest import CRITERIA, make_expert
from ..pages.test_plan_project_pages import SCORES, client_for, ok
from .conftest import LEVELS

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "title": "瓯江流域水质在线监测系统",
    "field": "manufacturing",
    "summary": "建立瓯江流域水质在线监测网络。",
    "units": "永嘉县东蒙集团有限公司\n温州大学",
    "persons": "王建国, 永嘉县东蒙集团有限公司, 总体设计\n李红",
}


def test_award_round_runs_through_the_pages(staff, nominator, panel, finance_officer, finance_head, org_expert):
    now = timezone.now()
    levels = [{**LEVELS[0], "quota": 1}, *LEVELS[1:]]
    award_round = award_round_create(
        actor=staff,
        title="2016年度科学技术进步奖",
        year=2016,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        levels=levels,
        criteria=CRITERIA,
        reviewers_per_item=1,
        min_reviews=1,
        blind=True,
    )
    experts = [make_expert(f"award_expert{i}", org_expert) for i in range(2)]
    nominator_c, staff_c, panel_c = client_for(nominator), client_for(staff), client_for(panel)

    # The nominator finds the open round and nominates two achievements.
    listing = nominator_c.get(reverse("award-rounds")).content.decode()
    assert reverse("award-nominate", args=[award_round.pk]) in listing
    ok(nominator_c.post(reverse("award-nominate", args=[award_round.pk]), FORM))
    ok(nominator_c.post(reverse("award-nominate", args=[award_round.pk]), {**FORM, "title": "高效节能阀门"}))
    first, second = Application.objects.filter(call=award_round).order_by("pk")
    assert first.units == ["永嘉县东蒙集团有限公司", "温州大学"]
    assert first.persons == [
        {"name": "王建国", "organisation": "永嘉县东蒙集团有限公司", "role": "总体设计"},
        {"name": "李红"},
    ]
    bad = nominator_c.post(reverse("award-nominate", args=[award_round.pk]), {**FORM, "units": " ", "title": "空"})
    assert bad.status_code == 200 and not Application.objects.filter(title="空").exists()
    upload = SimpleUploadedFile("推荐书.pdf", b"%PDF-1.4 x\n", content_type="application/pdf")
    ok(nominator_c.post(reverse("attachment-upload", args=[first.pk]), {"file": upload}))
    for n in (first, second):
        ok(nominator_c.post(reverse("award-nomination-submit", args=[n.pk])))

    # Staff return the first for revision; the nominator changes the persons and resubmits.
    review_url = reverse("award-nomination-formal-review", args=[first.pk])
    ok(staff_c.post(review_url, {"decision": "return", "comment": "补充完成人贡献"}))
    page = nominator_c.get(reverse("award-nomination", args=[first.pk])).content.decode()
    assert "补充完成人贡献" in page
    ok(nominator_c.post(reverse("award-nomination-edit", args=[first.pk]), {**FORM, "persons": "王建国\n李红\n陈明"}))
    ok(nominator_c.post(reverse("award-nomination-submit", args=[first.pk])))
    for n in (first, second):
        ok(staff_c.post(reverse("award-nomination-formal-review", args=[n.pk]), {"decision": "accept", "comment": ""}))

    # The draw page of calls serves the round; each expert scores without seeing who nominated.
    ok(staff_c.post(reverse("call-draw", args=[award_round.pk]), {"seed": "pages"}))
    for assignment in Assignment.objects.filter(application__call=award_round).select_related("expert__user"):
        expert_c = client_for(assignment.expert.user)
        page = expert_c.get(reverse("review-detail", args=[assignment.pk])).content.decode()
        for name in ("永嘉县东蒙集团有限公司", "王建国", "李红"):
            assert name not in page
        ok(expert_c.post(reverse("review-accept", args=[assignment.pk]), {"no_conflict": "on"}))
        scores = SCORES if assignment.application_id == first.pk else {**SCORES, "scores_innovation": "50"}
        ok(
            expert_c.post(
                reverse("review-submit", args=[assignment.pk]), {**scores, "comment": "好", "recommendation": "support"}
            )
        )
    assert set(Application.objects.filter(call=award_round).values_list("status", flat=True)) == {S.REVIEWED}
    assert experts  # the pool the draw chose from

    # The committee page: ranking, places left per level, the chart; level 1 has one place.
    committee = panel_c.get(reverse("award-committee", args=[award_round.pk]))
    html = committee.content.decode()
    assert html.index(first.title) < html.index(second.title)
    assert "<svg" in html
    ok(panel_c.post(reverse("award-decide", args=[first.pk]), {"level": "1", "comment": "领先"}))
    # Level 1 is full: the committee page no longer offers it (issue 15.6); sent anyway, 409.
    choices = panel_c.get(reverse("award-committee", args=[award_round.pk])).context["rows"]
    offered = {value for _row, form in choices if form for value, _label in form.fields["level"].choices}
    assert offered == {"", "2", "3"}
    refused = panel_c.post(reverse("award-decide", args=[second.pk]), {"level": "1"}, follow=True)
    assert "quota" in refused.content.decode() or "名额" in refused.content.decode()
    second.refresh_from_db()
    assert second.status == S.REVIEWED
    ok(panel_c.post(reverse("award-decide", args=[second.pk]), {"level": "3"}))
    assert client_for(nominator).get(reverse("award-committee", args=[award_round.pk])).status_code == 404

    # Staff publish the notice and close it: the awards are granted, the bonuses requested.
    ok(staff_c.post(reverse("award-notice-publish", args=[award_round.pk])))
    notice = Notice.objects.get(call=award_round)
    public = client_for(nominator).get(reverse("notice", args=[notice.pk])).content.decode()
    assert first.title in public
    notice_window_passed(notice)
    ok(staff_c.post(reverse("award-notice-close", args=[notice.pk])))
    bonuses = list(Disbursement.objects.filter(application__call=award_round).order_by("application_id"))
    assert [(d.application_id, d.amount_yuan) for d in bonuses] == [
        (first.pk, Decimal("30000.00")),
        (second.pk, Decimal("10000.00")),
    ]

    # Finance approve in two steps and pay; the nominations close.
    officer_c, head_c = client_for(finance_officer), client_for(finance_head)
    for d in bonuses:
        ok(officer_c.post(reverse("disbursement-approve", args=[d.pk])))
        ok(head_c.post(reverse("disbursement-approve", args=[d.pk])))
        ok(officer_c.post(reverse("disbursement-pay", args=[d.pk]), {"voucher": f"JL-{d.pk}"}))
    assert set(Application.objects.filter(call=award_round).values_list("status", flat=True)) == {S.CLOSED}

    # The report adds up, on the page and in the spreadsheet.
    report = round_report(award_round)
    assert report.total_yuan == report.requested_yuan == report.paid_yuan == Decimal("40000.00")
    page = staff_c.get(reverse("award-report", args=[award_round.pk])).content.decode()
    assert "40,000.00" in page
    xlsx = staff_c.get(reverse("award-report-xlsx", args=[award_round.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    round_page = staff_c.get(reverse("award-round", args=[award_round.pk])).content.decode()
    assert first.title in round_page


def test_nominator_cannot_open_another_nominators_nomination(staff, nominator, applicant):
    now = timezone.now()
    award_round = award_round_create(
        actor=staff,
        title="2016年度科学技术进步奖",
        year=2016,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        levels=LEVELS,
        criteria=CRITERIA,
    )
    ok(client_for(nominator).post(reverse("award-nominate", args=[award_round.pk]), FORM))
    nomination = Application.objects.get(call=award_round)
    other = client_for(applicant)
    assert other.get(reverse("award-nomination", args=[nomination.pk])).status_code == 404
    assert other.get(reverse("award-nomination-edit", args=[nomination.pk])).status_code == 404
    assert other.post(reverse("award-nomination-submit", args=[nomination.pk])).status_code == 404
    assert other.get(reverse("award-report", args=[award_round.pk])).status_code == 404
