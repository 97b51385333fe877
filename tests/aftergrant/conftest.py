"""After the grant: a contracted project with its contract version in force; a call with a
mid-term check (``midterm_call``) and a project signed on it (``signed_project``).

``sign`` signs through the steps (``tests.conftest.contract_in_force``: the applicant submits
the task contract, staff accept it); ``contract_baseline`` then gives version 1 the terms these
tests reason about (two targets, a three-line budget whose county column adds up to the grant,
a milestone) and the project period they need.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from aftergrant.enums import ContractStatus
from aftergrant.models import ContractBudgetLine, ContractMilestone, ContractTarget, ContractVersion
from applications.models import Application, Call
from applications.services import application_create
from funding.models import Disbursement
from reviews.services import criteria_set
from tests.conftest import CRITERIA, close_notice, contract_in_force
from tests.drafts import DRAFT_WITH_PERIOD as DRAFT
from workflow import steps

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}
#: The budget of the 250,000 yuan grant: county / own / other per line.
BUDGET = [
    ("equipment", "150000.00", "300000.00", "0.00"),
    ("materials", "60000.00", "200000.00", "50000.00"),
    ("testing", "40000.00", "100000.00", "0.00"),
]


def contract_baseline(application: Application, *, ends_on: dt.date | None = None) -> ContractVersion:
    """Version 1 in force with these tests' terms; the project runs from a year ago to
    ``ends_on`` (default: a year from today), which the application follows."""
    today = timezone.localdate()
    ends_on = ends_on or today + dt.timedelta(days=365)
    starts_on = today - dt.timedelta(days=365)
    Application.objects.filter(pk=application.pk).update(start_date=starts_on, end_date=ends_on)
    version = ContractVersion.objects.filter(application=application, status=ContractStatus.IN_FORCE).first()
    if version is None:
        version = ContractVersion.objects.create(
            application=application,
            number=1,
            status=ContractStatus.IN_FORCE,
            starts_on=starts_on,
            ends_on=ends_on,
            submitted_by=application.applicant,
            submitted_at=timezone.now(),
            in_force_at=timezone.now(),
        )
    else:
        ContractVersion.objects.filter(pk=version.pk).update(starts_on=starts_on, ends_on=ends_on)
        version.refresh_from_db()
        for rows in (version.targets, version.budget, version.milestones):
            rows.all().delete()
    ContractTarget.objects.create(version=version, position=1, name="新产品样机", unit="台", value=Decimal("2"))
    ContractTarget.objects.create(version=version, position=2, name="发明专利申请", unit="件", value=Decimal("3"))
    for line, county, own, other in BUDGET:
        ContractBudgetLine.objects.create(
            version=version, line=line, county_yuan=Decimal(county), own_yuan=Decimal(own), other_yuan=Decimal(other)
        )
    ContractMilestone.objects.create(version=version, name="样机试制", due_on=ends_on - dt.timedelta(days=90))
    application.refresh_from_db()
    return version


def contracted_project(call: Any, applicant: Any, staff: Any, expert: Any, panel: Any, *, title: str) -> Application:
    """A project walked through the steps to a signed contract (first tranche requested)."""
    app = application_create(
        actor=applicant,
        call=call,
        title=title,
        summary="研发新一代高效节能阀门。",
        field="manufacturing",
        requested_yuan="300000.00",
        self_funding_yuan="600000.00",
        start_date="2016-07-01",
        end_date="2018-06-30",
    )
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    assignment = steps.assignment_add(application=app, expert=expert, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=assignment, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="250000.00")
    return app


def sign(call: Any, apps: list[Application], applicant: Any, staff: Any) -> None:
    close_notice(steps.notice_publish(call=call, actor=staff), staff)
    for app in apps:
        contract_in_force(app, applicant, staff)
        contract_baseline(app)


@pytest.fixture
def project(call: Any, applicant: Any, staff: Any, expert: Any, panel: Any) -> Application:
    """A contracted project of 250,000 yuan with version 1 of its contract in force."""
    app = contracted_project(call, applicant, staff, expert, panel, title="高效节能阀门研发")
    sign(call, [app], applicant, staff)
    app.refresh_from_db()
    return app


APPROVED = Decimal("250000.01")


@pytest.fixture
def midterm_call(programme: Any) -> Call:
    """Three tranches: 40 % at contract, 30 % after the one mid-term check, 30 % at acceptance."""
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title="2016年度第二批科技计划项目（中期检查）",
        year=2016,
        batch=2,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        budget_yuan=Decimal("1000000.00"),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=1,
        min_reviews=1,
        notice_days=7,
        tranches=[40, 30, 30],
        midterm=True,
        midterm_months=6,
    )
    criteria_set(call=call, criteria=CRITERIA)
    return call


def midterm_baseline(application: Application, *, at: dt.datetime | None = None) -> ContractVersion:
    """The version in force (signed through the steps) with these tests' terms: two targets,
    three budget lines whose county column adds up to the amount granted; in force since
    ``at``, from which the checks fall due."""
    at = at or timezone.now()
    version = ContractVersion.objects.get(application=application, status=ContractStatus.IN_FORCE)
    ContractVersion.objects.filter(pk=version.pk).update(
        starts_on=dt.date(2016, 7, 1), ends_on=dt.date(2018, 6, 30), submitted_at=at, in_force_at=at
    )
    version.refresh_from_db()
    for rows in (version.targets, version.budget, version.milestones):
        rows.all().delete()
    ContractTarget.objects.create(version=version, position=1, name="新产品", unit="项", value=Decimal("2"))
    ContractTarget.objects.create(version=version, position=2, name="发明专利", unit="件", value=Decimal("3"))
    approved = application.approved_yuan or Decimal("0")
    ContractBudgetLine.objects.create(
        version=version, line="equipment", county_yuan=approved - Decimal("100000.00"), own_yuan=Decimal("200000")
    )
    ContractBudgetLine.objects.create(version=version, line="materials", county_yuan=Decimal("60000.00"))
    ContractBudgetLine.objects.create(
        version=version, line="testing", county_yuan=Decimal("40000.00"), other_yuan=Decimal("5000")
    )
    return version


def signed_project(
    call: Call,
    applicant: Any,
    staff: Any,
    expert: Any,
    panel: Any,
    *,
    approved: Decimal = APPROVED,
    in_force_days_ago: int = 170,
    **draft: Any,
) -> Application:
    """Submitted, reviewed, funded, on a closed notice, contract signed (with its version).

    By default the contract came into force 170 days ago: the first check (6 months on) is
    due in about ten days, so its report opens as soon as it is scheduled."""
    app = application_create(actor=applicant, call=call, **{**DRAFT, **draft})
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept", comment="")
    assignment = steps.assignment_add(application=app, expert=expert, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=assignment, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan=str(approved), comment="")
    close_notice(steps.notice_publish(call=call, actor=staff), staff)
    contract_in_force(app, applicant, staff)
    app.refresh_from_db()
    midterm_baseline(app, at=timezone.now() - dt.timedelta(days=in_force_days_ago))
    return app


def pay(disbursement: Disbursement, officer: Any, head: Any, voucher: str) -> Disbursement:
    steps.disbursement_approve(disbursement=disbursement, actor=officer)
    steps.disbursement_approve(disbursement=disbursement, actor=head)
    return steps.disbursement_pay(disbursement=disbursement, actor=officer, voucher=voucher)


def report_data(application: Application, *, achieved: str = "1") -> dict[str, Any]:
    version = ContractVersion.objects.get(application=application, status=ContractStatus.IN_FORCE)
    return {
        "progress": [{"target": t.pk, "achieved": achieved} for t in version.targets.all()],
        "spent": [
            {"line": "equipment", "county_yuan": "80000.00", "own_yuan": "50000", "other_yuan": "0"},
            {"line": "materials", "county_yuan": "20000.50", "own_yuan": "0", "other_yuan": "0"},
        ],
        "problems": "进口阀体材料到货延迟，已改用国产替代。",
    }


@pytest.fixture
def midterm_project(midterm_call: Call, applicant: Any, staff: Any, expert: Any, panel: Any) -> Application:
    return signed_project(midterm_call, applicant, staff, expert, panel)
