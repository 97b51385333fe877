"""Build the demo year through the same entry points the people use.

Applications reach their states only through ``workflow.steps`` (submit, formal review, the
draw, each expert's acceptance and scores, the panel's decision, the notice, the contract,
both finance approvals and the payment, acceptance); nothing sets a status directly. Experts
are always chosen by the draw, on PostgreSQL and SQLite alike.

The year happened in 2016: the loader's :class:`~.clock.Clock` stands at each step's date
while the step runs (a call open in March takes submissions in March, its notice runs seven
days in May), so every timestamp the steps write falls in 2016–2017, stage after stage. The
open 2017 call lives in the month before the load.

Safe to repeat, and it leaves alone what people did with the demo: reference data is keyed on
credit codes, user names and programme codes; a 2016 call or the award round that exists is
skipped whole; an item of the open call that exists is left in whatever state it is, and only
a missing one is created and walked to its state. ``load_demo --reset`` starts over.
Everything runs in one transaction, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from django.contrib.auth import base_user
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test.utils import override_settings

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.services import roles_ensure, user_create
from applications import services as app_services
from applications.enums import ApplicationStatus as S
from applications.models import Application, Call, Programme
from core.errors import StateConflict
from funding import services as funding_services
from funding.models import Disbursement
from reviews import services as review_services
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Conflict, Expert
from workflow import steps
from workflow.demo import notice_window_passed

from . import data
from .acceptance import AcceptanceWalk
from .awards import load_award_round
from .changes import load_changes
from .clock import CST, DAY, Clock, Timeline, cst, office_hours, spread
from .data import BatchPlan, ItemPlan
from .midterm import load_midterm_call
from .upward import load_upward_year

BANKS = ["中国农业银行永嘉县支行", "中国工商银行永嘉支行", "浙江永嘉农村商业银行", "中国银行永嘉县支行"]

#: When the accounts, the organisations and the expert pool were set up, before the year's rounds.
REFERENCE_DATA_AT = cst(2016, 1, 4)
#: The 2016 batches: open in March and July, each closing six weeks later.
BATCH_TIMELINES = {
    1: Timeline(opens=cst(2016, 3, 1), closes=cst(2016, 4, 15, 17)),
    2: Timeline(opens=cst(2016, 7, 1), closes=cst(2016, 8, 15, 17)),
}
#: The batches' projects run a year from the quarter after the call; acceptance follows.
PROJECT_PERIODS = {1: (dt.date(2016, 7, 1), dt.date(2017, 6, 30)), 2: (dt.date(2016, 10, 1), dt.date(2017, 9, 30))}

#: Assessment targets a county project sets itself (name, unit, lowest and highest value).
CONTRACT_TARGETS = [
    ("新产品（新工艺）", "项", 1, 3),
    ("申请发明专利", "件", 1, 3),
    ("新增销售收入", "万元", 300, 3000),
    ("制定企业或行业标准", "项", 1, 2),
    ("培训技术人员（农户）", "人次", 50, 300),
]
#: How the county grant is split over one to three budget lines (percent, the last takes the rest).
CONTRACT_SPLITS = [
    [("equipment", 100)],
    [("equipment", 60), ("materials", 40)],
    [("equipment", 50), ("testing", 30), ("labour", 20)],
    [("materials", 45), ("testing", 35), ("travel", 20)],
]


def demo_contract(app: Application) -> dict[str, Any]:
    """The task contract of a demo project, the same on every load: one to three targets, the
    grant split over one to three lines whose county column adds up exactly to it (the own
    funds beside them), one or two milestones in the project period. Drawn from its own
    generator seeded by the title, so the year's other draws (scores, amounts) stay as they were."""
    rng = random.Random(f"contract:{app.title}")  # noqa: S311 - demo data, not a secret
    granted = app.approved_yuan or Decimal("0")
    own = app.self_funding_yuan or Decimal("0")
    split = rng.choice(CONTRACT_SPLITS)
    budget = []
    county_left, own_left = granted, own
    for n, (line, percent) in enumerate(split, 1):
        last = n == len(split)
        county = county_left if last else (granted * percent / 100).quantize(Decimal("0.01"))
        own_part = own_left if last else (own * percent / 100).quantize(Decimal("0.01"))
        county_left, own_left = county_left - county, own_left - own_part
        budget.append({"line": line, "county_yuan": str(county), "own_yuan": str(own_part), "other_yuan": "0"})
    targets = [
        {"name": name, "unit": unit, "value": str(rng.randint(low, high))}
        for name, unit, low, high in rng.sample(CONTRACT_TARGETS, rng.randint(1, 3))
    ]
    start, end = app.start_date, app.end_date
    assert start is not None and end is not None
    milestones = [{"name": "完成样机（样品）试制或示范基地建设", "due": (start + dt.timedelta(days=120)).isoformat()}]
    if rng.random() < 0.6:
        milestones.append(
            {"name": "完成中试与用户试用，整理验收资料", "due": (end - dt.timedelta(days=30)).isoformat()}
        )
    return {"accept_terms": True, "targets": targets, "budget": budget, "milestones": milestones}


@contextmanager
def quiet_eager_tasks() -> Iterator[None]:
    """Run Celery tasks in-process and keep e-mail in memory for the duration of the load,
    whatever the environment says, so the demo never queues to a broker nor mails (or prints)
    anything. Its notifications are written with no outside channel: all 1,600 of them are in
    the inbox ("not sent by e-mail"), none waits in the outbox for a worker to mail it to the
    demo's example.org addresses, and the load does not deliver them one by one (a seventh
    of its time when it did)."""
    from workflow.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    trace_logger = logging.getLogger("celery.app.trace")
    saved_level = trace_logger.level
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    trace_logger.setLevel(logging.WARNING)
    try:
        with override_settings(
            CELERY_TASK_ALWAYS_EAGER=True,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PINGSHEN_NOTIFICATION_CHANNELS={},
            # With DEBUG on (the embedded default of `make run`) every statement goes through
            # Django's debug cursor, which times, formats and logs it: 80,000 of them here.
            DEBUG=False,
        ):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved
        trace_logger.setLevel(saved_level)


@contextmanager
def one_hash_per_password() -> Iterator[None]:
    """Every demo account has the same published password: hash it once, not once per account
    (PBKDF2 takes a good fraction of a second, and the year has a hundred accounts). Django's
    ``create_user`` and ``set_password`` hash through ``make_password``, imported into both
    modules patched here; the accounts still get a full-strength hash."""
    from django.contrib.auth import hashers
    from django.contrib.auth import models as auth_models

    cache: dict[str, str] = {}

    def make_password(password: Any, salt: Any = None, hasher: Any = "default") -> str:
        if not isinstance(password, str) or salt is not None or hasher != "default":
            return hashers.make_password(password, salt, hasher)
        if password not in cache:
            cache[password] = hashers.make_password(password)
        return cache[password]

    with (
        mock.patch.object(base_user, "make_password", make_password),
        mock.patch.object(auth_models, "make_password", make_password),
    ):
        yield


def silent(_message: str) -> None:
    """A log that says nothing."""


def load(log: Callable[[str], None] = silent) -> int:
    """Load the demo year; returns how many applications were created."""
    clock = Clock()
    with quiet_eager_tasks(), one_hash_per_password(), clock.running(), transaction.atomic():
        return Loader(log, clock).load()


class Loader:
    def __init__(self, log: Callable[[str], None], clock: Clock) -> None:
        self.log = log
        self.clock = clock
        self.rng = random.Random(data.SEED)  # noqa: S311 - reproducible demo data, not a secret
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.applicants: dict[str, User] = {}  # organisation key → its applicant
        self.experts: list[Expert] = []
        self.demo_experts: list[Expert] = []
        self.programmes: dict[str, Programme] = {}
        self.calls: dict[str, Call] = {}
        self.vouchers = 0
        self.acceptance = AcceptanceWalk(self)
        self.acceptance_waiting = 0  # projects left waiting in acceptance so far
        self.acceptance_rectified = False  # the year's one rectified acceptance is done
        self.acceptance_passed: list[tuple[Application, str, dt.datetime]] = []  # wait for the notice
        # Everything random is drawn here, in a fixed order, whatever the database holds.
        self.org_codes = self._organisation_codes()
        self.pool = data.expert_pool(self.rng)
        titles = data.TitleMaker(self.rng)
        self.batches = [(plan, data.batch_items(plan, titles, self.rng)) for plan in data.BATCHES]

    @property
    def staff(self) -> User:
        return self.users["demo_staff"]

    def load(self) -> int:
        self.clock.set(REFERENCE_DATA_AT)
        roles_ensure()
        self.load_organisations()
        self.load_people()
        self.load_experts()
        for code, name in data.PROGRAMMES:
            self.programmes[code], _ = Programme.objects.get_or_create(code=code, defaults={"name": name})
        created = 0
        for plan, items in self.batches:
            created += self.load_batch(plan, items)
        load_changes(self)
        created += CurrentCall(self).load()
        created += load_award_round(self)
        created += load_upward_year(self)
        # Last, so that nothing drawn before it changes: a call with a mid-term check.
        created += load_midterm_call(self)
        return created

    # --- reference data ----------------------------------------------------------------------

    def _organisation_codes(self) -> dict[str, tuple[str, str, str, str, str]]:
        """key → (name, credit code, kind, bank, account) of every organisation of the year."""
        codes: dict[str, tuple[str, str, str, str, str]] = {}

        def add(key: str, name: str, code: str, kind: str) -> None:
            bank = self.rng.choice(BANKS)
            account = "".join(self.rng.choice("0123456789") for _ in range(19))
            codes[key] = (name, code, kind, bank, account)

        for key, (name, body, kind) in data.NAMED_ORGANISATIONS.items():
            add(key, name, data.credit_code(body), kind)
        for key, name, _industry in data.COMPANIES:
            add(key, name, data.make_credit_code("91", data.AREA, self.rng), OrganisationKind.ENTERPRISE)
        for key, name in data.COOPERATIVES:
            add(key, name, data.make_credit_code("93", data.AREA, self.rng), OrganisationKind.COOPERATIVE)
        for key, name in data.HOSPITALS:
            kind = OrganisationKind.HOSPITAL if "hospital" in key or "health" in key else OrganisationKind.GOVERNMENT
            add(key, name, data.make_credit_code("12", data.AREA, self.rng), kind)
        for key, (name, prefix, kind) in data.EXPERT_ORGANISATIONS.items():
            add(key, name, data.make_credit_code(prefix[:2], prefix[2:], self.rng), kind)
        return codes

    def load_organisations(self) -> None:
        existing = {
            o.credit_code: o
            for o in Organisation.objects.filter(credit_code__in=[c[1] for c in self.org_codes.values()])
        }
        for key, (name, code, kind, bank, account) in self.org_codes.items():
            org = existing.get(code)
            if org is None:
                org = Organisation.objects.create(
                    name=name, credit_code=code, kind=kind, address=data.COUNTY, bank_name=bank, bank_account=account
                )
            self.orgs[key] = org

    def user(self, username: str, display_name: str, roles: Sequence[str], org_key: str | None) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=data.PASSWORD,
                email=f"{username}@example.org",
                roles=roles,
                organisation=self.orgs[org_key] if org_key else None,
                display_name=display_name,
            )
        self.users[username] = user
        return user

    def load_people(self) -> None:
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                username="admin", email="admin@example.org", password=data.PASSWORD, display_name="系统管理员"
            )
        for username, display_name, roles, org_key in data.PEOPLE:
            self.user(username, display_name, roles, org_key)
        self.applicants["dongmeng"] = self.users["demo_applicant"]
        self.applicants["haixing"] = self.users["demo_applicant2"]
        applying = {item.organisation for _plan, items in self.batches for item in items}
        for key in sorted(applying - set(self.applicants)):
            org = self.org_codes[key][0]
            username = key if key.startswith("yj_") else f"yj_{key}"
            self.applicants[key] = self.user(username, f"{org} 项目联系人", [Role.APPLICANT], key)

    def load_experts(self) -> None:
        for username, name, org_key, fields, title in data.DEMO_EXPERTS:
            user = self.user(username, name, [Role.EXPERT], org_key)
            expert, _ = Expert.objects.get_or_create(
                user=user,
                defaults={
                    "name": name,
                    "organisation": self.orgs[org_key],
                    "fields": fields,
                    "title": title,
                    "region": "温州市",
                    "load_limit": 12,
                },
            )
            self.demo_experts.append(expert)
        existing = {e.user.username: e for e in Expert.objects.select_related("user")}
        fresh: set[int] = set()
        for username, name, org_key, fields, title in self.pool:
            if username in existing:
                expert = existing[username]
            else:
                name_, code, kind, _bank, _account = self.org_codes[org_key]
                expert = review_services.expert_create(
                    actor=self.staff,
                    username=username,
                    password=data.PASSWORD,
                    email=f"{username}@example.org",
                    name=name,
                    organisation={"name": name_, "credit_code": code, "kind": kind},
                    fields=fields,
                    title=title,
                    region="温州市" if org_key not in ("zju", "zjut", "cjlu", "zjmei", "zaas") else "杭州市",
                    load_limit=12,
                )
                fresh.add(expert.pk)
            self.experts.append(expert)
        self.experts = self.demo_experts + self.experts
        # A few declared conflicts (回避): the draw passes these experts over for those units.
        # Declared with the expert only: one an expert has since withdrawn stays withdrawn.
        companies = [key for key, _name, _industry in data.COMPANIES]
        for n, expert in enumerate(self.experts[6::7]):
            org = self.orgs[companies[(n * 3) % len(companies)]]
            if expert.pk not in fresh or Conflict.objects.filter(expert=expert, organisation_name=org.name).exists():
                continue
            review_services.conflict_declare(
                expert=expert,
                actor=expert.user,
                organisation_name=org.name,
                reason=data.CONFLICT_REASONS[n % len(data.CONFLICT_REASONS)],
            )

    # --- a 2016 batch, through every step --------------------------------------------------------

    def load_batch(self, plan: BatchPlan, items: list[ItemPlan]) -> int:
        call = Call.objects.filter(title=plan.title).first()
        if call is not None:
            self.calls[plan.key] = call
            return 0
        when = BATCH_TIMELINES[plan.batch]
        clock = self.clock
        clock.set(when.setup)
        call = steps.call_setup(
            actor=self.staff,
            criteria=data.CRITERIA,
            programme=self.programmes["county_plan"],
            title=plan.title,
            year=2016,
            batch=plan.batch,
            opens_at=when.opens,
            closes_at=when.closes,
            budget_yuan=str(plan.budget_yuan),
            max_request_yuan=str(plan.max_request_yuan),
            reviewers_per_item=3,
            min_reviews=2,
            scoring_rule="mean",
            notice_days=7,
            tranches=[60, 40],
        )
        self.calls[plan.key] = call
        start, end = PROJECT_PERIODS[plan.batch]
        apps: list[tuple[Application, ItemPlan]] = []
        for n, item in enumerate(items):
            applicant = self.applicants[item.organisation]
            clock.set(when.submission(n, len(items)))
            app = app_services.application_create(
                actor=applicant,
                call=call,
                title=item.title,
                summary=item.summary,
                field=item.field,
                requested_yuan=str(item.requested_yuan),
                self_funding_yuan=str(item.requested_yuan * self.rng.choice([1, 2, 3])),
                start_date=start.isoformat(),
                end_date=end.isoformat(),
            )
            clock.set(when.submission(n, len(items)) + dt.timedelta(hours=2))
            steps.application_submit(application=app, actor=applicant)
            apps.append((app, item))

        # Formal review: one item is returned and revised before it goes on; some are rejected.
        for n, (app, item) in enumerate(apps):
            clock.set(when.formal_review(n, len(apps)))
            if item.outcome == "rejected":
                steps.formal_review(
                    application=app,
                    actor=self.staff,
                    decision="reject",
                    comment="申报单位不符合本批次申报条件（项目已获同类财政资助）。",
                )
                continue
            if n == 0:
                steps.formal_review(
                    application=app,
                    actor=self.staff,
                    decision="return",
                    comment="请补充自筹资金证明和近三年财务审计报告。",
                )
                clock.set(when.formal_review(n, len(apps)) + 2 * DAY)
                steps.application_submit(application=app, actor=app.applicant)
                clock.set(when.formal_review(n, len(apps)) + 3 * DAY)
            steps.formal_review(
                application=app, actor=self.staff, decision="accept", comment="材料齐全，进入专家评审。"
            )
        clock.set(when.closes)
        app_services.call_close(call=call, actor=self.staff)

        # One draw for the whole call; in batch 2 an expert declines and is replaced at once.
        clock.set(when.draw)
        draw = steps.call_draw(call=call, actor=self.staff, seed=f"demo-{plan.key}")
        short = list(draw.items.filter(shortfall__gt=0).values_list("application__title", flat=True))
        if short:
            raise RuntimeError(f"the expert pool is short for {short}")
        if plan.batch == 2:
            first = Assignment.objects.filter(draw_item__draw=draw).select_related("expert__user").order_by("pk")[0]
            clock.set(when.answer(0, 1))
            steps.assignment_decline(
                assignment=first, actor=first.expert.user, reason="评审期间出差在外，无法按期完成。"
            )
        self.review_all(call, {app.pk: item for app, item in apps}, when)

        for n, (app, item) in enumerate(apps):
            if item.outcome == "rejected":
                continue
            clock.set(when.decision(n, len(apps)))
            if item.approved_yuan is None:
                steps.decide(
                    application=app,
                    actor=self.users["demo_panel"],
                    fund=False,
                    comment="综合评分未进入本批次资助范围。",
                )
            else:
                steps.decide(
                    application=app,
                    actor=self.users["demo_panel"],
                    fund=True,
                    approved_yuan=str(item.approved_yuan),
                    comment=f"同意立项，资助{item.approved_yuan / 10000:g}万元。",
                )
        clock.set(when.notice)
        notice = steps.notice_publish(call=call, actor=self.staff)
        if plan.batch == 2:
            app, _item = next((a, i) for a, i in apps if i.approved_yuan is not None)
            clock.set(when.notice + 2 * DAY)
            objection = funding_services.objection_file(
                notice=notice,
                application_id=app.pk,
                text="该项目与申报单位往年已验收项目内容相近，请核实是否重复申报。",
                name="王先生",
                contact="0577-67221234",
            )
            clock.set(when.notice + 4 * DAY)
            steps.objection_resolve(
                objection=objection,
                actor=self.staff,
                upheld=False,
                resolution="经核查，本项目研究内容与往年项目不同，不属于重复申报，异议不成立。",
            )
        clock.set(when.notice_closed)
        steps.notice_close(notice=notice_window_passed(notice), actor=self.staff)

        funded = [(app, item) for app, item in apps if item.approved_yuan is not None]
        for n, (app, item) in enumerate(funded):
            finished = dt.datetime.combine(end + 5 * DAY, dt.time(10), tzinfo=CST)
            self.carry_out(
                app, item, when.contract(n, len(funded)), spread(finished, finished + 20 * DAY, n, len(funded))
            )
        self.acceptance_notice(call)
        self.check_batch(call, plan, items)
        self.log(
            f"  {plan.title}: {len(items)} applications, {plan.funded_count} funded, {plan.funded_total / 10000} 万元"
        )
        return len(items)

    def review_all(self, call: Call, plans: dict[int, ItemPlan], when: Timeline) -> None:
        """Every invited expert accepts (no conflict) within the response days, then scores
        within the review days, around the item's quality."""
        assignments = list(
            Assignment.objects.filter(application__call=call, status=AssignmentStatus.INVITED)
            .select_related("expert__user", "application")
            .order_by("pk")
        )
        for n, assignment in enumerate(assignments):
            self.clock.set(when.answer(n, len(assignments)))
            steps.assignment_accept(assignment=assignment, actor=assignment.expert.user, no_conflict=True)
        for n, assignment in enumerate(assignments):
            quality = plans[assignment.application_id].quality
            scores = {c["code"]: max(40, min(98, quality + self.rng.randint(-6, 6))) for c in data.CRITERIA}
            recommendation = "support" if quality >= 72 else "oppose"
            self.clock.set(when.review(n, len(assignments)))
            steps.review_submit(
                assignment=assignment,
                actor=assignment.expert.user,
                scores=scores,
                comment=self.rng.choice(data.REVIEW_COMMENTS[recommendation]),
                recommendation=recommendation,
            )

    def voucher(self, year: int) -> str:
        self.vouchers += 1
        return f"YJKJ-{year}-{self.vouchers:04d}"

    def pay(self, app: Application, tranche: int, at: dt.datetime, upto: str = "paid") -> None:
        """Take a tranche through the officer's and the head's approvals and the payment,
        the officer's starting at ``at`` (the voucher is of the year it is paid)."""
        disbursement = Disbursement.objects.get(application=app, tranche=tranche)
        self.clock.set(at)
        steps.disbursement_approve(disbursement=disbursement, actor=self.users["demo_finance_officer"])
        if upto == "officer_approved":
            return
        self.clock.set(at + 2 * DAY)
        steps.disbursement_approve(disbursement=disbursement, actor=self.users["demo_finance_head"])
        if upto == "approved":
            return
        paid = at + 5 * DAY
        self.clock.set(paid)
        steps.disbursement_pay(
            disbursement=disbursement, actor=self.users["demo_finance_officer"], voucher=self.voucher(paid.year)
        )

    def contract(self, app: Application, checked: dt.datetime) -> None:
        """The applicant submits the task contract now; staff accept it at ``checked``: it is in
        force and the first tranche is requested."""
        # Re-read (the panel's decision was written through another instance) with the
        # applicant, who acts next: one statement, not a second one for the applicant.
        app.refresh_from_db(from_queryset=Application.objects.select_related("applicant"))
        steps.contract_submit(application=app, actor=app.applicant, **demo_contract(app))
        self.clock.set(checked)
        steps.contract_check(application=app, actor=self.staff, decision="accept", comment="任务书内容完整，同意签订。")

    def carry_out(self, app: Application, item: ItemPlan, contract: dt.datetime, acceptance: dt.datetime) -> None:
        """A funded project as far as its stage: the contract at ``contract``, the first tranche
        in the weeks after, the acceptance file when the project ends (``acceptance``), the
        experts and staff's decision (``workflow.demo.acceptance``); a pass waits for the call's
        acceptance notice (:meth:`acceptance_notice`), whose close requests the final tranche."""
        stage = item.outcome
        if stage == "funded":
            return  # the notice has closed; the contract waits for the applicant's signature
        self.clock.set(contract)
        self.contract(app, contract + 2 * DAY)
        if stage == "contracted":
            return  # the first tranche waits for the finance officer
        if stage in ("officer_approved", "approved"):
            self.pay(app, 1, contract + 10 * DAY, upto=stage)
            return
        self.pay(app, 1, contract + 10 * DAY)
        if stage == "executing":
            return
        filed = acceptance
        walk = self.acceptance
        walk.file(app, filed, failing=stage == "failed")
        if stage == "acceptance_submitted":
            # The ones still in acceptance wait at each step in turn: the check, the draw, the
            # experts' scores, staff's decision.
            walk.waiting(app, filed, self.acceptance_waiting % 4)
            self.acceptance_waiting += 1
            return
        if stage == "failed":
            walk.failed(app, filed)
            return
        # One project of the year is sent back to rectify once before it passes.
        rectify = not self.acceptance_rectified
        self.acceptance_rectified = True
        passed = walk.passed(app, filed, rectify=rectify)
        self.acceptance_passed.append((app, stage, passed))

    def acceptance_notice(self, call: Call) -> None:
        """The call's passed projects go on its acceptance notice two days after the last pass;
        when it closes their final tranches are requested, and finance pays those of the
        projects that closed (the others' wait for the finance officer)."""
        passed, self.acceptance_passed = self.acceptance_passed, []
        if not passed:
            return
        notice = self.acceptance.notice(call, max(at for _app, _stage, at in passed) + 2 * DAY)
        closed = notice.closed_at
        assert closed is not None
        for n, (app, stage, _at) in enumerate(passed):
            if stage == "closed":
                self.pay(app, len(call.tranches), spread(closed + 3 * DAY, closed + 20 * DAY, n, len(passed)))

    def check_batch(self, call: Call, plan: BatchPlan, items: list[ItemPlan]) -> None:
        """Fail loudly (and roll back) if the batch did not land exactly where it should."""
        report = funding_services.call_decided_total(call)
        funded = Application.objects.filter(call=call, decision__fund=True).count()
        if report != plan.funded_total or funded != plan.funded_count:
            raise RuntimeError(
                f"{plan.title}: {funded} funded, {report} yuan; expected {plan.funded_count}, {plan.funded_total}"
            )
        expected = {
            "rejected": S.REJECTED,
            "not_funded": S.NOT_FUNDED,
            "funded": S.FUNDED,
            "contracted": S.CONTRACTED,
            "officer_approved": S.CONTRACTED,
            "approved": S.CONTRACTED,
            "executing": S.CONTRACTED,
            "acceptance_submitted": S.ACCEPTANCE_SUBMITTED,
            "accepted": S.ACCEPTANCE_SUBMITTED,
            "failed": S.FAILED,
            "closed": S.CLOSED,
        }
        status = dict(Application.objects.filter(call=call).values_list("title", "status"))
        for item in items:
            if status[item.title] != expected[item.outcome]:
                raise RuntimeError(f"demo application {item.title!r} is {status[item.title]}, expected {item.outcome}")


class CurrentCall:
    """The open 2017 call: one application in each state, for the demo logins to act on.

    It is live: it opened two months before the load and its items moved through their steps in
    the days since, in the order of their states (the earliest ones furthest along), so the
    one on public notice is still on it and the pending invitation is still open."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.users = loader.users
        # The wall clock: the loader's clock stands somewhere in 2017 by now.
        self.today = dt.datetime.now(dt.UTC)

    def at(self, days_ago: float) -> None:
        """Move the loader's clock to ``days_ago`` days before today, in office hours (at
        least one day ago, so never later than now)."""
        self.loader.clock.set(office_hours(self.today - days_ago * DAY))

    def load(self) -> int:
        call = Call.objects.filter(title=data.CURRENT_CALL).first()
        if call is None:
            self.at(61)
            call = steps.call_setup(
                actor=self.loader.staff,
                criteria=data.CRITERIA,
                programme=self.loader.programmes["industrial"],
                title=data.CURRENT_CALL,
                year=2017,
                batch=1,
                opens_at=self.today - 60 * DAY,
                closes_at=self.today + 60 * DAY,
                budget_yuan="20000000.00",
                max_request_yuan="500000.00",
                reviewers_per_item=3,
                min_reviews=2,
                scoring_rule="mean",
                notice_days=7,
                tranches=[60, 40],
                max_applications_per_organisation=data.CURRENT_LIMIT_PER_ORGANISATION,
            )
        self.loader.calls["2017-1"] = call
        return self.load_applications(call)

    def draft(self, call: Call, key: str, day: float) -> Application:
        username, title, summary, requested = data.CURRENT_APPLICATIONS[key]
        self.at(day)
        return app_services.application_create(
            actor=self.users[username],
            call=call,
            title=title,
            summary=summary,
            field="manufacturing",
            requested_yuan=requested,
            self_funding_yuan=str(Decimal(requested) * 2),
            start_date="2017-07-01",
            end_date="2019-06-30",
        )

    def exists(self, call: Call, *keys: str) -> bool:
        titles = [data.CURRENT_APPLICATIONS[k][1] for k in keys]
        return Application.objects.filter(call=call, title__in=titles).exists()

    def submitted(self, call: Call, key: str, day: float) -> Application:
        app = self.draft(call, key, day)
        self.at(day - 0.1)
        steps.application_submit(application=app, actor=app.applicant)
        return app

    def in_review(
        self, call: Call, key: str, experts: list[Expert], day: float
    ) -> tuple[Application, list[Assignment]]:
        """Submitted ``day`` days ago, accepted in formal review half a day later, experts
        invited at once."""
        staff = self.loader.staff
        app = self.submitted(call, key, day)
        self.at(day - 0.5)
        steps.formal_review(application=app, actor=staff, decision="accept", comment="材料齐全，进入专家评审。")
        self.at(day - 0.6)
        assignments = [steps.assignment_add(application=app, expert=e, actor=staff) for e in experts]
        steps.expert_review_start(application=app, actor=staff)
        return app, assignments

    def review(self, assignment: Assignment, n: int, day: float) -> None:
        user = assignment.expert.user
        self.at(day)
        steps.assignment_accept(assignment=assignment, actor=user, no_conflict=True)
        self.at(day - 0.2)
        steps.review_submit(
            assignment=assignment,
            actor=user,
            scores=data.CURRENT_SCORES[n % len(data.CURRENT_SCORES)],
            comment="技术路线清晰，创新点明确，建议支持。",
            recommendation="support",
        )

    def reviewed(self, call: Call, key: str, experts: list[Expert], day: float) -> Application:
        """In review from ``day`` days ago, every expert's score in within the next two days."""
        app, assignments = self.in_review(call, key, experts, day)
        for n, assignment in enumerate(assignments):
            self.review(assignment, n, day - 1 - 0.3 * n)
        return app

    def limited(self, call: Call) -> Application:
        """A draft whose submission the call's limit refuses (限项): the unit has four submitted.
        The refusal rolls back and leaves the draft as it was; the draft's page shows why."""
        app = self.draft(call, "limited", 0.5)
        self.at(0.4)
        try:
            with transaction.atomic():
                steps.application_submit(application=app, actor=app.applicant)
        except StateConflict as refusal:
            self.loader.log(f"  {app.title}: submission refused ({refusal})")
        else:
            raise RuntimeError(f"demo application {app.title!r} was not refused under the call's limit")
        return app

    def decide_fund(self, app: Application, approved: str, day: float) -> None:
        self.at(day)
        steps.decide(
            application=app, actor=self.users["demo_panel"], fund=True, approved_yuan=approved, comment="同意立项"
        )

    def load_applications(self, call: Call) -> int:
        """Create the items of the open call that are missing and walk each to its state.

        An item that exists is left as it is, whatever people have done with it since (a
        newcomer accepting the submitted one is what the demo is for). On a re-run, an item
        the call can no longer take (the call has closed, an expert has declared a conflict)
        is skipped with a note rather than failing the whole load."""
        staff = self.loader.staff
        e1, e2, e3, e4, e5, e6 = self.loader.demo_experts
        rerun = Application.objects.filter(call=call).exists()
        created: list[str] = []

        def make(keys: tuple[str, ...], walk: Callable[[], object]) -> None:
            if self.exists(call, *keys):
                return
            try:
                with transaction.atomic():
                    walk()
            except (StateConflict, ValidationError, PermissionDenied) as error:
                if not rerun:
                    raise
                self.loader.log(f"  {call.title}: {', '.join(keys)} not added again ({error})")
                return
            created.extend(keys)

        def closed_and_contracted() -> None:
            # Two items through the first public notice, seven weeks ago: one to the end, one
            # whose contract was signed two weeks ago and waits for its first tranche.
            closed = self.reviewed(call, "closed", [e1, e3], 58)
            contracted = self.reviewed(call, "contracted", [e2, e4], 57.5)
            self.decide_fund(closed, "450000.00", 51)
            self.decide_fund(contracted, "380000.00", 51)
            self.at(50)
            notice = steps.notice_publish(call=call, actor=staff)
            self.at(42.5)  # the notice ended the day before
            steps.notice_close(notice=notice_window_passed(notice), actor=staff)
            # Signing the contract requests the first tranche (60 %) from finance.
            self.at(42)
            self.loader.contract(closed, office_hours(self.today - 41.8 * DAY))
            self.loader.pay(closed, 1, office_hours(self.today - 41 * DAY))
            # Its acceptance: filed, checked, three experts' scores, passed, on the acceptance
            # notice for its seven days; when that closed, the final tranche was paid.
            walk = self.loader.acceptance
            walk.file(closed, office_hours(self.today - 30 * DAY))
            walk.check(closed, office_hours(self.today - 29.8 * DAY))
            drawn = walk.draw(closed, office_hours(self.today - 29.7 * DAY))
            walk.score(drawn, office_hours(self.today - 29.6 * DAY), ["pass", "pass", "pass"])
            walk.decide(closed, office_hours(self.today - 25 * DAY), "pass", "专家组现场验收，同意通过。")
            walk.notice(call, office_hours(self.today - 24.9 * DAY))
            self.loader.pay(closed, 2, office_hours(self.today - 17 * DAY))
            self.at(13)
            self.loader.contract(contracted, office_hours(self.today - 12.8 * DAY))

        def funded() -> None:
            # Funded and on public notice now (公示中): published three days ago for seven.
            self.decide_fund(self.reviewed(call, "funded", [e1, e4], 20), "300000.00", 5)
            self.at(3)
            steps.notice_publish(call=call, actor=staff)

        def in_review() -> None:
            # Invited two and a half days ago: the third expert's five days to answer still run.
            _app, assignments = self.in_review(call, "in_review", [e1, e5, e6], 3)
            self.review(assignments[0], 0, 2)
            self.at(1)
            steps.assignment_accept(assignment=assignments[1], actor=e5.user, no_conflict=True)

        def returned() -> None:
            app = self.submitted(call, "returned", 2.5)
            self.at(2)
            steps.formal_review(
                application=app, actor=staff, decision="return", comment="请补充预算明细和自筹资金证明材料。"
            )

        make(("closed", "contracted"), closed_and_contracted)
        make(("funded",), funded)
        make(("reviewed",), lambda: self.reviewed(call, "reviewed", [e2, e3], 18))
        make(("in_review",), in_review)
        make(("returned",), returned)
        make(("submitted",), lambda: self.submitted(call, "submitted", 1.5))
        make(("draft",), lambda: self.draft(call, "draft", 1))
        make(("limited",), lambda: self.limited(call))

        # Only what this run made is checked: the rest may have moved on in people's hands.
        self.check(call, created)
        if created:
            self.loader.log(f"  {call.title}: {len(created)} applications, one in each state of the process")
        return len(created)

    def check(self, call: Call, keys: Sequence[str]) -> None:
        """Fail loudly (and roll back) if an item made by this run did not land where it should."""
        expected = {
            "closed": S.CLOSED,
            "contracted": S.CONTRACTED,
            "funded": S.FUNDED,
            "reviewed": S.REVIEWED,
            "in_review": S.IN_REVIEW,
            "returned": S.RETURNED,
            "submitted": S.SUBMITTED,
            "draft": S.DRAFT,
            "limited": S.DRAFT,
        }
        for key in keys:
            status = expected[key]
            app = Application.objects.get(call=call, title=data.CURRENT_APPLICATIONS[key][1])
            if app.status != status:
                raise RuntimeError(f"demo application {app.title!r} is {app.status}, expected {status}")
