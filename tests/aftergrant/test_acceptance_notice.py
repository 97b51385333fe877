"""The acceptance notice (验收结果公示) and the acceptance certificate (验收证书), issue 17.3:
passed projects go on a public notice of their own kind, anyone may object; an objection
upheld sets the pass aside for a new decision; when the notice closes the final tranche is
requested and the certificate can be printed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from applications.enums import ApplicationStatus as S
from audit.models import AuditEntry
from funding.enums import NoticeKind
from funding.models import AcceptanceReport, Disbursement, Notice
from tests.conftest import acceptance_passed, api_key, close_notice, make_expert, notice_window_passed
from workflow import steps
from workflow.tasks import close_due_notices

from .conftest import pay

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


@pytest.fixture
def passed(project, applicant, staff, org_expert, org_other, finance_officer, finance_head):
    """The 250,000 yuan project, first tranche (150,000) paid, its acceptance passed by three
    experts, waiting for the acceptance notice."""
    pay(Disbursement.objects.get(application=project, tranche=1), finance_officer, finance_head, "PZ-1")
    for n in range(4):
        make_expert(f"acceptor{n}", org_expert if n % 2 else org_other)
    acceptance_passed(project, applicant, staff, notice_closed=False)
    project.refresh_from_db()
    return project


def test_publish_close_pays_the_final_tranche_and_issues_the_certificate(
    passed, applicant, other_applicant, staff, panel, finance_officer, finance_head
):
    app = passed
    cert = f"/api/applications/{app.pk}/acceptance-certificate.pdf"
    # Only staff publish; before the notice there is no certificate.
    assert api(panel).post(f"/api/calls/{app.call_id}/acceptance-notice/").status_code == 403
    assert api(applicant).get(cert).status_code == 409
    published = api(staff).post(f"/api/calls/{app.call_id}/acceptance-notice/")
    assert published.status_code == 201, published.json()
    notice = Notice.objects.get(pk=published.json()["id"])
    assert notice.kind == NoticeKind.ACCEPTANCE and list(notice.applications.all()) == [app]
    assert notice.document_number  # numbered like every notice of the bureau
    # One at a time; and once published, nothing more waits.
    again = api(staff).post(f"/api/calls/{app.call_id}/acceptance-notice/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "still open" in again.json()["detail"]
    # Anyone reads it; the decision notice's items are unchanged by it.
    public = APIClient().get(f"/api/notices/{notice.pk}/").json()
    assert public["kind"] == "acceptance"
    assert [(i["item"], i["set_aside"]) for i in public["items"]] == [(app.pk, False)]
    with translation.override("zh-hans"):
        page = Client().get(f"/notices/{notice.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "验收结果公示" in page.content.decode() and "通过验收" in page.content.decode()
    # Nothing closes before the window has run; the final tranche waits for the close.
    assert api(staff).post(f"/api/notices/{notice.pk}/close/").status_code == 409
    assert not Disbursement.objects.filter(application=app, tranche=2).exists()
    assert api(applicant).get(cert).status_code == 409

    notice_window_passed(notice)
    assert close_due_notices() == 1  # the beat closes it, as it closes decision notices
    final = Disbursement.objects.get(application=app, tranche=2)
    report = AcceptanceReport.objects.filter(application=app, result="pass").get()
    assert final.amount_yuan == report.final_tranche_yuan == Decimal("100000.00")  # min(100,000, 250,000 − 150,000)
    pay(final, finance_officer, finance_head, "PZ-2")
    app.refresh_from_db()
    assert app.status == S.CLOSED
    assert sum(d.amount_yuan for d in Disbursement.objects.filter(application=app, status="paid")) == Decimal(
        "250000.00"
    )

    # The certificate: the applicant and staff; another applicant never sees it.
    pdf = api(applicant).get(cert)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert api(staff).get(cert).status_code == 200
    assert api(other_applicant).get(cert).status_code == 404
    client = Client()
    client.force_login(applicant)
    assert client.get(f"/applications/{app.pk}/acceptance-certificate.pdf").status_code == 200
    client.force_login(other_applicant)
    assert client.get(f"/applications/{app.pk}/acceptance-certificate.pdf").status_code == 404


def test_an_upheld_objection_sets_the_pass_aside_for_a_new_decision(passed, applicant, staff):
    app = passed
    notice = steps.acceptance_notice_publish(call=app.call, actor=staff)
    filed = APIClient().post(
        f"/api/notices/{notice.pk}/objections/",
        {"item": app.pk, "text": "验收材料中的检测报告系伪造。", "name": "张三", "contact": "13800000000"},
        format="json",
    )
    assert filed.status_code == 201, filed.json()
    # An open objection holds the close.
    notice_window_passed(notice)
    assert api(staff).post(f"/api/notices/{notice.pk}/close/").status_code == 409
    upheld = api(staff).post(
        f"/api/objections/{filed.json()['id']}/resolve/",
        {"upheld": True, "resolution": "检测报告经核实不实。"},
        format="json",
    )
    assert upheld.status_code == 200, upheld.json()
    app.refresh_from_db()
    # Not terminated as a decision notice's item would be: the pass is set aside, staff decide again.
    assert app.status == S.ACCEPTANCE_SUBMITTED
    report = AcceptanceReport.objects.filter(application=app).latest("submitted_at")
    assert (report.result, report.notice_id, report.decided_at) == ("", None, None)
    trail = AuditEntry.objects.filter(action="acceptance.set_aside", target_id=app.pk).get()
    assert trail.data["notice"] == notice.pk
    public = APIClient().get(f"/api/notices/{notice.pk}/").json()
    assert [(i["item"], i["set_aside"]) for i in public["items"]] == [(app.pk, True)]
    # Closing the notice pays nothing for the set-aside project.
    assert api(staff).post(f"/api/notices/{notice.pk}/close/").status_code == 200
    assert not Disbursement.objects.filter(application=app, tranche=2).exists()
    assert api(applicant).get(f"/api/applications/{app.pk}/acceptance-certificate.pdf").status_code == 409

    # Staff decide again (the experts' scores stand): a fail ends it, nothing is paid.
    failed = api(staff).post(
        f"/api/applications/{app.pk}/acceptance-decision/",
        {"result": "fail", "comment": "检测报告不实，验收不通过。"},
        format="json",
    )
    assert failed.status_code == 200, failed.json()
    app.refresh_from_db()
    assert app.status == S.FAILED
    assert not Disbursement.objects.filter(application=app, tranche=2).exists()


def test_a_pass_set_aside_and_given_again_goes_on_the_next_notice(passed, applicant, staff):
    app = passed
    notice = steps.acceptance_notice_publish(call=app.call, actor=staff)
    objection = steps.objection_file(
        notice=notice, address="10.0.0.1", application_id=app.pk, text="有疑问", name="李四", contact="li@example.cn"
    )
    steps.objection_resolve(objection=objection, actor=staff, upheld=True, resolution="需重新审议。")
    close_notice(notice, staff)
    steps.acceptance_decide(application=app, actor=staff, result="pass", comment="复核后同意通过。")
    second = steps.acceptance_notice_publish(call=app.call, actor=staff)
    assert second.pk != notice.pk and list(second.applications.all()) == [app]
    close_notice(second, staff)
    assert Disbursement.objects.filter(application=app, tranche=2).exists()
    assert api(applicant).get(f"/api/applications/{app.pk}/acceptance-certificate.pdf").status_code == 200


def test_the_call_page_offers_the_acceptance_notice_only_while_one_waits(passed, staff):
    app = passed
    client = Client()
    client.force_login(staff)
    with translation.override("en"):
        page = client.get(f"/calls/{app.call_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Publish 1 passed acceptance on a notice" in page
        posted = client.post(f"/calls/{app.call_id}/publish-acceptance-notice/", HTTP_ACCEPT_LANGUAGE="en")
        notice = Notice.objects.get(kind=NoticeKind.ACCEPTANCE)
        assert posted.status_code == 302 and posted["Location"] == f"/notices/{notice.pk}/"
        page = client.get(f"/calls/{app.call_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "passed acceptance on a notice" not in page
        assert "Acceptance notice of" in page
