"""The API personas of tests/api, and a higher-level call ready for applications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import (  # noqa: F401 - fixtures shared with the API tests
    anon,
    as_applicant,
    as_expert,
    as_expert2,
    as_head,
    as_officer,
    as_other_applicant,
    as_panel,
    as_staff,
    client_for,
)
from upward import services as upward_services
from upward.models import UpperCall


@pytest.fixture
def upper_call(staff: Any, programme: Any) -> UpperCall:
    now = timezone.now()
    return upward_services.upper_call_create(
        actor=staff,
        level="province",
        programme=programme,
        title="2016年省级重大科技攻关项目",
        year=2016,
        quota=1,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        reviewers_per_item=2,
        min_reviews=2,
    )
