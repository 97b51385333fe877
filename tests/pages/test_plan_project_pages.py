"""The plan-project path driven through the web pages, as each persona would click it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from applications.enums import ApplicationStatus as S
from applications.models import Application
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement, Notice
from reviews.models import Assignment
from tests.conftest import PASSWORD, acceptance_passed, notice_window_passed
from tests.drafts import DRAFT_WITH_PERIOD as DRAFT
from tests.pages.formdata import form_data

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4 test attachment\n%%EOF\n"
SCORES = {"scores_innovation": "80", "scores_feasibility": "90", "scores_team": "70", "scores_benefit": "85"}


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def fill_contract_page(client: Client, app: Application) -> Any:
    """What an applicant sends from the contract page: its form as rendered (every budget
    line offered, the period the application's), filled with one target, the grant on one
    line written with thousands separators, one milestone and the tick."""
    url = reverse("contract-sign", args=[app.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), url)
    assert data["budget-0-line"] == "equipment" and data["starts_on"] == app.start_date.isoformat()
    data.update(
        {
            "targets-0-name": "新产品",
            "targets-0-unit": "项",
            "targets-0-value": "2",
            "budget-0-county_yuan": f"{app.approved_yuan:,.2f}",
            "budget-0-own_yuan": "300000",
            "milestones-0-name": "样机试制",
            "milestones-0-due": app.start_date.isoformat(),
            "accept_terms": "on",
        }
    )
    return ok(client.post(url, data))


def ok(response: Any) -> Any:
    """A step succeeded: redirected, and the page it leads to shows no error message."""
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def create_draft(client: Client, call: Any, **overrides: str) -> Application:
    response = ok(client.post(reverse("application-create", args=[call.pk]), {**DRAFT, **overrides}))
    application = Application.objects.get(title=overrides.get("title", DRAFT["title"]))
    assert response["Location"] == reverse("application-detail", args=[application.pk])
    return application


def test_plan_project_runs_from_draft_to_closed_through_the_pages(
    call, applicant, staff, expert, expert2, panel, finance_officer, finance_head
):
    people = {"王审一": expert, "李审二": expert2}
    for name, e in people.items():
        e.name = name
        e.save(update_fields=["name"])
        e.user.display_name = name
        e.user.save(update_fields=["display_name"])
    for name, user in {"赵科员": staff, "钱主任": panel, "孙财务": finance_head}.items():
        user.display_name = name
        user.save(update_fields=["display_name"])
    applicant_c, staff_c, panel_c = client_for(applicant), client_for(staff), client_for(panel)
    officer_c, head_c = client_for(finance_officer), client_for(finance_head)

    # The applicant sees the open call and starts a draft, uploads a PDF and submits.
    home = applicant_c.get("/")
    assert call.title in home.content.decode()
    assert reverse("application-create", args=[call.pk]) in home.content.decode()
    app = create_draft(applicant_c, call)
    upload = SimpleUploadedFile("可行性报告.pdf", PDF, content_type="application/pdf")
    ok(applicant_c.post(reverse("attachment-upload", args=[app.pk]), {"file": upload}))
    attachment = app.attachments.get()
    download = applicant_c.get(reverse("attachment-download", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert "%E5%8F%AF%E8%A1%8C%E6%80%A7%E6%8A%A5%E5%91%8A.pdf" in download["Content-Disposition"]
    ok(applicant_c.post(reverse("application-submit", args=[app.pk]), {"pledge": "on"}))
    app.refresh_from_db()
    assert app.status == S.SUBMITTED

    # Staff find it waiting and return it; the applicant revises and resubmits.
    assert app.title in staff_c.get("/").content.decode()
    ok(staff_c.post(reverse("formal-review", args=[app.pk]), {"decision": "return", "comment": "补充预算明细"}))
    app.refresh_from_db()
    assert app.status == S.RETURNED
    page = applicant_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert "补充预算明细" in page
    ok(applicant_c.post(reverse("application-edit", args=[app.pk]), {**DRAFT, "summary": "补充了预算明细。"}))
    ok(applicant_c.post(reverse("application-submit", args=[app.pk]), {"pledge": "on"}))
    app.refresh_from_db()
    assert (app.status, app.summary) == (S.SUBMITTED, "补充了预算明细。")

    # Staff accept, assign two experts and start the review.
    ok(staff_c.post(reverse("formal-review", args=[app.pk]), {"decision": "accept", "comment": ""}))
    detail = staff_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert expert.name in detail  # the choice list of active experts
    for e in (expert, expert2):
        ok(staff_c.post(reverse("assign-expert", args=[app.pk]), {"expert": e.pk}))
    ok(staff_c.post(reverse("start-review", args=[app.pk])))

    # Each expert sees only their own assignment, accepts and scores.
    for e in (expert, expert2):
        expert_c = client_for(e.user)
        assignment = Assignment.objects.get(application=app, expert=e)
        listing = expert_c.get(reverse("my-reviews")).content.decode()
        assert reverse("review-detail", args=[assignment.pk]) in listing
        other = Assignment.objects.exclude(pk=assignment.pk).get(application=app)
        assert expert_c.get(reverse("review-detail", args=[other.pk])).status_code == 404
        ok(expert_c.post(reverse("review-accept", args=[assignment.pk]), {"no_conflict": "on"}))
        page = expert_c.get(reverse("review-detail", args=[assignment.pk])).content.decode()
        assert 'max="100"' in page and "创新性" in page
        ok(
            expert_c.post(
                reverse("review-submit", args=[assignment.pk]),
                {**SCORES, "comment": "方案可行", "recommendation": "support"},
            )
        )
    app.refresh_from_db()
    assert app.status == S.REVIEWED

    # The panel sees the reviews' weighted totals (not the reviewers) and funds it.
    panel_home = panel_c.get("/").content.decode()
    assert app.title in panel_home
    detail = panel_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert "82.500" in detail
    assert "王审一" not in detail and "李审二" not in detail
    ok(panel_c.post(reverse("decide", args=[app.pk]), {"fund": "yes", "approved_yuan": "250000.00", "comment": ""}))
    app.refresh_from_db()
    assert (app.status, str(app.approved_yuan)) == (S.FUNDED, "250000.00")

    # Staff see the ranking, publish the notice and close it.
    call_page = staff_c.get(reverse("call-detail", args=[call.pk])).content.decode()
    assert app.title in call_page and "82.5" in call_page
    response = ok(staff_c.post(reverse("notice-publish", args=[call.pk])))
    notice = Notice.objects.get(call=call)
    assert response["Location"] == reverse("notice", args=[notice.pk])
    notice_window_passed(notice)
    ok(staff_c.post(reverse("notice-close", args=[notice.pk])))

    # The applicant fills the task contract on its page; staff accept it on the application page.
    fill_contract_page(applicant_c, app)
    ok(staff_c.post(reverse("contract-check", args=[app.pk]), {"decision": "accept", "comment": ""}))
    app.refresh_from_db()
    assert app.status == S.CONTRACTED

    # Finance: the officer, then the head approve; the officer pays.
    first = Disbursement.objects.get(application=app, tranche=1)
    assert app.title in officer_c.get(reverse("finance")).content.decode()
    ok(officer_c.post(reverse("disbursement-approve", args=[first.pk])))
    ok(head_c.post(reverse("disbursement-approve", args=[first.pk])))
    ok(officer_c.post(reverse("disbursement-pay", args=[first.pk]), {"voucher": "PZ-2016-001"}))
    first.refresh_from_db()
    assert first.status == D.PAID
    payments = applicant_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert "150,000.00" in payments

    # Acceptance (its pages: tests/aftergrant/test_acceptance_pages.py) passes; the final
    # tranche is approved and paid.
    acceptance_passed(app, applicant, staff)
    final = Disbursement.objects.get(application=app, tranche=2)
    ok(officer_c.post(reverse("disbursement-approve", args=[final.pk])))
    ok(head_c.post(reverse("disbursement-approve", args=[final.pk])))
    ok(head_c.post(reverse("disbursement-pay", args=[final.pk]), {"voucher": "PZ-2017-002"}))
    app.refresh_from_db()
    assert app.status == S.CLOSED

    # The applicant's timeline shows every step, and never who reviewed or decided.
    page = applicant_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    for name in ("王审一", "李审二", "赵科员", "钱主任", "孙财务"):
        assert name not in page
    assert "补充预算明细" in page  # the return comment stays in the timeline
