"""In zh-hans, in Chromium, every edit form of an existing object saved unchanged changes
nothing in the database (issue 15.2: a draft's dates were wiped because the date input could
not read ``2027/03/01``). The browser decides what is sent, so an input that cannot read the
value it was given fails here."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.pages.test_form_roundtrip import EDIT_PAGES, build_edits, snapshot

from .conftest import Browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: An input only this edit form has, to find the form on its page.
MARKER = {
    "application": "requested_yuan",
    "expert": "load_limit",
    "call": "budget_yuan",
    "award_round": "levels-TOTAL_FORMS",
    "nomination": "persons",
    "field": "name_zh",
    "preferences": "digest",
}
#: Edit pages that come back to themselves after saving.
STAY = {"expert", "preferences"}


@pytest.mark.parametrize("which", EDIT_PAGES)
def test_saving_an_edit_form_unchanged_in_chinese_changes_nothing(
    browser: Browser, which: str, call: Any, programme: Any, applicant: Any, staff: Any, nominator: Any, expert: Any
):
    user, obj, url = build_edits(
        call=call, programme=programme, applicant=applicant, staff=staff, nominator=nominator, expert=expert
    )[which]
    before = snapshot(obj)
    browser.driver.add_cookie({"name": "django_language", "value": "zh-hans", "path": "/"})
    browser.login(user)
    browser.visit(url)
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    form = browser.driver.find_element(By.XPATH, f"//form[@method='post'][.//*[@name='{MARKER[which]}']]")
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    browser.wait_for(By.CSS_SELECTOR, ".messages .message")
    assert browser.driver.current_url != browser.base_url + url or which in STAY, browser.text[:1500]
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "ul.errorlist"), browser.text[:1500]
    assert snapshot(obj) == before


def test_money_inputs_show_the_amount_in_wan_as_it_is_typed(browser: Browser, call: Any, applicant: Any):
    browser.login(applicant)
    browser.visit(f"/calls/{call.pk}/apply/")
    browser.type("requested_yuan", "300,000")
    field = browser.driver.find_element(By.NAME, "requested_yuan")
    hint = field.find_element(By.XPATH, "following-sibling::span[contains(@class, 'wan-hint')]")
    assert hint.text == "= 30 10k yuan"
    assert field.find_element(By.XPATH, "following-sibling::span[@class='unit']").text == "yuan"
