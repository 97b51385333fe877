"""The expert's queue (``/reviews/``): what waits for the expert comes first, and a long history
is paged, 50 rows a page, so the page costs the same after years of reviewing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from reviews.models import Assignment
from tests.drafts import applications_written

pytestmark = pytest.mark.django_db


def _history(call, applicant, expert, *, done: int, waiting: int) -> list[Assignment]:
    """``done`` submitted reviews, then ``waiting`` older invitations (invited before them all)."""
    now = timezone.now()
    apps = applications_written(call, applicant, done + waiting, "in_review", submitted_at=now)
    return Assignment.objects.bulk_create(
        Assignment(
            application=app,
            expert=expert,
            status="submitted" if i < done else "invited",
            # The invitations are the oldest rows: newest first alone would push them off page 1.
            invited_at=now - dt.timedelta(hours=i),
            due_at=now + dt.timedelta(days=7),
        )
        for i, app in enumerate(apps)
    )


def test_open_invitations_come_first_and_the_history_is_paged(call, applicant, expert):
    rows = _history(call, applicant, expert, done=55, waiting=2)
    waiting = {a.pk for a in rows if a.status == "invited"}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(expert.user)

    first = client.get("/reviews/")
    assert first.status_code == 200
    page_rows = first.context["rows"]
    assert len(page_rows) == 50
    assert {int(r["url"].rstrip("/").rsplit("/", 1)[1]) for r in page_rows[:2]} == waiting
    assert [r["status"] for r in page_rows[:3]] == ["invited", "invited", "submitted"]
    html = first.content.decode()
    assert 'href="?page=2"' in html and "Previous" not in html

    second = client.get("/reviews/", {"page": "2"})
    assert len(second.context["rows"]) == 7  # 57 rows: 50 + 7
    html = second.content.decode()
    assert 'href="?page=1"' in html and 'href="?page=3"' not in html
    seen = {r["url"] for r in page_rows} | {r["url"] for r in second.context["rows"]}
    assert len(seen) == 57  # every assignment once, none twice

    for beyond in ("9", "999999999999999999"):  # past the end, however far: "no more", never a 500
        past = client.get("/reviews/", {"page": beyond})
        assert past.status_code == 200 and past.context["rows"] == []
        assert "No more review assignments." in past.content.decode()
    for junk in ("0", "-1", "x", "²"):  # read as the first page, never a 500
        assert len(client.get("/reviews/", {"page": junk}).context["rows"]) == 50
