"""Issue 17's done-criterion through the pages, in zh-hans, in Chromium: the acceptance (验收).

The projects are built through the steps up to their first tranche paid (and the notice
windows are ended in code); everything after is typed and clicked by the people who do it:

1. a project above the audit threshold is filed (the audit report attached on the file's page
   after the file is refused without it), checked and scored by three drawn experts, two of
   whom say "rectify"; staff rectify it beside the advice; the applicant files again, staff
   check and pass it without a new draw; staff publish the acceptance notice from the call's
   page and close it; the certificate link appears and downloads a PDF; finance approve and
   pay the final tranche, the exact amount the accounts support;
2. a project missing half its targets fails: its pending credit record is on the credit
   records page, a second member of staff confirms it there, and the project's page shows the
   county money to return;
3. the gates: a confirmed severe credit record, and a call's limit of applications per
   organisation, each take Submit off the draft's page and name the rule instead.

At each step the pages offer no button the server would refuse.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.by import By

from accounts.enums import Role
from aftergrant.enums import ContractStatus
from aftergrant.models import ContractVersion
from applications.enums import ApplicationStatus as S
from applications.models import Application, Call
from applications.services import application_create, submission_refusal
from funding.enums import DisbursementStatus as D
from funding.models import AcceptanceReport, Disbursement, Notice
from integrity.enums import CreditStatus
from integrity.models import CreditRecord
from integrity.services import credit_record_confirm, credit_record_create
from reviews.models import Assignment
from tests.aftergrant.conftest import contracted_project, pay, sign
from tests.conftest import _user, make_expert, notice_window_passed
from workflow import steps

from .conftest import DRAFT, Browser
from .test_after_grant_walk import _publish_label, as_, buttons_in
from .test_year_walk import PDF, buttons, in_chinese, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_TRANCHE = Decimal("150000.00")  # 60 % of the 250,000 yuan granted
FINAL_TRANCHE = Decimal("100000.00")  # the county column budgeted (250,000) less what was paid


@pytest.fixture
def staff2(db: Any) -> Any:
    return _user("staff2", [Role.STAFF])


@pytest.fixture
def paid(
    call: Call, applicant: Any, staff: Any, expert: Any, panel: Any, finance_officer: Any, finance_head: Any
) -> Application:
    """250,000 yuan granted on a call of two tranches (60/40); the contract (two targets, three
    budget lines) in force; the first tranche paid. Three acceptance experts in the pool."""
    app = contracted_project(call, applicant, staff, expert, panel, title="高效节能阀门研发")
    sign(call, [app], applicant, staff)
    first = Disbursement.objects.get(application=app, tranche=1)
    assert first.amount_yuan == FIRST_TRANCHE
    pay(first, finance_officer, finance_head, "PZ-2016-001")
    for n in range(3):
        make_expert(f"acceptor{n}", expert.organisation)
    return Application.objects.get(pk=app.pk)


def no_errors(browser: Browser) -> None:
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".errorlist"), browser.text[:2000]


def file_acceptance(
    browser: Browser, applicant: Any, app: Application, *, achieved: dict[int, str], county: Any
) -> None:
    """The applicant opens the file from the project's page and fills it: ``achieved`` per
    target position, the county column per line from ``county(line)``."""
    version = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)
    as_(browser, applicant)
    browser.visit(reverse("application-detail", args=[app.pk]))
    browser.click_link(zh("File the acceptance"))
    browser.wait_for(By.NAME, "report")
    fill_file(browser, version, achieved=achieved, county=county)


def fill_file(browser: Browser, version: ContractVersion, *, achieved: dict[int, str], county: Any) -> None:
    for target in version.targets.all():
        browser.type(f"achieved_{target.pk}", achieved.get(target.position, str(target.value)))
    for line in version.budget.all():
        browser.type(f"county_{line.line}", f"{county(line):,.2f}")
        browser.type(f"own_{line.line}", str(line.own_yuan))
        browser.type(f"other_{line.line}", str(line.other_yuan))
    browser.type("report", "考核指标完成情况及经费决算见附件。")
    browser.press(zh("Submit the acceptance file"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message, .errorlist")


def check_file(browser: Browser, staff: Any, app: Application) -> None:
    check_url = reverse("acceptance-check", args=[app.pk])
    as_(browser, staff)
    browser.visit(reverse("application-detail", args=[app.pk]))
    browser.click_link(zh("Check and decide the acceptance"))
    form = browser.form_of(check_url)
    assert buttons(browser) == {zh("Record the check")}, buttons(browser)  # nothing to draw or decide yet
    browser.choose("decision", "accept", within=form)
    browser.press(zh("Record the check"), within=form)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    no_errors(browser)


def draw(browser: Browser, app: Application) -> list[Assignment]:
    browser.visit(reverse("acceptance-check", args=[app.pk]))
    assert buttons(browser) == {zh("Draw the experts")}, buttons(browser)
    browser.press(zh("Draw the experts"), within=browser.form_of(reverse("acceptance-draw", args=[app.pk])))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    drawn = list(
        Assignment.objects.filter(application=app, purpose="acceptance").select_related("expert__user").order_by("pk")
    )
    assert len(drawn) == 3, browser.text[:1500]
    # The experts have not scored: the decision would be refused (409), so it is not offered.
    browser.visit(reverse("acceptance-check", args=[app.pk]))
    assert buttons(browser) == set(), buttons(browser)
    return drawn


def score(browser: Browser, drawn: list[Assignment], recommendations: list[str]) -> None:
    for assignment, word in zip(drawn, recommendations, strict=True):
        as_(browser, assignment.expert.user)
        browser.visit(reverse("review-detail", args=[assignment.pk]))
        form = browser.form_of(reverse("review-accept", args=[assignment.pk]))
        assert zh("Submit the review") not in buttons(browser)
        browser.driver.find_element(By.NAME, "no_conflict").click()
        browser.press(zh("Accept"), within=form)
        browser.wait_for(By.NAME, "scores_targets")
        for code, value in (("targets", "30"), ("money", "24"), ("results", "25")):
            browser.type(f"scores_{code}", value)
        browser.type("comment", "资料齐全。" if word == "pass" else "部分考核指标证明材料不足。")
        browser.choose("recommendation", word)
        browser.press(zh("Submit the review"))
        browser.wait_for(By.CSS_SELECTOR, ".messages .message")
        assignment.refresh_from_db()
        assert assignment.status == "submitted", browser.text[:1500]
        assert buttons(browser) == set(), buttons(browser)


def decide(browser: Browser, staff: Any, app: Application, result: str, comment: str = "") -> None:
    as_(browser, staff)
    browser.visit(reverse("acceptance-check", args=[app.pk]))
    form = browser.form_of(reverse("acceptance-decide", args=[app.pk]))
    assert buttons(browser) == {zh("Record the acceptance decision")}, buttons(browser)
    browser.choose("result", result, within=form)
    if comment:
        browser.type("comment", comment, within=form)
    browser.press(zh("Record the acceptance decision"), within=form)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    no_errors(browser)


def finance(browser: Browser, officer: Any, head: Any, payment: Disbursement) -> None:
    section = f"section#d{payment.pk}"
    as_(browser, officer)
    browser.visit(reverse("finance"))
    browser.press(zh("Approve (finance officer)"), within=browser.wait_for(By.CSS_SELECTOR, section))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    browser.visit(reverse("finance"))
    assert buttons_in(browser, section) <= {zh("Reject")}, buttons_in(browser, section)
    as_(browser, head)
    browser.visit(reverse("finance"))
    browser.press(zh("Approve (finance head)"), within=browser.wait_for(By.CSS_SELECTOR, section))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    as_(browser, officer)
    browser.visit(reverse("finance"))
    form = browser.form_of(reverse("disbursement-pay", args=[payment.pk]))
    browser.type("voucher", "PZ-2016-002", within=form)
    browser.press(zh("Record the payment"), within=form)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")


def test_rectify_then_pass_notice_certificate_and_final_tranche(
    browser: Browser,
    paid: Application,
    applicant: Any,
    staff: Any,
    finance_officer: Any,
    finance_head: Any,
    settings: Any,
    tmp_path: Path,
):
    app = paid
    settings.PINGSHEN_ACCEPTANCE_AUDIT_THRESHOLD_YUAN = 200000  # 250,000 granted: the audit report is due
    in_chinese(browser)
    as_budgeted = lambda line: line.county_yuan  # noqa: E731
    version = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)

    # Filed without the audit report: refused, naming it; attached on the same page, filed.
    file_acceptance(browser, applicant, app, achieved={}, county=as_budgeted)
    assert "审计报告" in browser.text, browser.text[:2000]
    app.refresh_from_db()
    assert app.status == S.CONTRACTED
    audit = tmp_path / "审计报告.pdf"
    audit.write_bytes(PDF)
    upload = browser.form_of(reverse("acceptance-document", args=[app.pk]))
    browser.select("kind", "acceptance_audit", within=upload)
    upload.find_element(By.NAME, "file").send_keys(str(audit))
    browser.press(zh("Upload"), within=upload)
    browser.wait_for(By.LINK_TEXT, "审计报告.pdf")
    fill_file(browser, version, achieved={}, county=as_budgeted)
    no_errors(browser)
    app.refresh_from_db()
    assert app.status == S.ACCEPTANCE_SUBMITTED, browser.text[:2000]
    assert zh("File the acceptance") not in browser.text

    # Staff check and draw; two of three experts say rectify; staff see the advice and rectify.
    check_file(browser, staff, app)
    drawn = draw(browser, app)
    score(browser, drawn, ["rectify", "rectify", "pass"])
    as_(browser, staff)
    browser.visit(reverse("acceptance-check", args=[app.pk]))
    advice = browser.driver.find_element(By.CSS_SELECTOR, ".acceptance-advice").text
    assert zh("Rectify and resubmit") in advice, advice
    decide(browser, staff, app, "rectify", "请补充样机检测报告后重新提交。")
    app.refresh_from_db()
    assert app.status == S.CONTRACTED
    browser.visit(reverse("acceptance-check", args=[app.pk]))
    assert buttons(browser) == set(), buttons(browser)  # back with the applicant

    # The applicant reads why and files again; staff check it and pass it without a new draw.
    as_(browser, applicant)
    browser.visit(reverse("application-detail", args=[app.pk]))
    assert "请补充样机检测报告" in browser.text
    file_acceptance(browser, applicant, app, achieved={}, county=as_budgeted)
    no_errors(browser)
    check_file(browser, staff, app)
    browser.visit(reverse("acceptance-check", args=[app.pk]))
    assert zh("Draw the experts") not in buttons(browser)
    assert zh("The file was rectified once: this result is final, pass or fail.") in browser.text
    decide(browser, staff, app, "pass")
    assert Assignment.objects.filter(application=app, purpose="acceptance").count() == 3  # no new draw
    assert not Disbursement.objects.filter(application=app, tranche=2).exists()  # waits for the notice
    # The pass waits for its notice: nothing on the acceptance is offered to staff now.
    browser.visit(reverse("application-detail", args=[app.pk]))
    assert not browser.driver.find_elements(
        By.CSS_SELECTOR, f"a[href='{reverse('acceptance-check', args=[app.pk])}']"
    ), browser.text[:1500]
    certificate = reverse("acceptance-certificate", args=[app.pk])
    assert not browser.driver.find_elements(By.CSS_SELECTOR, f"a[href='{certificate}']")

    # The acceptance notice, from the call's page; its window ended in code; staff close it.
    call_page = reverse("call-detail", args=[app.call_id])
    browser.visit(call_page)
    browser.press(_publish_label(1))
    browser.wait_for_text(zh("Passed acceptance"))
    notice = Notice.objects.get(call=app.call, kind="acceptance")
    browser.visit(call_page)
    assert _publish_label(1) not in buttons(browser)  # one runs: no second notice offered
    notice_window_passed(notice)
    browser.visit(call_page)
    browser.press(zh("Close the notice"), within=browser.form_of(reverse("notice-close", args=[notice.pk])))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    final = Disbursement.objects.get(application=app, tranche=2)
    assert (final.status, final.amount_yuan) == (D.REQUESTED, FINAL_TRANCHE)

    # The certificate: on the application's and the project's page; it downloads a PDF.
    as_(browser, applicant)
    for page in (reverse("application-detail", args=[app.pk]), reverse("project", args=[app.pk])):
        browser.visit(page)
        assert browser.driver.find_elements(By.CSS_SELECTOR, f"a[href='{certificate}']"), browser.text[:1500]
    session = requests.Session()
    for cookie in browser.driver.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    response = session.get(browser.base_url + certificate, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    # Finance: the final tranche, the exact amount; the project closes.
    finance(browser, finance_officer, finance_head, final)
    final.refresh_from_db()
    app.refresh_from_db()
    assert (final.status, final.amount_yuan, app.status) == (D.PAID, FINAL_TRANCHE, S.CLOSED), browser.text[:1500]
    assert FIRST_TRANCHE + final.amount_yuan == app.approved_yuan
    # Closed: the applicant's pages offer nothing more.
    as_(browser, applicant)
    for page in (reverse("application-detail", args=[app.pk]), reverse("project", args=[app.pk])):
        browser.visit(page)
        assert buttons(browser) == set(), (page, buttons(browser))


def test_a_failed_acceptance_its_credit_record_and_the_money_to_return(
    browser: Browser, paid: Application, applicant: Any, staff: Any, staff2: Any
):
    app = paid
    in_chinese(browser)
    # Half the targets missed (the patents: 1 of 3), half the county grant spent.
    file_acceptance(browser, applicant, app, achieved={2: "1"}, county=lambda line: line.county_yuan / 2)
    no_errors(browser)
    check_file(browser, staff, app)
    drawn = draw(browser, app)
    score(browser, drawn, ["fail", "fail", "fail"])
    as_(browser, staff)
    browser.visit(reverse("acceptance-check", args=[app.pk]))
    advice = browser.driver.find_element(By.CSS_SELECTOR, ".acceptance-advice").text
    assert zh("Fail") in advice, advice
    decide(browser, staff, app, "fail", "发明专利申请仅完成一件，经费使用不足一半。")
    app.refresh_from_db()
    assert app.status == S.FAILED
    for page in (reverse("acceptance-check", args=[app.pk]), reverse("application-detail", args=[app.pk])):
        browser.visit(page)
        assert buttons(browser) == set(), (page, buttons(browser))  # failed: the process has ended
    report = AcceptanceReport.objects.get(application=app, result="fail")
    to_return = FIRST_TRANCHE - Decimal("125000.00")
    assert report.amount_to_return == to_return

    # The pending record on the credit records page; who recorded it cannot confirm it.
    browser.visit(reverse("credit-records"))
    record = CreditRecord.objects.get(organisation=app.organisation)
    assert record.status == CreditStatus.PENDING
    row = browser.driver.find_element(By.XPATH, f"//tr[.//a[@href='{reverse('credit-record', args=[record.pk])}']]")
    with translation.override("zh-hans"):
        pending = str(record.get_status_display())
    assert app.organisation.name in row.text and pending in row.text, row.text
    browser.visit(reverse("credit-record", args=[record.pk]))
    assert buttons(browser) == set(), buttons(browser)
    assert zh("A different member of staff must confirm this record.") in browser.text

    # A second member of staff confirms it on the page.
    as_(browser, staff2)
    browser.visit(reverse("credit-records"))
    browser.driver.find_element(By.CSS_SELECTOR, f"a[href='{reverse('credit-record', args=[record.pk])}']").click()
    browser.press(zh("Confirm this record"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    record.refresh_from_db()
    assert (record.status, record.confirmed_by_id) == (CreditStatus.CONFIRMED, staff2.pk), browser.text[:1500]
    assert buttons(browser) == set(), buttons(browser)

    # The money to return, on the project's page (staff and the applicant).
    with translation.override("zh-hans"):
        owed = gettext("County money to return: %(amount)s yuan") % {"amount": f"{to_return:,.2f}"}
    for user in (staff2, applicant):
        as_(browser, user)
        browser.visit(reverse("project", args=[app.pk]))
        browser.wait_for_text(owed)
    assert not Disbursement.objects.filter(application=app, tranche=2).exists()


def test_the_gates_name_their_rule_instead_of_offering_submit(
    browser: Browser,
    call: Call,
    programme: Any,
    applicant: Any,
    other_applicant: Any,
    staff: Any,
    staff2: Any,
    org_owner: Any,
):
    in_chinese(browser)
    # A confirmed severe credit record on the applicant's organisation.
    draft = application_create(actor=applicant, call=call, **DRAFT)
    record = credit_record_create(
        actor=staff,
        subject_type="organisation",
        subject=org_owner,
        level="severe",
        reason="提供虚假材料",
        source="2015年度验收",
        valid_until=call.closes_at.date().replace(year=call.closes_at.year + 2),
    )
    credit_record_confirm(record=record, actor=staff2)
    as_(browser, applicant)
    browser.visit(reverse("application-detail", args=[draft.pk]))
    with translation.override("zh-hans"):
        rule = submission_refusal(Application.objects.get(pk=draft.pk))
    assert rule and "科研诚信" in rule
    browser.wait_for_text(rule)
    assert zh("Submit") not in buttons(browser), buttons(browser)
    assert not browser.driver.find_elements(
        By.CSS_SELECTOR, f"form[action='{reverse('application-submit', args=[draft.pk])}']"
    )

    # A call of one application per organisation: the second is refused, naming the rule.
    Call.objects.filter(pk=call.pk).update(max_applications_per_organisation=1)
    first = application_create(actor=other_applicant, call=call, **DRAFT)
    steps.application_submit(application=first, actor=other_applicant)
    second = application_create(actor=other_applicant, call=call, **{**DRAFT, "title": "阀门密封件研发"})
    as_(browser, other_applicant)
    browser.visit(reverse("application-detail", args=[second.pk]))
    with translation.override("zh-hans"):
        rule = submission_refusal(Application.objects.get(pk=second.pk))
    assert rule and "限项" in rule and first.title in rule
    browser.wait_for_text(rule)
    assert zh("Submit") not in buttons(browser), buttons(browser)
    second.refresh_from_db()
    assert second.status == S.DRAFT
    # Their first application was taken as it was: its page offers nothing to submit either.
    browser.visit(reverse("application-detail", args=[first.pk]))
    assert zh("Submit") not in buttons(browser)
