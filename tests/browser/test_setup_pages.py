"""Staff set up the year in Chromium, through the pages only: a call with its criteria and
tranche plan, and an award round with a level, starting from the home page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from applications.models import Call
from awards.models import AwardRound

from .conftest import Browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _set_datetime(browser: Browser, name: str, when: dt.datetime) -> None:
    # Typing into a datetime-local follows the browser's locale; setting the value is what a
    # picker does, in the input's own format.
    field = browser.driver.find_element(By.NAME, name)
    browser.driver.execute_script(
        "arguments[0].value = arguments[1]", field, timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")
    )


def _fill_criteria(browser: Browser) -> None:
    for i, (code, label, weight) in enumerate([("innovation", "创新性", "60"), ("benefit", "效益", "40")]):
        browser.type(f"criteria-{i}-code", code)
        browser.type(f"criteria-{i}-label", label)
        browser.type(f"criteria-{i}-weight", weight)
        browser.type(f"criteria-{i}-max_score", "100")


def test_staff_set_up_a_call_and_an_award_round_through_the_pages(browser: Browser, staff: Any, programme: Any):
    soon = timezone.now() + dt.timedelta(days=10)
    browser.login(staff)
    browser.click_link("New call")
    Select(browser.driver.find_element(By.NAME, "programme")).select_by_visible_text(programme.name)
    browser.type("title", "2027年度第一批科技计划项目")
    browser.type("year", "2027")
    _set_datetime(browser, "opens_at", soon)
    _set_datetime(browser, "closes_at", soon + dt.timedelta(days=30))
    browser.type("budget_yuan", "3,000,000")
    browser.type("max_request_yuan", "500,000.00")
    browser.type("tranches", "60, 40")
    _fill_criteria(browser)
    browser.press("Save")
    browser.wait_for_text("The call is created")
    call = Call.objects.get(title="2027年度第一批科技计划项目")
    assert call.budget_yuan == Decimal("3000000.00") and call.tranches == [60, 40]
    assert timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M") == timezone.localtime(soon).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert list(call.criteria.values_list("code", flat=True)) == ["innovation", "benefit"]

    browser.visit("/")
    browser.click_link("New award round")
    browser.type("title", "2027年度科学技术进步奖")
    browser.type("year", "2027")
    _set_datetime(browser, "opens_at", soon)
    _set_datetime(browser, "closes_at", soon + dt.timedelta(days=30))
    Select(browser.driver.find_element(By.NAME, "levels-0-level")).select_by_value("1")
    browser.type("levels-0-quota", "3")
    browser.type("levels-0-bonus_yuan", "30,000")
    _fill_criteria(browser)
    browser.press("Save")
    browser.wait_for_text("The award round is created")
    award_round = AwardRound.objects.get(title="2027年度科学技术进步奖")
    assert list(award_round.levels.values_list("level", "quota", "bonus_yuan")) == [(1, 3, Decimal("30000.00"))]
