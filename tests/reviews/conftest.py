"""Helpers for the pool, import, reopen and ranking tests: sheets built in memory, items
walked to review through the step entry points, as people would act."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest
from openpyxl import Workbook

from tests.conftest import make_expert
from tests.workflow.test_plan_project_services import SCORES, draft
from workflow import steps

HEADER = [
    "name",
    "username",
    "email",
    "organisation",
    "credit code",
    "fields",
    "title",
    "region",
    "load limit",
    "active",
    "conflicts",
]


def sheet(rows: Iterable[Iterable[Any]], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(HEADER if header is None else header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def reviewed_item(call, applicant, staff, experts, scores_by_expert=None, **overrides):
    """An item submitted, accepted, assigned to ``experts`` who all score it."""
    app = draft(call, applicant, **overrides)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    assignments = [steps.assignment_add(application=app, expert=e, actor=staff) for e in experts]
    steps.expert_review_start(application=app, actor=staff)
    for a, e in zip(assignments, experts, strict=True):
        steps.assignment_accept(assignment=a, actor=e.user, no_conflict=True)
        scores = (scores_by_expert or {}).get(e.pk, SCORES)
        steps.review_submit(assignment=a, actor=e.user, scores=scores, comment="意见", recommendation="support")
    app.refresh_from_db()
    return app, assignments


@pytest.fixture
def pool_experts(org_expert):
    """Three experts in manufacturing, for calls that need more than two reviews."""
    return [make_expert(f"pool{i}", org_expert) for i in range(3)]


@pytest.fixture
def english():
    """Messages in English, so assertions on them hold whatever the translations say."""
    from django.utils import translation

    with translation.override("en"):
        yield
