"""Issue 20's done-criterion in Chromium, through the pages: staff record a higher-level call
with a quota of one; two units apply and submit; staff pass the formal review; the deadline
passes with two items for one place, so staff draw experts, who accept and score on their
review pages; the panel recommends the better-ranked item within the quota; staff record the
higher level's outcome with the county's matching funds; a finance officer and a different
finance head approve them and the officer records the payment. Then staff follow the funded
project: a milestone, done, and the county-organised acceptance.

Only the people and the expert pool are made in code, and the deadline passing (``call_close``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from applications.enums import ApplicationStatus as S
from applications.models import Application
from applications.services import call_close
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from reviews.models import Assignment
from tests.conftest import make_expert
from upward.models import UpperAcceptance, UpperCall

from .conftest import Browser
from .test_accounts import log_out
from .test_setup_pages import _set_datetime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_TITLE = "2027年省级重大科技攻关项目"
PROJECTS = {"applicant": ("大口径金属密封球阀关键技术攻关", 90), "other_applicant": ("核级阀门国产化关键技术攻关", 70)}


@pytest.fixture
def pool(org_expert: Any) -> list[Any]:
    """Three experts in advanced manufacturing: the call's three reviewers per item."""
    return [make_expert(name, org_expert) for name in ("expert", "expert2", "expert3")]


def _apply(browser: Browser, user: Any, upper: UpperCall, title: str) -> Application:
    browser.login(user)
    browser.visit(reverse("upper-calls"))
    row = browser.driver.find_element(By.XPATH, f"//tr[td/a[text()='{CALL_TITLE}']]")
    row.find_element(By.LINK_TEXT, "Apply").click()
    Select(browser.wait_for(By.NAME, "field")).select_by_value("manufacturing")
    browser.type("title", title)
    browser.type("summary", f"{title}：实施方案和考核指标。")
    browser.type("requested_yuan", "1,000,000")
    browser.type("self_funding_yuan", "1000000.00")
    browser.press("Save draft")
    browser.wait_for_text("Draft saved.")
    application = Application.objects.get(call=upper.call, applicant=user)
    submit = browser.form_of(reverse("application-submit", args=[application.pk]))
    submit.find_element(By.NAME, "pledge").click()
    browser.press("Submit", within=submit)
    browser.wait_for_text("Submitted. The bureau will check it.")
    log_out(browser)
    return application


def test_a_higher_level_call_from_application_to_matching_funds_paid(
    browser: Browser,
    staff: Any,
    applicant: Any,
    other_applicant: Any,
    panel: Any,
    finance_officer: Any,
    finance_head: Any,
    programme: Any,
    pool: list[Any],
):
    # --- Staff record the call: province, quota 1 -----------------------------------------------
    browser.login(staff)
    browser.visit(reverse("upper-calls"))
    browser.click_link("New higher-level call")
    browser.type("title", CALL_TITLE)
    Select(browser.driver.find_element(By.NAME, "level")).select_by_value("province")
    Select(browser.driver.find_element(By.NAME, "programme")).select_by_visible_text(programme.name)
    browser.type("year", "2027")
    browser.type("quota", "1")
    _set_datetime(browser, "closes_at", timezone.now() + dt.timedelta(days=20))
    browser.press("Save")
    browser.wait_for_text("Higher-level call recorded; units may apply to it.")
    upper = UpperCall.objects.get(call__title=CALL_TITLE)
    assert upper.quota == 1 and upper.level == "province"
    log_out(browser)

    # --- Two units apply with the usual form ----------------------------------------------------
    items = {
        who: _apply(browser, user, upper, PROJECTS[who][0])
        for who, user in (("applicant", applicant), ("other_applicant", other_applicant))
    }

    # --- Staff pass the formal review; the deadline passes; two items for one place -------------
    browser.login(staff)
    for item in items.values():
        browser.visit(reverse("application-detail", args=[item.pk]))
        review = browser.form_of(reverse("formal-review", args=[item.pk]))
        browser.choose("decision", "accept", within=review)
        browser.press("Record", within=review)
        browser.wait_for_text("Formal review recorded.")
    call_close(call=upper.call, actor=staff)
    browser.visit(reverse("upper-call", args=[upper.pk]))
    assert "Beyond the quota: experts rank the items first" in browser.text
    assert "Send to the panel" not in browser.text  # beyond the quota the panel waits for a ranking
    browser.press("Draw experts")
    # The draw runs as a job: its page shows the progress, then what it drew and the way on.
    browser.wait_for_text("See the draw: candidates, exclusions and choices")
    assert "/jobs/" in browser.driver.current_url, browser.text[:1500]
    browser.click_link("See the draw: candidates, exclusions and choices")
    assert browser.driver.current_url.startswith(browser.base_url + "/draws/"), browser.text[:1500]
    log_out(browser)

    # --- Each drawn expert accepts and scores on the review page -------------------------------
    for expert in pool:
        browser.login(expert.user)
        for assignment in Assignment.objects.filter(expert=expert, application__call=upper.call).order_by("pk"):
            browser.visit(reverse("review-detail", args=[assignment.pk]))
            accept = browser.form_of(reverse("review-accept", args=[assignment.pk]))
            accept.find_element(By.NAME, "no_conflict").click()
            browser.press("Accept", within=accept)
            browser.wait_for_text("Thank you: the invitation is accepted.")
            score = browser.form_of(reverse("review-submit", args=[assignment.pk]))
            value = str(next(v for t, v in PROJECTS.values() if t == assignment.application.title))
            for code in ("innovation", "feasibility", "team", "benefit"):
                browser.type(f"scores_{code}", value, within=score)
            browser.type("comment", "技术路线清晰。", within=score)
            browser.choose("recommendation", "support", within=score)
            browser.press("Submit the review", within=score)
            browser.wait_for_text("Your review was submitted.")
        log_out(browser)
    for item in items.values():
        item.refresh_from_db()
        assert item.status == S.REVIEWED

    # --- The panel reads the ranking and recommends within the quota ----------------------------
    browser.login(panel)
    browser.visit(reverse("upper-call", args=[upper.pk]))
    ranks = {
        row.find_element(By.CSS_SELECTOR, "td[data-label='Project']").text: row.find_element(
            By.CSS_SELECTOR, "td[data-label='Rank']"
        ).text
        for row in browser.driver.find_elements(By.CSS_SELECTOR, "main table.list tbody tr")
    }
    assert ranks == {PROJECTS["applicant"][0]: "1", PROJECTS["other_applicant"][0]: "2"}
    form = browser.form_of(reverse("upper-recommend", args=[upper.pk]))
    form.find_element(By.CSS_SELECTOR, f"input[name='items'][value='{items['applicant'].pk}']").click()
    form.find_element(By.CSS_SELECTOR, f"input[name='items'][value='{items['other_applicant'].pk}']").click()
    browser.press("Recommend", within=form)  # two for one place: refused
    browser.wait_for_text("The county may recommend 1 items to this call; 2 would exceed it.")
    form = browser.form_of(reverse("upper-recommend", args=[upper.pk]))
    form.find_element(By.CSS_SELECTOR, f"input[name='items'][value='{items['applicant'].pk}']").click()
    browser.press("Recommend", within=form)
    browser.wait_for_text("The recommendation is recorded; the applicants are told.")
    for item in items.values():
        item.refresh_from_db()
    assert (items["applicant"].status, items["other_applicant"].status) == (S.RECOMMENDED, S.NOT_RECOMMENDED)
    log_out(browser)

    # --- Staff record the outcome with the county's matching funds ------------------------------
    funded = items["applicant"]
    browser.login(staff)
    browser.visit(reverse("upper-call", args=[upper.pk]))
    browser.click_link("Record the outcome")
    browser.choose("funded", "1")
    browser.type("upper_yuan", "600,000")
    browser.type("matching_yuan", "200000.00")
    browser.press("Save")
    browser.wait_for_text("The outcome is recorded.")
    assert "600,000.00" in browser.text and "200,000.00" in browser.text
    log_out(browser)

    # --- The matching funds: officer, a different head, then the payment ------------------------
    disbursement = Disbursement.objects.get(application=funded)
    assert (disbursement.tranche, disbursement.amount_yuan) == (1, Decimal("200000.00"))
    approve = reverse("disbursement-approve", args=[disbursement.pk])
    browser.login(finance_officer)
    browser.visit(reverse("finance"))
    browser.press("Approve (finance officer)", within=browser.form_of(approve))
    browser.wait_for_text("Payment approved.")
    log_out(browser)
    browser.login(finance_head)
    browser.visit(reverse("finance"))
    browser.press("Approve (finance head)", within=browser.form_of(approve))
    browser.wait_for_text("Payment approved.")
    log_out(browser)
    browser.login(finance_officer)
    browser.visit(reverse("finance"))
    pay = browser.form_of(reverse("disbursement-pay", args=[disbursement.pk]))
    browser.type("voucher", "YJKJ-2027-0001", within=pay)
    browser.press("Record the payment", within=pay)
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    disbursement.refresh_from_db()
    assert disbursement.status == D.PAID and disbursement.amount_yuan == Decimal("200000.00")
    log_out(browser)

    # --- Staff follow the funded project: a milestone, done, then the acceptance ---------------
    browser.login(staff)
    browser.visit(reverse("application-detail", args=[funded.pk]))
    add = browser.form_of(reverse("upper-milestone-add", args=[funded.pk]))
    browser.type("name", "完成样机试制", within=add)
    _set_date(browser, add, "due", dt.date(2028, 6, 30))
    browser.press("Add the milestone", within=add)
    browser.wait_for_text("Milestone added; the applicant is told.")
    milestone = funded.upper_milestones.get()
    done = browser.form_of(reverse("upper-milestone-done", args=[milestone.pk]))
    browser.press("Record done", within=done)  # today, as offered
    browser.wait_for_text("The milestone is recorded as done.")
    accept = browser.form_of(reverse("upper-acceptance", args=[funded.pk]))
    browser.choose("result", "passed", within=accept)
    browser.type("organised_by", "永嘉县科技局", within=accept)
    question = browser.press("Record the acceptance", within=accept)
    assert question == "Record the acceptance? It cannot be changed afterwards."
    browser.wait_for_text("The acceptance is recorded; the applicant is told.")
    assert UpperAcceptance.objects.get(application=funded).result == "passed"
    assert "永嘉县科技局" in browser.text and "Add the milestone" not in browser.text


def _set_date(browser: Browser, form: Any, name: str, day: dt.date) -> None:
    field = form.find_element(By.NAME, name)
    browser.driver.execute_script("arguments[0].value = arguments[1]", field, day.isoformat())
