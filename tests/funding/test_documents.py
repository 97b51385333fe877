"""Printable documents read back with pypdf: the funding notice and the award certificate carry
the right figures, in yuan and 万元, in the requester's language; only for funded items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from applications.enums import ApplicationStatus as S
from applications.models import Application
from core.errors import StateConflict
from funding.documents import award_certificate_pdf, funding_notice_pdf
from funding.models import Notice

from .conftest import decide_directly, pay_directly

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def big_call(call):
    call.budget_yuan = Decimal("20000000.00")
    call.max_request_yuan = Decimal("20000000.00")
    call.save()
    return call


@pytest.fixture
def funded(big_call, applicant, panel):
    """Batch 1's whole grant as one project: 18,472,425.00 yuan = 1847.2425 万元, paid 60 / 40."""
    app = Application.objects.create(
        call=big_call,
        applicant=applicant,
        organisation=applicant.organisation,
        title="高效节能阀门研发及产业化",
        field="manufacturing",
        requested_yuan=Decimal("18472425.00"),
        status=S.REVIEWED,
        start_date=dt.date(2016, 7, 1),
        end_date=dt.date(2018, 6, 30),
    )
    decide_directly(app, panel, "18472425.00")
    pay_directly(app, 1, "11083455.00")
    # Its public notice has run and closed: only then is there a funding notice (issue 14.5).
    notice = Notice.objects.create(call=big_call, published_by=panel, ends_at=timezone.now(), closed_at=timezone.now())
    notice.applications.add(app)
    return app


@pytest.fixture
def not_funded(call, applicant, panel):
    app = Application.objects.create(
        call=call,
        applicant=applicant,
        organisation=applicant.organisation,
        title="未获资助的项目",
        field="manufacturing",
        requested_yuan=Decimal("100000.00"),
        status=S.REVIEWED,
    )
    decide_directly(app, panel, None)
    return app


def test_funding_notice_carries_the_grant_in_yuan_and_wan_and_the_tranche_plan(funded):
    text = text_of(funding_notice_pdf(funded, language="en"))
    assert "Funding notice" in text
    assert "高效节能阀门研发及产业化" in text
    assert funded.organisation.name in text
    assert funded.call.title in text
    assert "18,472,425.00" in text
    assert "1847.2425" in text
    # 60 % and 40 %: the last tranche takes the remainder, so the two add up to the grant.
    assert "11,083,455.00" in text and "7,388,970.00" in text
    assert "Paid" in text and "not yet requested" in text
    assert "2016-07-01" in text


def test_funding_notice_follows_the_requesters_language(funded):
    zh = text_of(funding_notice_pdf(funded, language="zh-hans"))
    assert "县科学技术局" in zh  # the bureau, translated; the CJK font renders it
    assert "1847.2425" in zh and "18,472,425.00" in zh
    assert "2016年7月1日" in zh
    with translation.override("zh-hans"):
        en = text_of(funding_notice_pdf(funded, language="en"))
    assert "County Science & Technology Bureau" in en


def test_no_funding_notice_for_an_item_that_was_not_funded(not_funded):
    with pytest.raises(StateConflict):
        funding_notice_pdf(not_funded, language="en")


def test_award_certificate_is_landscape_with_level_units_persons_and_bonus():
    content = award_certificate_pdf(
        year=2016,
        title="高效节能阀门关键技术研究与应用",
        level=2,
        units=["永嘉县东蒙集团有限公司", "浙江理工大学"],
        persons=[{"name": "张三"}, {"name": "李四"}, "王五"],
        bonus_yuan=Decimal("20000"),
        issued_on=dt.date(2016, 12, 20),
        language="en",
    )
    page = PdfReader(BytesIO(content)).pages[0]
    assert page.mediabox.width > page.mediabox.height
    text = page.extract_text()
    assert "Certificate of honour" in text and "Second prize" in text and "2016" in text
    assert "高效节能阀门关键技术研究与应用" in text
    assert "永嘉县东蒙集团有限公司, 浙江理工大学" in text
    assert "张三, 李四, 王五" in text
    assert "20,000.00" in text and "2.0000" in text
    assert "2016-12-20" in text
    zh = text_of(
        award_certificate_pdf(
            year=2016,
            title="某成果",
            level=1,
            units=["甲单位", "乙单位"],
            persons=["张三"],
            bonus_yuan=Decimal("30000.00"),
            issued_on=dt.date(2016, 12, 20),
            language="zh-hans",
        )
    )
    assert "甲单位、乙单位" in zh and "30,000.00" in zh and "3.0000" in zh and "2016年12月20日" in zh


def test_funding_notice_page_for_owner_staff_panel_and_finance_only(
    funded, not_funded, applicant, other_applicant, staff, panel, finance_officer, expert, page_client
):
    url = f"/applications/{funded.pk}/funding-notice.pdf"
    for user in (applicant, staff, panel, finance_officer):
        response = page_client(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert "18,472,425.00" in text_of(response.content)
    for user in (other_applicant, expert.user):
        assert page_client(user).get(url).status_code == 404
    assert page_client(applicant).get(f"/applications/{not_funded.pk}/funding-notice.pdf").status_code == 404
    # The funded application's page links to it.
    assert url in page_client(applicant).get(f"/applications/{funded.pk}/").content.decode()
    assert url not in page_client(applicant).get(f"/applications/{not_funded.pk}/").content.decode()


def test_funding_notice_api_answers_404_to_outsiders_and_409_when_not_funded(
    funded, not_funded, applicant, other_applicant, api_client
):
    response = api_client(applicant).get(
        f"/api/applications/{funded.pk}/funding-notice.pdf", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert "1847.2425" in text_of(response.content)
    assert api_client(other_applicant).get(f"/api/applications/{funded.pk}/funding-notice.pdf").status_code == 404
    refused = api_client(applicant).get(
        f"/api/applications/{not_funded.pk}/funding-notice.pdf", HTTP_ACCEPT="application/pdf"
    )
    assert refused.status_code == 409
    assert refused.json()["detail"]
