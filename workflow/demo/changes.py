"""The demo year's change requests (项目变更): a few of each kind, in different states, on
projects of the second 2016 batch that are under way (contract signed, first tranche paid),
asked and decided in the spring of 2017 through the same services and steps as the pages.

Nothing here moves a figure the county published: no unit change or termination is approved
(a termination would withdraw a tranche), and budget moves keep every total. Loading again adds
only the requests that are missing (one of each kind per project at most).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aftergrant import changes
from aftergrant.enums import ChangeKind, ContractStatus
from aftergrant.models import ChangeRequest, ContractBudgetLine, ContractMilestone, ContractTarget, ContractVersion
from applications.enums import ApplicationStatus as S
from applications.models import Application
from funding.enums import DisbursementStatus
from workflow import steps

from .clock import DAY, cst

if TYPE_CHECKING:
    from .builder import Loader

#: Which running project (by its order in the batch) gets which request, asked on a day of
#: 2017, and how far its chain goes: the people who approve in turn, then "reject" or not.
PLAN: list[dict[str, Any]] = [
    {"n": 0, "kind": ChangeKind.EXTENSION, "asked": cst(2017, 3, 6), "approve": ["staff"]},
    {"n": 1, "kind": ChangeKind.BUDGET, "asked": cst(2017, 3, 13), "approve": ["staff"], "move": "0.05"},
    {"n": 2, "kind": ChangeKind.BUDGET, "asked": cst(2017, 4, 5), "approve": ["staff"], "move": "0.30"},
    {"n": 3, "kind": ChangeKind.TARGETS, "asked": cst(2017, 4, 18), "approve": []},
    {"n": 4, "kind": ChangeKind.LEADER, "asked": cst(2017, 4, 20), "approve": ["staff"]},
    {"n": 5, "kind": ChangeKind.UNIT, "asked": cst(2017, 3, 20), "approve": ["staff"], "reject": "panel"},
    {"n": 6, "kind": ChangeKind.TERMINATION, "asked": cst(2017, 5, 8), "approve": []},
    {"n": 3, "kind": ChangeKind.EXTENSION, "asked": cst(2017, 5, 2), "approve": [], "reject": "staff"},
]
REASONS = {
    ChangeKind.EXTENSION: "关键设备进口到货延迟三个月，中试无法按期完成，申请延期。",
    ChangeKind.BUDGET: "设备采购价格低于预算，结余经费调整用于材料费。",
    ChangeKind.TARGETS: "根据市场需求调整产品规格，相应调整考核指标。",
    ChangeKind.LEADER: "原项目负责人工作调动，由技术副总接任。",
    ChangeKind.UNIT: "企业重组，项目拟转由控股子公司承担。",
    ChangeKind.TERMINATION: "市场环境发生重大变化，项目继续实施已无必要，申请终止。",
}
#: Shares of the county grant and of the own funds by line, for a contract written here.
SPLIT = [("equipment", Decimal("0.5")), ("materials", Decimal("0.3")), ("testing", Decimal("0.2"))]


def _version(app: Application, signed_at: dt.datetime) -> ContractVersion:
    """The project's contract in force: the one signing wrote, or else version 1 as the task
    contract would have it (targets, the grant split by line, one milestone)."""
    found = ContractVersion.objects.filter(application=app, status=ContractStatus.IN_FORCE).first()
    if found is not None:
        return found
    assert app.start_date and app.end_date and app.approved_yuan is not None
    version = ContractVersion.objects.create(
        application=app,
        number=1,
        status=ContractStatus.IN_FORCE,
        starts_on=app.start_date,
        ends_on=app.end_date,
        submitted_by=app.applicant,
        submitted_at=signed_at,
        in_force_at=signed_at,
    )
    ContractTarget.objects.create(version=version, position=1, name="新产品样机", unit="台（套）", value=2)
    ContractTarget.objects.create(version=version, position=2, name="发明专利申请", unit="件", value=2)
    ContractTarget.objects.create(version=version, position=3, name="新增销售收入", unit="万元", value=500)
    county = own = Decimal("0")
    for i, (line, share) in enumerate(SPLIT):
        last = i == len(SPLIT) - 1
        c = app.approved_yuan - county if last else (app.approved_yuan * share).quantize(Decimal("1"))
        o = app.self_funding_yuan - own if last else (app.self_funding_yuan * share).quantize(Decimal("1"))
        county, own = county + c, own + o
        ContractBudgetLine.objects.create(version=version, line=line, county_yuan=c, own_yuan=o)
    ContractMilestone.objects.create(version=version, name="完成样机试制", due_on=app.end_date - 120 * DAY)
    return version


def _fields(kind: str, step: dict[str, Any], version: ContractVersion, loader: Loader) -> dict[str, Any]:
    if kind == ChangeKind.EXTENSION:
        return {"new_end_date": changes.add_months(version.ends_on, 6)}
    if kind == ChangeKind.BUDGET:
        # From the first line to the second (or to a line the budget does not have yet).
        rows: list[dict[str, Any]] = [
            {"line": b.line, "county_yuan": b.county_yuan, "own_yuan": b.own_yuan, "other_yuan": b.other_yuan}
            for b in version.budget.all()
        ]
        if len(rows) < 2:
            spare = next(line for line, _share in SPLIT if line != rows[0]["line"])
            rows.append(
                {"line": spare, "county_yuan": Decimal("0"), "own_yuan": Decimal("0"), "other_yuan": Decimal("0")}
            )
        moved = (rows[0]["county_yuan"] * Decimal(step["move"])).quantize(Decimal("1"))
        rows[0]["county_yuan"] -= moved
        rows[1]["county_yuan"] += moved
        return {"budget": [{key: str(value) for key, value in row.items()} for row in rows]}
    if kind == ChangeKind.TARGETS:
        targets = [{"name": t.name, "unit": t.unit, "value": str(t.value)} for t in version.targets.all()]
        targets[0]["value"] = "3"
        return {"targets": [*targets, {"name": "企业标准", "unit": "项", "value": "1"}]}
    if kind == ChangeKind.LEADER:
        return {"new_leader": {"name": "陈志远", "title": "高级工程师", "phone": "13957712345"}}
    if kind == ChangeKind.UNIT:
        current = version.application.organisation_id
        other = next(o for key, o in sorted(loader.orgs.items()) if o.pk != current and o.credit_code)
        return {"new_organisation": other.pk}
    paid = changes.paid_to(version.application)
    return {"spent_yuan": str((paid * Decimal("0.7")).quantize(Decimal("0.01")))}


def load_changes(loader: Loader) -> int:
    """The requests of ``PLAN`` not yet loaded; returns how many were made."""
    call = loader.calls.get("2016-2")
    if call is None:
        return 0
    running = list(
        Application.objects.filter(
            call=call, status=S.CONTRACTED, disbursements__tranche=1, disbursements__status=DisbursementStatus.PAID
        )
        .select_related("applicant", "organisation", "contract")
        .order_by("pk")
    )
    users = loader.users
    deciders = {"staff": users["demo_staff"], "panel": users["demo_panel"], "finance_head": users["demo_finance_head"]}
    made = 0
    for step in PLAN:
        if step["n"] >= len(running):
            continue
        app = running[step["n"]]
        kind = step["kind"]
        if ChangeRequest.objects.filter(application=app, kind=kind).exists():
            continue
        version = _version(app, app.contract.signed_at)
        loader.clock.set(step["asked"])
        change = changes.change_request_create(
            application=app,
            actor=app.applicant,
            kind=kind,
            reason=REASONS[kind],
            **_fields(kind, step, version, loader),
        )
        made += 1
        day = step["asked"]
        for who in step["approve"]:
            if changes.change_next_step(change) != who:
                break
            day += 7 * DAY
            loader.clock.set(day)
            change = steps.change_decide(change=change, actor=deciders[who], approve=True, comment="经审核，同意。")
        if step.get("reject") and changes.change_next_step(change) == step["reject"]:
            loader.clock.set(day + 10 * DAY)
            steps.change_decide(
                change=change,
                actor=deciders[step["reject"]],
                approve=False,
                comment="变更理由不充分，请按任务书继续实施。",
            )
    return made
