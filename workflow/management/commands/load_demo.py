"""Load one county's demo year (Yongjia county 永嘉县, Wenzhou; /work/shared/seed).

Idempotent: everything is keyed on user names, credit codes, programme codes and titles,
so a second run creates nothing. Applications reach their states only through
``workflow.steps``, exactly as the people would act; nothing sets a status directly.
While loading, Celery tasks run in-process and e-mail goes to the console, whatever the
environment says, so the demo never queues to a broker nor mails anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from stdnum.cn import uscc

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.services import roles_ensure, user_create
from applications.enums import ApplicationStatus as S
from applications.models import Application, Call, Programme
from applications.services import application_create
from funding.models import Disbursement
from reviews.models import Assignment, Expert
from workflow import steps

PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password
CALL_TITLE = "2017年度第一批科技计划项目"

PROGRAMMES = [
    ("industrial", "工业重点项目"),
    ("new_product", "新产品试制"),
    ("agri_commissioner", "农业科技特派员项目"),
    ("social_medical", "社会发展与医疗卫生"),
]

CRITERIA = [
    {"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100},
    {"code": "feasibility", "label": "可行性", "weight": 25, "max_score": 100},
    {"code": "team", "label": "团队", "weight": 15, "max_score": 100},
    {"code": "benefit", "label": "效益", "weight": 30, "max_score": 100},
]

# (name, 17-character body of the unified social credit code, kind). The check digit is computed.
ORGANISATIONS = {
    "dongmeng": ("东蒙集团有限公司", "91330324145600346", OrganisationKind.ENTERPRISE),
    "haixing": ("海星海事电气集团有限公司", "91330324145598372", OrganisationKind.ENTERPRISE),
    "hongqingting": ("浙江红蜻蜓鞋业股份有限公司", "91330300145228811", OrganisationKind.ENTERPRISE),
    "teji": ("特技阀门集团有限公司", "91330324609586329", OrganisationKind.ENTERPRISE),
    "ouweike": ("欧维克集团有限公司", "91330324736960811", OrganisationKind.ENTERPRISE),
    "jintanglang": ("浙江金螳螂鞋业有限公司", "91330324MA285KJ35", OrganisationKind.ENTERPRISE),
    "bote": ("伯特利集团", "91330324704439162", OrganisationKind.ENTERPRISE),
    "zstu": ("浙江理工大学", "12330000470187636", OrganisationKind.UNIVERSITY),
    "wzu": ("温州大学", "12330000470052306", OrganisationKind.UNIVERSITY),
    "wmu": ("温州医科大学", "12330000470113002", OrganisationKind.UNIVERSITY),
    "zaas": ("浙江省农业科学院", "12330000470002939", OrganisationKind.INSTITUTE),
}

# username, display name, roles, organisation key
PEOPLE = [
    ("demo_applicant", "东蒙集团 项目申报人", [Role.APPLICANT], "dongmeng"),
    ("demo_applicant2", "海星海事电气 项目申报人", [Role.APPLICANT], "haixing"),
    ("demo_nominator", "永嘉县科技局推荐单位", [Role.NOMINATOR], "bote"),
    ("demo_staff", "科技局业务科室", [Role.STAFF], None),
    ("demo_panel", "评审委员会", [Role.PANEL], None),
    ("demo_finance_officer", "财务经办", [Role.FINANCE_OFFICER], None),
    ("demo_finance_head", "财务负责人", [Role.FINANCE_HEAD], None),
]

# username, name, organisation key, fields, title
EXPERTS = [
    ("demo_expert1", "陈教授", "zstu", ["manufacturing", "materials"], "教授"),
    ("demo_expert2", "林教授", "zstu", ["manufacturing", "electrical"], "教授"),
    ("demo_expert3", "王高工", "wzu", ["manufacturing", "electrical"], "教授级高级工程师"),
    ("demo_expert4", "张研究员", "wzu", ["manufacturing", "information"], "研究员"),
    ("demo_expert5", "李主任医师", "wmu", ["medicine", "manufacturing"], "主任医师"),
    ("demo_expert6", "周研究员", "zaas", ["agriculture", "manufacturing"], "研究员"),
]

SCORES = [
    {"innovation": 86, "feasibility": 82, "team": 78, "benefit": 88},
    {"innovation": 80, "feasibility": 85, "team": 75, "benefit": 83},
    {"innovation": 74, "feasibility": 79, "team": 80, "benefit": 72},
]

# Application scenarios: key → (applicant username, title, summary, requested yuan).
APPLICATIONS = {
    "closed": (
        "demo_applicant2",
        "船舶综合电力监控系统研制及产业化",
        "研制船舶综合电力监控系统，实现配电、推进与能量管理一体化，形成年产200套的生产能力。",
        "500000.00",
    ),
    "contracted": (
        "demo_applicant",
        "高端泵阀密封件精密制造工艺研究",
        "攻克高端泵阀密封件的精密成型与检测工艺，提高产品寿命和一致性。",
        "400000.00",
    ),
    "funded": (
        "demo_applicant2",
        "海洋工程电气设备防腐蚀关键技术研究",
        "针对海洋高盐雾环境，研究电气设备的防腐蚀涂层与密封结构。",
        "350000.00",
    ),
    "reviewed": (
        "demo_applicant",
        "苛刻工况耐磨球阀研发",
        "研发适用于高温高压、含颗粒介质等苛刻工况的耐磨球阀。",
        "300000.00",
    ),
    "in_review": (
        "demo_applicant2",
        "船用中压配电板智能监控装置研制",
        "研制具备在线监测、故障预警功能的船用中压配电板智能监控装置。",
        "280000.00",
    ),
    "returned": (
        "demo_applicant",
        "鞋服智能制造生产线数字化改造",
        "对鞋服生产线进行数字化改造，建设制造执行系统与设备联网。",
        "450000.00",
    ),
    "submitted": (
        "demo_applicant2",
        "新型船用电力推进变频器研发",
        "开发高效率、低谐波的船用电力推进变频器样机并完成型式试验。",
        "320000.00",
    ),
    "draft": (
        "demo_applicant",
        "节能型蝶阀新产品试制",
        "试制低流阻、低泄漏的节能型蝶阀新产品。",
        "200000.00",
    ),
}


def credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


@contextmanager
def eager_and_console() -> Iterator[None]:
    """Run Celery tasks in-process and print e-mail, for the duration of the load."""
    from workflow.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        with override_settings(
            CELERY_TASK_ALWAYS_EAGER=True,
            EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        ):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


class Command(BaseCommand):
    help = "Load the Yongjia county demo year (idempotent): programmes, a call, people, applications in every state."

    def handle(self, *args: Any, **options: Any) -> None:
        with eager_and_console():
            # on_commit (the notification sends) runs when this block commits, still eager.
            with transaction.atomic():
                created = Loader(self, verbosity=options["verbosity"]).load()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created} new applications)."))


class Loader:
    def __init__(self, command: BaseCommand, verbosity: int = 1) -> None:
        self.command = command
        self.verbosity = verbosity
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.experts: list[Expert] = []

    def log(self, message: str) -> None:
        if self.verbosity >= 1:
            self.command.stdout.write(message)

    # --- reference data ----------------------------------------------------------------------

    def load(self) -> int:
        roles_ensure()
        self.load_organisations()
        self.load_people()
        call = self.load_call()
        return self.load_applications(call)

    def load_organisations(self) -> None:
        for key, (name, body, kind) in ORGANISATIONS.items():
            code = credit_code(body)
            org = Organisation.objects.filter(credit_code=code).first()
            if org is None:
                org = Organisation.objects.create(name=name, credit_code=code, kind=kind, address="浙江省温州市永嘉县")
            self.orgs[key] = org

    def user(self, username: str, display_name: str, roles: Sequence[str], org_key: str | None) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=PASSWORD,
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
                username="admin", email="admin@example.org", password=PASSWORD, display_name="系统管理员"
            )
        for username, display_name, roles, org_key in PEOPLE:
            self.user(username, display_name, roles, org_key)
        for username, name, org_key, fields, title in EXPERTS:
            user = self.user(username, name, [Role.EXPERT], org_key)
            expert, _ = Expert.objects.get_or_create(
                user=user,
                defaults={
                    "name": name,
                    "organisation": self.orgs[org_key],
                    "fields": fields,
                    "title": title,
                    "region": "温州市",
                },
            )
            self.experts.append(expert)

    def load_call(self) -> Call:
        programmes = {}
        for code, name in PROGRAMMES:
            programmes[code], _ = Programme.objects.get_or_create(code=code, defaults={"name": name})
        call = Call.objects.filter(title=CALL_TITLE).first()
        if call is None:
            now = timezone.now()
            call = steps.call_setup(
                actor=self.users["demo_staff"],
                criteria=CRITERIA,
                programme=programmes["industrial"],
                title=CALL_TITLE,
                year=2017,
                batch=1,
                opens_at=now - dt.timedelta(days=30),
                closes_at=now + dt.timedelta(days=60),
                budget_yuan="18472425.00",
                max_request_yuan="500000.00",
                reviewers_per_item=3,
                min_reviews=2,
                scoring_rule="mean",
                notice_days=7,
                tranches=[60, 40],
            )
        return call

    # --- applications, driven through the steps ------------------------------------------------

    def draft(self, call: Call, key: str) -> Application:
        username, title, summary, requested = APPLICATIONS[key]
        requested_d = Decimal(requested)
        return application_create(
            actor=self.users[username],
            call=call,
            title=title,
            summary=summary,
            field="manufacturing",
            requested_yuan=requested,
            self_funding_yuan=str(requested_d * 2),
            start_date="2017-07-01",
            end_date="2019-06-30",
        )

    def exists(self, call: Call, *keys: str) -> bool:
        return Application.objects.filter(call=call, title__in=[APPLICATIONS[k][1] for k in keys]).exists()

    def submitted(self, call: Call, key: str) -> Application:
        app = self.draft(call, key)
        steps.application_submit(application=app, actor=app.applicant)
        return app

    def in_review(self, call: Call, key: str, experts: list[Expert]) -> tuple[Application, list[Assignment]]:
        staff = self.users["demo_staff"]
        app = self.submitted(call, key)
        steps.formal_review(application=app, actor=staff, decision="accept", comment="材料齐全，进入专家评审。")
        assignments = [steps.assignment_add(application=app, expert=e, actor=staff) for e in experts]
        steps.expert_review_start(application=app, actor=staff)
        return app, assignments

    def review(self, assignment: Assignment, n: int) -> None:
        user = assignment.expert.user
        steps.assignment_accept(assignment=assignment, actor=user, no_conflict=True)
        steps.review_submit(
            assignment=assignment,
            actor=user,
            scores=SCORES[n % len(SCORES)],
            comment="技术路线清晰，创新点明确，建议支持。",
            recommendation="support",
        )

    def reviewed(self, call: Call, key: str, experts: list[Expert]) -> Application:
        app, assignments = self.in_review(call, key, experts)
        for n, assignment in enumerate(assignments):
            self.review(assignment, n)
        return app

    def decide_fund(self, app: Application, approved: str) -> None:
        steps.decide(
            application=app, actor=self.users["demo_panel"], fund=True, approved_yuan=approved, comment="同意立项"
        )

    def pay(self, app: Application, tranche: int, voucher: str) -> None:
        disbursement = Disbursement.objects.get(application=app, tranche=tranche)
        steps.disbursement_approve(disbursement=disbursement, actor=self.users["demo_finance_officer"])
        steps.disbursement_approve(disbursement=disbursement, actor=self.users["demo_finance_head"])
        steps.disbursement_pay(disbursement=disbursement, actor=self.users["demo_finance_officer"], voucher=voucher)

    def load_applications(self, call: Call) -> int:
        staff = self.users["demo_staff"]
        e1, e2, e3, e4, e5, e6 = self.experts
        created = 0

        # Two items through the first public notice: one to the end, one waiting for its first tranche.
        if not self.exists(call, "closed", "contracted"):
            closed = self.reviewed(call, "closed", [e1, e3])
            contracted = self.reviewed(call, "contracted", [e2, e4])
            self.decide_fund(closed, "450000.00")
            self.decide_fund(contracted, "380000.00")
            notice = steps.notice_publish(call=call, actor=staff)
            steps.notice_close(notice=notice, actor=staff)
            # Signing the contract requests the first tranche (60 %) from finance.
            steps.contract_sign(application=contracted, actor=contracted.applicant, accept_terms=True)
            steps.contract_sign(application=closed, actor=closed.applicant, accept_terms=True)
            self.pay(closed, 1, "YJKJ-2017-0001")
            steps.acceptance_submit(
                application=closed, actor=closed.applicant, report="已完成任务书全部考核指标。", spent_yuan="1350000.00"
            )
            steps.acceptance_decide(application=closed, actor=staff, result="pass", comment="通过验收")
            self.pay(closed, 2, "YJKJ-2017-0002")
            created += 2
            self.log(f"  {closed.title}: closed; {contracted.title}: contracted, first tranche requested")

        # Funded and on public notice now (公示中).
        if not self.exists(call, "funded"):
            funded = self.reviewed(call, "funded", [e1, e4])
            self.decide_fund(funded, "300000.00")
            steps.notice_publish(call=call, actor=staff)
            created += 1
            self.log(f"  {funded.title}: funded, on public notice")

        if not self.exists(call, "reviewed"):
            app = self.reviewed(call, "reviewed", [e2, e3])
            created += 1
            self.log(f"  {app.title}: reviewed, awaiting the panel")

        if not self.exists(call, "in_review"):
            app, assignments = self.in_review(call, "in_review", [e1, e5, e6])
            self.review(assignments[0], 0)
            steps.assignment_accept(assignment=assignments[1], actor=e5.user, no_conflict=True)
            created += 1
            self.log(f"  {app.title}: in expert review, 1 of 3 reviews in")

        if not self.exists(call, "returned"):
            app = self.submitted(call, "returned")
            steps.formal_review(
                application=app, actor=staff, decision="return", comment="请补充预算明细和自筹资金证明材料。"
            )
            created += 1
            self.log(f"  {app.title}: returned for revision")

        if not self.exists(call, "submitted"):
            app = self.submitted(call, "submitted")
            created += 1
            self.log(f"  {app.title}: submitted, in formal review")

        if not self.exists(call, "draft"):
            app = self.draft(call, "draft")
            created += 1
            self.log(f"  {app.title}: draft")

        self.check(call)
        return created

    def check(self, call: Call) -> None:
        """Fail loudly (and roll back) if a scenario did not land where it should."""
        expected = {
            "closed": S.CLOSED,
            "contracted": S.CONTRACTED,
            "funded": S.FUNDED,
            "reviewed": S.REVIEWED,
            "in_review": S.IN_REVIEW,
            "returned": S.RETURNED,
            "submitted": S.SUBMITTED,
            "draft": S.DRAFT,
        }
        for key, status in expected.items():
            app = Application.objects.get(call=call, title=APPLICATIONS[key][1])
            if app.status != status:
                raise RuntimeError(f"demo application {app.title!r} is {app.status}, expected {status}")
