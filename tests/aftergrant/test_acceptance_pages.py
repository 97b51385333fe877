"""The acceptance through the pages, as people use them: the applicant's file with the audit
report, staff's check, draw and decision against the advice, the expert's scoring page with the
acceptance criteria and the three recommendations, the result on the project page; and the one
overdue rule on the staff's project list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from aftergrant.models import ContractVersion
from aftergrant.selectors import projects_contracted
from applications.enums import ApplicationStatus as S
from funding.models import AcceptanceReport, Disbursement
from reviews.models import Assignment
from tests.conftest import make_expert
from tests.pages.formdata import form_data
from tests.pages.test_plan_project_pages import PDF, client_for, ok

from .conftest import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_project(project, finance_officer, finance_head):
    pay(Disbursement.objects.get(application=project, tranche=1), finance_officer, finance_head, "PZ-1")
    return project


def fill_file(client: Any, app: Any) -> dict[str, Any]:
    """The applicant's acceptance form as rendered, filled: every target at its value, the
    accounts as budgeted (thousands separators, as people write them)."""
    url = reverse("acceptance-file", args=[app.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), url)
    version = ContractVersion.objects.get(application=app, status="in_force")
    for target in version.targets.all():
        data[f"achieved_{target.pk}"] = str(target.value)
    for line in version.budget.all():
        data[f"county_{line.line}"] = f"{line.county_yuan:,.2f}"
        data[f"own_{line.line}"] = str(line.own_yuan)
        data[f"other_{line.line}"] = str(line.other_yuan)
    data["report"] = "全部指标完成。"
    return data


def test_acceptance_through_the_pages(paid_project, applicant, staff, org_expert, settings):
    settings.PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN = 200000  # the 250,000 yuan grant needs the audit report
    app = paid_project
    for n in range(4):
        make_expert(f"验收专家{n}", org_expert)
    applicant_c, staff_c = client_for(applicant), client_for(staff)

    # The applicant's form: refused without the audit report, accepted once it is attached.
    detail = applicant_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert reverse("acceptance-file", args=[app.pk]) in detail
    data = fill_file(applicant_c, app)
    with translation.override("en"):
        refused = applicant_c.post(reverse("acceptance-file", args=[app.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "审计报告" in refused.content.decode()
    upload = SimpleUploadedFile("审计报告.pdf", PDF, content_type="application/pdf")
    ok(applicant_c.post(reverse("acceptance-document", args=[app.pk]), {"kind": "acceptance_audit", "file": upload}))
    ok(applicant_c.post(reverse("acceptance-file", args=[app.pk]), data))
    app.refresh_from_db()
    assert app.status == S.ACCEPTANCE_SUBMITTED

    # Staff: the check page shows the file; accept it, draw the experts.
    check_url = reverse("acceptance-check", args=[app.pk])
    page = staff_c.get(check_url).content.decode()
    assert "全部指标完成" in page and reverse("acceptance-check", args=[app.pk]) in page
    ok(staff_c.post(check_url, {"decision": "accept", "comment": ""}))
    page = staff_c.get(check_url).content.decode()
    assert reverse("acceptance-draw", args=[app.pk]) in page
    ok(staff_c.post(reverse("acceptance-draw", args=[app.pk]), {"seed": "page"}))
    drawn = list(Assignment.objects.filter(application=app, purpose="acceptance").select_related("expert__user"))
    assert len(drawn) == 3

    # Each expert scores on the acceptance criteria with pass / rectify / fail.
    for assignment in drawn:
        expert_c = client_for(assignment.expert.user)
        ok(expert_c.post(reverse("review-accept", args=[assignment.pk]), {"no_conflict": "on"}))
        page = expert_c.get(reverse("review-detail", args=[assignment.pk])).content.decode()
        assert 'name="scores_targets"' in page and 'max="40"' in page
        assert 'value="rectify"' in page and 'value="support"' not in page
        assert "全部指标完成" in page and "发明专利申请" in page  # the file it scores
        scores = {"scores_targets": "38", "scores_money": "28", "scores_results": "27"}
        ok(
            expert_c.post(
                reverse("review-submit", args=[assignment.pk]),
                {**scores, "comment": "同意通过", "recommendation": "pass"},
            )
        )

    # The decision form with the advice and the experts' words; staff pass it.
    page = staff_c.get(check_url).content.decode()
    assert "acceptance-advice" in page and drawn[0].expert.name in page
    ok(staff_c.post(reverse("acceptance-decide", args=[app.pk]), {"result": "pass", "comment": ""}))
    assert AcceptanceReport.objects.get(application=app, result="pass").final_tranche_yuan is not None

    # The project page shows the result and the final tranche; the applicant never sees who scored.
    for a in drawn:
        a.expert.name = f"验收评审人{a.pk}"
        a.expert.save(update_fields=["name"])
    project_page = applicant_c.get(reverse("project", args=[app.pk])).content.decode()
    assert "100,000.00" in project_page
    assert all(a.expert.name not in project_page for a in drawn)
    assert drawn[0].expert.name in staff_c.get(reverse("project", args=[app.pk])).content.decode()


def test_overdue_rule_on_the_project_list(paid_project, settings):
    settings.PINGSHEN_ACCEPTANCE_WINDOW_DAYS = 90
    today = timezone.localdate()
    version = ContractVersion.objects.filter(application=paid_project, status="in_force")
    version.update(starts_on=today - dt.timedelta(days=800), ends_on=today - dt.timedelta(days=89))
    assert not projects_contracted().get(pk=paid_project.pk).is_overdue
    version.update(ends_on=today - dt.timedelta(days=91))
    assert projects_contracted().get(pk=paid_project.pk).is_overdue


def test_the_pages_offer_only_what_the_server_takes_around_the_decision_and_the_certificate(
    paid_project, applicant, staff, org_expert
):
    """The decision is not offered while the experts score (it would be a 409); once a pass
    waits for its notice staff are not sent back to the acceptance page; the certificate link
    appears when the notice has closed, and it downloads."""
    from tests.conftest import acceptance_experts, acceptance_file, acceptance_score, close_notice
    from workflow import steps

    app = paid_project
    applicant_c, staff_c = client_for(applicant), client_for(staff)
    check_url = reverse("acceptance-check", args=[app.pk])
    decide_url = reverse("acceptance-decide", args=[app.pk])
    certificate = reverse("acceptance-certificate", args=[app.pk])
    steps.acceptance_submit(application=app, actor=applicant, **acceptance_file(app))
    steps.acceptance_check(application=app, actor=staff, decision="accept")
    drawn = acceptance_experts(app, staff)
    scoring = staff_c.get(check_url).content.decode()
    assert f'action="{decide_url}"' not in scoring
    with translation.override("zh-hans"):  # the page's language
        assert gettext("The acceptance experts have not all scored yet.") in scoring
    acceptance_score(drawn[:2], ["pass", "pass"])
    assert f'action="{decide_url}"' not in staff_c.get(check_url).content.decode()  # one still to score
    acceptance_score(drawn[2:], ["pass"])
    assert f'action="{decide_url}"' in staff_c.get(check_url).content.decode()
    steps.acceptance_decide(application=app, actor=staff, result="pass", comment="")
    detail = reverse("application-detail", args=[app.pk])
    page = staff_c.get(detail).content.decode()
    assert f'href="{check_url}"' not in page and f'href="{certificate}"' not in page
    assert applicant_c.get(certificate).status_code == 404
    notice = steps.acceptance_notice_publish(call=app.call, actor=staff)
    assert f'href="{certificate}"' not in applicant_c.get(detail).content.decode()  # the notice runs
    close_notice(notice, staff)
    for url in (detail, reverse("project", args=[app.pk])):
        assert f'href="{certificate}"' in applicant_c.get(url).content.decode(), url
    response = applicant_c.get(certificate)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_file_is_offered_once_the_first_tranche_is_paid(project, applicant, finance_officer, finance_head):
    """Filing before the first tranche is paid is a 409: the project's page does not offer it."""
    client = client_for(applicant)
    detail, file_url = reverse("application-detail", args=[project.pk]), reverse("acceptance-file", args=[project.pk])
    assert f'href="{file_url}"' not in client.get(detail).content.decode()
    pay(Disbursement.objects.get(application=project, tranche=1), finance_officer, finance_head, "PZ-1")
    assert f'href="{file_url}"' in client.get(detail).content.decode()
