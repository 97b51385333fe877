"""A year's work by each role, in zh-hans, in Chromium, through the pages only (issue 15's
done-criterion).

Only the people who exist before the year begins are made in code: the bureau's staff member
and the expert pool (experts in the fields the county keeps). Everything else is typed and
clicked: staff set up a call that requires documents and an award round with its levels; a new
applicant registers an organisation, applies in a field picked from the vocabulary, is refused
while documents are missing, attaches them and submits; staff pass the formal review and draw
experts; a drawn expert accepts and scores. At each step the test reads what the person sees
(in Chinese) and checks that no button is left that the server would refuse.

tests/browser/test_setup_pages.py, test_roles.py and test_form_roundtrip.py check each of these
pages on its own with data built in code; this one chains them, so each page works on what the
page before it made.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from accounts.models import User
from applications.enums import ApplicationStatus as S
from applications.models import Application, Call
from awards.models import AwardRound
from reviews.enums import AssignmentStatus as A
from reviews.models import Assignment
from tests.conftest import make_code, make_expert

from .conftest import Browser
from .test_accounts import log_in, log_out
from .test_setup_pages import _fill_criteria, _set_datetime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CALL_TITLE = "2027年度第一批工业重点项目"
ROUND_TITLE = "2027年度科学技术进步奖"
PROJECT = "高效节能阀门研发及产业化"
ORGANISATION = "永嘉县瓯江阀门有限公司"
PASSWORD = "Oujiang-valve-2027"


def zh(message: str, context: str | None = None) -> str:
    """What a zh-hans reader sees for ``message``; fails when the catalogue lacks it, so a page
    that shows English in Chinese fails here rather than passing on the English text."""
    with translation.override("zh-hans"):
        text = pgettext(context, message) if context else gettext(message)
    assert text != message, f"no zh-hans translation of {message!r}"
    return text


def buttons(browser: Browser) -> set[str]:
    """The labels of every button the page offers."""
    return {b.text.strip() for b in browser.driver.find_elements(By.CSS_SELECTOR, "main button[type=submit]")}


def in_chinese(browser: Browser) -> None:
    browser.driver.delete_all_cookies()
    browser.driver.add_cookie({"name": "django_language", "value": "zh-hans", "path": "/"})


@pytest.fixture
def pool(org_expert: Any) -> list[Any]:
    """The expert pool: three experts in advanced manufacturing, one in agriculture."""
    return [
        make_expert("expert", org_expert),
        make_expert("expert2", org_expert),
        make_expert("expert3", org_expert),
        make_expert("agronomist", org_expert, fields=["agriculture"]),
    ]


def test_a_year_through_the_pages_in_chinese(
    browser: Browser, staff: Any, programme: Any, pool: list[Any], tmp_path: Path
):
    in_chinese(browser)

    # --- 1. Staff set up the call: required documents, criteria, budget, blind, tranches -------
    browser.login(staff)
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    browser.click_link(zh("New call"))
    Select(browser.driver.find_element(By.NAME, "programme")).select_by_visible_text(programme.name)
    browser.type("title", CALL_TITLE)
    browser.type("year", "2027")
    now = timezone.now()
    _set_datetime(browser, "opens_at", now - dt.timedelta(hours=1))  # open now
    _set_datetime(browser, "closes_at", now + dt.timedelta(days=30))
    browser.type("budget_yuan", "3,000,000")
    browser.type("max_request_yuan", "500,000.00")
    browser.type("tranches", "60，40")
    browser.type("reviewers_per_item", "2")
    browser.type("min_reviews", "1")
    browser.driver.find_element(By.NAME, "blind").click()
    browser.type("required_documents", "application_form: 申报书\nlicence: 营业执照")
    _fill_criteria(browser)
    browser.press(zh("Save"))
    browser.wait_for_text(zh("The call is created. You may change it until it opens."))
    assert CALL_TITLE in browser.text and zh("blind review") in browser.text
    assert "3,000,000.00" in browser.text and "300.0000" in browser.text  # yuan and 万元
    call = Call.objects.get(title=CALL_TITLE)
    assert call.required_documents == [
        {"code": "application_form", "name": "申报书"},
        {"code": "licence", "name": "营业执照"},
    ]
    assert (call.blind, call.tranches, call.reviewers_per_item) == (True, [60, 40], 2)

    # --- 1b. The award round, its levels added row by row on its edit page ----------------------
    browser.visit("/")
    browser.click_link(zh("New award round"))
    browser.type("title", ROUND_TITLE)
    browser.type("year", "2027")
    _set_datetime(browser, "opens_at", now + dt.timedelta(days=10))
    _set_datetime(browser, "closes_at", now + dt.timedelta(days=40))
    _fill_criteria(browser)
    for level, quota, bonus in [("1", "3", "30,000"), ("2", "9", "20000"), ("3", "20", "10000.00")]:
        row = int(level) - 1  # each save offers one more blank row below the saved ones
        Select(browser.driver.find_element(By.NAME, f"levels-{row}-level")).select_by_value(level)
        browser.type(f"levels-{row}-quota", quota)
        browser.type(f"levels-{row}-bonus_yuan", bonus)
        browser.press(zh("Save"))
        browser.wait_for(By.CSS_SELECTOR, ".messages .message")
        assert not browser.driver.find_elements(By.CSS_SELECTOR, ".errorlist"), browser.text[:1500]
        if level != "3":
            browser.click_link(zh("Terms of the round"))
    rows = [tr.text for tr in browser.driver.find_elements(By.CSS_SELECTOR, "main table.list tbody tr")]
    with translation.override("zh-hans"):
        assert rows == [
            f"{gettext('Level %(n)s') % {'n': level}} {quota} 0 {quota} {bonus}"
            for level, quota, bonus in [(1, 3, "30,000.00"), (2, 9, "20,000.00"), (3, 20, "10,000.00")]
        ]
    award_round = AwardRound.objects.get(title=ROUND_TITLE)
    assert list(award_round.levels.values_list("level", "quota", "bonus_yuan")) == [
        (1, 3, Decimal("30000.00")),
        (2, 9, Decimal("20000.00")),
        (3, 20, Decimal("10000.00")),
    ]
    log_out(browser)

    # --- 2. A new applicant registers an organisation ------------------------------------------
    browser.click_link(zh("Log in"))
    browser.click_link(zh("Register as an applicant"))
    browser.type("username", "wang_fang")
    browser.type("password", PASSWORD)
    browser.type("email", "wang@oujiang-valve.example")
    browser.type("organisation_name", ORGANISATION)
    browser.type("credit_code", make_code("91330324MA2J7QX4K"))
    Select(browser.driver.find_element(By.NAME, "kind")).select_by_visible_text(zh("Enterprise"))
    browser.press(zh("Create my account"))
    browser.wait_for_text(zh("Welcome! Your account is ready."))
    log_out(browser)
    log_in(browser, "wang_fang", PASSWORD)
    applicant = User.objects.get(username="wang_fang")
    assert applicant.organisation.name == ORGANISATION

    # The open call, and a field picked from the vocabulary by its Chinese name.
    row = browser.driver.find_element(By.XPATH, f"//div[@class='row'][.//strong[text()='{CALL_TITLE}']]")
    row.find_element(By.LINK_TEXT, zh("New application")).click()
    field = Select(browser.wait_for(By.NAME, "field"))
    names = [o.text for o in field.options]
    assert "先进制造" in names and "manufacturing" not in names
    field.select_by_visible_text("先进制造")
    browser.type("title", PROJECT)
    browser.type("summary", "研发新一代高效节能阀门，年节电30%。")
    browser.type("requested_yuan", "300,000")
    browser.type("self_funding_yuan", "600000.00")
    browser.press(zh("Save draft"))
    browser.wait_for_text(zh("Draft saved. Add attachments, then submit."))
    application = Application.objects.get(applicant=applicant)
    detail = reverse("application-detail", args=[application.pk])
    assert "先进制造" in browser.text and "30.0000" in browser.text
    documents = browser.driver.find_element(By.CSS_SELECTOR, "ul.documents").text
    assert documents.count(zh("missing")) == 2 and "申报书" in documents and "营业执照" in documents

    # Submitting without the documents is refused, naming each one.
    submit = browser.form_of(reverse("application-submit", args=[application.pk]))
    submit.find_element(By.NAME, "pledge").click()
    question = browser.press(zh("Submit"), within=submit)
    assert question == zh(
        "Submit the application to the bureau? You cannot change it again unless the bureau returns it."
    )
    with translation.override("zh-hans"):
        refusal = gettext("Attach the required documents before submitting: %(names)s.") % {
            "names": pgettext("list separator", ", ").join(["申报书", "营业执照"])
        }
    browser.wait_for_text(refusal)
    application.refresh_from_db()
    assert application.status == S.DRAFT

    # Attach them, each as the document it is.
    for code, name, filename in [("application_form", "申报书", "申报书.pdf"), ("licence", "营业执照", "营业执照.pdf")]:
        path = tmp_path / filename
        path.write_bytes(PDF)
        upload = browser.form_of(reverse("attachment-upload", args=[application.pk]))
        Select(upload.find_element(By.NAME, "kind")).select_by_value(code)
        upload.find_element(By.NAME, "file").send_keys(str(path))
        browser.press(zh("Upload"), within=upload)
        link = browser.wait_for(By.LINK_TEXT, filename)
        assert name in link.find_element(By.XPATH, "..").text  # filed as the document it is
    documents = browser.driver.find_element(By.CSS_SELECTOR, "ul.documents").text
    assert documents.count(zh("attached")) == 2 and zh("missing") not in documents

    submit = browser.form_of(reverse("application-submit", args=[application.pk]))
    submit.find_element(By.NAME, "pledge").click()
    browser.press(zh("Submit"), within=submit)
    browser.wait_for_text(zh("Submitted. The bureau will check it."))
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    # Nothing is offered that the server would now refuse: no edit, upload, remove or submit.
    assert buttons(browser) == set(), buttons(browser)
    assert not browser.driver.find_elements(
        By.CSS_SELECTOR, f"a[href='{reverse('application-edit', args=[application.pk])}']"
    )
    browser.visit("/")
    mine = browser.driver.find_element(By.ID, "applicant").text
    assert PROJECT in mine and zh("Wait for formal review") in mine
    log_out(browser)

    # --- 3. Staff pass the formal review and draw the experts ------------------------------------
    browser.login(staff)
    browser.driver.find_element(By.ID, "staff").find_element(By.LINK_TEXT, PROJECT).click()
    review = browser.wait_for(By.CSS_SELECTOR, f"form[action='{reverse('formal-review', args=[application.pk])}']")
    assert ORGANISATION in browser.text and "申报书.pdf" in browser.text
    browser.choose("decision", "accept", within=review)
    browser.press(zh("Record"), within=review)
    browser.wait_for_text(zh("Formal review recorded."))
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert zh("Formal review") not in {e.text for e in browser.driver.find_elements(By.CSS_SELECTOR, "main h2")}
    # No expert yet: the review cannot start, so the page does not offer to start it.
    assert zh("Start the expert review") not in buttons(browser)
    assert zh("No expert assigned yet.") in browser.text

    browser.click_link(CALL_TITLE)
    browser.press(zh("Draw"))
    # The draw runs as a job: its page shows the progress, then what it drew and the way on.
    browser.wait_for_text(zh("See the draw: candidates, exclusions and choices"))
    assert "/jobs/" in browser.driver.current_url, browser.text[:1500]
    browser.click_link(zh("See the draw: candidates, exclusions and choices"))
    assert browser.driver.current_url.startswith(browser.base_url + "/draws/"), browser.text[:1500]
    drawn_line = next(
        p.text
        for p in browser.driver.find_elements(By.CSS_SELECTOR, "main section.card p")
        if p.text.startswith(zh("Drawn"))
    )
    drawn = drawn_line.split(": ", 1)[1].split(", ")
    assert len(drawn) >= call.reviewers_per_item, drawn_line
    assert set(drawn) <= {"expert", "expert2", "expert3"}  # in the item's field, never the agronomist
    with translation.override("zh-hans"):
        assert gettext("%(n)s candidates in the item's field.") % {"n": 3} in browser.text

    # Back on the item: the drawn experts are invited and the review runs; nothing left to start.
    browser.visit(detail)
    experts = browser.driver.find_element(By.XPATH, f"//section[h2[text()='{zh('Experts')}']]").text
    for name in drawn:
        assert name in experts
    assert experts.count(zh("Invited")) == len(drawn)
    assert zh("Start the expert review") not in buttons(browser)
    log_out(browser)

    # --- 4. A drawn expert accepts and scores --------------------------------------------------
    expert_user = User.objects.get(username=drawn[0])
    browser.login(expert_user)
    mine = browser.driver.find_element(By.ID, "expert")
    assert PROJECT in mine.text and zh("Invited") in mine.text
    mine.find_element(By.LINK_TEXT, PROJECT).click()
    assignment = Assignment.objects.get(application=application, expert__user=expert_user)
    accept = browser.wait_for(By.CSS_SELECTOR, f"form[action='{reverse('review-accept', args=[assignment.pk])}']")
    assert zh("Blind review: the applicant is not shown.") in browser.text
    assert ORGANISATION not in browser.text  # blind: who applied is not shown
    assert zh("Submit the review") not in buttons(browser)  # nothing to score before accepting
    accept.find_element(By.NAME, "no_conflict").click()
    browser.press(zh("Accept"), within=accept)
    browser.wait_for_text(zh("Thank you: the invitation is accepted."))
    # Accepted: scoring is offered, accepting is not.
    assert zh("Accept") not in buttons(browser) and zh("Submit the review") in buttons(browser)
    assert "申报书.pdf" not in browser.text  # blind: attachments are numbered, not named

    score = browser.form_of(reverse("review-submit", args=[assignment.pk]))
    browser.type("scores_innovation", "80", within=score)
    browser.type("scores_benefit", "90", within=score)
    browser.type("comment", "技术路线清晰，节能效果可测，方案可行。", within=score)
    browser.choose("recommendation", "support", within=score)
    browser.press(zh("Submit the review"), within=score)
    browser.wait_for_text(zh("Your review was submitted."))
    assert "84.00" in browser.text  # 80 × 0.6 + 90 × 0.4
    assert buttons(browser) == set(), buttons(browser)  # a submitted review is final: no decline either
    assignment.refresh_from_db()
    assert assignment.status == A.SUBMITTED and assignment.review.weighted_total == Decimal("84.00")
