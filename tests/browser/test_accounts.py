"""People own their passwords, through the real pages in headless Chromium: change it, reset
it from the e-mailed link (in Chinese), and choose the first one from an invitation.

The e-mails are read from Django's locmem outbox: the live server runs in this process."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.by import By

from accounts.enums import Role
from accounts.models import User
from tests.accounts.conftest import link_in

from .conftest import Browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "Oujiang-bridge-2027"


def log_in(browser: Browser, username: str, password: str) -> None:
    browser.visit("/accounts/login/")
    browser.type("username", username)
    browser.type("password", password)
    browser.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    browser.wait_for(By.CSS_SELECTOR, "form[action$='/logout/']")


def log_out(browser: Browser) -> None:
    browser.driver.find_element(By.CSS_SELECTOR, "form[action$='/logout/'] button").click()
    browser.wait_for(By.CSS_SELECTOR, "a[href='/accounts/login/']")


def choose_password(browser: Browser, password: str) -> None:
    browser.type("new_password1", password)
    browser.type("new_password2", password)
    browser.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()


def test_applicant_changes_their_password(browser: Browser, applicant: Any):
    browser.login(applicant)
    browser.driver.find_element(By.CSS_SELECTOR, "a[href='/accounts/password/change/']").click()
    browser.type("old_password", "Pingshen-test-2026")
    choose_password(browser, NEW)
    browser.wait_for_text("Your new password is in use.")
    log_out(browser)
    log_in(browser, "applicant", NEW)
    applicant.refresh_from_db()
    assert applicant.check_password(NEW)


def test_password_reset_from_the_emailed_link_in_chinese(browser: Browser, applicant: Any, settings: Any):
    browser.driver.add_cookie({"name": "django_language", "value": "zh-hans", "path": "/"})
    settings.PINGSHEN_SITE_URL = browser.base_url
    browser.visit("/accounts/login/")
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    browser.driver.find_element(By.CSS_SELECTOR, "a[href='/accounts/password/reset/']").click()
    browser.type("email", "applicant@example.org")
    browser.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    browser._wait().until(lambda d: d.current_url.endswith("/accounts/password/reset/sent/"))
    (message,) = mail.outbox
    with translation.override("zh-hans"):
        assert message.subject == gettext("Pingshen: choose a new password")

    browser.visit(link_in(message))
    browser.wait_for(By.NAME, "new_password1")
    choose_password(browser, NEW)
    browser._wait().until(lambda d: d.current_url.endswith("/accounts/password/reset/done/"))
    log_in(browser, "applicant", NEW)

    # The link worked once.
    log_out(browser)
    browser.visit(link_in(message))
    assert not browser.driver.find_elements(By.NAME, "new_password1")
    assert browser.driver.find_elements(By.CSS_SELECTOR, "a[href='/accounts/password/reset/']")


def test_staff_invite_a_person_who_chooses_their_own_password(browser: Browser, staff: Any, settings: Any):
    settings.PINGSHEN_SITE_URL = browser.base_url
    browser.login(staff)
    browser.driver.find_element(By.CSS_SELECTOR, "a[href='/people/new/']").click()
    browser.type("username", "zhou_li")
    browser.type("email", "zhou@example.org")
    browser.type("display_name", "周立")
    browser.driver.find_element(By.CSS_SELECTOR, "input[name='roles'][value='expert']").click()
    browser.press("Create and invite")
    browser.wait_for_text("Account created")
    invited = User.objects.get(username="zhou_li")
    assert invited.roles == {Role.EXPERT} and not invited.has_usable_password()
    log_out(browser)

    (message,) = mail.outbox
    assert message.to == ["zhou@example.org"]
    browser.visit(link_in(message))
    browser.wait_for_text("zhou_li")
    choose_password(browser, NEW)
    browser._wait().until(lambda d: d.current_url.endswith("/accounts/password/reset/done/"))
    log_in(browser, "zhou_li", NEW)
