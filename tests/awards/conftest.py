"""Award personas and helpers: a round with the county's levels, nominations walked forward."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from awards.models import AwardRound
from awards.services import award_round_create, nomination_create
from reviews.models import Assignment
from workflow import steps

from ..api.conftest import anon, client_for  # noqa: F401 - the API personas, shared as fixtures
from ..conftest import CRITERIA, make_expert

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}
#: The county's 2010 rules: level 1 ¥30,000, level 2 ¥20,000, level 3 ¥10,000.
LEVELS = [
    {"level": 1, "quota": 3, "bonus_yuan": "30000.00"},
    {"level": 2, "quota": 9, "bonus_yuan": "20000.00"},
    {"level": 3, "quota": 20, "bonus_yuan": "10000.00"},
]
NOMINATION = {
    "title": "瓯江流域水质在线监测系统",
    "summary": "建立瓯江流域水质在线监测网络。",
    "field": "manufacturing",
    "units": ["永嘉县东蒙集团有限公司", "温州大学"],
    "persons": [{"name": "王建国", "organisation": "永嘉县东蒙集团有限公司", "role": "总体设计"}, "李红"],
}


@pytest.fixture
def award_round(staff: Any) -> AwardRound:
    now = timezone.now()
    return award_round_create(
        actor=staff,
        title="2016年度科学技术进步奖",
        year=2016,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        levels=LEVELS,
        criteria=CRITERIA,
        reviewers_per_item=1,
        min_reviews=1,
        notice_days=7,
    )


@pytest.fixture
def review_expert(org_expert: Any) -> Any:
    expert = make_expert("award_expert", org_expert)
    expert.load_limit = 100
    expert.save()
    return expert


@pytest.fixture
def reviewed_nominations(
    award_round: AwardRound, nominator: Any, staff: Any, review_expert: Any
) -> Callable[[int], list[Any]]:
    """``n`` nominations submitted, accepted, drawn, scored: waiting for the committee."""

    def make(n: int) -> list[Any]:
        items = [
            nomination_create(actor=nominator, award_round=award_round, **{**NOMINATION, "title": f"成果{i}"})
            for i in range(n)
        ]
        for item in items:
            steps.application_submit(application=item, actor=nominator)
            steps.formal_review(application=item, actor=staff, decision="accept")
        steps.call_draw(call=award_round, actor=staff, seed="award-test")
        for assignment in Assignment.objects.filter(application__in=items).select_related("expert__user"):
            steps.assignment_accept(assignment=assignment, actor=assignment.expert.user, no_conflict=True)
            steps.review_submit(
                assignment=assignment,
                actor=assignment.expert.user,
                scores=SCORES,
                comment="好",
                recommendation="support",
            )
        for item in items:
            item.refresh_from_db()
        return items

    return make


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are matched in English (the site's default language is zh-hans)."""
    from django.utils import translation

    with translation.override("en"):
        yield
