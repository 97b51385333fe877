"""What the demo year is made of: organisations, people, experts, calls and projects.

Everything here is plain data or a pure function of a fixed seed, so two runs build the same
year. The published figures (source: Yongjia county S&T bureau's 2016 work summary,
``/work/shared/seed``) are fixed below and checked by :func:`allocate`:

- 2016 batch 1: 52 funded projects, ¥18,472,425.00 (1847.2425 万元);
- 2016 batch 2: 39 funded projects, ¥7,166,540.00 (716.654 万元).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from stdnum.cn import uscc

from accounts.enums import OrganisationKind as K
from accounts.enums import Role

SEED = "yongjia-2016"
PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password
COUNTY = "浙江省温州市永嘉县"
AREA = "330324"  # 永嘉县's administrative division code

# --- unified social credit codes (GB 32100-2015) -------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _char_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - 55


def organisation_code(body8: str) -> str:
    """The 9-character organisation code (GB 11714) with its own check character."""
    digit = 11 - sum(_char_value(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    return body8 + {10: "X", 11: "0"}.get(digit, str(digit))


def credit_code(body17: str) -> str:
    """A 17-character body plus its check character."""
    return body17 + uscc.calc_check_digit(body17)


def make_credit_code(prefix: str, area: str, rng: random.Random) -> str:
    """A well-formed code: registration authority and kind (``91`` enterprise, ``93`` farmers'
    co-operative, ``12`` public institution), area, a newly issued ``MA…`` organisation code."""
    body8 = "MA2" + "".join(rng.choice(_CODE_CHARS) for _ in range(5))
    return credit_code(prefix + area + organisation_code(body8))


# --- programmes, criteria, calls -----------------------------------------------------------

PROGRAMMES = [
    ("industrial", "工业重点项目"),
    ("new_product", "新产品试制"),
    ("agri_commissioner", "农业科技特派员项目"),
    ("social_medical", "社会发展与医疗卫生"),
    ("county_plan", "县级科技计划项目"),
]
PROGRAMME_NAMES = dict(PROGRAMMES)

CRITERIA = [
    {"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100},
    {"code": "feasibility", "label": "可行性", "weight": 25, "max_score": 100},
    {"code": "team", "label": "团队", "weight": 15, "max_score": 100},
    {"code": "benefit", "label": "效益", "weight": 30, "max_score": 100},
]


@dataclass(frozen=True)
class BatchPlan:
    """One 2016 batch: its call, what it funds in total, and how many items end where."""

    key: str
    title: str
    batch: int
    budget_yuan: Decimal
    max_request_yuan: Decimal
    funded_total: Decimal
    #: programme code → (funded projects, lowest and highest approved amount in yuan)
    funded_mix: dict[str, tuple[int, int, int]]
    #: funded projects by how far they have come, in the order they are built
    stages: dict[str, int]
    not_funded: dict[str, int]
    rejected: dict[str, int]

    @property
    def funded_count(self) -> int:
        return sum(n for n, _lo, _hi in self.funded_mix.values())


BATCHES = [
    BatchPlan(
        key="2016-1",
        title="2016年度第一批科技计划项目",
        batch=1,
        budget_yuan=Decimal("18500000.00"),
        max_request_yuan=Decimal("1000000.00"),
        funded_total=Decimal("18472425.00"),
        funded_mix={
            "industrial": (22, 400_000, 950_000),
            "new_product": (12, 120_000, 300_000),
            "agri_commissioner": (10, 40_000, 150_000),
            "social_medical": (8, 60_000, 200_000),
        },
        stages={
            "closed": 28,
            "accepted": 3,
            "acceptance_submitted": 4,
            "failed": 1,
            "executing": 12,
            "approved": 2,
            "officer_approved": 1,
            "contracted": 1,
        },
        not_funded={"industrial": 3, "new_product": 1, "agri_commissioner": 1, "social_medical": 1},
        rejected={"industrial": 1, "new_product": 1},
    ),
    BatchPlan(
        key="2016-2",
        title="2016年度第二批科技计划项目",
        batch=2,
        budget_yuan=Decimal("7200000.00"),
        max_request_yuan=Decimal("500000.00"),
        funded_total=Decimal("7166540.00"),
        funded_mix={
            "industrial": (8, 250_000, 480_000),
            "new_product": (10, 100_000, 250_000),
            "agri_commissioner": (12, 30_000, 120_000),
            "social_medical": (9, 50_000, 200_000),
        },
        stages={
            "closed": 6,
            "accepted": 2,
            "acceptance_submitted": 3,
            "executing": 14,
            "approved": 3,
            "officer_approved": 3,
            "contracted": 4,
            "funded": 4,
        },
        not_funded={"industrial": 2, "new_product": 1, "agri_commissioner": 1, "social_medical": 1},
        rejected={"agri_commissioner": 1},
    ),
]
for _plan in BATCHES:
    assert sum(_plan.stages.values()) == _plan.funded_count, _plan.key

# --- organisations ---------------------------------------------------------------------------

# key → (name, 17-character body of the credit code, kind): the units named in the source
# document. Their codes never change, so existing demo databases keep finding them.
NAMED_ORGANISATIONS = {
    "dongmeng": ("东蒙集团有限公司", "91330324145600346", K.ENTERPRISE),
    "haixing": ("海星海事电气集团有限公司", "91330324145598372", K.ENTERPRISE),
    "hongqingting": ("浙江红蜻蜓鞋业股份有限公司", "91330300145228811", K.ENTERPRISE),
    "teji": ("特技阀门集团有限公司", "91330324609586329", K.ENTERPRISE),
    "ouweike": ("欧维克集团有限公司", "91330324736960811", K.ENTERPRISE),
    "jintanglang": ("浙江金螳螂鞋业有限公司", "91330324MA285KJ35", K.ENTERPRISE),
    "bote": ("伯特利集团", "91330324704439162", K.ENTERPRISE),
    "zstu": ("浙江理工大学", "12330000470187636", K.UNIVERSITY),
    "wzu": ("温州大学", "12330000470052306", K.UNIVERSITY),
    "wmu": ("温州医科大学", "12330000470113002", K.UNIVERSITY),
    "zaas": ("浙江省农业科学院", "12330000470002939", K.INSTITUTE),
}

#: industry → (field, products). Yongjia's trades: pumps and valves (瓯北), education toys
#: (桥下), buttons and zips (桥头), shoes and clothing, electrical equipment.
INDUSTRIES: dict[str, tuple[str, list[str]]] = {
    "valve": (
        "manufacturing",
        [
            "智能调节阀",
            "高压锻钢闸阀",
            "超低温LNG球阀",
            "金属硬密封蝶阀",
            "电站用高温高压截止阀",
            "氧气专用球阀",
            "全焊接管线球阀",
            "先导式安全阀",
            "核级隔膜阀",
            "耐磨陶瓷球阀",
        ],
    ),
    "pump": (
        "manufacturing",
        ["化工流程泵", "磁力驱动泵", "高效节能离心泵", "无堵塞污水泵", "屏蔽电泵", "多级锅炉给水泵"],
    ),
    "shoes": ("manufacturing", ["轻量化运动鞋底", "功能性休闲皮鞋", "智能温控服装", "抗菌防臭鞋垫"]),
    "toys": ("manufacturing", ["木制STEM教玩具", "幼儿园户外大型组合玩具", "儿童益智拼装教具", "智能编程教育机器人"]),
    "buttons": ("materials", ["环保树脂纽扣", "高档金属拉链", "无镍电镀纽扣", "可降解聚乳酸纽扣"]),
    "electrical": (
        "electrical",
        ["智能低压断路器", "船用中压配电装置", "光伏并网逆变器", "智能电表箱", "永磁同步电机控制器", "充电桩控制模块"],
    ),
    "materials": (
        "materials",
        ["阀门用高性能密封材料", "耐腐蚀双相不锈钢铸件", "石墨烯改性防腐涂料", "高分子复合管材"],
    ),
    "software": (
        "information",
        ["阀门远程监测物联网平台", "鞋业智能排产系统", "工业设备预测性维护系统", "电子商务供应链管理系统"],
    ),
}

# key, name, industry: the county's companies (their codes are drawn from the seed). Farmers'
# co-operatives and hospitals, below, apply for the agricultural and medical programmes.
COMPANIES = [
    ("oujiang_valve", "浙江瓯江阀门有限公司", "valve"),
    ("nanxi_pump", "永嘉县楠溪泵业有限公司", "pump"),
    ("oubei_valve", "温州瓯北流体控制设备有限公司", "valve"),
    ("shenghe_valve", "浙江晟和阀门科技有限公司", "valve"),
    ("huaxin_pump", "华信泵阀集团有限公司", "pump"),
    ("yongxing_fluid", "永兴流体设备有限公司", "valve"),
    ("qiaoxia_toys", "永嘉县桥下童趣教玩具有限公司", "toys"),
    ("lexiang_toys", "浙江乐享教育装备有限公司", "toys"),
    ("qiaotou_button", "温州桥头纽扣有限公司", "buttons"),
    ("weixing_zip", "永嘉伟星拉链有限公司", "buttons"),
    ("buyun_shoes", "浙江步云鞋业有限公司", "shoes"),
    ("jiayi_apparel", "永嘉县佳逸服饰有限公司", "shoes"),
    ("ouyue_electric", "浙江瓯越电气有限公司", "electrical"),
    ("hengda_power", "永嘉恒达电力设备有限公司", "electrical"),
    ("xinguang_pv", "温州新光光伏科技有限公司", "electrical"),
    ("jinxin_material", "浙江金鑫新材料有限公司", "materials"),
    ("ruifeng_casting", "永嘉县瑞丰精密铸造有限公司", "materials"),
    ("zhiyun_soft", "温州智云信息科技有限公司", "software"),
    ("shuzhi_tech", "永嘉数智工业互联网有限公司", "software"),
]
# The named enterprises apply too.
NAMED_INDUSTRY = {
    "dongmeng": "valve",
    "haixing": "electrical",
    "hongqingting": "shoes",
    "teji": "valve",
    "ouweike": "valve",
    "jintanglang": "shoes",
    "bote": "pump",
}

COOPERATIVES = [
    ("dalixiang_coop", "永嘉县大粒香水稻专业合作社"),
    ("nanxi_fish_coop", "永嘉县楠溪江田鱼养殖专业合作社"),
    ("zaoxiangyou_coop", "永嘉县早香柚专业合作社"),
    ("ougan_coop", "永嘉县瓯柑种植专业合作社"),
    ("tea_coop", "永嘉县乌牛早茶叶专业合作社"),
    ("shihu_coop", "永嘉县铁皮石斛专业合作社"),
    ("mushroom_coop", "永嘉县巽宅香菇专业合作社"),
    ("kiwi_coop", "永嘉县红心猕猴桃专业合作社"),
    ("vegetable_coop", "永嘉县沙头高山蔬菜专业合作社"),
    ("bayberry_coop", "永嘉县茶山杨梅专业合作社"),
]

HOSPITALS = [
    ("yj_people_hospital", "永嘉县人民医院"),
    ("yj_tcm_hospital", "永嘉县中医医院"),
    ("yj_mch_hospital", "永嘉县妇幼保健院"),
    ("oubei_health", "永嘉县瓯北街道社区卫生服务中心"),
    ("qiaotou_health", "永嘉县桥头镇中心卫生院"),
    ("yj_cdc", "永嘉县疾病预防控制中心"),
    ("yj_env", "温州市生态环境局永嘉分局监测站"),
]

# --- titles ------------------------------------------------------------------------------------

INDUSTRIAL_PATTERNS = [
    "年产{n}万套{p}生产线技术改造",
    "{p}关键技术研究及产业化",
    "{p}自动化生产线建设",
    "{p}数字化车间建设",
]
#: Software is developed and put to use, not produced by the ten thousand.
SOFTWARE_PATTERNS = ["{p}研发与应用", "{p}关键技术研究及推广应用"]
NEW_PRODUCT_PATTERNS = ["{p}新产品试制", "新型{p}的研制", "{p}新产品开发"]

AGRI_CROPS = [
    ("dalixiang_coop", "“大粒香”水稻"),
    ("nanxi_fish_coop", "楠溪江田鱼"),
    ("zaoxiangyou_coop", "早香柚"),
    ("ougan_coop", "瓯柑"),
    ("tea_coop", "乌牛早茶"),
    ("shihu_coop", "铁皮石斛"),
    ("mushroom_coop", "香菇"),
    ("kiwi_coop", "红心猕猴桃"),
    ("vegetable_coop", "高山蔬菜"),
    ("bayberry_coop", "东魁杨梅"),
]
AGRI_PATTERNS = [
    "{c}良种示范基地建设",
    "{c}标准化种植示范",
    "{c}主要病虫害绿色防控技术示范与推广",
    "{c}设施栽培技术集成与示范",
    "{c}生态循环种养模式示范",
    "{c}采后保鲜与精深加工技术研究",
]

MEDICAL_TECHNIQUES = [
    ("yj_people_hospital", "糖尿病视网膜病变社区筛查"),
    ("yj_people_hospital", "脑卒中早期识别与静脉溶栓"),
    ("yj_people_hospital", "老年髋部骨折快速康复"),
    ("yj_tcm_hospital", "针灸治疗腰椎间盘突出症"),
    ("yj_tcm_hospital", "中药熏蒸治疗膝骨关节炎"),
    ("yj_tcm_hospital", "中医体质辨识与慢病调理"),
    ("yj_mch_hospital", "儿童弱视早期筛查"),
    ("yj_mch_hospital", "宫颈癌联合筛查"),
    ("yj_mch_hospital", "高危孕产妇分级管理"),
    ("oubei_health", "高血压分级诊疗"),
    ("oubei_health", "慢阻肺社区规范化管理"),
    ("qiaotou_health", "家庭医生签约慢病管理"),
    ("qiaotou_health", "基层心电远程诊断"),
    ("yj_cdc", "结核病主动筛查"),
]
MEDICAL_PATTERNS = ["基层医疗卫生适宜技术推广：{t}", "{t}技术在基层的推广应用"]
SOCIAL_TITLES = [
    ("yj_env", "楠溪江流域水环境监测与治理技术示范"),
    ("yj_env", "农村生活污水处理设施运维技术研究"),
    ("yj_env", "山区地质灾害监测预警技术应用"),
    ("yj_env", "农村生活垃圾分类资源化利用示范"),
    ("yj_cdc", "学校传染病症状监测预警系统应用"),
    ("yj_env", "工业园区VOCs在线监测技术示范"),
]

SUMMARIES = {
    "industrial": "项目围绕{p}开展关键工艺攻关和装备升级，建成自动化生产线，提升产品性能与一致性，"
    "形成新增产值和利税，带动县内配套企业协同发展。",
    "new_product": "试制{p}新产品，完成样机设计、工艺验证和型式试验，取得检测报告并申请专利，具备小批量生产能力。",
    "agri_commissioner": "由科技特派员牵头，在{p}主产区建立示范基地，集成推广良种良法和绿色生产技术，"
    "开展农户培训，带动农民增收。",
    "social_medical": "在县内推广{p}，建立规范化技术流程和质量控制体系，开展人员培训，提高基层服务能力。",
}

# --- people ----------------------------------------------------------------------------------

# username, display name, roles, organisation key
PEOPLE = [
    ("demo_applicant", "东蒙集团 项目申报人", [Role.APPLICANT], "dongmeng"),
    ("demo_applicant2", "海星海事电气 项目申报人", [Role.APPLICANT], "haixing"),
    ("demo_nominator", "永嘉县科技局推荐单位", [Role.NOMINATOR], "bote"),
    ("demo_staff", "科技局业务科室", [Role.STAFF], None),
    # The second pair of eyes: confirms credit records (科研诚信) the first one records.
    ("demo_staff2", "科技局监督科", [Role.STAFF], None),
    ("demo_panel", "评审委员会", [Role.PANEL], None),
    ("demo_finance_officer", "财务经办", [Role.FINANCE_OFFICER], None),
    ("demo_finance_head", "财务负责人", [Role.FINANCE_HEAD], None),
]

# username, name, organisation key, fields, title
DEMO_EXPERTS = [
    ("demo_expert1", "陈建华", "zstu", ["manufacturing", "materials"], "教授"),
    ("demo_expert2", "林志远", "zstu", ["manufacturing", "electrical"], "教授"),
    ("demo_expert3", "王国强", "wzu", ["manufacturing", "electrical"], "教授级高级工程师"),
    ("demo_expert4", "张丽萍", "wzu", ["manufacturing", "information"], "研究员"),
    ("demo_expert5", "李文涛", "wmu", ["medicine", "manufacturing"], "主任医师"),
    ("demo_expert6", "周海燕", "zaas", ["agriculture", "manufacturing"], "研究员"),
]

# key → (name, credit-code prefix, kind): where the rest of the pool works.
EXPERT_ORGANISATIONS = {
    "zju": ("浙江大学", "12330000", K.UNIVERSITY),
    "zjut": ("浙江工业大学", "12330000", K.UNIVERSITY),
    "cjlu": ("中国计量大学", "12330000", K.UNIVERSITY),
    "wzvtc": ("温州职业技术学院", "12330300", K.UNIVERSITY),
    "wzaas": ("温州市农业科学研究院", "12330300", K.INSTITUTE),
    "wzqi": ("温州市质量技术检测科学研究院", "12330300", K.INSTITUTE),
    "zjmei": ("浙江省机电设计研究院有限公司", "91330000", K.INSTITUTE),
    "wmu_fah": ("温州医科大学附属第一医院", "12330000", K.HOSPITAL),
    "wz_central": ("温州市中心医院", "12330300", K.HOSPITAL),
    "wz_env": ("温州市环境保护设计科学研究院", "12330300", K.INSTITUTE),
    "yj_agri": ("永嘉县农业农村局农技推广中心", "12330324", K.GOVERNMENT),
}

SURNAMES = "陈林王张李周黄吴徐郑金胡潘叶朱谢刘杨赵孙蒋戴余季夏邵应董"
GIVEN_NAMES = [
    "建国",
    "志明",
    "海燕",
    "晓东",
    "丽华",
    "永强",
    "文杰",
    "雪梅",
    "国平",
    "春生",
    "立新",
    "秀英",
    "亚平",
    "振华",
    "少波",
    "丽娟",
    "建军",
    "晓峰",
    "红霞",
    "伟民",
    "玉芳",
    "德胜",
    "思远",
    "洁",
    "敏",
    "涛",
    "磊",
    "静",
    "颖",
    "毅",
]

#: (field, second field or "", titles, organisations, how many)
EXPERT_GROUPS = [
    ("manufacturing", "materials", ["教授", "高级工程师", "教授级高级工程师"], ["zju", "zjut", "zjmei", "wzvtc"], 9),
    ("manufacturing", "information", ["教授", "副教授", "高级工程师"], ["zjut", "cjlu", "wzqi"], 5),
    ("electrical", "manufacturing", ["教授级高级工程师", "高级工程师", "教授"], ["zju", "zjmei", "wzqi"], 6),
    ("materials", "", ["研究员", "副教授", "高级工程师"], ["zjut", "cjlu", "wzqi"], 3),
    ("information", "", ["教授", "副教授", "高级工程师"], ["zju", "cjlu", "wzvtc"], 3),
    ("agriculture", "", ["研究员", "推广研究员", "高级农艺师", "副研究员"], ["wzaas", "yj_agri", "zaas"], 9),
    ("medicine", "", ["主任医师", "副主任医师", "教授"], ["wmu_fah", "wz_central", "yj_people_hospital"], 7),
    ("environment", "medicine", ["研究员", "高级工程师"], ["wz_env", "zju"], 3),
]

CONFLICT_REASONS = ["曾任该单位技术顾问", "近三年与该单位有合作项目", "近亲属在该单位任职"]

REVIEW_COMMENTS = {
    "support": [
        "技术路线清晰，创新点明确，前期基础扎实，建议支持。",
        "项目符合县产业发展方向，考核指标具体可行，建议立项。",
        "团队结构合理，配套资金落实，经济社会效益明显，建议支持。",
    ],
    "oppose": [
        "创新性不足，与现有产品差异不明显，建议暂缓。",
        "实施方案不够具体，预算依据不充分，不建议立项。",
    ],
}


# --- the projects of one batch -----------------------------------------------------------------


@dataclass
class ItemPlan:
    """One application of a 2016 batch and where it ends."""

    title: str
    organisation: str
    programme: str
    field: str
    summary: str
    requested_yuan: Decimal
    outcome: str  # "rejected", "not_funded", or a funded stage of ``BatchPlan.stages``
    approved_yuan: Decimal | None = None
    quality: int = 0


def allocate(total: Decimal, bounds: list[tuple[int, int]], rng: random.Random, step: int = 5_000) -> list[Decimal]:
    """Amounts within ``bounds`` (yuan, multiples of ``step``) adding up to ``total`` exactly;
    the odd remainder below ``step`` goes to the largest amount."""
    amounts = [rng.randrange(lo, hi + 1, step) for lo, hi in bounds]
    diff = int(total) - sum(amounts)
    order = list(range(len(amounts)))
    while abs(diff) >= step:
        moved = False
        rng.shuffle(order)
        for i in order:
            lo, hi = bounds[i]
            if diff >= step and amounts[i] + step <= hi:
                amounts[i] += step
                diff -= step
                moved = True
            elif diff <= -step and amounts[i] - step >= lo:
                amounts[i] -= step
                diff += step
                moved = True
            if abs(diff) < step:
                break
        if not moved:
            raise ValueError("the bounds cannot reach the total")
    largest = max(range(len(amounts)), key=lambda i: amounts[i])
    amounts[largest] += diff
    result = [Decimal(a).quantize(Decimal("0.01")) for a in amounts]
    assert sum(result) == total
    return result


def _requested(approved: Decimal, cap: Decimal, rng: random.Random) -> Decimal:
    """What the applicant asked for: the grant or somewhat more, in whole ten thousands."""
    if rng.random() < 0.3:
        return approved
    asked = approved * Decimal(rng.choice(["1.1", "1.2", "1.3", "1.5"]))
    asked = (asked / 10_000).to_integral_value(rounding="ROUND_CEILING") * 10_000
    return max(approved, min(asked, cap)).quantize(Decimal("0.01"))


class TitleMaker:
    """Unique, realistic project titles and their applicants, one stream for the whole year."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.companies = [key for key, _name, _industry in COMPANIES] + list(NAMED_INDUSTRY)
        self.industry = {key: industry for key, _name, industry in COMPANIES} | NAMED_INDUSTRY

    def _unique(self, make: object) -> tuple[str, str, str, str]:
        for _ in range(500):
            org, title, topic, fld = make()  # type: ignore[operator]
            if title not in self.used:
                self.used.add(title)
                return org, title, topic, fld
        raise RuntimeError("ran out of demo titles")

    def make(self, programme: str) -> tuple[str, str, str, str]:
        """(organisation key, title, topic for the summary, field)"""
        rng = self.rng

        def industrial() -> tuple[str, str, str, str]:
            org = rng.choice(self.companies)
            fld, products = INDUSTRIES[self.industry[org]]
            product = rng.choice(products)
            patterns = SOFTWARE_PATTERNS if fld == "information" else INDUSTRIAL_PATTERNS
            title = rng.choice(patterns).format(n=rng.choice([5, 10, 20, 30, 50, 100]), p=product)
            return org, title, product, fld

        def new_product() -> tuple[str, str, str, str]:
            org = rng.choice(self.companies)
            fld, products = INDUSTRIES[self.industry[org]]
            product = rng.choice(products)
            patterns = SOFTWARE_PATTERNS if fld == "information" else NEW_PRODUCT_PATTERNS
            return org, rng.choice(patterns).format(p=product), product, fld

        def agri() -> tuple[str, str, str, str]:
            org, crop = rng.choice(AGRI_CROPS)
            return org, rng.choice(AGRI_PATTERNS).format(c=crop), crop, "agriculture"

        def medical() -> tuple[str, str, str, str]:
            if rng.random() < 0.3:
                org, title = rng.choice(SOCIAL_TITLES)
                return org, title, title, "environment" if org == "yj_env" else "medicine"
            org, technique = rng.choice(MEDICAL_TECHNIQUES)
            return org, rng.choice(MEDICAL_PATTERNS).format(t=technique), technique, "medicine"

        makers = {
            "industrial": industrial,
            "new_product": new_product,
            "agri_commissioner": agri,
            "social_medical": medical,
        }
        return self._unique(makers[programme])


def batch_items(plan: BatchPlan, titles: TitleMaker, rng: random.Random) -> list[ItemPlan]:
    """Every application of one batch, funded ones first (in stage order), with exact amounts."""
    funded_programmes = [code for code, (n, _lo, _hi) in plan.funded_mix.items() for _ in range(n)]
    bounds = [(plan.funded_mix[code][1], plan.funded_mix[code][2]) for code in funded_programmes]
    amounts = allocate(plan.funded_total, bounds, rng)
    stages = [stage for stage, n in plan.stages.items() for _ in range(n)]
    order = list(range(len(funded_programmes)))
    rng.shuffle(order)
    items = []
    for stage, i in zip(stages, order, strict=True):
        items.append(_item(funded_programmes[i], stage, amounts[i], plan, titles, rng))
    for outcome, mix in (("not_funded", plan.not_funded), ("rejected", plan.rejected)):
        for code, n in mix.items():
            for _ in range(n):
                lo, hi = plan.funded_mix[code][1:]
                asked = Decimal(rng.randrange(lo, hi + 1, 10_000)).quantize(Decimal("0.01"))
                items.append(_item(code, outcome, None, plan, titles, rng, requested=asked))
    return items


def _item(
    programme: str,
    outcome: str,
    approved: Decimal | None,
    plan: BatchPlan,
    titles: TitleMaker,
    rng: random.Random,
    requested: Decimal | None = None,
) -> ItemPlan:
    org, title, topic, fld = titles.make(programme)
    if requested is None:
        assert approved is not None
        requested = _requested(approved, plan.max_request_yuan, rng)
    return ItemPlan(
        title=title,
        organisation=org,
        programme=programme,
        field=fld,
        summary=f"【{PROGRAMME_NAMES[programme]}】" + SUMMARIES[programme].format(p=topic),
        requested_yuan=requested,
        outcome=outcome,
        approved_yuan=approved,
        quality=rng.randint(76, 92) if approved is not None else rng.randint(55, 70),
    )


def expert_pool(rng: random.Random) -> list[tuple[str, str, str, list[str], str]]:
    """The county's expert pool beyond the six demo experts:
    (username, name, organisation key, fields, title)."""
    names: set[str] = {name for _username, name, _org, _fields, _title in DEMO_EXPERTS}
    pool = []
    n = 6
    for first, second, ranks, orgs, count in EXPERT_GROUPS:
        for _ in range(count):
            n += 1
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
            while name in names:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
            names.add(name)
            fields = [first] + ([second] if second else [])
            pool.append((f"expert{n:02d}", name, rng.choice(orgs), fields, rng.choice(ranks)))
    return pool


# --- the open call of 2017: one application in each early state --------------------------------

CURRENT_CALL = "2017年度第一批科技计划项目"

# key → (applicant username, title, summary, requested yuan)
CURRENT_APPLICATIONS = {
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
    # A fifth application of one unit to a call that takes four per unit (限项): its
    # submission is refused, naming the rule and the four that count.
    "limited": (
        "demo_applicant2",
        "船舶岸电电源装置研制",
        "研制船舶靠港岸电电源装置，降低船舶靠港期间的燃油消耗与排放。",
        "260000.00",
    ),
}
#: The open call's limit on applications per unit (限项): the fifth of 海星海事电气 is refused.
CURRENT_LIMIT_PER_ORGANISATION = 4

CURRENT_SCORES = [
    {"innovation": 86, "feasibility": 82, "team": 78, "benefit": 88},
    {"innovation": 80, "feasibility": 85, "team": 75, "benefit": 83},
    {"innovation": 74, "feasibility": 79, "team": 80, "benefit": 72},
]
