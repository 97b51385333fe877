"""The county's upward work in the demo year (issue 20): higher-level calls, the
commissioners (科技特派员) and the award winners put forward.

The source document says: "新增市级以上科技计划项目共35项，其中省级重大科技攻关项目3项、省级新产品
试制计划项目11项、省级科技特派员项目15项，市级重大科技专项2项、市级科技特派员项目4项，共争取上级补助
经费525万元", and of the commissioners: 13 provincial commissioner projects for 75 万元 with 13
demonstration bases, 4 municipal ones for 45 万元, 19 commissioners in the townships. It gives
the counts by programme and the commissioner amounts, not the other programmes' amounts; ours
split the remaining 405 万元 (3 × 60 + 11 × 15 + 2 × 25 + 2 × 5 万元). Its two figures for the
provincial commissioner projects (15 among the 35, 13 for 75 万元) are both kept: 13 are led by
one of the county's commissioners (the commissioner figures), 2 by units as legal-person
commissioners (法人科技特派员), which the commissioner figures do not count.

Built through the same entry points as the batches (``workflow.steps`` and the services):
staff record each call, units apply and submit, formal review accepts, the new-product call
(13 applications for 11 places) is ranked by drawn experts, the others go to the panel within
their quota, the panel recommends, staff record the outcomes in the autumn, and the matching
funds of the provincial major projects go through both finance approvals; then the county
follows a few funded projects with milestones and an acceptance (``FOLLOWUP``). Idempotent: a call
with its title is skipped whole; the commissioners and the put-forward winners by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.enums import Role
from applications import services as app_services
from applications.models import Application, Programme
from reviews.enums import AssignmentStatus
from reviews.models import Assignment
from upward import services as upward_services
from upward.models import AwardPutForward, Commissioner, UpperCall, UpperMilestone
from workflow import steps

from .clock import DAY, Timeline, cst, spread

YEAR = 2016


@dataclass(frozen=True)
class Item:
    org: str
    title: str
    field: str
    requested: str
    upper: str | None  # what the higher level granted; None: not funded (or not recommended)
    matching: str = "0"
    commissioner: int | None = None  # index into COMMISSIONERS
    base: str = ""


@dataclass(frozen=True)
class CallPlan:
    programme: tuple[str, str]
    level: str
    title: str
    quota: int
    when: Timeline
    items: tuple[Item, ...]
    commissioner: bool = False
    #: Experts rank the items (more than the quota): the titles left out by the ranking.
    ranked_out: tuple[str, ...] = ()


#: Townships named in the source document, in the county's order.
TOWNSHIPS = ["瓯北街道", "桥下镇", "沙头镇", "巽宅镇", "鹤盛镇", "枫林镇", "金溪镇"]

#: name, organisation, level that sent them, township, field. 15 provincial and 4 municipal:
#: the document's 19 commissioners.
COMMISSIONERS = [
    ("陈建华", "浙江省农业科学院", "province", "沙头镇", "agriculture"),
    ("王丽萍", "浙江省农业科学院", "province", "沙头镇", "agriculture"),
    ("李志强", "温州市农业科学研究院", "province", "巽宅镇", "agriculture"),
    ("张海燕", "温州市农业科学研究院", "province", "巽宅镇", "agriculture"),
    ("刘伟", "浙江大学", "province", "鹤盛镇", "agriculture"),
    ("周晓东", "浙江农林大学", "province", "鹤盛镇", "agriculture"),
    ("吴敏", "温州科技职业学院", "province", "枫林镇", "agriculture"),
    ("郑国平", "温州科技职业学院", "province", "枫林镇", "agriculture"),
    ("黄秀英", "浙江省农业科学院", "province", "金溪镇", "agriculture"),
    ("徐永刚", "浙江农林大学", "province", "金溪镇", "agriculture"),
    ("孙立群", "温州大学", "province", "桥下镇", "environment"),
    ("胡晓明", "浙江理工大学", "province", "瓯北街道", "manufacturing"),
    ("朱春燕", "温州医科大学", "province", "瓯北街道", "medicine"),
    ("林建国", "浙江省农业科学院", "province", "沙头镇", "agriculture"),
    ("何丽娟", "温州市农业科学研究院", "province", "巽宅镇", "agriculture"),
    ("高志远", "温州市农业科学研究院", "city", "沙头镇", "agriculture"),
    ("罗文斌", "温州科技职业学院", "city", "鹤盛镇", "agriculture"),
    ("谢红梅", "温州市农业科学研究院", "city", "枫林镇", "agriculture"),
    ("潘勇", "温州大学", "city", "金溪镇", "environment"),
]
TERM = (dt.date(2016, 1, 1), dt.date(2018, 12, 31))
#: The 2016 assessments (考核, under the county's 目标责任制考核管理办法): by commissioner index.
EXCELLENT = {0, 2, 5, 9, 15}
UNQUALIFIED = {13}


def _timeline(month: int) -> Timeline:
    return Timeline(opens=cst(YEAR, month, 1), closes=cst(YEAR, month + 1, 10, 17))


PROV_COMMISSIONER_ITEMS = (
    Item(
        "dalixiang_coop",
        "沙头“大粒香”水稻良种示范基地建设",
        "agriculture",
        "100000",
        "60000",
        commissioner=0,
        base="沙头镇“大粒香”水稻良种示范基地",
    ),
    Item(
        "nanxi_fish_coop",
        "楠溪江无公害特色农业基地建设研究与示范",
        "agriculture",
        "100000",
        "60000",
        commissioner=1,
        base="沙头镇楠溪江无公害特色农业基地",
    ),
    Item(
        "mushroom_coop",
        "巽宅香菇代料栽培科技特派员示范基地建设",
        "agriculture",
        "100000",
        "60000",
        commissioner=2,
        base="巽宅镇香菇代料栽培示范基地",
    ),
    Item(
        "kiwi_coop",
        "红心猕猴桃标准化栽培科技特派员示范",
        "agriculture",
        "100000",
        "60000",
        commissioner=3,
        base="巽宅镇红心猕猴桃示范基地",
    ),
    Item(
        "tea_coop",
        "鹤盛高山茶园绿色生产技术示范",
        "agriculture",
        "100000",
        "60000",
        commissioner=4,
        base="鹤盛镇高山茶园示范基地",
    ),
    Item(
        "shihu_coop",
        "铁皮石斛林下仿野生栽培示范基地建设",
        "agriculture",
        "100000",
        "60000",
        commissioner=5,
        base="鹤盛镇铁皮石斛示范基地",
    ),
    Item(
        "ougan_coop",
        "枫林瓯柑提质增效技术示范",
        "agriculture",
        "100000",
        "60000",
        commissioner=6,
        base="枫林镇瓯柑示范基地",
    ),
    Item(
        "zaoxiangyou_coop",
        "早香柚设施栽培科技特派员示范",
        "agriculture",
        "100000",
        "60000",
        commissioner=7,
        base="枫林镇早香柚示范基地",
    ),
    Item(
        "bayberry_coop",
        "金溪东魁杨梅避雨栽培示范基地建设",
        "agriculture",
        "100000",
        "60000",
        commissioner=8,
        base="金溪镇东魁杨梅示范基地",
    ),
    Item(
        "vegetable_coop",
        "金溪高山蔬菜轮作技术示范",
        "agriculture",
        "100000",
        "52500",
        commissioner=9,
        base="金溪镇高山蔬菜示范基地",
    ),
    Item(
        "qiaoxia_toys",
        "桥下教玩具园区废水生态处理技术示范",
        "environment",
        "100000",
        "52500",
        commissioner=10,
        base="桥下镇生态处理示范点",
    ),
    Item(
        "nanxi_pump",
        "瓯北泵阀企业节能诊断服务示范",
        "manufacturing",
        "100000",
        "52500",
        commissioner=11,
        base="瓯北泵阀节能服务站",
    ),
    Item(
        "oubei_health",
        "瓯北社区慢病中医药适宜技术推广",
        "medicine",
        "100000",
        "52500",
        commissioner=12,
        base="瓯北社区卫生服务示范点",
    ),
    # Legal-person commissioners (法人科技特派员): not among the commissioner figures.
    Item("zaas", "永嘉山区特色农业法人科技特派员服务", "agriculture", "100000", "50000"),
    Item("wzu", "永嘉农村电商科技服务法人科技特派员项目", "information", "100000", "50000"),
)
CITY_COMMISSIONER_ITEMS = (
    Item(
        "vegetable_coop",
        "蔬菜主要病虫害绿色防控技术示范与推广",
        "agriculture",
        "150000",
        "112500",
        commissioner=15,
        base="沙头镇蔬菜绿色防控示范区",
    ),
    Item(
        "tea_coop",
        "乌牛早茶病虫害统防统治技术示范",
        "agriculture",
        "150000",
        "112500",
        commissioner=16,
        base="鹤盛镇茶叶统防统治示范区",
    ),
    Item(
        "ougan_coop",
        "瓯柑黄龙病综合防控技术示范",
        "agriculture",
        "150000",
        "112500",
        commissioner=17,
        base="枫林镇瓯柑防控示范区",
    ),
    Item(
        "nanxi_fish_coop",
        "稻鱼共生生态种养模式示范推广",
        "agriculture",
        "150000",
        "112500",
        commissioner=18,
        base="金溪镇稻鱼共生示范区",
    ),
)
NEW_PRODUCTS = (
    ("teji", "超低温LNG球阀新产品试制", "manufacturing"),
    ("ouweike", "核电站用隔膜阀新产品试制", "manufacturing"),
    ("dongmeng", "高性能金属硬密封蝶阀新产品试制", "manufacturing"),
    ("haixing", "船用智能中压开关柜新产品试制", "electrical"),
    ("hongqingting", "轻量化功能休闲鞋新产品试制", "materials"),
    ("jintanglang", "防滑耐磨劳保鞋新产品试制", "materials"),
    ("huaxin_pump", "高效节能化工流程泵新产品试制", "manufacturing"),
    ("oujiang_valve", "大口径全焊接管线球阀新产品试制", "manufacturing"),
    ("shenghe_valve", "氧气专用球阀新产品试制", "manufacturing"),
    ("ouyue_electric", "智能型低压框架断路器新产品试制", "electrical"),
    ("xinguang_pv", "组串式光伏并网逆变器新产品试制", "electrical"),
    # Ranked below the eleven places by the experts:
    ("lexiang_toys", "智能编程教育机器人新产品试制", "manufacturing"),
    ("buyun_shoes", "抗菌防臭功能鞋垫新产品试制", "materials"),
)

CALLS = (
    CallPlan(
        programme=("prov_commissioner", "省级科技特派员项目"),
        level="province",
        title="2016年度省级科技特派员项目",
        quota=15,
        when=_timeline(3),
        items=PROV_COMMISSIONER_ITEMS,
        commissioner=True,
    ),
    CallPlan(
        programme=("prov_major", "省级重大科技攻关项目"),
        level="province",
        title="2016年度省级重大科技攻关项目",
        quota=4,
        when=_timeline(4),
        items=(
            Item("teji", "深冷工况超低温阀门关键技术攻关", "manufacturing", "1000000", "600000", matching="200000"),
            Item("haixing", "船舶智能电网关键装备研发", "electrical", "1000000", "600000", matching="200000"),
            Item("dongmeng", "大口径金属密封球阀关键技术攻关", "manufacturing", "1000000", "600000", matching="200000"),
            Item("ouweike", "核级阀门国产化关键技术攻关", "manufacturing", "1000000", None),
        ),
    ),
    CallPlan(
        programme=("prov_new_product", "省级新产品试制计划项目"),
        level="province",
        title="2016年度省级新产品试制计划项目",
        quota=11,
        when=_timeline(5),
        items=tuple(
            Item(org, title, field, "200000", None if n >= 11 else "150000")
            for n, (org, title, field) in enumerate(NEW_PRODUCTS)
        ),
        ranked_out=tuple(title for _org, title, _field in NEW_PRODUCTS[11:]),
    ),
    CallPlan(
        programme=("city_major", "市级重大科技专项"),
        level="city",
        title="2016年度温州市重大科技专项",
        quota=2,
        when=_timeline(6),
        items=(
            Item("bote", "泵阀智能制造数字化车间关键技术", "manufacturing", "500000", "250000"),
            Item("zhiyun_soft", "阀门远程运维工业互联网平台", "information", "500000", "250000"),
        ),
    ),
    CallPlan(
        programme=("city_commissioner", "市级科技特派员项目"),
        level="city",
        title="2016年度温州市科技特派员项目",
        quota=4,
        when=_timeline(6),
        items=CITY_COMMISSIONER_ITEMS,
        commissioner=True,
    ),
)

#: The figures the document reports, which the loaded year must reproduce.
PROJECTS = 35
TOTAL_YUAN = Decimal("5250000.00")
COMMISSIONER_FIGURES = {"province": (13, Decimal("750000.00")), "city": (4, Decimal("450000.00"))}
assert sum(1 for c in CALLS for i in c.items if i.upper) == PROJECTS
assert sum(Decimal(i.upper) for c in CALLS for i in c.items if i.upper) == TOTAL_YUAN

#: The winners put forward (the document names two provincial ones; 超达 also won a municipal prize).
PUT_FORWARD = (
    ("浙江迦南科技股份有限公司", "药用料斗自动清洗机", "province", "浙江省科学技术进步奖", 2),
    ("超达阀门集团股份有限公司", "深海海底取样装置及阀门", "province", "浙江省科学技术进步奖", 3),
    ("超达阀门集团股份有限公司", "深海海底取样装置及阀门", "city", "温州市技术发明奖", 2),
)
#: A 2015 county winner put forward to the city's award, its result still awaited.
PENDING_PUT_FORWARD = ("高效节能泵阀关键技术研发及产业化", "city", "温州市科学技术进步奖")

#: The county's follow-up of a few funded projects (milestones it set after the outcome, each
#: with its due date and, when done, the day; then the acceptance it organised): by title.
#: One passed with every milestone done, one failed with a milestone still open, one under way.
FOLLOWUP: dict[str, dict[str, Any]] = {
    "深冷工况超低温阀门关键技术攻关": {
        "milestones": [
            ("完成超低温阀门结构设计", dt.date(2017, 3, 31), dt.date(2017, 3, 24)),
            ("样机试制及-196℃型式试验", dt.date(2017, 9, 30), dt.date(2017, 9, 18)),
            ("用户现场应用及第三方检测", dt.date(2017, 12, 15), dt.date(2017, 12, 8)),
        ],
        "acceptance": ("passed", dt.date(2017, 12, 26), "永嘉县科技局（组织专家验收组）", "各项考核指标均已完成。"),
    },
    "沙头“大粒香”水稻良种示范基地建设": {
        "milestones": [
            ("示范基地建设100亩", dt.date(2017, 5, 31), dt.date(2017, 5, 20)),
            ("良种推广1000亩", dt.date(2017, 11, 30), None),
        ],
        "acceptance": ("failed", dt.date(2017, 12, 20), "永嘉县科技局农村科技科", "推广面积未达到合同要求，限期整改。"),
    },
    "泵阀智能制造数字化车间关键技术": {
        "milestones": [
            ("数字化车间方案设计", dt.date(2017, 4, 30), dt.date(2017, 4, 26)),
            ("车间建成并试运行", dt.date(2018, 6, 30), None),
        ],
    },
}
FOLLOWUP_SET_AT = cst(YEAR, 11, 20)

OUTCOME_AT = cst(YEAR, 10, 20)
MATCHING_AT = cst(YEAR, 12, 5)


class UpwardYear:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.clock = loader.clock
        self.staff = loader.staff
        self.panel = loader.users["demo_panel"]
        self.commissioners: list[Commissioner] = []

    def applicant(self, key: str) -> Any:
        if key not in self.loader.applicants:
            org = self.loader.org_codes[key][0] if key in self.loader.org_codes else key
            username = key if key.startswith("yj_") else f"yj_{key}"
            self.loader.applicants[key] = self.loader.user(username, f"{org} 项目联系人", [Role.APPLICANT], key)
        return self.loader.applicants[key]

    def load(self) -> int:
        self.clock.set(cst(YEAR, 1, 8))
        self.load_commissioners()
        created = sum(self.load_call(plan) for plan in CALLS)
        self.load_put_forward()
        self.load_followup()
        return created

    def load_commissioners(self) -> None:
        for order, name in enumerate(TOWNSHIPS):
            upward_services.township_get_or_create(name=name, order=order * 10)
        for n, (name, org, level, township, field) in enumerate(COMMISSIONERS):
            commissioner = Commissioner.objects.filter(name=name, organisation=org).first()
            if commissioner is None:
                self.clock.set(cst(YEAR, 1, 8) + dt.timedelta(minutes=n))
                commissioner = upward_services.commissioner_create(
                    actor=self.staff,
                    name=name,
                    organisation=org,
                    level=level,
                    township=township,
                    field=field,
                    term_start=TERM[0],
                    term_end=TERM[1],
                )
                result = "excellent" if n in EXCELLENT else "unqualified" if n in UNQUALIFIED else "qualified"
                self.clock.set(cst(YEAR, 12, 20) + dt.timedelta(minutes=n))
                upward_services.assessment_record(
                    commissioner=commissioner,
                    actor=self.staff,
                    year=YEAR,
                    result=result,
                    comment="年度考核：驻点服务、项目实施和示范带动情况。",
                )
            self.commissioners.append(commissioner)

    def load_call(self, plan: CallPlan) -> int:
        if UpperCall.objects.filter(call__title=plan.title).exists():
            return 0
        when, clock = plan.when, self.clock
        programme, _created = Programme.objects.get_or_create(
            code=plan.programme[0], defaults={"name": plan.programme[1]}
        )
        clock.set(when.setup)
        upper = upward_services.upper_call_create(
            actor=self.staff,
            level=plan.level,
            programme=programme,
            title=plan.title,
            year=YEAR,
            quota=plan.quota,
            opens_at=when.opens,
            closes_at=when.closes,
            commissioner=plan.commissioner,
        )
        apps: list[tuple[Application, Item]] = []
        for n, item in enumerate(plan.items):
            applicant = self.applicant(item.org)
            clock.set(when.submission(n, len(plan.items)))
            app = app_services.application_create(
                actor=applicant,
                call=upper.call,
                title=item.title,
                summary=f"{item.title}：项目实施方案、预期目标和考核指标。",
                field=item.field,
                requested_yuan=item.requested,
                self_funding_yuan=item.requested,
                start_date=dt.date(YEAR, 7, 1).isoformat(),
                end_date=dt.date(YEAR + 1, 12, 31).isoformat(),
            )
            clock.set(when.submission(n, len(plan.items)) + dt.timedelta(hours=2))
            steps.application_submit(application=app, actor=applicant)
            apps.append((app, item))
        for n, (app, _item) in enumerate(apps):
            clock.set(when.formal_review(n, len(apps)))
            steps.formal_review(
                application=app, actor=self.staff, decision="accept", comment="材料齐全，符合推荐条件。"
            )
        clock.set(when.closes)
        app_services.call_close(call=upper.call, actor=self.staff)
        if plan.ranked_out:
            self.rank(upper, apps, plan)
        else:
            for n, (app, _item) in enumerate(apps):
                clock.set(when.draw + dt.timedelta(minutes=n))
                steps.upper_skip_ranking(application=app, actor=self.staff)
        clock.set(when.decision(0, 1))
        chosen = [app.pk for app, item in apps if item.title not in plan.ranked_out]
        steps.upper_recommend(upper_call=upper, actor=self.panel, items=chosen, comment="经县科技局审核，同意推荐。")
        for n, (app, item) in enumerate(apps):
            if item.title in plan.ranked_out:
                continue
            if item.commissioner is not None:
                clock.set(when.decision(0, 1) + DAY + dt.timedelta(minutes=n))
                upward_services.commissioner_project_set(
                    application=app,
                    actor=self.staff,
                    commissioner=self.commissioners[item.commissioner],
                    base=item.base,
                )
            clock.set(spread(OUTCOME_AT, OUTCOME_AT + 20 * DAY, n, len(apps)))
            steps.upper_outcome_record(
                application=app,
                actor=self.staff,
                funded=item.upper is not None,
                upper_yuan=item.upper or "0",
                matching_yuan=item.matching if item.upper else "0",
                comment="上级下达立项文件。" if item.upper else "上级评审未获立项。",
            )
        self.pay_matching([app for app, item in apps if item.upper and Decimal(item.matching)])
        return len(apps)

    def rank(self, upper: UpperCall, apps: list[tuple[Application, Item]], plan: CallPlan) -> None:
        """More applications than places: drawn experts score them; the two the plan leaves
        out score lowest."""
        when, clock = plan.when, self.clock
        clock.set(when.draw)
        draw = steps.call_draw(call=upper.call, actor=self.staff, seed=f"demo-upper-{plan.programme[0]}")
        short = list(draw.items.filter(shortfall__gt=0).values_list("application__title", flat=True))
        if short:
            raise RuntimeError(f"the expert pool is short for {short}")
        assignments = list(
            Assignment.objects.filter(application__call=upper.call, status=AssignmentStatus.INVITED)
            .select_related("expert__user", "application")
            .order_by("pk")
        )
        for n, assignment in enumerate(assignments):
            clock.set(when.answer(n, len(assignments)))
            steps.assignment_accept(assignment=assignment, actor=assignment.expert.user, no_conflict=True)
        left_out = {app.pk for app, item in apps if item.title in plan.ranked_out}
        for n, assignment in enumerate(assignments):
            base = 70 if assignment.application_id in left_out else 86
            value = base + (assignment.application_id + n) % 5
            clock.set(when.review(n, len(assignments)))
            steps.review_submit(
                assignment=assignment,
                actor=assignment.expert.user,
                scores={c.code: value for c in upper.call.criteria.all()},
                comment="产品技术水平较高，市场前景良好。" if value >= 80 else "创新性一般，建议暂缓推荐。",
                recommendation="support" if value >= 80 else "oppose",
            )

    def pay_matching(self, apps: list[Application]) -> None:
        """The county's matching funds: the first two paid, the last approved by the officer."""
        from funding.models import Disbursement

        for n, app in enumerate(apps):
            at = MATCHING_AT + n * 7 * DAY
            disbursement = Disbursement.objects.get(application=app, tranche=1)
            self.clock.set(at)
            steps.disbursement_approve(disbursement=disbursement, actor=self.loader.users["demo_finance_officer"])
            if n == len(apps) - 1:
                continue
            self.clock.set(at + 2 * DAY)
            steps.disbursement_approve(disbursement=disbursement, actor=self.loader.users["demo_finance_head"])
            paid = at + 40 * DAY
            self.clock.set(paid)
            steps.disbursement_pay(
                disbursement=disbursement,
                actor=self.loader.users["demo_finance_officer"],
                voucher=self.loader.voucher(paid.year),
            )

    def load_followup(self) -> None:
        """The county follows a few funded projects (``FOLLOWUP``): staff set the milestones
        in November, record each done on its day, and organise the acceptance at the end of
        2017. Idempotent: a project with milestones is skipped."""
        for n, (title, plan) in enumerate(FOLLOWUP.items()):
            app = Application.objects.get(title=title, call__kind="upper")
            if UpperMilestone.objects.filter(application=app).exists():
                continue
            milestones = []
            for k, (name, due, _done) in enumerate(plan["milestones"]):
                self.clock.set(FOLLOWUP_SET_AT + dt.timedelta(days=n, minutes=k))
                milestones.append(
                    upward_services.upper_milestone_add(application=app, actor=self.staff, name=name, due=due)
                )
            for milestone, (_name, _due, done) in zip(milestones, plan["milestones"], strict=True):
                if done is not None:
                    self.clock.set(cst(done.year, done.month, done.day, 16))
                    upward_services.upper_milestone_done(milestone=milestone, actor=self.staff, done_at=done)
            if "acceptance" in plan:
                result, day, organiser, comment = plan["acceptance"]
                self.clock.set(cst(day.year, day.month, day.day, 15))
                upward_services.upper_acceptance_record(
                    application=app,
                    actor=self.staff,
                    result=result,
                    accepted_on=day,
                    organised_by=organiser,
                    comment=comment,
                )

    def load_put_forward(self) -> None:
        for n, (unit, title, level, award, grade) in enumerate(PUT_FORWARD):
            if AwardPutForward.objects.filter(title=title, level=level, award=award).exists():
                continue
            self.clock.set(cst(YEAR, 4, 15) + dt.timedelta(minutes=n))
            item = upward_services.award_put_forward(
                actor=self.staff, level=level, award=award, year=YEAR, title=title, unit=unit
            )
            self.clock.set(cst(YEAR, 11, 25) + dt.timedelta(minutes=n))
            upward_services.award_put_forward_outcome(item=item, actor=self.staff, awarded=True, grade=grade)
        title, level, award = PENDING_PUT_FORWARD
        nomination = Application.objects.filter(title=title, kind="nomination").first()
        if nomination is not None and not AwardPutForward.objects.filter(title=title, level=level).exists():
            self.clock.set(cst(YEAR, 5, 10))
            upward_services.award_put_forward(
                actor=self.staff, level=level, award=award, year=YEAR, nomination=nomination
            )


def load_upward_year(loader: Any) -> int:
    """Load the year's upward work; returns how many applications it created."""
    return UpwardYear(loader).load()
