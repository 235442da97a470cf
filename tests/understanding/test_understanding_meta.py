"""Who is spoken of, "I don't know", corrections, approximations, "none of these"."""
import datetime

import pytest

from actions.understanding import Extraction, extract

TODAY = datetime.date(2025, 6, 1)


@pytest.mark.parametrize(
    "text, relation",
    [
        ("我妈今年八十三", "mother"),
        ("俺娘吃低保", "mother"),
        ("我娘瘫在床上", "mother"),
        ("老娘九十了", "mother"),
        ("我家老太太一个人住", "mother"),
        ("我爸是退休工人", "father"),
        ("俺爹八十五了", "father"),
        ("老爷子身体还行", "father"),
        ("我婆婆半失能", "mother_in_law"),
        ("丈母娘是低保户", "mother_in_law"),
        ("岳母八十了", "mother_in_law"),
        ("公公是老复员", "father_in_law"),
        ("老丈人一个人过", "father_in_law"),
        ("丈人八十了", "father_in_law"),
        ("俺爹瘫了", "father"),
        ("我娘83", "mother"),
        ("我奶奶九十二了", "grandmother"),
        ("姥姥独居", "grandmother"),
        ("外婆吃低保", "grandmother"),
        ("我爷爷当过兵", "grandfather"),
        ("姥爷八十多了", "grandfather"),
        ("我老伴瘫了", "spouse"),
        ("俺家老头有高血压", "spouse"),
        ("我爸妈都八十多了", "parents"),
        ("俺爹娘是低保户", "parents"),
        ("我今年七十", "self"),
        ("俺一个人住", "self"),
        ("咱是五保户", "self"),
        ("我和老伴都七十多了", "self"),
        ("我们老两口", "self"),
        ("俺儿子在外打工", "self"),
        ("老伴走了，我一个人住", "self"),
        ("老伴前年走了，一个人过", "self"),
        ("本人七十五岁", "self"),
        ("我能领高龄补贴吗", "self"),
        ("我是他儿子，他今年87了", "father"),
        ("我是她闺女", "mother"),
        ("我想问问我妈能领啥", "mother"),
        ("帮我查查我爸的", "father"),
        ("邻居大娘八十多了，一个人住", "elder"),
        ("我舅是五保户", "elder"),
        ("我妈跟我住", "mother"),
        ("俺闺女想学护理", "self"),
        ("瘫痪在床十年了，全靠老伴伺候", None),
        ("我想问问", None),
        ("你好", None),
        ("大娘你好", "elder"),
        ("跟我们住", None),
        ("姑娘在外地", None),
        ("我88了，老伴85", "self"),
        ("我有个问题，我妈八十了", "mother"),
        ("她跟着我弟弟过", None),
        ("我是长子", None),
    ],
)
def test_relation(text, relation):
    assert extract(text, None, TODAY).relation == relation


@pytest.mark.parametrize(
    "text, requested, unknown",
    [
        ("不知道", "economic_status", {"economic_status"}),
        ("不清楚", "age", {"age"}),
        ("说不好", "self_care", {"self_care"}),
        ("这个俺不晓得", "disability_grade", {"disability_grade"}),
        ("记不清了", "resident_pension_15y", {"resident_pension_15y"}),
        ("闹不清", "veteran_category", {"veteran_category"}),
        ("不清楚", "special_circumstances", {"special_circumstances"}),
        ("不知道有没有低保", None, {"economic_status"}),
        ("年龄不记得了", None, {"age"}),
        ("残疾证几级不清楚", None, {"disability_grade"}),
        ("八十三，不过低保不清楚", None, {"economic_status"}),
        ("83", "age", set()),
        ("知道", "age", set()),
        ("不知道能领啥", None, set()),
    ],
)
def test_unknown(text, requested, unknown):
    assert extract(text, requested, TODAY).unknown == unknown


@pytest.mark.parametrize(
    "text, facts",
    [
        ("说错了，应该是85岁", {"age": 85}),
        ("不对，我妈是85岁不是83", {"age": 85}),
        ("不是83，是85", {"age": 85}),
        ("刚才说错了，不是低保，是低保边缘", {"economic_status": "near_minimum"}),
        ("更正一下，她是一个人住", {"living_situation": "alone"}),
        ("搞错了，她没有残疾证", {"disability_grade": 0}),
        ("搞错了，残疾证是二级", {"disability_grade": 2}),
        ("我记错了，是1940年出生的", {"age": 85}),
    ],
)
def test_correction(text, facts):
    ex = extract(text, None, TODAY)
    assert ex.correction is True
    for k, v in facts.items():
        assert ex.facts.get(k) == v, ex.facts


@pytest.mark.parametrize(
    "text, requested",
    [
        ("俺娘八十三了", None),
        ("不对", "homeless"),  # a plain "no" to the question, nothing to correct
        ("没错", "homeless"),
        ("身体不错了", None),
        ("是", "age"),
    ],
)
def test_not_correction(text, requested):
    # "不对" alone answers the question (homeless: False); it corrects nothing said before
    assert extract(text, requested, TODAY).correction is False


@pytest.mark.parametrize(
    "text, age, phrase",
    [
        ("俺娘快八十了", 79, "快八十了"),
        ("老人八十多岁了，五保户", 81, "八十多岁了"),
        ("我爸八十来岁", 81, "八十来岁"),
        ("她九十出头", 91, "九十出头"),
        ("大概八十左右", 80, "大概八十左右"),
        ("马上就九十了", 89, "马上就九十了"),
    ],
)
def test_approximate(text, age, phrase):
    ex = extract(text, None, TODAY)
    assert ex.facts["age"] == age
    assert ex.approximate == {"age": phrase}


def test_exact_age_is_not_approximate():
    ex = extract("俺娘83了", None, TODAY)
    assert ex.facts["age"] == 83 and ex.approximate == {}


@pytest.mark.parametrize(
    "text, special_none, facts",
    [
        ("都没有", True, {}),
        ("都不是", True, {}),
        ("没有", True, {}),
        ("没有，都没有", True, {}),
        ("啥也不是", True, {}),
        ("一个也没有", True, {}),
        ("当过兵", False, {"veteran_category": "retired_veteran"}),
        ("她是烈属", False, {"veteran_category": "martyr_family"}),
        ("独生儿子前年没了", False, {"special_family_planning": True}),
        ("在外面流浪，没地方住", False, {"homeless": True}),
        ("告了儿子要赡养费，执行不了", False, {"maintenance_dispute": True}),
        ("是独生子女家庭，孩子出车祸走了，她老伴是复员军人", False,
         {"special_family_planning": True, "veteran_category": "demobilized_veteran"}),
        ("有", False, {}),
    ],
)
def test_special_circumstances(text, special_none, facts):
    ex = extract(text, "special_circumstances", TODAY)
    assert ex.special_none is special_none
    for k, v in facts.items():
        assert ex.facts.get(k) == v, ex.facts


def test_special_none_only_when_asked():
    assert extract("都没有", None, TODAY).special_none is False
    assert extract("都没有", "homeless", TODAY).special_none is False


def test_veteran_alias_for_requested():
    assert extract("没有", "veteran", TODAY).facts == {"veteran_category": "none"}


def test_extraction_defaults():
    ex = Extraction()
    assert ex.facts == {} and ex.unknown == set() and ex.approximate == {}
    assert ex.correction is False and ex.relation is None and ex.special_none is False


def test_correction_with_short_answer():
    ex = extract("不对，是二级", "disability_grade", TODAY)
    assert ex.facts == {"disability_grade": 2}
