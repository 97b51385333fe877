"""One small world with an object in every state the permission matrix asks about.

Built through ``workflow.steps`` as the personas would act (tests/workflow shows the path).
Every persona of the matrix is here: the anonymous visitor is simply ``None``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership, Organisation
from accounts.services import applicant_register
from aftergrant.changes import change_request_create
from applications.models import Application, Call, Field, Programme
from applications.services import application_create, attachment_add
from awards.services import award_round_create, nomination_create
from core.models import Job
from funding.models import Disbursement, Notice
from funding.services import objection_file
from integrity.services import credit_record_confirm, credit_record_create
from notifications.models import Notification
from reviews.models import Assignment, Draw, Review
from reviews.services import conflict_declare, criteria_set
from tests.aftergrant.conftest import contract_baseline
from tests.conftest import CRITERIA, PASSWORD, _user, close_notice, contract_in_force, make_code, make_expert
from workflow import steps

PDF = b"%PDF-1.4 matrix attachment\n"
SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}

PERSONAS = (
    "anonymous",
    "owner",
    "other_applicant",
    "nominator",
    "expert",
    "unassigned_expert",
    "conflicted_expert",
    "staff",
    "panel",
    "finance_officer",
    "finance_head",
)

#: The states an application of the matrix is found in (the ones the issue names).
APPLICATION_STATES = ("draft", "submitted", "in_review", "reviewed", "contracted")


@dataclass
class World:
    users: dict[str, Any]
    calls: dict[str, Call]
    applications: dict[str, Application]
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def pk(self, kind: str, state: str) -> int:
        return int(self.objects[kind][state].pk)


def _call(programme: Programme, title: str, batch: int) -> Call:
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title=title,
        year=2016,
        batch=batch,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        budget_yuan=Decimal("1000000.00"),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=2,
        min_reviews=1,
        notice_days=7,
        tranches=[60, 40],
    )
    criteria_set(call=call, criteria=CRITERIA)
    return call


def build_world() -> World:
    owner_org = Organisation.objects.create(name="永嘉县东蒙集团有限公司", credit_code=make_code("91330324MA285KJ35"))
    other_org = Organisation.objects.create(
        name="浙江红蜻蜓鞋业股份有限公司", credit_code=make_code("91330324MA2HK5RP3")
    )
    uni = Organisation.objects.create(
        name="浙江理工大学", credit_code=make_code("12330000470187636"), kind="university"
    )
    expert = make_expert("expert", uni)
    users: dict[str, Any] = {
        "anonymous": None,
        "owner": _user("applicant", [Role.APPLICANT], owner_org),
        "other_applicant": _user("other_applicant", [Role.APPLICANT], other_org),
        "nominator": _user("nominator", [Role.NOMINATOR]),
        "expert": expert.user,
        "unassigned_expert": make_expert("unassigned_expert", uni).user,
        "conflicted_expert": make_expert("conflicted_expert", owner_org).user,
        "staff": _user("staff", [Role.STAFF]),
        "panel": _user("panel", [Role.PANEL]),
        "finance_officer": _user("officer", [Role.FINANCE_OFFICER]),
        "finance_head": _user("head", [Role.FINANCE_HEAD]),
    }
    owner, staff, panel = users["owner"], users["staff"], users["panel"]
    programme = Programme.objects.create(code="industrial", name="工业重点项目")
    calls = {"open": _call(programme, "矩阵批次一", 1), "noticed": _call(programme, "矩阵批次二", 2)}
    calls["funded"] = _call(programme, "矩阵批次三", 3)

    def draft(call: Call, title: str) -> Application:
        app = application_create(
            actor=owner,
            call=call,
            title=title,
            summary="研发新一代高效节能阀门。",
            field="manufacturing",
            requested_yuan="300000.00",
            self_funding_yuan="600000.00",
            start_date="2016-07-01",
            end_date="2018-06-30",
        )
        attachment_add(application=app, actor=owner, upload=SimpleUploadedFile("plan.pdf", PDF))
        return app

    def to_review(call: Call, title: str) -> tuple[Application, Assignment]:
        app = draft(call, title)
        steps.application_submit(application=app, actor=owner)
        steps.formal_review(application=app, actor=staff, decision="accept")
        assignment = steps.assignment_add(application=app, expert=expert, actor=staff)
        steps.expert_review_start(application=app, actor=staff)
        return app, assignment

    def reviewed(call: Call, title: str) -> tuple[Application, Assignment]:
        app, assignment = to_review(call, title)
        steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
        steps.review_submit(
            assignment=assignment, actor=expert.user, scores=SCORES, comment="好", recommendation="support"
        )
        return app, assignment

    apps: dict[str, Application] = {}
    apps["draft"] = draft(calls["open"], "草稿项目")
    apps["submitted"] = draft(calls["open"], "已提交项目")
    steps.application_submit(application=apps["submitted"], actor=owner)
    apps["in_review"], invited = to_review(calls["open"], "评审中项目")
    apps["reviewed"], done = reviewed(calls["open"], "已评审项目")

    # Funded, notice closed, contract signed: the first tranche waits for approval.
    apps["contracted"], _ = reviewed(calls["noticed"], "已立项项目")
    steps.decide(application=apps["contracted"], actor=panel, fund=True, approved_yuan="250000.00")
    closed_notice = steps.notice_publish(call=calls["noticed"], actor=staff)
    close_notice(closed_notice, staff)
    contract_in_force(apps["contracted"], owner, staff)
    disbursement = Disbursement.objects.get(application=apps["contracted"], tranche=1)
    # Its contract in force, and an extension asked for (waiting for staff).
    version = contract_baseline(apps["contracted"])
    extension = change_request_create(
        application=apps["contracted"],
        actor=owner,
        kind="extension",
        reason="设备到货延迟",
        new_end_date=version.ends_on + dt.timedelta(days=90),
    )

    # A notice still running, with an objection filed against its item.
    funded, _ = reviewed(calls["funded"], "公示中项目")
    steps.decide(application=funded, actor=panel, fund=True, approved_yuan="200000.00")
    open_notice = steps.notice_publish(call=calls["funded"], actor=staff)
    objection = objection_file(
        notice=open_notice, application_id=funded.pk, text="数据不实", name="张三", contact="138"
    )

    rounds, nominations, award_notice = _awards(users, expert)
    # A draw on a call with nothing short of experts: an empty record, but a real one to ask about.
    draw = steps.call_draw(call=calls["noticed"], actor=staff, seed="matrix")
    conflict = conflict_declare(expert=expert, actor=staff, organisation_name="瓯海区某某公司", reason="亲属任职")

    # Credit records on the owner's organisation: one waiting for a second member of staff, one
    # confirmed (minor: it refuses nothing) that its subject may appeal.
    staff2 = _user("staff2", [Role.STAFF])
    record = {"subject_type": "organisation", "subject": owner_org, "level": "minor", "source": "验收"}
    until = timezone.localdate() + dt.timedelta(days=365)
    pending = credit_record_create(actor=staff, reason="逾期未验收", valid_until=until, **record)
    confirmed = credit_record_create(actor=staff, reason="虚报进度", valid_until=until, **record)
    confirmed = credit_record_confirm(record=confirmed, actor=staff2)

    for app in [*apps.values(), *nominations.values()]:
        app.refresh_from_db()
    objects: dict[str, dict[str, Any]] = {
        "application": dict(apps),
        "attachment": {state: app.attachments.get() for state, app in apps.items()},
        "call": {"open": calls["open"], "noticed": calls["noticed"]},
        "assignment": {
            "invited": invited,
            "reviewed": done,
            "nomination": Assignment.objects.get(application=nominations["in_review"]),
        },
        "notice": {
            "open": open_notice,
            "closed": Notice.objects.get(pk=closed_notice.pk),
            "award": Notice.objects.get(pk=award_notice.pk),
        },
        "objection": {"open": objection},
        "disbursement": {"pending": disbursement},
        "change": {"submitted": extension},
        "notification": {"owner's": Notification.objects.filter(recipient=owner).order_by("pk").first()},
        "expert": {"active": expert},
        "field": {"active": Field.objects.get(code="manufacturing")},
        "review": {"submitted": Review.objects.get(assignment=done)},
    }
    objects["award_round"] = rounds
    objects["nomination"] = nominations
    objects["draw"] = {"empty": Draw.objects.get(pk=draw.pk)}
    objects["conflict"] = {"declared": conflict}
    # Two expert-import jobs (issue 18): one still running, one done with its report.
    objects["import_job"] = {
        "running": Job.objects.create(kind="experts.import", created_by=staff, total=10, done=4, status="running"),
        "done": Job.objects.create(
            kind="experts.import",
            created_by=staff,
            total=1,
            done=1,
            status="done",
            result={"rows": [], "created": 0, "updated": 0, "refused": 0},
        ),
    }
    # Someone registers with the owner's credit code: their membership waits for approval.
    newcomer = applicant_register(
        username="newcomer",
        password=PASSWORD,
        email="newcomer@example.org",
        organisation_name=owner_org.name,
        credit_code=owner_org.credit_code,
    )
    objects["membership"] = {"pending": Membership.objects.get(user=newcomer)}
    objects["organisation"] = {"owner's": owner_org}
    # Password links carry the account's id and a token; the matrix asks with made-up ones.
    objects["account"] = {"owner's": owner}
    objects["credit_record"] = {"pending": pending, "confirmed": confirmed}
    objects.update(_upward(staff, programme))
    # A bare milestone row on a plan project: the route's role and existence checks answer
    # before the service finds it is not an upward project's (an empty body: 400 to staff).
    from upward.models import UpperMilestone

    objects["upper_milestone"] = {
        "open": UpperMilestone.objects.create(
            application=apps["contracted"], name="矩阵里程碑", due=dt.date(2030, 1, 1), created_by=staff
        )
    }
    return World(users=users, calls=calls, applications=apps, objects=objects)


#: The county's 2010 levels (tests/awards/conftest.py): quota and fixed bonus per level.
LEVELS = [
    {"level": 1, "quota": 3, "bonus_yuan": "30000.00"},
    {"level": 2, "quota": 9, "bonus_yuan": "20000.00"},
    {"level": 3, "quota": 20, "bonus_yuan": "10000.00"},
]


def _awards(users: dict[str, Any], expert: Any) -> tuple[dict[str, Any], dict[str, Application], Notice]:
    """An open award round and the nominator's nominations in draft, submitted, in review,
    reviewed (waiting for the committee) and awarded level 1 on the round's running notice,
    walked as for plan projects (awards reuse them)."""
    now = timezone.now()
    nominator, staff = users["nominator"], users["staff"]

    def award_round(title: str) -> Any:
        return award_round_create(
            actor=staff,
            title=title,
            year=2016,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            levels=LEVELS,
            criteria=CRITERIA,
            reviewers_per_item=1,
            min_reviews=1,
            notice_days=7,
        )

    def nominate(round_: Any, title: str) -> Application:
        nomination = nomination_create(
            actor=nominator,
            award_round=round_,
            title=title,
            summary="建立瓯江流域水质在线监测网络。",
            field="manufacturing",
            units=["永嘉县东蒙集团有限公司", "温州大学"],
            persons=[{"name": "王建国", "organisation": "永嘉县东蒙集团有限公司", "role": "总体设计"}, "李红"],
        )
        attachment_add(application=nomination, actor=nominator, upload=SimpleUploadedFile("achievement.pdf", PDF))
        return nomination

    def reviewed(round_: Any, title: str, *, scored: bool = True) -> Application:
        item = nominate(round_, title)
        steps.application_submit(application=item, actor=nominator)
        steps.formal_review(application=item, actor=staff, decision="accept")
        assignment = steps.assignment_add(application=item, expert=expert, actor=staff)
        steps.expert_review_start(application=item, actor=staff)
        if scored:
            steps.assignment_accept(assignment=assignment, actor=expert.user, no_conflict=True)
            steps.review_submit(
                assignment=assignment, actor=expert.user, scores=SCORES, comment="好", recommendation="support"
            )
        return item

    rounds = {"open": award_round("矩阵科学技术进步奖"), "noticed": award_round("矩阵科学技术进步奖（公示）")}
    nominations: dict[str, Application] = {
        state: nominate(rounds["open"], f"{state}成果") for state in ("draft", "submitted")
    }
    steps.application_submit(application=nominations["submitted"], actor=nominator)
    nominations["in_review"] = reviewed(rounds["open"], "评审中成果", scored=False)
    nominations["reviewed"] = reviewed(rounds["open"], "已评审成果")
    # A second round, all decided: one nomination awarded level 1, its notice still running.
    nominations["awarded"] = reviewed(rounds["noticed"], "获奖成果")
    steps.award_decide(nomination=nominations["awarded"], actor=users["panel"], level=1)
    notice = steps.notice_publish(call=rounds["noticed"], actor=staff)
    return rounds, nominations, notice


def _upward(staff: Any, programme: Programme) -> dict[str, dict[str, Any]]:
    """A higher-level call open for applications, a commissioner, a winner put forward."""
    from upward import services as upward_services

    now = timezone.now()
    upper = upward_services.upper_call_create(
        actor=staff,
        level="province",
        programme=programme,
        title="矩阵省级项目",
        year=now.year,
        quota=2,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    commissioner = upward_services.commissioner_create(
        actor=staff,
        name="陈建华",
        township="沙头镇",
        field="agriculture",
        term_start=dt.date(now.year, 1, 1),
        term_end=dt.date(now.year + 2, 12, 31),
    )
    put_forward = upward_services.award_put_forward(
        actor=staff,
        level="province",
        award="浙江省科学技术进步奖",
        year=now.year,
        title="药用料斗自动清洗机",
        unit="浙江迦南科技股份有限公司",
    )
    return {
        "upper_call": {"open": upper},
        "commissioner": {"active": commissioner},
        "put_forward": {"pending": put_forward},
    }
