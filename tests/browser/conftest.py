"""Headless Chromium driven by Selenium against pytest-django's ``live_server``.

One browser serves the whole folder (starting Chromium costs more than most tests); every
test starts logged out with a clean cookie jar and the desktop window size. The data each
test needs is built through ``workflow.steps``, as the people in tests/conftest.py would
act, so the pages see exactly what production would show them.

Chromium and its driver come from Debian (``chromium``, ``chromium-driver``);
scripts/browser_deps.sh installs them when they are missing, and scripts/test.sh runs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from applications.models import Application
from applications.services import application_create
from funding.models import Disbursement, Notice
from reviews.models import Assignment
from tests.conftest import PASSWORD, close_notice, contract_in_force
from tests.drafts import DRAFT
from workflow import steps

DESKTOP = (1280, 900)
PHONE = (390, 844)
WAIT_SECONDS = 30  # generous: CI machines are shared and slow, and a pass never waits this long

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def _chrome_options(width: int, height: int) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        f"--window-size={width},{height}",
        "--lang=zh-CN",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    return options


def start_chrome(width: int = DESKTOP[0], height: int = DESKTOP[1]) -> WebDriver:
    """A headless Chromium (also used by scripts/screenshots.py)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(path)):
            pytest.fail(f"{path} is missing: run scripts/browser_deps.sh (apt-get install chromium chromium-driver)")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=_chrome_options(width, height))
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="session")
def chrome() -> Iterator[WebDriver]:
    driver = start_chrome()
    yield driver
    driver.quit()


class Browser:
    """The few things a test does with a page, said the way a person would."""

    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def visit(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def login(self, user: Any) -> None:
        """Post the real login form once, and land on the home page."""
        self.visit("/accounts/login/")
        self.type("username", user.username)
        self.type("password", PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        self.wait_for(By.CSS_SELECTOR, "form[action$='/logout/']")

    def type(self, name: str, text: str, *, within: Any = None) -> None:
        field = (within or self.driver).find_element(By.NAME, name)
        field.clear()
        field.send_keys(text)

    def select(self, name: str, value: str, *, within: Any = None) -> None:
        """Pick the option of value ``value`` in the select ``name`` (a field of the vocabulary)."""
        from selenium.webdriver.support.ui import Select

        Select((within or self.driver).find_element(By.NAME, name)).select_by_value(value)

    def choose(self, name: str, value: str, *, within: Any = None) -> None:
        (within or self.driver).find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']").click()

    def click_link(self, text: str) -> None:
        self.driver.find_element(By.PARTIAL_LINK_TEXT, text).click()

    def press(self, label: str, *, within: Any = None, confirm: bool = True) -> str | None:
        """Click the button labelled ``label`` (its visible text). An irreversible action asks
        first (static/js/confirm.js): the person confirms (or, ``confirm=False``, cancels).
        Returns the question asked, if any."""
        scope = within or self.driver
        for button in scope.find_elements(By.CSS_SELECTOR, "button[type=submit]"):
            if button.text.strip() == label:
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
                asks = button.get_attribute("data-confirm") is not None
                page = self.driver.find_element(By.TAG_NAME, "html")
                button.click()
                question = self._answer_dialog(confirm) if asks else None
                if confirm:
                    self._left(page)
                return question
        raise AssertionError(f"no button {label!r} on {self.driver.current_url}")

    def _left(self, page: Any) -> None:
        """Wait until the page a button was pressed on has been replaced by the answer, so that
        what the test looks for next is looked for on the answer: a page that already showed a
        message or an error list would otherwise match at once, before the server has answered
        (a flake seen in CI). A press the browser does not send (its own form checks) leaves
        the page: after a few seconds the test goes on with it, as before."""

        def replaced(driver: WebDriver) -> bool:
            try:
                page.tag_name  # noqa: B018 - asks the browser whether the node is still there
            except WebDriverException:  # stale, or Chromium's "does not belong to the document"
                return True
            return False

        with contextlib.suppress(TimeoutException):
            WebDriverWait(self.driver, 3).until(replaced)

    def _answer_dialog(self, confirm: bool) -> str | None:
        try:
            dialog = WebDriverWait(self.driver, 2).until(ec.alert_is_present())
        except TimeoutException:
            return None  # data-confirm-if did not apply to what was chosen
        question = str(dialog.text)
        dialog.accept() if confirm else dialog.dismiss()
        return question

    def form_of(self, action_path: str) -> Any:
        return self.driver.find_element(By.CSS_SELECTOR, f"form[action='{action_path}']")

    def _wait(self) -> WebDriverWait:
        # While the next page loads, the old page's elements go stale: look again, not fail.
        return WebDriverWait(
            self.driver, WAIT_SECONDS, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
        )

    def wait_for(self, by: str, selector: str) -> Any:
        return self._wait().until(ec.presence_of_element_located((by, selector)))

    @staticmethod
    def _body_text(driver: WebDriver) -> str:
        """The page's text, or "" while the next page replaces it: Chromium then answers a read
        of the old body either as a stale element or as an "unhandled inspector error" (the node
        no longer belongs to the document), which WebDriver reports as an unknown error."""
        try:
            return str(driver.find_element(By.TAG_NAME, "body").text)
        except WebDriverException as exc:
            if isinstance(exc, StaleElementReferenceException) or "does not belong to the document" in str(exc):
                return ""
            raise

    def wait_for_text(self, text: str) -> None:
        try:
            self._wait().until(lambda d: text in self._body_text(d))
        except TimeoutException:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            raise AssertionError(f"{text!r} not on {self.driver.current_url}:\n{body[:1500]}") from None

    def messages(self) -> list[str]:
        return [m.text for m in self.driver.find_elements(By.CSS_SELECTOR, ".messages .message")]

    @property
    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text


@pytest.fixture
def browser(chrome: WebDriver, live_server: Any, settings: Any) -> Iterator[Browser]:
    settings.LANGUAGE_CODE = "zh-hans"
    chrome.set_window_size(*DESKTOP)
    chrome.get(live_server.url + "/accounts/login/")
    chrome.delete_all_cookies()
    # Every test reads the pages in English, so the assertions name the labels a person sees.
    chrome.add_cookie({"name": "django_language", "value": "en", "path": "/"})
    yield Browser(chrome, live_server.url)
    chrome.delete_all_cookies()


# --- data, built through the steps ------------------------------------------------------------

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}


@pytest.fixture
def submitted(call: Any, applicant: Any) -> Application:
    application = application_create(actor=applicant, call=call, **DRAFT)
    return steps.application_submit(application=application, actor=applicant)


@pytest.fixture
def in_review(submitted: Application, staff: Any, expert: Any, expert2: Any) -> Application:
    """Passed formal review; two experts invited and the review started."""
    steps.formal_review(application=submitted, actor=staff, decision="accept")
    for e in (expert, expert2):
        steps.assignment_add(application=submitted, expert=e, actor=staff)
    steps.expert_review_start(application=submitted, actor=staff)
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def reviewed(in_review: Application, expert: Any, expert2: Any) -> Application:
    for e in (expert, expert2):
        assignment = Assignment.objects.get(application=in_review, expert=e)
        steps.assignment_accept(assignment=assignment, actor=e.user, no_conflict=True)
        steps.review_submit(
            assignment=assignment, actor=e.user, scores=SCORES, comment="方案可行", recommendation="support"
        )
    in_review.refresh_from_db()
    return in_review


@pytest.fixture
def first_payment(reviewed: Application, panel: Any, staff: Any, applicant: Any) -> Disbursement:
    """Funded, notice published and closed, contract signed: the first tranche waits for finance."""
    steps.decide(application=reviewed, actor=panel, fund=True, approved_yuan=Decimal("250000.00"))
    notice = steps.notice_publish(call=reviewed.call, actor=staff)
    close_notice(Notice.objects.get(pk=notice.pk), staff)
    reviewed.refresh_from_db()
    contract_in_force(reviewed, applicant, staff)
    return Disbursement.objects.get(application=reviewed, tranche=1)
