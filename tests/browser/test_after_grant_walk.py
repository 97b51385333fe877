"""Issue 16's done-criterion through the pages, in zh-hans, in Chromium: from the task contract
to the last tranche paid.

The project is built through the steps up to its funding notice (the call and its review are
walked by test_year_walk.py); everything after is typed and clicked by the people who do it:
the applicant fills the task contract, staff accept it; finance pay the first tranche (officer,
head, payment); the applicant reports for mid-term check 1, which staff pass (the second
tranche, paid); check 2 is conditional, the applicant reports again, staff pass it (no tranche:
the third and last waits for acceptance); the applicant asks to move money between budget lines (staff, then the finance head approve) and for an
extension (staff approve), each a new contract version with the end date moved; then acceptance
by experts (:func:`accept`: the file, staff's check and draw, three experts' scores, the pass, the
acceptance notice published and closed) and the last tranche. The tranches add up to the amount granted, to the cent. At each step the test
checks that nothing is offered that the server would refuse.

The issue's literal plan: three tranches (40/30/30) and two checks (``Call.midterm_checks``), so
check 2 comes after the one middle tranche and its pass releases nothing. The clock is moved in code only: the contract came into force a
year ago, so both checks are open when they are scheduled.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from selenium.webdriver.common.by import By

from aftergrant.enums import ContractStatus
from aftergrant.models import ChangeRequest, ContractVersion
from applications.enums import ApplicationStatus as S
from applications.models import Application, Call
from applications.services import application_create
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement, Notice
from reviews.models import Assignment
from reviews.services import criteria_set
from tests.conftest import CRITERIA, close_notice, make_expert, notice_window_passed
from workflow import steps

from .conftest import DRAFT, SCORES, Browser
from .test_accounts import log_out
from .test_year_walk import buttons, in_chinese, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVED = Decimal("250000.01")
AMOUNTS = [Decimal("100000.00"), Decimal("75000.00"), Decimal("75000.01")]
LAST = len(AMOUNTS)


@pytest.fixture
def funded(programme: Any, applicant: Any, staff: Any, expert: Any, panel: Any) -> Application:
    """Funded with 250,000.01 yuan on a call of three tranches (40/30/30) with two checks, one
    every six months; the notice has closed, so the task contract is to be filled."""
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title="2026年度第一批科技计划项目",
        year=2026,
        batch=1,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        budget_yuan=Decimal("1000000.00"),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=1,
        min_reviews=1,
        notice_days=7,
        tranches=[40, 30, 30],
        midterm=True,
        midterm_months=6,
        midterm_checks=2,
    )
    criteria_set(call=call, criteria=CRITERIA)
    app = application_create(actor=applicant, call=call, **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept", comment="")
    assignment = steps.assignment_add(application=app, expert=expert, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=assignment, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan=str(APPROVED), comment="")
    close_notice(steps.notice_publish(call=call, actor=staff), staff)
    return Application.objects.get(pk=app.pk)


def sign(browser: Browser, applicant: Any, staff: Any, app: Application) -> None:
    """The applicant fills the task contract (two targets; a budget on three lines whose county
    column adds up to the grant; two milestones) from the project's page; staff accept it."""
    today = timezone.localdate()
    detail = reverse("application-detail", args=[app.pk])
    as_(browser, applicant)
    browser.visit(detail)
    browser.click_link(zh("Fill in the task contract"))
    browser.wait_for(By.NAME, "targets-0-name")
    set_date(browser, "starts_on", today - dt.timedelta(days=350))
    set_date(browser, "ends_on", today + dt.timedelta(days=365))
    for n, (name, unit, value) in enumerate([("新产品样机", "台", "2"), ("发明专利申请", "件", "3")]):
        browser.type(f"targets-{n}-name", name)
        browser.type(f"targets-{n}-unit", unit)
        browser.type(f"targets-{n}-value", value)
    for n, (line, county, own) in enumerate(
        [("equipment", "150,000.01", "300000"), ("materials", "60000", "200,000"), ("testing", "40000.00", "0")]
    ):
        browser.select(f"budget-{n}-line", line)
        browser.type(f"budget-{n}-county_yuan", county)
        browser.type(f"budget-{n}-own_yuan", own)
    for n, (name, days) in enumerate([("样机试制", 90), ("小批量试产", 300)]):
        browser.type(f"milestones-{n}-name", name)
        set_date(browser, f"milestones-{n}-due", today + dt.timedelta(days=days))
    browser.driver.find_element(By.NAME, "accept_terms").click()
    browser.press(zh("Submit the contract to the bureau"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".errorlist"), browser.text[:2000]
    as_(browser, staff)
    browser.visit(detail)
    form = browser.form_of(reverse("contract-check", args=[app.pk]))
    browser.choose("decision", "accept", within=form)
    browser.press(zh("Record the check"), within=form)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    version = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)
    assert sum(line.county_yuan for line in version.budget.all()) == APPROVED
    # The clock: the contract came into force nearly a year ago (check 1 fell due six months
    # on, check 2 falls due within the month), so each report opens when it is scheduled.
    ContractVersion.objects.filter(pk=version.pk).update(in_force_at=timezone.now() - dt.timedelta(days=350))


def as_(browser: Browser, user: Any) -> None:
    if browser.driver.find_elements(By.CSS_SELECTOR, "form[action$='/logout/']"):
        log_out(browser)
    browser.login(user)


def set_date(browser: Browser, name: str, day: dt.date) -> None:
    # Typing into a date input follows the browser's locale; a picker sets the value.
    field = browser.driver.find_element(By.NAME, name)
    browser.driver.execute_script("arguments[0].value = arguments[1]", field, f"{day:%Y-%m-%d}")


def pay(browser: Browser, officer: Any, head: Any, app: Application, tranche: int) -> None:
    """The finance officer approves the tranche, the finance head approves it, the officer pays."""
    payment = Disbursement.objects.get(application=app, tranche=tranche)
    assert (payment.status, payment.amount_yuan) == (D.REQUESTED, AMOUNTS[tranche - 1])
    section = f"section#d{payment.pk}"
    as_(browser, officer)
    browser.visit(reverse("finance"))
    browser.press(zh("Approve (finance officer)"), within=browser.wait_for(By.CSS_SELECTOR, section))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    # One person never approves twice: the officer is offered nothing more until the head has.
    browser.visit(reverse("finance"))
    assert buttons_in(browser, section) <= {zh("Reject")}, buttons_in(browser, section)
    as_(browser, head)
    browser.visit(reverse("finance"))
    browser.press(zh("Approve (finance head)"), within=browser.wait_for(By.CSS_SELECTOR, section))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    as_(browser, officer)
    browser.visit(reverse("finance"))
    form = browser.form_of(reverse("disbursement-pay", args=[payment.pk]))
    browser.type("voucher", f"PZ-2026-{tranche:03d}", within=form)
    browser.press(zh("Record the payment"), within=form)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    payment.refresh_from_db()
    assert payment.status == D.PAID, browser.text[:1500]


def buttons_in(browser: Browser, selector: str) -> set[str]:
    scope = browser.driver.find_elements(By.CSS_SELECTOR, selector)
    return {b.text.strip() for s in scope for b in s.find_elements(By.CSS_SELECTOR, "button[type=submit]")}


def report(browser: Browser, applicant: Any, app: Application, *, achieved: str) -> None:
    """The applicant finds the report on the project's page and fills it."""
    as_(browser, applicant)
    browser.visit(reverse("application-detail", args=[app.pk]))
    link = reverse("midterm-report", args=[app.pk])
    assert browser.driver.find_elements(By.CSS_SELECTOR, f"main a[href='{link}']"), browser.text[:1500]
    browser.visit(link)
    version = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)
    for target in version.targets.all():
        browser.type(f"achieved_{target.pk}", achieved)
    browser.type("county_equipment", "60,000.00")
    browser.type("own_equipment", "120000")
    browser.type("county_materials", "20000")
    browser.type("problems", "进口阀体材料到货延迟，已改用国产替代。")
    browser.press(zh("Submit the mid-term report"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".errorlist"), browser.text[:1500]
    # Submitted: the page offers no second submission.
    browser.visit(link)
    assert zh("Submit the mid-term report") not in buttons(browser)


def check(browser: Browser, staff: Any, app: Application, result: str, fix_by: dt.date | None = None) -> None:
    as_(browser, staff)
    browser.visit(reverse("midterm-check", args=[app.pk]))
    assert "新产品" in browser.text  # the targets with what was reported against them
    browser.choose("result", result)
    if result != "pass":
        browser.type("comment", "专利申请进度滞后，请补充说明。")
    if fix_by is not None:
        set_date(browser, "fix_by", fix_by)
    browser.press(zh("Record the result"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".errorlist"), browser.text[:1500]


def ask_change(browser: Browser, applicant: Any, app: Application, kind: str, **fields: Any) -> ChangeRequest:
    as_(browser, applicant)
    browser.visit(reverse("change-new", args=[app.pk]) + f"?kind={kind}")
    browser.select("kind", kind)
    browser.type("reason", "设备降价，材料涨价。" if kind == "budget" else "样机试验周期延长。")
    for name, value in fields.items():
        if isinstance(value, dt.date):
            set_date(browser, name, value)
        else:
            browser.type(name, value)
    browser.press(zh("Send the request"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".errorlist"), browser.text[:1500]
    return ChangeRequest.objects.get(application=app, kind=kind)


def approve_change(browser: Browser, user: Any, change: ChangeRequest) -> None:
    as_(browser, user)
    browser.visit(reverse("change-detail", args=[change.pk]))
    browser.choose("approve", "1")
    browser.press(zh("Record the decision"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    # Decided at this step: the decide form is not offered to the same person again.
    browser.visit(reverse("change-detail", args=[change.pk]))
    assert zh("Record the decision") not in buttons(browser)


def accept(browser: Browser, applicant: Any, staff: Any, app: Application) -> None:
    """The acceptance with experts (issue 17), on the pages: the applicant files the result of
    every target and the accounts of every budget line; staff check the file and draw three
    experts, who each accept and score on the acceptance criteria; staff pass it beside the
    advice; staff publish the call's acceptance notice and, once it has run (its window is
    ended in code), close it from the call's page: the last tranche is requested."""
    version = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)
    as_(browser, applicant)
    browser.visit(reverse("application-detail", args=[app.pk]))
    browser.click_link(zh("File the acceptance"))
    browser.wait_for(By.NAME, "report")
    for target in version.targets.all():
        browser.type(f"achieved_{target.pk}", str(target.value))
    for line in version.budget.all():
        browser.type(f"county_{line.line}", f"{line.county_yuan:,.2f}")
        browser.type(f"own_{line.line}", str(line.own_yuan))
        browser.type(f"other_{line.line}", "0")
    browser.type("report", "全部考核指标完成：样机两台，专利申请三件。")
    browser.press(zh("Submit the acceptance file"))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".errorlist"), browser.text[:2000]
    assert zh("File the acceptance") not in browser.text

    check_url = reverse("acceptance-check", args=[app.pk])
    as_(browser, staff)
    browser.visit(check_url)
    form = browser.form_of(check_url)
    browser.choose("decision", "accept", within=form)
    browser.press(zh("Record the check"), within=form)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    browser.visit(check_url)
    browser.press(zh("Draw the experts"), within=browser.form_of(reverse("acceptance-draw", args=[app.pk])))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    drawn = list(Assignment.objects.filter(application=app, purpose="acceptance").select_related("expert__user"))
    assert len(drawn) == 3, browser.text[:1500]

    for assignment in drawn:
        as_(browser, assignment.expert.user)
        browser.visit(reverse("review-detail", args=[assignment.pk]))
        form = browser.form_of(reverse("review-accept", args=[assignment.pk]))
        browser.driver.find_element(By.NAME, "no_conflict").click()
        browser.press(zh("Accept"), within=form)
        browser.wait_for(By.NAME, "scores_targets")
        for code, score in (("targets", "38"), ("money", "28"), ("results", "27")):
            browser.type(f"scores_{code}", score)
        browser.type("comment", "考核指标全部完成，经费使用符合预算。")
        browser.choose("recommendation", "pass")
        browser.press(zh("Submit the review"))
        browser.wait_for(By.CSS_SELECTOR, ".messages .message")
        assignment.refresh_from_db()
        assert assignment.status == "submitted", browser.text[:1500]

    as_(browser, staff)
    browser.visit(check_url)
    assert browser.driver.find_elements(By.CSS_SELECTOR, ".acceptance-advice"), browser.text[:1500]
    form = browser.form_of(reverse("acceptance-decide", args=[app.pk]))
    browser.choose("result", "pass", within=form)
    browser.press(zh("Record the acceptance decision"), within=form)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    assert not Disbursement.objects.filter(application=app, tranche=LAST).exists()  # waits for the notice

    call_page = reverse("call-detail", args=[app.call_id])
    browser.visit(call_page)
    browser.press(_publish_label(1))
    browser.wait_for_text(zh("Passed acceptance"))
    notice = Notice.objects.get(call=app.call, kind="acceptance")
    notice_window_passed(notice)
    browser.visit(call_page)
    browser.press(zh("Close the notice"), within=browser.form_of(reverse("notice-close", args=[notice.pk])))
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    app.refresh_from_db()
    assert Disbursement.objects.filter(application=app, tranche=LAST, status=D.REQUESTED).exists(), browser.text[:1500]


def _publish_label(n: int) -> str:
    with translation.override("zh-hans"):
        return ngettext(
            "Publish %(n)s passed acceptance on a notice", "Publish %(n)s passed acceptances on a notice", n
        ) % {"n": n}


def test_after_the_contract_through_the_pages_in_chinese(
    browser: Browser,
    funded: Application,
    applicant: Any,
    staff: Any,
    finance_officer: Any,
    finance_head: Any,
    org_expert: Any,
    org_other: Any,
):
    app = funded
    for n in range(3):  # the acceptance experts' pool, beside the reviewer
        make_expert(f"acceptor{n}", org_expert if n % 2 else org_other)
    in_chinese(browser)

    # The task contract, filled by the applicant and accepted by staff: the first tranche is
    # requested; paying it opens mid-term report 1.
    sign(browser, applicant, staff, app)
    pay(browser, finance_officer, finance_head, app, 1)

    # Check 1: reported, passed; the second tranche is requested and paid.
    report(browser, applicant, app, achieved="1")
    check(browser, staff, app, "pass")
    pay(browser, finance_officer, finance_head, app, 2)

    # Check 2: conditional, reported again, passed; no tranche (the last waits for acceptance).
    report(browser, applicant, app, achieved="1.5")
    check(browser, staff, app, "conditional", fix_by=timezone.localdate() + dt.timedelta(days=30))
    report(browser, applicant, app, achieved="2")
    check(browser, staff, app, "pass")
    reports = app.midterm_reports.order_by("round", "attempt")
    assert list(reports.values_list("round", "attempt", "status", "tranche")) == [
        (1, 1, "passed", 2),
        (2, 1, "conditional", None),
        (2, 2, "passed", None),
    ]
    assert list(Disbursement.objects.filter(application=app).order_by("tranche").values_list("tranche", "status")) == [
        (1, D.PAID),
        (2, D.PAID),
    ]

    # A budget move (more than a tenth of the materials line: the finance head too).
    county = {line.line: line.county_yuan for line in ContractVersion.objects.get(application=app).budget.all()}
    move = ask_change(
        browser,
        applicant,
        app,
        "budget",
        budget_equipment_county_yuan=f"{county['equipment'] - 10000:.2f}",
        budget_materials_county_yuan=f"{county['materials'] + 10000:.2f}",
    )
    approve_change(browser, staff, move)
    approve_change(browser, finance_head, move)
    move.refresh_from_db()
    assert move.status == "approved"

    # An extension of six months (staff alone): a third version; the end date moves.
    old_end = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE).ends_on
    new_end = old_end + dt.timedelta(days=180)
    extension = ask_change(browser, applicant, app, "extension", new_end_date=new_end)
    approve_change(browser, staff, extension)
    version = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)
    assert (version.number, version.ends_on) == (3, new_end)
    assert version.budget.get(line="materials").county_yuan == county["materials"] + 10000
    app.refresh_from_db()
    assert app.end_date == new_end

    # The project's page shows the version in force and the changes, in Chinese.
    browser.visit(reverse("project", args=[app.pk]))
    assert f"{new_end:%Y-%m-%d}" in browser.text and zh("Extension") in browser.text, browser.text[:2000]
    assert zh("Mid-term check") in browser.text and zh("Moving money between budget lines") in browser.text
    progress = [
        row.find_elements(By.TAG_NAME, "td")[-1].text
        for row in browser.driver.find_elements(
            By.XPATH, f"//table[.//th[text()='{zh('Reported progress')}']]/tbody/tr"
        )
    ]
    assert progress == ["2.00", "2.00"], progress  # what the last report said

    # Acceptance, then the last tranche; the project closes.
    accept(browser, applicant, staff, app)
    pay(browser, finance_officer, finance_head, app, LAST)
    app.refresh_from_db()
    assert app.status == S.CLOSED
    paid = list(Disbursement.objects.filter(application=app).order_by("tranche").values_list("tranche", "amount_yuan"))
    assert paid == list(enumerate(AMOUNTS, 1))
    assert sum(amount for _n, amount in paid) == app.approved_yuan == APPROVED
