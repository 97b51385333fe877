"""Budgets and payments hold when people act at the same moment (real PostgreSQL, threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.utils import DatabaseError

from core.errors import StateConflict
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement, FundingDecision
from tests.conftest import close_notice, contract_in_force
from workflow import steps

from ..conftest import make_expert
from ..workflow.test_plan_project_services import SCORES, to_review

pytestmark = pytest.mark.django_db(transaction=True)


def race(actions: list[Callable[[], Any]]) -> list[Any]:
    """Run the actions in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def reviewed(call, applicant, staff, expert, n):
    apps = []
    for _ in range(n):
        app, (a1,) = to_review(call, applicant, staff, [expert], requested_yuan="100000.00")
        steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
        steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
        apps.append(app)
    return apps


def test_eight_panel_members_at_once_never_exceed_the_budget(call, applicant, staff, org_expert, panel):
    call.budget_yuan = Decimal("300000.00")
    call.save()
    expert = make_expert("race_expert", org_expert)
    expert.load_limit = 100
    expert.save()
    apps = reviewed(call, applicant, staff, expert, 8)
    results = race(
        [(lambda a=a: steps.decide(application=a, actor=panel, fund=True, approved_yuan="100000.00")) for a in apps]
    )
    funded = [r for r in results if isinstance(r, FundingDecision)]
    refused = [r for r in results if isinstance(r, StateConflict)]
    assert len(funded) == 3
    assert len(refused) == 5
    total = sum(d.approved_yuan for d in FundingDecision.objects.filter(application__call=call, fund=True))
    assert total == Decimal("300000.00")


def funded_with_contract(call, applicant, staff, expert, panel):
    (app,) = reviewed(call, applicant, staff, expert, 1)
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="100000.00")
    close_notice(steps.notice_publish(call=call, actor=staff), staff)
    contract_in_force(app, applicant, staff)
    return app


def test_concurrent_approvals_and_payments_succeed_once(
    call, applicant, staff, expert, panel, finance_officer, finance_head
):
    from accounts.enums import Role
    from accounts.services import user_create

    app = funded_with_contract(call, applicant, staff, expert, panel)
    d = Disbursement.objects.get(application=app, tranche=1)
    officer2 = user_create(username="officer2", password="Pingshen-test-2026", roles=[Role.FINANCE_OFFICER])
    results = race(
        [lambda u=u: steps.disbursement_approve(disbursement=d, actor=u) for u in (finance_officer, officer2)]
    )
    assert sum(isinstance(r, Disbursement) for r in results) == 1
    steps.disbursement_approve(disbursement=d, actor=finance_head)
    results = race(
        [lambda i=i: steps.disbursement_pay(disbursement=d, actor=finance_officer, voucher=f"PZ-{i}") for i in range(4)]
    )
    assert sum(isinstance(r, Disbursement) for r in results) == 1
    d.refresh_from_db()
    assert d.status == D.PAID


def test_database_refuses_payments_beyond_the_grant_even_without_the_services(call, applicant, staff, expert, panel):
    app = funded_with_contract(call, applicant, staff, expert, panel)
    assert connection.vendor == "postgresql"
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Disbursement.objects.create(application=app, tranche=2, amount_yuan=Decimal("40000.01"))
    Disbursement.objects.create(application=app, tranche=2, amount_yuan=Decimal("40000.00"))
