"""Each role does its main job through the real pages, in headless Chromium.

These are the paths people take every day: they start on the home page, follow what waits
for them and press the buttons a person would press. The database is checked afterwards,
so a page that only looks right but does not act fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from applications.enums import ApplicationStatus as S
from applications.models import Application
from funding.enums import DisbursementStatus as D
from reviews.enums import AssignmentStatus as A
from reviews.models import Assignment

from .conftest import PHONE, Browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_applicant_drafts_attaches_a_file_and_submits(browser: Browser, call: Any, applicant: Any, tmp_path: Any):
    report = tmp_path / "feasibility-report.pdf"
    report.write_bytes(PDF)

    browser.login(applicant)
    assert "No application" in browser.text or "no applications" in browser.text
    row = browser.driver.find_element(By.XPATH, f"//div[@class='row'][.//strong[text()='{call.title}']]")
    row.find_element(By.LINK_TEXT, "New application").click()

    browser.type("title", "高效节能阀门研发")
    browser.select("field", "manufacturing")
    browser.type("summary", "研发新一代高效节能阀门。")
    browser.type("requested_yuan", "300000.00")
    browser.type("self_funding_yuan", "600000.00")
    browser.press("Save draft")
    browser.wait_for_text("Attachments")
    application = Application.objects.get(applicant=applicant)
    assert application.status == S.DRAFT

    upload = browser.form_of(reverse("attachment-upload", args=[application.pk]))
    upload.find_element(By.NAME, "file").send_keys(str(report))
    browser.press("Upload", within=upload)
    browser.wait_for(By.LINK_TEXT, "feasibility-report.pdf")

    submit = browser.form_of(reverse("application-submit", args=[application.pk]))
    submit.find_element(By.NAME, "pledge").click()  # the integrity pledge (诚信承诺)
    question = browser.press("Submit", within=submit, confirm=False)
    assert question and "You cannot change it again" in question  # the consequence, named
    application.refresh_from_db()
    assert application.status == S.DRAFT  # cancelled: nothing sent
    browser.press("Submit", within=browser.form_of(reverse("application-submit", args=[application.pk])))
    browser.wait_for(By.CSS_SELECTOR, ".status-submitted")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.attachments.get().original_name == "feasibility-report.pdf"

    # Home now shows it with what comes next.
    browser.visit("/")
    row = browser.driver.find_element(By.XPATH, "//section[@id='applicant']//tr[td/a[text()='高效节能阀门研发']]")
    assert "Wait for formal review" in row.text


def test_expert_accepts_the_invitation_and_scores(browser: Browser, in_review: Application, expert: Any):
    assignment = Assignment.objects.get(application=in_review, expert=expert)

    browser.login(expert.user)
    reviews = browser.driver.find_element(By.ID, "expert")
    assert "Invited" in reviews.text
    reviews.find_element(By.LINK_TEXT, in_review.title).click()

    accept = browser.form_of(reverse("review-accept", args=[assignment.pk]))
    accept.find_element(By.NAME, "no_conflict").click()
    browser.press("Accept", within=accept)

    score = browser.wait_for(By.CSS_SELECTOR, f"form[action='{reverse('review-submit', args=[assignment.pk])}']")
    for code, value in {"innovation": "80", "feasibility": "90", "team": "70", "benefit": "85"}.items():
        browser.type(f"scores_{code}", value, within=score)
    browser.type("comment", "技术路线清晰，方案可行。", within=score)
    browser.choose("recommendation", "support", within=score)
    browser.press("Submit the review", within=score)
    browser.wait_for_text("Your review was submitted.")

    assignment.refresh_from_db()
    assert assignment.status == A.SUBMITTED
    assert assignment.review.weighted_total == pytest.approx(82.5)
    assert assignment.review.comment == "技术路线清晰，方案可行。"


def test_staff_return_an_application_for_revision(browser: Browser, submitted: Application, staff: Any):
    browser.login(staff)
    work = browser.driver.find_element(By.ID, "staff")
    assert submitted.organisation.name in work.text
    work.find_element(By.LINK_TEXT, submitted.title).click()

    review = browser.wait_for(By.CSS_SELECTOR, f"form[action='{reverse('formal-review', args=[submitted.pk])}']")
    browser.choose("decision", "return", within=review)
    browser.type("comment", "请补充预算明细。", within=review)
    browser.press("Record", within=review)
    browser.wait_for(By.CSS_SELECTOR, ".status-returned")

    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED
    # It has left the staff's list of what waits for the bureau.
    browser.visit("/")
    assert submitted.title not in browser.driver.find_element(By.ID, "work").find_element(By.XPATH, "..").text


def test_panel_decides_a_reviewed_item(browser: Browser, reviewed: Application, panel: Any):
    browser.login(panel)
    decide = browser.driver.find_element(By.ID, "panel")
    row = decide.find_element(By.XPATH, f".//tr[td/a[text()='{reviewed.title}']]")
    assert "82.50" in row.text
    row.find_element(By.LINK_TEXT, reviewed.title).click()

    form = browser.wait_for(By.CSS_SELECTOR, f"form[action='{reverse('decide', args=[reviewed.pk])}']")
    browser.choose("fund", "yes", within=form)
    browser.type("approved_yuan", "250000.00", within=form)
    browser.type("comment", "同意资助", within=form)
    browser.press("Decide", within=form)
    browser.wait_for(By.CSS_SELECTOR, ".status-funded")

    reviewed.refresh_from_db()
    assert reviewed.status == S.FUNDED
    assert str(reviewed.approved_yuan) == "250000.00"


def test_finance_officer_then_head_approve_a_payment(
    browser: Browser, first_payment: Any, finance_officer: Any, finance_head: Any
):
    title = first_payment.application.title
    approve_action = reverse("disbursement-approve", args=[first_payment.pk])

    browser.login(finance_officer)
    home = browser.driver.find_element(By.ID, "finance")
    row = home.find_element(By.XPATH, f".//tr[td/a[text()='{title}']]")
    assert "You" in row.text and "150,000.00" in row.text  # 60 % of 250,000 waits for this officer
    assert home.find_element(By.CSS_SELECTOR, "figure.chart svg")  # budget execution
    browser.click_link("Open the payments page")
    browser.press("Approve (finance officer)", within=browser.form_of(approve_action))
    browser.wait_for_text("Payment approved.")
    first_payment.refresh_from_db()
    assert first_payment.status == D.OFFICER_APPROVED

    browser.driver.delete_all_cookies()
    browser.driver.add_cookie({"name": "django_language", "value": "en", "path": "/"})
    browser.login(finance_head)
    browser.visit(reverse("finance"))
    browser.press("Approve (finance head)", within=browser.form_of(approve_action))
    browser.wait_for_text("Payment approved.")
    first_payment.refresh_from_db()
    assert first_payment.status == D.APPROVED
    assert (first_payment.officer, first_payment.head) == (finance_officer, finance_head)


def test_phone_width_pages_fit_and_a_refused_form_keeps_the_input(browser: Browser, call: Any, applicant: Any):
    browser.driver.set_window_size(*PHONE)
    browser.login(applicant)
    assert browser.driver.execute_script("return window.innerWidth") == PHONE[0]

    def fits() -> bool:
        return browser.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")

    assert fits(), "the home page scrolls sideways at phone width"
    assert browser.driver.find_element(By.LINK_TEXT, "Notifications").is_displayed()  # the nav wraps, stays

    browser.visit(reverse("application-create", args=[call.pk]))
    assert fits(), "the application form scrolls sideways at phone width"
    browser.type("title", "手机上填写的项目")
    browser.select("field", "agriculture")
    browser.type("summary", "在手机上写的摘要。")
    browser.type("requested_yuan", "9999999.00")  # above the call's maximum: refused
    browser.press("Save draft")

    browser.wait_for(By.CSS_SELECTOR, ".errorlist")
    assert not Application.objects.exists()
    values = {
        name: browser.driver.find_element(By.NAME, name).get_attribute("value")
        for name in ("title", "field", "summary", "requested_yuan")
    }
    assert values == {
        "title": "手机上填写的项目",
        "field": "agriculture",
        "summary": "在手机上写的摘要。",
        "requested_yuan": "9999999.00",
    }
    width = browser.driver.find_element(By.NAME, "title").size["width"]
    assert width >= PHONE[0] * 0.7, f"the title input is {width}px wide on a {PHONE[0]}px screen"


def test_phone_width_every_role_page_fits_the_screen(
    browser: Browser, first_payment: Any, staff: Any, finance_officer: Any, expert: Any
):
    """At 390 px nothing makes the page scroll sideways: tables become cards or scroll in their box."""
    application = first_payment.application
    assignment = Assignment.objects.get(application=application, expert=expert)
    browser.driver.set_window_size(*PHONE)

    def overflow() -> list[str]:
        # Elements reaching past the right edge of the screen; what is inside a table or a
        # .table-scroll box may (the box scrolls, the page does not), the box itself may not.
        return browser.driver.execute_script(
            """
            const limit = document.documentElement.clientWidth + 1;
            if (document.documentElement.scrollWidth <= limit) return [];
            return [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > limit && !e.parentElement.closest('.table-scroll, table'))
              .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40));
            """
        )

    pages = {
        staff: [
            "/",
            reverse("application-detail", args=[application.pk]),
            reverse("call-detail", args=[application.call_id]),
            reverse("objections"),
            reverse("outbox"),
        ],
        finance_officer: ["/", reverse("finance")],
        expert.user: ["/", reverse("my-reviews"), reverse("review-detail", args=[assignment.pk])],
    }
    for user, paths in pages.items():
        browser.driver.delete_all_cookies()
        browser.driver.add_cookie({"name": "django_language", "value": "en", "path": "/"})
        browser.login(user)
        for path in paths:
            browser.visit(path)
            assert overflow() == [], f"{user.username} at {path} scrolls sideways on a phone"
