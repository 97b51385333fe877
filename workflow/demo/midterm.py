"""A call with a mid-term check (中期检查) whose projects ran in 2016–2017, loaded last.

Four projects of 2015年度重大科技专项 run under 40 / 30 / 30 tranches with one check six months
after the contract: one passed its check, got its second tranche and went through acceptance to
its last payment; one was conditional, reported again and passed; one was conditional and owes
its re-report; one waits for staff's check.

The call is filed under 2015, like the award round, and decided in the first weeks of 2016: a
call of the 2016 programme year would change the county's published figures for 2016 (91
projects, 2563.8965 万元 on /figures/), and the two 2016 batches keep theirs exactly. It is
loaded last, with its own seed, so nothing drawn before it changes either.

The branch this was written on still signs contracts with one tick box, so the contract in
force (targets and budget lines) is written here beside the signature when none exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from aftergrant.enums import ContractStatus
from aftergrant.midterm import midterm_open
from aftergrant.models import ContractVersion, MidtermReport
from applications import services as app_services
from applications.models import Application, Call
from funding.models import Disbursement
from workflow import steps
from workflow.demo import notice_window_passed

from . import data
from .clock import CST, DAY, Timeline, cst

TITLE = "2015年度重大科技专项（中期检查）"
WHEN = Timeline(opens=cst(2016, 1, 11), closes=cst(2016, 2, 19, 17))
PERIOD = (dt.date(2016, 4, 1), dt.date(2017, 3, 31))

#: (organisation key, title, field, approved yuan, how far its mid-term check went)
PROJECTS: list[tuple[str, str, str, Decimal, str]] = [
    ("dongmeng", "LNG超低温阀门国产化关键技术研究", "manufacturing", Decimal("300000.00"), "closed"),
    ("haixing", "船舶综合电力推进系统研制", "electrical", Decimal("240000.00"), "conditional_passed"),
    ("teji", "核电站用高性能隔膜阀研制", "manufacturing", Decimal("180000.00"), "conditional"),
    ("ouweike", "高效节能磁力驱动泵产业化", "manufacturing", Decimal("150000.00"), "submitted"),
]

PROBLEMS = {
    1: "低温试验台改造比计划推迟一个月，已调整进度安排；其余按任务书推进。",
    2: "已按整改意见补充第三方检测报告和材料费明细，进度已追上。",
}


def load_midterm_call(loader: Any) -> int:
    """Load the call and its four projects; 0 when the call exists (loading is idempotent)."""
    if Call.objects.filter(title=TITLE).exists():
        return 0
    return MidtermCall(loader).load()


class MidtermCall:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.clock = loader.clock
        self.staff = loader.staff

    def load(self) -> int:
        clock = self.clock
        clock.set(WHEN.setup)
        call = steps.call_setup(
            actor=self.staff,
            criteria=data.CRITERIA,
            programme=self.loader.programmes["county_plan"],
            title=TITLE,
            year=2015,
            batch=1,
            opens_at=WHEN.opens,
            closes_at=WHEN.closes,
            budget_yuan="1000000.00",
            max_request_yuan="400000.00",
            reviewers_per_item=3,
            min_reviews=2,
            scoring_rule="mean",
            notice_days=7,
            tranches=[40, 30, 30],
            midterm=True,
            midterm_months=6,
        )
        start, end = PERIOD
        apps: list[tuple[Application, Decimal, str]] = []
        for n, (org, title, field, approved, stage) in enumerate(PROJECTS):
            applicant = self.loader.applicants[org]
            clock.set(WHEN.submission(n, len(PROJECTS)))
            app = app_services.application_create(
                actor=applicant,
                call=call,
                title=title,
                summary=f"{title}：突破关键工艺，形成可量产样机并实现示范应用。",
                field=field,
                requested_yuan=str(approved + Decimal("50000")),
                self_funding_yuan=str(approved * 2),
                start_date=start.isoformat(),
                end_date=end.isoformat(),
            )
            clock.set(WHEN.submission(n, len(PROJECTS)) + dt.timedelta(hours=2))
            steps.application_submit(application=app, actor=applicant)
            apps.append((app, approved, stage))
        for n, (app, _approved, _stage) in enumerate(apps):
            clock.set(WHEN.formal_review(n, len(apps)))
            steps.formal_review(
                application=app, actor=self.staff, decision="accept", comment="材料齐全，进入专家评审。"
            )
        clock.set(WHEN.closes)
        app_services.call_close(call=call, actor=self.staff)
        clock.set(WHEN.draw)
        steps.call_draw(call=call, actor=self.staff, seed="demo-midterm")
        self.loader.review_all(call, {app.pk: _Quality() for app, _a, _s in apps}, WHEN)
        for n, (app, approved, _stage) in enumerate(apps):
            clock.set(WHEN.decision(n, len(apps)))
            steps.decide(
                application=app,
                actor=self.loader.users["demo_panel"],
                fund=True,
                approved_yuan=str(approved),
                comment=f"同意立项，资助{approved / 10000:g}万元，设中期检查。",
            )
        clock.set(WHEN.notice)
        notice = steps.notice_publish(call=call, actor=self.staff)
        clock.set(WHEN.notice_closed)
        steps.notice_close(notice=notice_window_passed(notice), actor=self.staff)
        for n, (app, _approved, stage) in enumerate(apps):
            self.carry_out(app, stage, WHEN.contract(n, len(apps)))
        self.loader.log(f"  {TITLE}: {len(apps)} projects with a mid-term check")
        return len(apps)

    # --- one project ------------------------------------------------------------------------

    def contract(self, app: Application, at: dt.datetime) -> None:
        """The task contract as every demo project has it (``Builder.contract``): submitted two
        days before staff accept it at ``at``."""
        self.clock.set(at - 2 * DAY)
        self.loader.contract(app, at)

    def report(self, app: Application, at: dt.datetime, attempt: int) -> None:
        version = ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE)
        approved = app.approved_yuan or Decimal("0")
        share = Decimal("0.45") if attempt == 1 else Decimal("0.55")
        self.clock.set(at)
        steps.midterm_submit(
            application=app,
            actor=app.applicant,
            progress=[
                {"target": t.pk, "achieved": str((t.value * share).quantize(Decimal("0.01")))}
                for t in version.targets.all()
            ],
            spent=[
                {
                    "line": line.line,
                    "county_yuan": str((line.county_yuan * Decimal("0.4")).quantize(Decimal("0.01"))),
                    "own_yuan": str((line.own_yuan * share).quantize(Decimal("0.01"))),
                    "other_yuan": "0",
                }
                for line in version.budget.all()
            ],
            problems=PROBLEMS[attempt],
        )
        assert approved > 0

    def carry_out(self, app: Application, stage: str, contract_at: dt.datetime) -> None:
        self.contract(app, contract_at)
        self.loader.pay(app, 1, contract_at + 10 * DAY)
        report = MidtermReport.objects.get(application=app, round=1)
        opens = dt.datetime.combine(report.opens_on, dt.time(9), tzinfo=CST)
        self.clock.set(opens)
        midterm_open(report=report)
        due = dt.datetime.combine(report.due_on, dt.time(10), tzinfo=CST)
        self.report(app, due - 10 * DAY, attempt=1)
        if stage == "submitted":
            return
        checked = due + 5 * DAY
        self.clock.set(checked)
        if stage == "closed":
            steps.midterm_decide(
                application=app, actor=self.staff, result="pass", comment="专家组听取汇报，进展符合任务书。"
            )
        else:
            fix_by = (checked + 30 * DAY).date()
            steps.midterm_decide(
                application=app,
                actor=self.staff,
                result="conditional",
                comment="材料费支出明细不全，缺少第三方检测报告，请限期补充后重新报告。",
                fix_by=fix_by,
            )
            if stage == "conditional":
                return
            again = dt.datetime.combine(fix_by, dt.time(10), tzinfo=CST) - 5 * DAY
            self.report(app, again, attempt=2)
            checked = again + 3 * DAY
            self.clock.set(checked)
            steps.midterm_decide(application=app, actor=self.staff, result="pass", comment="整改到位，同意通过。")
        self.loader.pay(app, 2, checked + 7 * DAY)
        if stage != "closed":
            return
        filed = dt.datetime.combine(PERIOD[1] + 5 * DAY, dt.time(10), tzinfo=CST)
        walk = self.loader.acceptance
        walk.file(app, filed)
        passed = walk.passed(app, filed)
        walk.notice(app.call, passed + 2 * DAY)
        self.loader.pay(app, 3, passed + 12 * DAY)
        assert Disbursement.objects.filter(application=app, status="paid").count() == 3


class _Quality:
    """What ``Loader.review_all`` reads of an item's plan: how good the experts find it."""

    quality = 86
