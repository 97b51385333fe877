"""Issue 14 (the public notice): anyone finds current and past notices, and a notice names
only the funded projects and awarded nominations unless the bureau publishes the rest."""

from __future__ import annotations

import pytest
from django.test import Client

from ..conftest import close_notice
from ..workflow.test_plan_project_services import to_review
from .test_objections import funded_on_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice_and_apps(call, applicant, staff, expert, panel):
    return funded_on_notice(call, applicant, staff, expert, panel, also_not_funded=True)


def test_anyone_lists_current_and_past_notices(notice_and_apps, call, staff, anon):
    notice, (funded, not_funded) = notice_and_apps
    listing = anon.get("/api/notices/")
    assert listing.status_code == 200
    body = listing.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    assert body["count"] == 1
    (shown,) = body["results"]
    assert shown["id"] == notice.pk and shown["closed_at"] is None
    assert [item["item"] for item in shown["items"]] == [funded.pk]
    close_notice(notice, staff)
    assert anon.get("/api/notices/").json()["results"][0]["closed_at"] is not None


def test_a_notice_does_not_name_the_unfunded_unless_the_bureau_publishes_them(notice_and_apps, anon, settings):
    notice, (funded, not_funded) = notice_and_apps
    detail = anon.get(f"/api/notices/{notice.pk}/").json()
    assert [item["item"] for item in detail["items"]] == [funded.pk]
    page = Client().get(f"/notices/{notice.pk}/").content.decode()
    assert funded.title in page and not_funded.title not in page
    # Nobody can object to an item the notice does not show.
    body = {"item": not_funded.pk, "text": "x", "name": "张三", "contact": "138"}
    refused = anon.post(f"/api/notices/{notice.pk}/objections/", body, format="json")
    assert refused.status_code == 400 and "item" in refused.json()
    settings.PINGSHEN_NOTICE_SHOWS_NOT_FUNDED = True
    detail = anon.get(f"/api/notices/{notice.pk}/").json()
    assert sorted(item["item"] for item in detail["items"]) == sorted([funded.pk, not_funded.pk])


def test_the_public_page_lists_notices_without_a_login(notice_and_apps, call):
    notice, _apps = notice_and_apps
    page = Client().get("/notices/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/notices/{notice.pk}/" in html and call.title in html
    assert 'href="/notices/"' in Client().get(f"/notices/{notice.pk}/").content.decode()


def test_a_notice_that_cannot_be_published_says_why(notice_and_apps, call, staff, client_for, applicant, expert):
    api = client_for(staff)
    second = api.post(f"/api/calls/{call.pk}/notice/")
    assert second.status_code == 409
    assert "still open" in second.json()["detail"] or "正在进行" in second.json()["detail"]
    page = Client()
    page.force_login(staff)
    call_page = page.get(f"/calls/{call.pk}/").content.decode()
    assert (
        "still open" in call_page or "正在进行" in call_page
    ) and f"/calls/{call.pk}/publish-notice/" not in call_page
    response = page.post(f"/calls/{call.pk}/publish-notice/", follow=True)
    assert "still open" in response.content.decode() or "正在进行" in response.content.decode()
    # Once it closed, an item still in review is named as the reason nothing can be published.
    notice, _apps = notice_and_apps
    close_notice(notice, staff)
    to_review(call, applicant, staff, [expert], title="评审中项目")
    undecided = api.post(f"/api/calls/{call.pk}/notice/")
    assert undecided.status_code == 409
    detail = undecided.json()["detail"]
    assert "1 items of this call are not decided yet" in detail or "尚有 1 项未作决定" in detail
    call_page = page.get(f"/calls/{call.pk}/").content.decode()
    assert "not decided yet" in call_page or "未作决定" in call_page
