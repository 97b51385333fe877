"""Money fixtures: ranked items (reviews as the experts leave them), decided and paid items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from applications.enums import ApplicationStatus as S
from applications.models import Application, Call
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement, FundingDecision
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Review
from reviews.services import ranking_changed
from tests.conftest import api_key

from ..api.conftest import anon, client_for  # noqa: F401 - the API personas, shared as fixtures


def make_item(
    call: Call,
    applicant: Any,
    expert: Any,
    *,
    title: str,
    score: str,
    requested: str,
    status: str = S.REVIEWED,
) -> Application:
    """An application with one submitted review of ``score`` (the call ranks by the mean)."""
    app = Application.objects.create(
        call=call,
        applicant=applicant,
        organisation=applicant.organisation,
        title=title,
        field="manufacturing",
        requested_yuan=Decimal(requested),
        status=status,
    )
    assignment = Assignment.objects.create(
        application=app,
        expert=expert,
        status=AssignmentStatus.SUBMITTED,
        due_at=timezone.now() + dt.timedelta(days=7),
    )
    Review.objects.create(
        assignment=assignment, scores={}, weighted_total=Decimal(score), comment="好", recommendation="support"
    )
    ranking_changed(call.pk)  # as review_submit leaves it
    return app


def decide_directly(app: Application, by: Any, amount: str | None) -> None:
    """A decision as ``decision_make`` leaves it (``amount=None``: not funded)."""
    fund = amount is not None
    value = Decimal(amount) if amount is not None else Decimal("0")
    FundingDecision.objects.create(application=app, fund=fund, approved_yuan=value, decided_by=by)
    app.approved_yuan = value if fund else None
    app.status = S.FUNDED if fund else S.NOT_FUNDED
    app.save(update_fields=["approved_yuan", "status"])


def pay_directly(app: Application, tranche: int, amount: str, status: str = D.PAID) -> Disbursement:
    return Disbursement.objects.create(application=app, tranche=tranche, amount_yuan=Decimal(amount), status=status)


@pytest.fixture
def items(call: Call, applicant: Any, expert: Any) -> Callable[..., list[Application]]:
    """``items(("A", "90", "300000.00"), ...)`` → reviewed applications, in the order given."""

    def make(*spec: tuple[str, str, str]) -> list[Application]:
        return [make_item(call, applicant, expert, title=t, score=s, requested=r) for t, s, r in spec]

    return make


@pytest.fixture
def page_client() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client() -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
        return client

    return make
