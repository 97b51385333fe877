"""Award lists cost the same number of statements for one row as for many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from awards.services import award_round_create, nomination_create

from ..api.conftest import ok
from ..conftest import CRITERIA
from .conftest import LEVELS, NOMINATION

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        ok(client.get(url))
    return len(ctx.captured_queries)


def test_award_lists_do_not_grow_with_rows(client_for, staff, nominator, award_round):
    as_staff, as_nominator = client_for(staff), client_for(nominator)
    nomination_create(actor=nominator, award_round=award_round, **NOMINATION)
    one = (_count(as_staff, "/api/award-rounds/"), _count(as_nominator, "/api/nominations/"))
    for i in range(4):
        award_round_create(
            actor=staff,
            title=f"第{i}轮",
            year=2016,
            opens_at=award_round.opens_at,
            closes_at=award_round.closes_at,
            levels=LEVELS,
            criteria=CRITERIA,
        )
        nomination_create(actor=nominator, award_round=award_round, **{**NOMINATION, "title": f"成果{i}"})
    many = (_count(as_staff, "/api/award-rounds/"), _count(as_nominator, "/api/nominations/"))
    assert many == one
