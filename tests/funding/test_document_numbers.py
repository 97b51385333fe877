"""Issue 15.10: the funding notice carries the bureau's document number (文号), given to each
public notice sequentially per year, a seal area, and the deployment's bureau name."""

from __future__ import annotations

import pytest

from funding.documents import funding_notice_pdf
from funding.models import Notice
from tests.conftest import close_notice
from workflow import steps

from ..pages.test_dashboards import reviewed
from .test_documents import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(call, applicant, staff, panel, expert):
    application = reviewed(call, applicant, staff, [expert])
    steps.decide(application=application, actor=panel, fund=True, approved_yuan="250000.00")
    notice = steps.notice_publish(call=call, actor=staff)
    application.refresh_from_db()
    return application, notice


def test_notices_are_numbered_in_sequence_within_the_call_year(published, call, staff, settings):
    settings.PINGSHEN_DOCUMENT_PREFIX = "永科"
    _application, first = published
    assert (first.document_year, first.document_seq) == (2016, 1)
    assert first.document_number == "永科〔2016〕1号"
    Notice.objects.create(call=call, published_by=staff, ends_at=first.ends_at, document_year=2016, document_seq=11)
    close_notice(first, staff)
    from funding.services import _notice_create_numbered

    later = _notice_create_numbered(call=call, published_by=staff, ends_at=first.ends_at)
    assert later.document_number == "永科〔2016〕12号"


def test_funding_notice_shows_the_document_number_the_seal_area_and_the_bureau(published, settings):
    settings.PINGSHEN_DOCUMENT_PREFIX = "永科"
    settings.PINGSHEN_AUTHORITY_NAME = "永嘉县科学技术局"
    application, notice = published
    close_notice(notice, notice.published_by)  # the funding notice exists once the notice closed
    zh = text_of(funding_notice_pdf(application, language="zh-hans"))
    assert "永科〔2016〕1号" in zh
    assert "永嘉县科学技术局" in zh
    en_pdf = funding_notice_pdf(application, language="en")
    en = text_of(en_pdf)
    assert "永科〔2016〕1号" in en and "(seal)" in en
    from io import BytesIO

    from pypdf import PdfReader

    assert len(PdfReader(BytesIO(en_pdf)).pages) == 1  # the seal sits on the notice, not a page of its own
