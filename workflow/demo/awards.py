"""The 2015 S&T progress-award round of the demo year (2015年度永嘉县科学技术进步奖).

The source document's round: level 1 ×3 at ¥30,000, level 2 ×9 at ¥20,000, level 3 ×20 at
¥10,000 — 32 awards, ¥470,000 (the document's "36 awarded" is one of the slips the system
refuses to publish). The round is built through the same entry points as the 2016 batches:
``awards.services`` opens the round and takes the nominations, and ``workflow.steps`` does
the rest — submission (one nomination returned and resubmitted, one rejected), one draw for
the round, each expert's acceptance and scores, the committee's levels within the quotas,
the notice (closing it grants the awards and requests the bonuses), and finance approving
and paying the level 1 and 2 bonuses while the level 3 ones wait.

The round for 2015's achievements runs early in 2016, before the year's first batch opens:
nominations in January, the experts' scores in February, the committee and the notice in
early March, the bonuses paid in the weeks after; the loader's clock (``.clock``) stands at
each step's date. Everything random comes from this module's own seed, so the round is the
same whatever else the database holds. Idempotent: a round with this title is skipped whole.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from applications import services as app_services
from applications.enums import ApplicationStatus as S
from applications.models import Application, Call
from awards import services as award_services
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from reviews.enums import AssignmentStatus
from reviews.models import Assignment
from workflow import steps
from workflow.demo import notice_window_passed

from . import data
from .clock import DAY, Timeline, cst

SEED = "yongjia-2015-award"
TITLE = "2015年度永嘉县科学技术进步奖"
YEAR = 2015
#: Nominations open in the second week of 2016 and close before the Spring Festival.
WHEN = Timeline(opens=cst(2016, 1, 11), closes=cst(2016, 2, 5, 17))

#: level → (awards, bonus in yuan), as the round is configured.
AWARD_LEVELS = {1: (3, "30000.00"), 2: (9, "20000.00"), 3: (20, "10000.00")}
#: What the round pays when every place is awarded: 90,000 + 180,000 + 200,000.
TOTAL_YUAN = sum((n * Decimal(bonus) for n, bonus in AWARD_LEVELS.values()), Decimal("0"))

CRITERIA = [
    {"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100},
    {"code": "difficulty", "label": "技术难度", "weight": 20, "max_score": 100},
    {"code": "benefit", "label": "经济社会效益", "weight": 30, "max_score": 100},
    {"code": "promotion", "label": "推广应用", "weight": 20, "max_score": 100},
]

#: Level 3 bonuses the finance officer has approved, waiting for the head (the rest of
#: level 3 waits for the officer; levels 1 and 2 are paid).
OFFICER_APPROVED_LEVEL_3 = 2

REJECT_COMMENT = "该成果已获2014年度县科学技术进步奖，按评选办法不得重复提名。"
RETURN_COMMENT = "请补充成果应用证明（近两年新增产值及用户证明）和第三方检测报告。"
ACCEPT_COMMENT = "提名材料齐全，符合评选条件，进入专家评审。"

REVIEW_COMMENTS = {
    "support": [
        "成果创新性突出，关键技术指标达到国内先进水平，推广应用成效明显，建议授奖。",
        "技术难度较大，已形成自主知识产权并实现产业化，经济社会效益显著，建议授奖。",
        "成果在县内推广面广，带动作用明显，应用证明充分，建议授奖。",
    ],
    "oppose": [
        "成果创新性一般，与同类技术相比优势不明显，建议不予授奖。",
        "推广应用范围有限，效益数据佐证不足，建议暂不授奖。",
    ],
}
DECISION_COMMENTS = {
    1: "评审委员会表决通过，授予一等奖。",
    2: "评审委员会表决通过，授予二等奖。",
    3: "评审委员会表决通过，授予三等奖。",
    None: "综合评分未进入授奖范围，不予授奖。",
}

SUMMARIES = {
    "manufacturing": "本成果针对产品在高参数、长寿命工况下的关键技术难题，开展结构设计、制造工艺和检测方法攻关，"
    "形成核心专利，产品性能达到国内先进水平，已在县内骨干企业批量应用，近两年新增产值显著。",
    "electrical": "本成果突破控制策略与可靠性设计关键技术，通过型式试验和第三方检测，"
    "已在船舶、电力等领域推广应用，替代进口产品，经济效益明显。",
    "materials": "本成果研究材料配方与成型工艺，解决性能一致性和环保达标问题，建成示范生产线，"
    "产品已在县内鞋服辅料和阀门企业应用。",
    "information": "本成果实现设备数据采集、远程监测和生产协同，已在县内多家企业部署应用，提高生产效率，降低运维成本。",
    "agriculture": "本成果集成良种良法和绿色生产技术，在永嘉县主产区建立示范基地，开展农户培训，"
    "推广面积和增收效果显著，形成地方标准或技术规程。",
    "medicine": "本成果在县内建立规范化技术流程和质量控制体系，培训基层医务人员，提高诊疗水平，惠及群众。",
    "environment": "本成果建立监测与治理技术体系，在县内乡镇推广应用，改善农村水环境质量。",
}

ROLES = [
    "成果第一完成人，总体方案设计与组织实施",
    "关键技术攻关",
    "工艺设计与试验验证",
    "检测分析与性能评价",
    "示范应用与推广",
    "数据整理与标准制定",
    "生产组织与质量控制",
    "技术培训与推广服务",
    "参与试验研究",
]


@dataclass(frozen=True)
class NominationPlan:
    """One nomination of the round and where it ends."""

    title: str
    field: str
    units: tuple[str, ...]  # organisation keys of the completing units, the lead first
    level: int | None  # the committee's level; None no award
    quality: int  # around what the experts score it
    nominator: str = "demo_nominator"  # a username, or an organisation key (its applicant)
    rejected: bool = False
    returned: bool = False


P = NominationPlan
NOMINATIONS = [
    # level 1
    P("高效节能泵阀关键技术研发及产业化", "manufacturing", ("huaxin_pump", "zjut"), 1, 93),
    P("超低温LNG球阀设计制造关键技术及应用", "manufacturing", ("teji", "zstu"), 1, 92),
    P("瓯柑绿色高效栽培技术集成与推广", "agriculture", ("ougan_coop", "zaas", "yj_agri"), 1, 91),
    # level 2
    P(
        "船用中压配电装置智能化关键技术及应用",
        "electrical",
        ("haixing", "wzu"),
        2,
        88,
        nominator="demo_applicant2",
    ),
    P("核级隔膜阀国产化研制及工程应用", "manufacturing", ("ouweike",), 2, 87),
    P("功能性轻量化鞋材研发及产业化", "materials", ("hongqingting", "zstu"), 2, 87),
    P("阀门全生命周期远程监测物联网平台关键技术及应用", "information", ("zhiyun_soft", "wzu"), 2, 86),
    P("楠溪江田鱼稻鱼共生生态种养技术集成与示范", "agriculture", ("nanxi_fish_coop", "wzaas"), 2, 86),
    P("脑卒中早期识别与静脉溶栓规范化救治体系建设", "medicine", ("yj_people_hospital", "wmu"), 2, 85),
    P(
        "金属硬密封蝶阀密封副表面强化技术研究及应用",
        "manufacturing",
        ("dongmeng", "zjut"),
        2,
        85,
        nominator="demo_applicant",
    ),
    P("铁皮石斛仿野生栽培关键技术研究与示范", "agriculture", ("shihu_coop", "zaas"), 2, 84),
    P("光伏并网逆变器高效拓扑与控制技术研究及产业化", "electrical", ("xinguang_pv", "zju"), 2, 84),
    # level 3
    P("无堵塞污水泵水力设计优化及产业化", "manufacturing", ("nanxi_pump",), 3, 80, returned=True),
    P("全焊接管线球阀整体锻焊制造工艺研究", "manufacturing", ("oujiang_valve",), 3, 80, nominator="oujiang_valve"),
    P("耐腐蚀双相不锈钢精密铸造技术研究及应用", "materials", ("ruifeng_casting", "zjut"), 3, 79),
    P("环保树脂纽扣无溶剂生产工艺研发与应用", "materials", ("qiaotou_button",), 3, 79),
    P("木制STEM教玩具设计开发及产业化", "manufacturing", ("qiaoxia_toys", "wzu"), 3, 79),
    P("高档金属拉链连续成型技术研究及应用", "manufacturing", ("weixing_zip",), 3, 78),
    P("智能低压断路器选择性保护技术研究及应用", "electrical", ("ouyue_electric",), 3, 78),
    P("永磁同步电机高效控制器研发及产业化", "electrical", ("hengda_power",), 3, 78),
    P("石墨烯改性防腐涂料制备技术及在阀门上的应用", "materials", ("jinxin_material", "zjut"), 3, 77),
    P("鞋业智能排产与生产执行系统研究及应用", "information", ("shuzhi_tech", "hongqingting"), 3, 77),
    P("乌牛早茶提早采摘与机械化加工技术集成推广", "agriculture", ("tea_coop", "yj_agri"), 3, 77),
    P("巽宅香菇代料栽培及菌渣循环利用技术示范", "agriculture", ("mushroom_coop", "wzaas"), 3, 76),
    P("红心猕猴桃溃疡病综合防控技术研究与推广", "agriculture", ("kiwi_coop", "zaas"), 3, 76),
    P("早香柚优质丰产栽培技术研究与示范", "agriculture", ("zaoxiangyou_coop", "yj_agri"), 3, 76),
    P("针灸结合康复训练治疗腰椎间盘突出症临床研究", "medicine", ("yj_tcm_hospital",), 3, 75),
    P("儿童弱视早期筛查与综合干预体系建设", "medicine", ("yj_mch_hospital", "wmu"), 3, 75),
    P("基层心电远程诊断网络建设与应用", "medicine", ("qiaotou_health", "yj_people_hospital"), 3, 75),
    P("农村生活污水生态处理技术集成与示范", "environment", ("yj_env",), 3, 74),
    P("磁力驱动泵隔离套低损耗技术研究及产业化", "manufacturing", ("bote",), 3, 74),
    P("高山蔬菜绿色生产技术集成与推广", "agriculture", ("vegetable_coop", "yj_agri"), 3, 74),
    # no award
    P("电子商务供应链协同管理系统开发", "information", ("shuzhi_tech",), None, 68),
    P("儿童益智拼装教具结构创新设计", "manufacturing", ("lexiang_toys",), None, 67),
    P("抗菌防臭功能鞋垫材料研制", "materials", ("buyun_shoes",), None, 66, nominator="buyun_shoes"),
    P("东魁杨梅设施避雨栽培技术示范", "agriculture", ("bayberry_coop",), None, 65),
    P("山区结核病主动筛查模式应用研究", "medicine", ("yj_cdc",), None, 64),
    # rejected in formal review
    P("智能温控服装面料研发及产业化", "materials", ("jiayi_apparel", "zstu"), None, 0, rejected=True),
]

assert len({p.title for p in NOMINATIONS}) == len(NOMINATIONS)
for _level, (_quota, _bonus) in AWARD_LEVELS.items():
    assert sum(1 for p in NOMINATIONS if p.level == _level and not p.rejected) == _quota, _level


def persons(plan: NominationPlan, unit_names: list[str], rng: random.Random) -> list[dict[str, str]]:
    """The completing persons in order of contribution: most at the lead unit, the rest
    at the partners, each with what they did."""
    count = 9 if plan.level == 1 else 7 if plan.level == 2 else rng.randint(4, 6)
    used: set[str] = set()
    people: list[dict[str, str]] = []
    for n in range(count):
        name = rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES)
        while name in used:
            name = rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES)
        used.add(name)
        partner = n - (count - len(unit_names))  # the last persons work at the partner units
        unit = unit_names[partner] if partner > 0 else unit_names[0]
        people.append({"name": name, "organisation": unit, "role": ROLES[min(n, len(ROLES) - 1)]})
    return people


def load_award_round(loader: Any) -> int:
    """Load the 2015 progress-award round; returns how many nominations it created (0 when
    the round exists). ``loader`` is the :class:`workflow.demo.builder.Loader` with the
    people, experts and organisations loaded."""
    if Call.objects.filter(title=TITLE).exists():
        return 0
    return AwardRoundLoader(loader).load()


class AwardRoundLoader:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.users = loader.users
        self.staff = loader.staff
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret

    def nominator(self, plan: NominationPlan) -> Any:
        if plan.nominator in self.users:
            return self.users[plan.nominator]
        # A unit's own applicant nominates its achievement, where the unit has a demo login.
        return self.loader.applicants.get(plan.nominator) or self.users["demo_nominator"]

    def load(self) -> int:
        clock = self.loader.clock
        clock.set(WHEN.setup)
        award_round = award_services.award_round_create(
            actor=self.staff,
            title=TITLE,
            year=YEAR,
            opens_at=WHEN.opens,
            closes_at=WHEN.closes,
            levels=[{"level": lv, "quota": q, "bonus_yuan": b} for lv, (q, b) in AWARD_LEVELS.items()],
            criteria=CRITERIA,
            reviewers_per_item=3,
            min_reviews=3,
            scoring_rule="trimmed_mean",
            notice_days=7,
        )
        orgs = self.loader.orgs
        made: list[tuple[Application, NominationPlan]] = []
        for n, plan in enumerate(NOMINATIONS):
            units = [orgs[key].name for key in plan.units]
            actor = self.nominator(plan)
            clock.set(WHEN.submission(n, len(NOMINATIONS)))
            item: Application = award_services.nomination_create(
                actor=actor,
                award_round=award_round,
                title=plan.title,
                summary=SUMMARIES[plan.field],
                field=plan.field,
                units=units,
                persons=persons(plan, units, self.rng),
            )
            clock.set(WHEN.submission(n, len(NOMINATIONS)) + dt.timedelta(hours=3))
            steps.application_submit(application=item, actor=actor)
            made.append((item, plan))

        # Formal review: one nomination returned, completed and resubmitted; one rejected.
        for n, (nomination, plan) in enumerate(made):
            reviewed_at = WHEN.formal_review(n, len(made))
            clock.set(reviewed_at)
            if plan.rejected:
                steps.formal_review(application=nomination, actor=self.staff, decision="reject", comment=REJECT_COMMENT)
                continue
            if plan.returned:
                steps.formal_review(application=nomination, actor=self.staff, decision="return", comment=RETURN_COMMENT)
                clock.set(reviewed_at + 2 * DAY)
                award_services.nomination_update(
                    nomination=nomination,
                    actor=nomination.applicant,
                    summary=nomination.summary + "已补充用户应用证明3份及省级检测机构出具的性能检测报告。",
                )
                steps.application_submit(application=nomination, actor=nomination.applicant)
                clock.set(reviewed_at + 3 * DAY)
            steps.formal_review(application=nomination, actor=self.staff, decision="accept", comment=ACCEPT_COMMENT)
        clock.set(WHEN.closes)
        app_services.call_close(call=award_round, actor=self.staff)

        # One draw for the round, then every drawn expert accepts and scores.
        clock.set(WHEN.draw)
        draw = steps.call_draw(call=award_round, actor=self.staff, seed="demo-2015-award")
        short = list(draw.items.filter(shortfall__gt=0).values_list("application__title", flat=True))
        if short:
            raise RuntimeError(f"the expert pool is short for {short}")
        self.review_all(award_round, {n.pk: p for n, p in made})

        panel = self.users["demo_panel"]
        for n, (nomination, plan) in enumerate(made):
            if not plan.rejected:
                clock.set(WHEN.decision(n, len(made)))
                steps.award_decide(
                    nomination=nomination, actor=panel, level=plan.level, comment=DECISION_COMMENTS[plan.level]
                )
        clock.set(WHEN.notice)
        notice = steps.notice_publish(call=award_round, actor=self.staff)
        clock.set(WHEN.notice_closed)
        # grants the awards, requests the bonuses
        steps.notice_close(notice=notice_window_passed(notice), actor=self.staff)

        level_3 = 0
        for n, (nomination, plan) in enumerate(made):
            if plan.level in (1, 2):
                self.loader.pay(nomination, 1, WHEN.contract(n, len(made)))
            elif plan.level == 3 and level_3 < OFFICER_APPROVED_LEVEL_3:
                self.loader.pay(nomination, 1, WHEN.contract(n, len(made)), upto="officer_approved")
                level_3 += 1

        self.check(award_round, made)
        self.loader.log(
            f"  {TITLE}: {len(made)} nominations, "
            + " / ".join(str(q) for q, _b in AWARD_LEVELS.values())
            + f" awards, {int(TOTAL_YUAN) / 10000:g} 万元"
        )
        return len(made)

    def review_all(self, award_round: Call, plans: dict[int, NominationPlan]) -> None:
        assignments = list(
            Assignment.objects.filter(application__call=award_round, status=AssignmentStatus.INVITED)
            .select_related("expert__user")
            .order_by("pk")
        )
        clock = self.loader.clock
        for n, assignment in enumerate(assignments):
            clock.set(WHEN.answer(n, len(assignments)))
            steps.assignment_accept(assignment=assignment, actor=assignment.expert.user, no_conflict=True)
        for n, assignment in enumerate(assignments):
            user = assignment.expert.user
            quality = plans[assignment.application_id].quality
            scores = {c["code"]: max(40, min(99, quality + self.rng.randint(-2, 2))) for c in CRITERIA}
            recommendation = "support" if quality >= 72 else "oppose"
            clock.set(WHEN.review(n, len(assignments)))
            steps.review_submit(
                assignment=assignment,
                actor=user,
                scores=scores,
                comment=self.rng.choice(REVIEW_COMMENTS[recommendation]),
                recommendation=recommendation,
            )

    def check(self, award_round: Call, made: list[tuple[Application, NominationPlan]]) -> None:
        """Fail loudly (and roll back) if the round did not land where it should."""
        report = award_services.round_report(award_round)
        levels = {row.level: (row.count, row.bonus_yuan) for row in report.levels}
        expected = {lv: (q, Decimal(b)) for lv, (q, b) in AWARD_LEVELS.items()}
        if levels != expected or report.total_yuan != TOTAL_YUAN or award_services.round_problems(award_round):
            raise RuntimeError(f"{TITLE}: levels {levels}, {report.total_yuan} yuan; expected {expected}, {TOTAL_YUAN}")
        status = dict(Application.objects.filter(call=award_round).values_list("pk", "status"))
        paid = set(
            Disbursement.objects.filter(application__call=award_round, status=D.PAID).values_list(
                "application_id", flat=True
            )
        )
        for nomination, plan in made:
            want = (
                S.REJECTED
                if plan.rejected
                else S.NOT_AWARDED
                if plan.level is None
                else S.CLOSED
                if nomination.pk in paid
                else S.GRANTED
            )
            if status[nomination.pk] != want:
                raise RuntimeError(f"demo nomination {plan.title!r} is {status[nomination.pk]}, expected {want}")
