"""Issue 15.8: the inbox works at 200 unread: mark all read (page and API), each notification
links to its item, filter by kind, pagination, and a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.models import Notification
from tests.conftest import api_key
from workflow import steps

from .test_dashboards import draft

pytestmark = pytest.mark.django_db


def _fill(user: Any, n: int, kind: str = "review_invitation", url: str = "") -> None:
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, subject=f"通知 {i}", body="请处理。", url=url, state="skipped")
        for i in range(n)
    )


def _page(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_inbox_page_costs_the_same_queries_with_1_and_200_unread(expert, staff):
    _fill(expert.user, 1)
    one = _queries(_page(expert.user), "/inbox/")
    _fill(staff, 200)
    client = _page(staff)
    assert _queries(client, "/inbox/") == one
    response = client.get("/inbox/")
    assert len(response.context["items"]) == 30
    assert response.context["page"].paginator.num_pages == 7
    assert "Page 1 of 7" in response.content.decode()


def test_mark_all_read_on_the_page_clears_every_unread_one(staff):
    _fill(staff, 200)
    client = _page(staff)
    response = client.post("/inbox/read-all/", follow=True)
    assert "200 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=staff, read_at__isnull=True).exists()
    assert response.context["unread_notifications"] == 0


def test_mark_all_read_of_one_kind_leaves_the_others(staff, expert):
    _fill(staff, 5, kind="review_declined")
    _fill(staff, 3, kind="objection_received")
    _fill(expert.user, 2, kind="review_declined")  # someone else's: untouched
    _page(staff).post("/inbox/read-all/?kind=review_declined")
    unread = Notification.objects.filter(read_at__isnull=True)
    assert set(unread.values_list("recipient_id", "kind")) == {
        (staff.pk, "objection_received"),
        (expert.user.pk, "review_declined"),
    }


def test_inbox_filters_by_kind_and_unread_and_the_pager_keeps_the_filter(staff):
    _fill(staff, 40, kind="review_declined")
    _fill(staff, 2, kind="objection_received")
    first = Notification.objects.filter(kind="review_declined").order_by("pk").first()
    Notification.objects.filter(pk=first.pk).update(read_at="2016-05-01T08:00:00+08:00")
    client = _page(staff)
    response = client.get("/inbox/?kind=review_declined&unread=1")
    assert response.context["page"].paginator.count == 39
    assert {n.kind for n, _link, _label in response.context["items"]} == {"review_declined"}
    html = response.content.decode()
    assert "?kind=review_declined&amp;unread=1&amp;page=2" in html
    assert ("objection_received", "Objection received") in response.context["kinds"]
    assert client.get("/inbox/?kind=nonsense").context["page"].paginator.count == 42  # unknown kind: no filter


def test_each_notification_links_to_its_item(call, applicant, staff):
    application = draft(call, applicant)
    steps.application_submit(application=application, actor=applicant)
    mine = Notification.objects.get(recipient=applicant, kind="submission_received")
    theirs = Notification.objects.get(recipient=staff, kind="submission_received")
    assert mine.url == theirs.url == f"/applications/{application.pk}/"
    _fill(applicant, 1, kind="review_invitation")  # an old row with no link: its kind's page
    response = _page(applicant).get("/inbox/")
    links = {n.pk: link for n, link, _label in response.context["items"]}
    assert links[mine.pk] == f"/applications/{application.pk}/"
    assert "/reviews/" in links.values()
    opened = _page(applicant).post(f"/inbox/{mine.pk}/read/")
    assert opened["Location"] == f"/applications/{application.pk}/"


def test_api_marks_all_read_and_filters(staff, expert):
    _fill(staff, 200, kind="review_declined")
    _fill(staff, 1, kind="objection_received")
    api = _api(staff)
    listed = api.get("/api/notifications/?kind=objection_received&unread=true").json()
    assert listed["count"] == 1 and listed["results"][0]["url"] == "/objections/"
    assert api.post("/api/notifications/read-all/", {"kind": "review_declined"}, format="json").json() == {
        "marked": 200
    }
    assert api.get("/api/notifications/?unread=true").json()["count"] == 1
    assert api.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert api.post("/api/notifications/read-all/").json() == {"marked": 0}
    assert APIClient().post("/api/notifications/read-all/").status_code == 401
