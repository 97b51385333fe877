"""The upward lists cost the same statements with one row and with many."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.services import application_create
from tests.conftest import PASSWORD
from upward import services as upward_services
from workflow import steps

pytestmark = pytest.mark.django_db

DRAFT = {"summary": "示范。", "field": "agriculture", "requested_yuan": "100000.00"}


def _calls(staff, programme, n):
    now = timezone.now()
    return [
        upward_services.upper_call_create(
            actor=staff,
            level="province",
            programme=programme,
            title=f"省级项目{k}",
            year=2016,
            quota=20,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=9),
        )
        for k in range(n)
    ]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_detail_pages_do_not_grow_with_rows(staff, applicant, programme):
    client = Client()
    assert client.login(username=staff.username, password=PASSWORD)
    (first,) = _calls(staff, programme, 1)
    app = application_create(actor=applicant, call=first.call, title="项目0", **DRAFT)
    steps.application_submit(application=app, actor=applicant)
    one_list = _count(client, reverse("upper-calls"))
    one_detail = _count(client, reverse("upper-call", args=[first.pk]))
    _calls(staff, programme, 6)
    for k in range(1, 8):
        app = application_create(actor=applicant, call=first.call, title=f"项目{k}", **DRAFT)
        steps.application_submit(application=app, actor=applicant)
    assert _count(client, reverse("upper-calls")) == one_list
    # At most as many: the first view also computed the (empty) ranking the next reads cached.
    assert _count(client, reverse("upper-call", args=[first.pk])) <= one_detail
    assert one_detail <= 20
