"""Table-driven tests of extract(): how elders and their relatives in 长治 really talk.

Each case: (message, requested, expected facts). The facts must be exactly these (no
extra fact read by mistake) unless the case is marked `partial`, then only the listed
ones are checked. A value of ABSENT means the fact must not be read.
"""

import datetime

import pytest

from actions.understanding import extract

TODAY = datetime.date(2025, 6, 1)
ABSENT = object()


def case(text, facts, requested=None, partial=False):
    return pytest.param(text, requested, facts, partial, id=f"{text}|{requested}")


def check(text, requested, facts, partial):
    ex = extract(text, requested, TODAY)
    for name, value in facts.items():
        if value is ABSENT:
            assert name not in ex.facts, f"{name} read from {text!r}: {ex.facts}"
        else:
            assert ex.facts.get(name) == value, f"{text!r}: {ex.facts}"
    if not partial:
        wanted = {k for k, v in facts.items() if v is not ABSENT}
        assert set(ex.facts) == wanted, f"{text!r}: extra facts {ex.facts}"


ECONOMIC = [
    case("特困", {"economic_status": "extreme_poverty"}),
    case("俺是五保户", {"economic_status": "extreme_poverty"}),
    case("村里的五保老人", {"economic_status": "extreme_poverty"}),
    case("特困供养人员", {"economic_status": "extreme_poverty"}),
    case("政府兜底的", {"economic_status": "extreme_poverty"}),
    case("低保", {"economic_status": "minimum_living"}),
    case("俺娘吃低保", {"economic_status": "minimum_living"}),
    case("我们家是低保户", {"economic_status": "minimum_living"}),
    case("享受低保好几年了", {"economic_status": "minimum_living"}),
    case("有低保", {"economic_status": "minimum_living"}),
    case("农村低保", {"economic_status": "minimum_living"}),
    case("低保边缘户", {"economic_status": "near_minimum"}),
    case("是边缘户", {"economic_status": "near_minimum"}),
    case("低边", {"economic_status": "near_minimum"}),
    case("低收入家庭", {"economic_status": "low_income"}),
    case("困难户", {"economic_status": "low_income"}),
    case("建档立卡贫困户", {"economic_status": "low_income"}),
    case("俺家是脱贫户", {"economic_status": "low_income"}),
    case("没低保", {"economic_status": "none"}),
    case("没有低保", {"economic_status": "none"}),
    case("低保没有", {"economic_status": "none"}),
    case("不吃低保", {"economic_status": "none"}),
    case("家里条件还行", {"economic_status": "none"}),
    case("有退休金，不缺钱", {"economic_status": "none", "employee_pension_retired": True}),
    case("不困难", {"economic_status": "none"}),
    case("低保去年取消了", {"economic_status": "none"}),
    case("不是低保是低保边缘", {"economic_status": "near_minimum"}),
    case("不是低保，是低保边缘", {"economic_status": "near_minimum"}),
    case("我妈不是五保户，是低保", {"economic_status": "minimum_living"}),
    case("没低保，是边缘户", {"economic_status": "near_minimum"}),
    case("不是五保户", {"economic_status": ABSENT}),  # could still be 低保
    case("想申请低保", {"economic_status": ABSENT}),
    case("是不是低保户俺也不清楚", {"economic_status": ABSENT}, partial=True),
    case("低保能领多少钱", {"economic_status": ABSENT}),
    case("以前吃低保，现在没了", {"economic_status": "none"}),  # the state ended: not 低保 now
    case("底保", {"economic_status": "minimum_living"}),
    case("吃底保的", {"economic_status": "minimum_living"}),
    case("低 保", {"economic_status": "minimum_living"}),
    case("儿子也是低保", {"economic_status": ABSENT, "has_capable_supporter": False}),
]

SELF_CARE = [
    case("瘫痪", {"self_care": "dependent"}),
    case("瘫在床上好几年了", {"self_care": "dependent"}),
    case("瘫在炕上", {"self_care": "dependent"}),
    case("卧床不起", {"self_care": "dependent"}),
    case("躺床上起不来", {"self_care": "dependent"}),
    case("生活不能自理", {"self_care": "dependent"}),
    case("失能老人", {"self_care": "dependent"}),
    case("全失能", {"self_care": "dependent"}),
    case("不能动了，得有人伺候", {"self_care": "dependent"}),
    case("吃喝拉撒都要人管", {"self_care": "dependent"}),
    case("下不了炕", {"self_care": "dependent"}),
    case("半失能", {"self_care": "partial"}),
    case("部分失能", {"self_care": "partial"}),
    case("半自理", {"self_care": "partial"}),
    case("走路要人扶", {"self_care": "partial"}),
    case("能自己吃饭但洗澡要人帮", {"self_care": "partial"}),
    case("能自己吃饭，洗澡得人帮忙", {"self_care": "partial"}),
    case("不能完全自理", {"self_care": "partial"}),
    case("中风偏瘫了", {"self_care": "partial"}),
    case("能自理", {"self_care": "independent"}),
    case("身体还行", {"self_care": "independent"}),
    case("身子骨硬朗着呢", {"self_care": "independent"}),
    case("能自己照顾自己", {"self_care": "independent"}),
    case("能走能动", {"self_care": "independent"}),
    case("还能下地干活", {"self_care": "independent"}),
    case("身体不好", {"self_care": ABSENT}),
    case("不是瘫痪", {"self_care": ABSENT}),
    case("瘫痪的老人有啥补贴", {"self_care": ABSENT}),
    case("偏瘫，躺床上起不来", {"self_care": "dependent"}),
    case("摊在床上", {"self_care": "dependent"}),
]

DISABILITY = [
    case("有残疾证，二级", {"disability_grade": 2}),
    case("残疾证一级", {"disability_grade": 1}),
    case("残疾人证是三级的", {"disability_grade": 3}),
    case("二级残疾", {"disability_grade": 2}),
    case("残疾证4级", {"disability_grade": 4}),
    case("肢体二级", {"disability_grade": 2, "disability_type": "physical"}),
    case("视力一级", {"disability_grade": 1, "disability_type": "visual"}),
    case("听力三级", {"disability_grade": 3, "disability_type": "hearing"}),
    case("智力四级", {"disability_grade": 4, "disability_type": "intellectual"}),
    case("精神四级", {"disability_grade": 4, "disability_type": "mental"}),
    case("多重残疾一级", {"disability_grade": 1, "disability_type": "multiple"}),
    case("有肢体残疾证，二级", {"disability_grade": 2, "disability_type": "physical"}),
    case("没有残疾证", {"disability_grade": 0}),
    case("没办残疾证", {"disability_grade": 0}),
    case("没残疾", {"disability_grade": 0}),
    case("残疾证还没办", {"disability_grade": 0}),
    case("残急证三级", {"disability_grade": 3}),
    case("重度残疾", {"disability_grade": ABSENT}),
    case("不是二级，是一级残疾", {"disability_grade": 1}),
    case("伤残军人，三级", {"veteran_category": "disabled_veteran", "disability_grade": ABSENT}),
    case("住的三级医院", {"disability_grade": ABSENT}),
    case("一二级残疾能领吗", {"disability_grade": ABSENT}, partial=True),
]

LIVING = [
    case("一个人住", {"living_situation": "alone"}),
    case("俺娘独居", {"living_situation": "alone"}),
    case("自己住", {"living_situation": "alone"}),
    case("老伴走了一个人", {"living_situation": "alone"}),
    case("老伴去世了，就她一个人过", {"living_situation": "alone"}),
    case("老两口", {"living_situation": "empty_nest"}),
    case("就我们俩", {"living_situation": "empty_nest"}),
    case("空巢老人", {"living_situation": "empty_nest"}),
    case("跟老伴住", {"living_situation": "empty_nest"}),
    case("孩子在外打工", {"living_situation": "left_behind"}),
    case("儿子出去打工了", {"living_situation": "left_behind"}),
    case("儿女都在太原上班", {"living_situation": "left_behind"}),
    case("留守老人", {"living_situation": "left_behind"}),
    case("跟儿子住", {"living_situation": "with_family"}),
    case("和闺女一起住", {"living_situation": "with_family"}),
    case("跟我们住", {"living_situation": "with_family"}),
    case("住在儿子家", {"living_situation": "with_family"}),
    case("几个孩子轮流住", {"living_situation": "with_family"}),
    case("不是独居，跟儿子住", {"living_situation": "with_family"}),
    case("想跟儿子住", {"living_situation": ABSENT}),
]

BOOLEANS = [
    case("退休工人", {"employee_pension_retired": True}),
    case("厂里退休的", {"employee_pension_retired": True}),
    case("领退休金", {"employee_pension_retired": True}),
    case("退休了，单位上的", {"employee_pension_retired": True}),
    case("退休了", {"employee_pension_retired": ABSENT}),  # a farmer may say it too
    case("退休了", {"employee_pension_retired": True}, "employee_pension_retired"),
    case("没退休，一直种地", {"employee_pension_retired": False}),
    case("农民，没有退休金", {"employee_pension_retired": False}),
    case("城乡居民养老保险交满15年了", {"resident_pension_15y": True}),
    case("新农保交够十五年了", {"resident_pension_15y": True}),
    case("养老保险交了二十年", {"resident_pension_15y": True}),
    case("养老保险才交了十年", {"resident_pension_15y": False}),
    case("没交够", {"resident_pension_15y": False}, "resident_pension_15y"),
    case("交满了", {"resident_pension_15y": True}, "resident_pension_15y"),
    case("交了8年", {"resident_pension_15y": False}, "resident_pension_15y"),
    case("独生子女去世了", {"special_family_planning": True}),
    case("就一个儿子，前几年出车祸没了", {"special_family_planning": True}),
    case("失独家庭", {"special_family_planning": True}),
    case("独生女残疾了", {"special_family_planning": True}),
    case("告儿子要赡养费，他没钱执行不了", {"maintenance_dispute": True}),
    case("起诉了追索赡养费，法院判了，可儿子拿不出钱", {"maintenance_dispute": True}),
    case("在外面流浪", {"homeless": True}),
    case("沿街乞讨", {"homeless": True}),
    case("没地方住", {"homeless": True}),
    case("没有流浪", {"homeless": False}),
    case("想学照护", {"family_care_training": True}),
    case("闺女想参加护理培训", {"family_care_training": True}),
    case("不想学", {"family_care_training": False}),
    case("没儿没女", {"has_capable_supporter": False}),
    case("无儿无女", {"has_capable_supporter": False}),
    case("孩子没能力养", {"has_capable_supporter": False}),
    case("儿女都挺孝顺", {"has_capable_supporter": True}),
    case("领抚恤金", {"receives_pension_subsidy": True}),
    case("每月有定期抚恤补助", {"receives_pension_subsidy": True}),
    case("孤寡老人", {"living_situation": "alone", "has_capable_supporter": False}),
]

VETERANS = [
    case("烈士家属", {"veteran_category": "martyr_family"}),
    case("俺是烈属", {"veteran_category": "martyr_family"}),
    case("他爹是因公牺牲的军人", {"veteran_category": "duty_death_family"}),
    case("病故军人家属", {"veteran_category": "illness_death_family"}),
    case("残疾军人", {"veteran_category": "disabled_veteran"}),
    case("伤残军人", {"veteran_category": "disabled_veteran"}),
    case("老复员", {"veteran_category": "demobilized_veteran"}),
    case("复员军人", {"veteran_category": "demobilized_veteran"}),
    case("退伍军人", {"veteran_category": "retired_veteran"}),
    case("年轻时当过兵，后来退伍了", {"veteran_category": "retired_veteran"}),
    case("没当过兵", {"veteran_category": "none"}),
    case("不是退伍军人", {"veteran_category": "none"}),
]

SUPPORT = [
    case("五保户，在敬老院住", {"economic_status": "extreme_poverty", "support_mode": "institution"}),
    case("特困，集中供养", {"economic_status": "extreme_poverty", "support_mode": "institution"}),
    case("分散供养", {"support_mode": "home"}),
    case("五保户，在家住", {"economic_status": "extreme_poverty", "support_mode": "home"}),
    case("在家", {"support_mode": "home"}, "support_mode"),
    case("住敬老院", {"support_mode": "institution"}, "support_mode"),
    case("在家", {}),  # without 特困 words it says nothing
    case("我妈住养老院", {"support_mode": ABSENT}, partial=True),
]

CHRONIC = [
    case("有高血压", {"chronic_conditions": ["hypertension"]}),
    case("高血压，糖尿病", {"chronic_conditions": ["diabetes", "hypertension"]}),
    case("2型糖尿病", {"chronic_conditions": ["diabetes"]}),
    case("血压高，血糖也高", {"chronic_conditions": ["diabetes", "hypertension"]}),
    case("精神病", {"chronic_conditions": ["severe_mental_disorder"]}),
    case("严重精神障碍", {"chronic_conditions": ["severe_mental_disorder"]}),
    case("没有高血压，有糖尿病", {"chronic_conditions": ["diabetes"]}),
    case("没有高血压也没有糖尿病", {"chronic_conditions": []}, "chronic_conditions"),
    case("没有", {"chronic_conditions": []}, "chronic_conditions"),
    case("没有高血压", {}),
]

DISTRICTS = [
    case("潞州区", {"district": "潞州区"}),
    case("住在潞州", {"district": "潞州区"}),
    case("上党区的", {"district": "上党区"}),
    case("原来的长治县", {"district": "上党区"}),
    case("屯留", {"district": "屯留区"}),
    case("潞城", {"district": "潞城区"}),
    case("襄垣县", {"district": "襄垣县"}),
    case("平顺", {"district": "平顺县"}),
    case("黎城", {"district": "黎城县"}),
    case("壶关县的", {"district": "壶关县"}),
    case("长子县", {"district": "长子县"}),
    case("在长子", {"district": "长子县"}),
    case("长子", {"district": "长子县"}, "district"),
    case("武乡", {"district": "武乡县"}),
    case("沁县", {"district": "沁县"}),
    case("沁源县", {"district": "沁源县"}),
    case("高新区", {"district": "高新区"}),
    case("经开区", {"district": "经开区"}),
    case("长治市", {}),
    case("他是家里的长子", {"district": ABSENT}, partial=True),
    case("我们是长治的", {}),
]

ANSWERS = [
    case("是", {"homeless": True}, "homeless"),
    case("对", {"special_family_planning": True}, "special_family_planning"),
    case("有", {"receives_pension_subsidy": True}, "receives_pension_subsidy"),
    case("嗯", {"employee_pension_retired": True}, "employee_pension_retired"),
    case("对的", {"maintenance_dispute": True}, "maintenance_dispute"),
    case("是的是的", {"family_care_training": True}, "family_care_training"),
    case("有的", {"has_capable_supporter": True}, "has_capable_supporter"),
    case("算是", {"resident_pension_15y": True}, "resident_pension_15y"),
    case("嗯嗯，对", {"homeless": True}, "homeless"),
    case("不是", {"homeless": False}, "homeless"),
    case("没有", {"receives_pension_subsidy": False}, "receives_pension_subsidy"),
    case("没", {"special_family_planning": False}, "special_family_planning"),
    case("否", {"maintenance_dispute": False}, "maintenance_dispute"),
    case("不算", {"employee_pension_retired": False}, "employee_pension_retired"),
    case("没有啊", {"has_capable_supporter": False}, "has_capable_supporter"),
    case("没有没有", {"homeless": False}, "homeless"),
    case("不对", {"homeless": False}, "homeless"),
    case("当过", {"employee_pension_retired": True}, "employee_pension_retired"),
    case("低保", {"economic_status": "minimum_living"}, "economic_status"),
    case("都不是", {"economic_status": "none"}, "economic_status"),
    case("啥也没有", {"economic_status": "none"}, "economic_status"),
    case("没有", {"economic_status": "none"}, "economic_status"),
    case("能", {"self_care": "independent"}, "self_care"),
    case("能自理", {"self_care": "independent"}, "self_care"),
    case("不能", {"self_care": "dependent"}, "self_care"),
    case("不行", {"self_care": "dependent"}, "self_care"),
    case("勉强能", {"self_care": "partial"}, "self_care"),
    case("没有", {"disability_grade": 0}, "disability_grade"),
    case("二级", {"disability_grade": 2}, "disability_grade"),
    case("2", {"disability_grade": 2}, "disability_grade"),
    case("一级的", {"disability_grade": 1}, "disability_grade"),
    case("肢体", {"disability_type": "physical"}, "disability_type"),
    case("腿", {"disability_type": "physical"}, "disability_type"),
    case("眼睛", {"disability_type": "visual"}, "disability_type"),
    case("没有", {"veteran_category": "none"}, "veteran_category"),
    case("一个人", {"living_situation": "alone"}, "living_situation"),
    case("俩人", {"living_situation": "empty_nest"}, "living_situation"),
    case("跟我", {"living_situation": "with_family"}, "living_situation"),
    case("83", {"age": 83}, "age"),
    case("八十三", {"age": 83}, "age"),
    case("83岁", {"age": 83}, "age"),
    case("虚岁84", {"age": 83}, "age"),
    case("2", {}, "homeless"),
    case("是", {}, "age"),
    case("是", {}, None),
    case("不是", {}, "district"),
    case("嗯，她在外面要饭", {"homeless": True}, "homeless"),
    case("没有，她跟我住", {"homeless": False, "living_situation": "with_family"}, "homeless"),
    case("是低保", {"economic_status": "minimum_living", "homeless": ABSENT}, "homeless"),
]

MULTI = [
    case(
        "俺娘八十三了，吃低保，瘫在床上好几年了",
        {"age": 83, "economic_status": "minimum_living", "self_care": "dependent"},
    ),
    case(
        "我爸1942年的，退休工人，一个人住", {"age": 83, "employee_pension_retired": True, "living_situation": "alone"}
    ),
    case(
        "我妈今年82，五保户，在敬老院住",
        {"age": 82, "economic_status": "extreme_poverty", "support_mode": "institution"},
    ),
    case(
        "俺爹八十五了，老复员，有定期抚恤，没儿没女",
        {
            "age": 85,
            "veteran_category": "demobilized_veteran",
            "receives_pension_subsidy": True,
            "has_capable_supporter": False,
        },
    ),
    case(
        "我奶奶92岁，住在壶关，低保户，有残疾证二级，肢体的",
        {
            "age": 92,
            "district": "壶关县",
            "economic_status": "minimum_living",
            "disability_grade": 2,
            "disability_type": "physical",
        },
    ),
    case(
        "婆婆快八十了，半失能，孩子都在外地打工", {"age": 79, "self_care": "partial", "living_situation": "left_behind"}
    ),
    case(
        "我今年七十一，和老伴俩人住，都有高血压",
        {"age": 71, "living_situation": "empty_nest", "chronic_conditions": ["hypertension"]},
    ),
    case("俺们老两口都七十多了，儿子在外打工", {"age": 71, "living_situation": "left_behind"}),
    case(
        "我公公86了，在襄垣县，不能自理，没有残疾证",
        {"age": 86, "district": "襄垣县", "self_care": "dependent", "disability_grade": 0},
    ),
    case("姥姥八十有五，独居，低保边缘户", {"age": 85, "living_situation": "alone", "economic_status": "near_minimum"}),
    case(
        "俺老汉78了，当过兵，退伍的，身体还行",
        {"age": 78, "veteran_category": "retired_veteran", "self_care": "independent"},
    ),
    case(
        "她1939年出生，就一个闺女前些年病死了，现在一个人在村里住",
        {"age": 86, "special_family_planning": True, "living_situation": "alone"},
    ),
    case(
        "我妈不是五保户，是低保，跟我们住，九十整",
        {"economic_status": "minimum_living", "living_situation": "with_family", "age": 90},
    ),
    case(
        "老爷子虚岁九十，糖尿病好多年了，走路得人扶",
        {"age": 89, "chronic_conditions": ["diabetes"], "self_care": "partial"},
    ),
    case(
        "俺娘今年八十三，没低保，也没残疾证，跟俺住",
        {"age": 83, "economic_status": "none", "disability_grade": 0, "living_situation": "with_family"},
    ),
    case("我妈83岁，每月领100块高龄补贴，有3个孙子", {"age": 83}),
    case(
        "老人家1946年生的，新农保交了十五年了，农民",
        {"age": 79, "resident_pension_15y": True, "employee_pension_retired": False},
    ),
]

COLLOQUIAL = [
    case("俺娘 八十三 岁了哦！！", {"age": 83}),
    case("八十三岁了哦", {"age": 83}),
    case("咱妈吃低保呢", {"economic_status": "minimum_living"}),
    case("俺是个五包户", {"economic_status": "extreme_poverty"}),
    case("瘫换在床", {"self_care": "dependent"}),
    case("啥也没有，就一个人过", {"living_situation": "alone"}),
    case("我媽八十歲，殘疾證一級", {"age": 80, "disability_grade": 1}),
    case("ta 83了", {"age": 83}),
    case("俺娘８３了，吃低保", {"age": 83, "economic_status": "minimum_living"}),
    case("都七老八十了，啥也不懂", {}),
    case("我想问问高龄补贴咋领", {}),
    case("你好", {}),
    case("谢谢你啊", {}),
    case("俺娘身体不好，腿脚不利索", {"self_care": "partial"}),
]

# Questions about a policy say nothing about the elder; statements inside questions still count.
QUESTIONS = [
    case("好的谢谢", {}),
    case("怎么申请", {}),
    case("高龄津贴是多少钱", {}),
    case("八十岁以上有高龄津贴吗", {}),
    case("90岁能领多少", {}),
    case("俺娘90岁能领多少", {"age": 90}),
    case("八十三了能领高龄补贴不", {"age": 83}),
    case("八十岁的老人能领高龄补贴吗", {}),
    case("残疾人有什么补贴", {}),
    case("一级残疾能领护理补贴吗", {}),
    case("俺娘一级残疾能领护理补贴吗", {"disability_grade": 1}),
    case("失能老人有啥政策", {}),
    case("独居老人可以申请什么", {}),
    case("五保户有什么待遇", {}),
    case("高血压的老人有免费体检吗", {}),
    case("60岁以上的都能领吗", {}),
    case("我想给我妈申请低保", {}),
    case("我妈是低保户吗", {}),
    case("是低保户不", {}),
    case("不知道有没有低保", {}),
    case("能不能自理", {}),
    case("有没有残疾证", {}),
    case("有高血压吗？", {}, "chronic_conditions"),
    case("低保户可以住敬老院吗", {}),
    case("俺娘吃低保，能领啥", {"economic_status": "minimum_living"}),
    case("83岁能领吗", {"age": 83}, "age"),
]

MORE = [
    case("俺娘今年83，2015年办的低保", {"age": 83, "economic_status": "minimum_living"}),
    case("我妈83了，低保每月300多块", {"age": 83, "economic_status": "minimum_living"}),
    case("她八十三了，残疾证是2016年办的，二级", {"age": 83, "disability_grade": 2}),
    case("我爸84，交了十五年养老保险", {"age": 84, "resident_pension_15y": True}),
    case("我妈1945年生人，今年八十了", {"age": 80}),
    case("我88了，老伴85", {"age": 88}),
    case("没有证", {"disability_grade": 0}, "disability_grade"),
    case("没办", {"disability_grade": 0}, "disability_grade"),
    case("有残疾证", {}, "disability_grade"),
    case("交了好几年了，不够15年", {"resident_pension_15y": False}),
    case("当了三年兵，复员回来的", {"veteran_category": "demobilized_veteran"}),
    case("我们家没有当兵的", {"veteran_category": "none"}),
    case("孩子都成家了，我一个人在老家住", {"living_situation": "alone"}),
    case("我爸一个人在老家，我们都在外地上班", {"living_situation": "alone"}),
    case("我妈和我爸两个人住，我们都在外地", {"living_situation": "empty_nest"}),
    case("她跟着我弟弟过", {"living_situation": "with_family"}),
    case("我妈住在我哥家", {"living_situation": "with_family"}),
    case("她轮流在几个儿女家住", {"living_situation": "with_family"}),
    case("我妈没啥大病，就是血压有点高", {"chronic_conditions": ["hypertension"]}),
    case("有高血压，没糖尿病", {"chronic_conditions": ["hypertension"]}),
    case("家在黎城县东阳关", {"district": "黎城县"}),
    case("俺们这是壶关县树掌镇", {"district": "壶关县"}),
    case("我家在长子县城", {"district": "长子县"}),
    case("我是屯留人", {"district": "屯留区"}),
    case("我妈是农村的，没有工作过", {"employee_pension_retired": False}),
    case("俺爹是矿上退休的", {"employee_pension_retired": True}),
    case("我爸有退休工资，每个月三千多", {"employee_pension_retired": True}),
    case("我母亲没有什么残疾", {"disability_grade": 0}),
    case("我妈以前是低保户，现在不是了", {}),
    case("儿子不孝顺，不给赡养费", {}),  # no lawsuit, no inability: not the listed case
    case("嗯，不是", {"homeless": False}, "homeless"),
    case("呃，没有", {"economic_status": "none"}, "economic_status"),
    case(
        "我爸是退伍军人，今年76岁，每个月有定补",
        {"veteran_category": "retired_veteran", "age": 76, "receives_pension_subsidy": True},
    ),
    case(
        "我婆婆瘫在床上三年了，没办残疾证，我们想学学怎么照顾她",
        {"self_care": "dependent", "disability_grade": 0, "family_care_training": True},
    ),
]

# The exact phrasings listed in the task, not covered above.
BRIEF = [
    case("卧床", {"self_care": "dependent"}),
    case("需要人伺候", {"self_care": "dependent"}),
    case("硬朗", {"self_care": "independent"}),
    case("残疾证1级", {"disability_grade": 1}),
    case("残疾人证二级", {"disability_grade": 2}),
    case("当兵退伍的", {"veteran_category": "retired_veteran"}),
    case("特困，在养老院住", {"economic_status": "extreme_poverty", "support_mode": "institution"}),
    case("上党", {"district": "上党区"}),
    case("襄垣", {"district": "襄垣县"}),
    case("沁源", {"district": "沁源县"}),
    case("壶关", {"district": "壶关县"}),
    case("长治", {}),
    case("啥也没有", {"economic_status": "none"}, "economic_status"),
    case("属猴的", {}),
    case("我奶奶是1935年生的，属猪", {"age": 90}),
    case("五保", {"economic_status": "extreme_poverty"}),
    case("享受低保", {"economic_status": "minimum_living"}),
    case("低收入", {"economic_status": "low_income"}),
    case("建档立卡", {"economic_status": "low_income"}),
    case("对的", {"homeless": True}, "homeless"),
    case("有的", {"homeless": True}, "homeless"),
    case("没", {"homeless": False}, "homeless"),
    case("八十三", {"age": 83}, "age"),
    case("俺娘八十三了，残疾二级", {"age": 83, "disability_grade": 2}),
    case("3个孩子都在外地打工", {"living_situation": "left_behind"}),
    case("电话13812345678", {}),
    case("低保一个月100块，1000元一年", {"economic_status": "minimum_living"}),
]


@pytest.mark.parametrize(
    "text, requested, facts, partial",
    ECONOMIC
    + SELF_CARE
    + DISABILITY
    + LIVING
    + BOOLEANS
    + VETERANS
    + SUPPORT
    + CHRONIC
    + DISTRICTS
    + ANSWERS
    + MULTI
    + COLLOQUIAL
    + QUESTIONS
    + MORE
    + BRIEF,
)
def test_extract(text, requested, facts, partial):
    check(text, requested, facts, partial)
