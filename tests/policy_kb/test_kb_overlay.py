"""County lists (实施方案 三(一)2): a county overlay may add items, raise amounts, widen groups and
name its office; it may not drop an item, lower an amount or narrow a group."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from policy_kb import overlay as ov
from policy_kb import sources
from policy_kb.engine import evaluate
from policy_kb.kb import load_kb
from policy_kb.overlay import (
    OverlayError,
    apply_overlay,
    county_list,
    load_overlay,
    parse_overlay,
    published_overlays,
    validate_overlay,
)

KB = load_kb()
FOLDER = Path(__file__).resolve().parents[2] / "policy_kb" / "data" / "changzhi-2024" / "overlays"
EXAMPLE = FOLDER / "example-luzhou.yaml"
RAW = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def overlay(**changes):
    """A copy of the example with some top-level keys replaced (not an example any more)."""
    raw = copy.deepcopy(RAW)
    raw.update(example=False, title="测试用县区清单")
    raw.update(changes)
    return parse_overlay(raw, source="test.yaml")


def amounts_8(b80=70, b90=150, b100=300, **extra):
    bands = [
        ({"fact": "age", "min": 80, "max": 89}, "80至89周岁", b80),
        ({"fact": "age", "min": 90, "max": 99}, "90至99周岁", b90),
        ({"fact": "age", "min": 100}, "100周岁及以上", b100),
    ]
    return [
        {"when": w, "label": label, "value": v, "unit": "元", "period": "月", "floor": True, **extra}
        for w, label, v in bands
        if v is not None
    ]


def problems_for(*changes, remove=(), additions=()):
    return validate_overlay(KB, overlay(changes=list(changes), remove=list(remove), additions=list(additions)))


def status(kb, profile, sid):
    return next(s for s in evaluate(profile, kb)["services"] if s["id"] == sid)


# --- the shipped example -------------------------------------------------------------------------


def test_the_example_is_marked_as_an_example():
    example = load_overlay(EXAMPLE)
    assert example.example is True
    assert "示例" in example.title and "EXAMPLE" in example.title and "并非" in example.title
    assert example.district == "潞州区"
    assert example.offices["市民政局"].name == "潞州区民政局"
    assert example.offices["市民政局"].phone == "" and example.offices["市民政局"].address == ""
    assert (FOLDER / "README.md").exists()


def test_the_example_passes_and_applies_only_when_asked():
    example = load_overlay(EXAMPLE)
    assert validate_overlay(KB, example) == []
    with pytest.raises(OverlayError, match="示例"):
        apply_overlay(KB, example)
    county = apply_overlay(KB, example, allow_example=True)
    assert county is not KB and county.id == "changzhi-2024@潞州区" and county.document["example"] is True
    assert [s.id for s in county.services] == [s.id for s in KB.services]
    # higher 高龄津贴 from 90, unchanged 80–89
    assert "每月不低于200元" in status(county, {"age": 92}, 8)["amount"]
    assert "每月不低于150元" in status(KB, {"age": 92}, 8)["amount"]
    assert "每月不低于500元" in status(county, {"age": 100}, 8)["amount"]
    assert status(county, {"age": 85}, 8)["amount"] == status(KB, {"age": 85}, 8)["amount"]
    # a wider group: 养老服务补贴 from 75 in the example
    poor76 = {"age": 76, "economic_status": "low_income"}
    assert status(county, poor76, 9)["status"] == "eligible"
    assert status(KB, poor76, 9)["status"] == "ineligible"
    # the county office named where the list says 县级（政府）民政部门
    five = county.service(5)
    assert "潞州区民政局" in five.how_to_apply and "县级政府民政部门" not in five.standard
    assert "潞州区民政局" in five.standard
    assert "县级人民政府民政部门" not in county.service(15).content
    # items whose text names no county office keep the city's wording (local_office: 5, 15, 18 only)
    assert county.service(13).how_to_apply == KB.service(13).how_to_apply
    assert county.service(18).how_to_apply == "本人提出申请，潞州区民政局优先办理入住"
    assert county.service(4).how_to_apply == KB.service(4).how_to_apply  # not a county-level item
    assert "电话" not in five.how_to_apply  # no contact invented
    assert county.departments["潞州区民政局"].full_name == "长治市潞州区民政局"
    # every city item is still there, citing the city list
    for city, local in zip(KB.services, county.services, strict=False):
        assert local.citation == city.citation


def test_examples_are_never_applied_by_default():
    assert all(not o.example for o in published_overlays().values())
    assert "潞州区" not in published_overlays()
    assert county_list("潞州区") is KB
    assert county_list(None) is KB
    assert published_overlays("no-such-list") == {}


def test_a_real_overlay_is_found_and_applied(tmp_path, monkeypatch):
    real = copy.deepcopy(RAW)
    real.update(example=False, title="上党区基本养老服务清单（测试）", district="上党区")
    (tmp_path / "shangdang.yaml").write_text(yaml.safe_dump(real, allow_unicode=True), encoding="utf-8")
    (tmp_path / "example.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(ov, "overlay_folder", lambda list_id="changzhi-2024": tmp_path)
    sources.reset()  # the catalog reads the shipped overlays again
    assert list(published_overlays()) == ["上党区"]
    county = county_list("上党区", KB)
    assert county.id == "changzhi-2024@上党区"
    assert "每月不低于200元" in status(county, {"age": 95}, 8)["amount"]
    assert county_list("潞州区", KB) is KB


# --- what the check rejects ----------------------------------------------------------------------


def test_a_dropped_item_is_named():
    (problem,) = problems_for(remove=[16])
    assert "第16项“探访服务”" in problem and "删" in problem


def test_a_lowered_band_is_named_with_both_amounts():
    (problem,) = problems_for({"id": 8, "amounts": amounts_8(b90=120)})
    assert "第8项“高龄津贴”" in problem and "降低" in problem
    assert "每月不低于150元" in problem and "每月不低于120元" in problem and "90" in problem


def test_a_dropped_band_is_named():
    (problem,) = problems_for({"id": 8, "amounts": amounts_8(b100=None)})
    assert "第8项“高龄津贴”" in problem and "100周岁及以上：每月不低于300元" in problem


def test_a_floor_turned_into_a_ceiling_is_lower():
    (problem,) = problems_for({"id": 9, "amounts": [{"value": 70, "unit": "元", "period": "月", "ceiling": True}]})
    assert "第9项“养老服务补贴”" in problem and "不超过70元" in problem


def test_split_bands_that_are_not_lower_pass():
    split = [
        {
            "when": {"fact": "age", "min": 80, "max": 84},
            "label": "80至84周岁",
            "value": 70,
            "unit": "元",
            "period": "月",
            "floor": True,
        },
        {
            "when": {"fact": "age", "min": 85, "max": 89},
            "label": "85至89周岁",
            "value": 100,
            "unit": "元",
            "period": "月",
            "floor": True,
        },
        {
            "when": {"fact": "age", "min": 90},
            "label": "90周岁及以上",
            "value": 300,
            "unit": "元",
            "period": "月",
            "floor": True,
        },
    ]
    assert problems_for({"id": 8, "amounts": split}) == []
    gap = [dict(split[0]), dict(split[2])]  # 85–89 no longer covered
    (problem,) = problems_for({"id": 8, "amounts": gap})
    assert "第8项" in problem and "80至89周岁：每月不低于70元" in problem


def test_labelled_amounts_are_compared_by_label():
    lower = [
        {"label": "普惠制培训", "value": 800, "unit": "元", "period": "人"},
        {"label": "订单式培训", "value": 4000, "unit": "元", "period": "人", "ceiling": True},
    ]
    (problem,) = problems_for({"id": 12, "amounts": lower})
    assert "第12项“家庭养老支持服务”" in problem and "1000元" in problem and "800元" in problem
    higher = [
        {"label": "普惠制培训", "value": 1200, "unit": "元", "period": "人"},
        {"label": "订单式培训", "value": 5000, "unit": "元", "period": "人", "ceiling": True},
    ]
    assert problems_for({"id": 12, "amounts": higher}) == []


def test_a_different_unit_is_not_the_same_amount():
    raw = copy.deepcopy(KB.service(12).raw["amounts"])
    raw[0]["unit"] = "度"  # 普惠制培训 1000 度 is not 1000 元
    (problem,) = problems_for({"id": 12, "amounts": raw})
    assert "第12项“家庭养老支持服务”" in problem and "1000元" in problem
    raw[0]["unit"] = "元"
    assert problems_for({"id": 12, "amounts": raw}) == []


def test_a_dropped_benefit_in_words_is_named():
    (problem,) = problems_for({"id": 5, "amounts": [{"text": "按需评估"}]})
    assert "第5项“老年人能力综合评估”" in problem and "免费评估" in problem
    # the same benefit in other words is still fine when it keeps its text
    assert problems_for({"id": 5, "amounts": [{"text": "免费评估"}, {"text": "上门评估"}]}) == []
    # a banded text benefit must stay for its whole band (item 4: 65+ 免费进入旅游景区)
    raw = copy.deepcopy(KB.service(4).raw["amounts"])
    raw[2]["when"] = {"fact": "age", "min": 70}
    (problem,) = problems_for({"id": 4, "amounts": raw})
    assert "第4项“旅游服务”" in problem and "进入旅游景区免费" in problem


@pytest.mark.parametrize(
    "condition, hint",
    [
        ([{"fact": "age", "min": 85}, {"use": "economic_hardship"}], "年龄"),  # older threshold
        ([{"fact": "age", "min": 80, "max": 99}, {"use": "economic_hardship"}], "100"),  # an upper age limit
        ([{"use": "age_80"}, {"fact": "economic_status", "in": ["minimum_living", "extreme_poverty"]}], "低保边缘"),
        (
            [{"use": "age_80"}, {"use": "economic_hardship"}, {"fact": "self_care", "in": ["partial", "dependent"]}],
            "自理",
        ),
    ],
)
def test_a_narrowed_group_is_named_with_an_example(condition, hint):
    (problem,) = problems_for({"id": 9, "condition": condition})
    assert "第9项“养老服务补贴”" in problem and "缩小" in problem and hint in problem


def test_dropping_a_branch_of_an_any_narrows_the_group():
    condition = [
        {"use": "age_60"},
        {
            "any": [
                {"fact": "living_situation", "in": ["alone", "empty_nest", "left_behind"]},
                {"fact": "self_care", "in": ["dependent"]},
                {"fact": "disability_grade", "min": 1, "max": 2},
            ]
        },
    ]
    (problem,) = problems_for({"id": 16, "condition": condition})
    assert "第16项“探访服务”" in problem and "计划生育特殊家庭" in problem


def test_widening_a_group_passes():
    wider_16 = [
        {"use": "age_60"},
        {
            "any": [
                {"fact": "living_situation", "in": ["alone", "empty_nest", "left_behind"]},
                {"fact": "self_care", "in": ["partial", "dependent"]},
                {"fact": "disability_grade", "min": 1, "max": 4},
                {"fact": "special_family_planning", "is": True},
                {"fact": "economic_status", "in": ["minimum_living", "extreme_poverty"]},
            ]
        },
    ]
    wider_19 = [{"use": "age_60"}, {"fact": "disability_grade", "min": 1}]  # every 残疾证 holder
    wider_17 = [
        {"fact": "age", "min": 55},
        {
            "fact": "veteran_category",
            "in": [
                "martyr_family",
                "duty_death_family",
                "illness_death_family",
                "disabled_veteran",
                "demobilized_veteran",
                "retired_veteran",
            ],
        },
        {"fact": "receives_pension_subsidy", "is": True},
    ]  # supporter no longer required
    assert (
        problems_for(
            {"id": 16, "condition": wider_16}, {"id": 19, "condition": wider_19}, {"id": 17, "condition": wider_17}
        )
        == []
    )


def test_several_problems_are_all_listed_and_apply_refuses():
    raw = dict(
        example=False,
        changes=[
            {"id": 8, "amounts": amounts_8(b80=60)},
            {"id": 9, "condition": [{"fact": "age", "min": 81}, {"use": "economic_hardship"}]},
        ],
        remove=[26, 3],
    )
    bad = overlay(**raw)
    problems = validate_overlay(KB, bad)
    assert len(problems) == 4
    assert [p[:4] for p in problems] == ["第3项“", "第8项“", "第9项“", "第26项"]
    with pytest.raises(OverlayError) as info:
        apply_overlay(KB, bad)
    assert "第3项" in str(info.value) and "第26项" in str(info.value)


def test_a_check_too_large_to_enumerate_is_a_problem(monkeypatch):
    monkeypatch.setattr(ov, "MAX_CASES", 5)
    problems = problems_for(
        {"id": 19, "condition": [{"use": "age_60"}, {"fact": "disability_grade", "min": 1}]},
        {"id": 8, "amounts": amounts_8(b90=200)},
    )
    assert len(problems) == 2 and all("无法自动核对" in p for p in problems)
    assert problems[0].startswith("第8项") and problems[1].startswith("第19项")
    # written as "the city condition, or more", it needs no enumeration
    wider = {"any": [KB.service(19).raw["condition"], {"fact": "disability_grade", "min": 3}]}
    assert problems_for({"id": 19, "condition": wider}) == []


def test_the_city_condition_or_more_is_accepted_without_enumeration():
    city = KB.service(16).raw["condition"]
    county = apply_overlay(KB, overlay(changes=[{"id": 16, "condition": {"any": [city, {"fact": "age", "min": 80}]}}]))
    assert status(county, {"age": 85, "living_situation": "with_family"}, 16)["status"] != "ineligible"
    assert (
        status(
            KB,
            {
                "age": 85,
                "living_situation": "with_family",
                "self_care": "independent",
                "disability_grade": 0,
                "special_family_planning": False,
            },
            16,
        )["status"]
        == "ineligible"
    )


# --- additions and offices -----------------------------------------------------------------------

ADDED = {
    "id": 27,
    "name": "助餐服务（测试）",
    "target_group": "70周岁及以上老年人",
    "content": "提供老年助餐",
    "standard": "每餐补贴不低于3元",
    "service_type": "关爱服务",
    "department": "潞州区民政局",
    "summary": "70岁以上老人到助餐点吃饭，每餐补贴至少3元。",
    "condition": [{"fact": "age", "min": 70, "label": "年满70周岁"}],
    "amounts": [{"value": 3, "unit": "元", "period": "次", "floor": True}],
}


def test_an_added_item_is_evaluated_and_cites_the_county_list():
    county = apply_overlay(KB, overlay(additions=[ADDED], number="潞政办发〔2025〕1号"))
    assert [s.id for s in county.services][-1] == 27
    item = status(county, {"age": 72}, 27)
    assert item["status"] == "eligible" and item["amount"] == "每次不低于3元"
    assert item["department_full"] == "长治市潞州区民政局"
    assert "潞政办发〔2025〕1号" in item["citation"] and "潞州区基本养老服务清单" in item["citation"]
    assert status(county, {"age": 69}, 27)["status"] == "ineligible"
    assert 27 in evaluate({"age": 75}, county)["eligible"] and 27 not in evaluate({"age": 75})["eligible"]


def test_office_contacts_are_shown_when_the_county_gives_them():
    offices = {"市民政局": {"name": "潞州区民政局", "phone": "0355-0000000", "address": "某路1号"}}
    county = apply_overlay(KB, overlay(offices=offices))
    assert "电话：0355-0000000" in county.service(5).how_to_apply
    assert "地址：某路1号" in county.service(5).how_to_apply
    assert "潞州区民政局" in county.service(5).how_to_apply and "县级政府民政部门" not in county.service(5).how_to_apply
    assert county.departments["潞州区民政局"].full_name == "潞州区民政局"  # full_name defaults to name


# --- malformed files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, words",
    [
        ([1, 2], "映射"),
        ({"district": "潞州区"}, "title"),
        ({"title": "x"}, "district"),
        ({"title": "x", "district": "北京市"}, "潞州区"),
        ({"title": "x", "district": "潞州区", "colour": "red"}, "colour"),
        ({"title": "x", "district": "潞州区", "example": "yes"}, "example"),
        ({"title": 3, "district": "潞州区"}, "title"),
        ({"title": "x", "district": "潞州区", "base_list": "beijing-2024"}, "base_list"),
        ({"title": "x", "district": "潞州区", "published": "16/10/2024"}, "published"),
        ({"title": "x", "district": "潞州区", "offices": ["潞州区民政局"]}, "offices"),
        ({"title": "x", "district": "潞州区", "offices": {"市民政局": {"phone": "1"}}}, "name"),
        ({"title": "x", "district": "潞州区", "offices": {"市民政局": {"name": "a", "fax": "1"}}}, "fax"),
        ({"title": "x", "district": "潞州区", "changes": {"8": {}}}, "changes"),
        ({"title": "x", "district": "潞州区", "changes": ["8"]}, "changes"),
        ({"title": "x", "district": "潞州区", "changes": [{"amounts": []}]}, "id"),
        ({"title": "x", "district": "潞州区", "changes": [{"id": "8", "summary": "y"}]}, "id"),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 8}]}, "第8项"),
        (
            {"title": "x", "district": "潞州区", "changes": [{"id": 8, "summary": "a"}, {"id": 8, "summary": "b"}]},
            "两次",
        ),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 8, "price": 1}]}, "price"),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 8, "summary": 1}]}, "summary"),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 8, "service_type": "现金"}]}, "service_type"),
        (
            {"title": "x", "district": "潞州区", "changes": [{"id": 9, "condition": [{"fact": "income", "min": 1}]}]},
            "第9项",
        ),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 9, "condition": [{"use": "rich"}]}]}, "第9项"),
        (
            {
                "title": "x",
                "district": "潞州区",
                "changes": [{"id": 9, "condition": [{"fact": "economic_status", "in": ["rich"]}]}],
            },
            "第9项",
        ),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 9, "condition": []}]}, "第9项"),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 9, "condition": "age>80"}]}, "第9项"),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 8, "amounts": {"value": 70}}]}, "amounts"),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 8, "amounts": [{"value": "七十"}]}]}, "value"),
        (
            {"title": "x", "district": "潞州区", "changes": [{"id": 8, "amounts": [{"value": -1, "unit": "元"}]}]},
            "value",
        ),
        ({"title": "x", "district": "潞州区", "changes": [{"id": 8, "amounts": [{"unit": "元"}]}]}, "text"),
        (
            {
                "title": "x",
                "district": "潞州区",
                "changes": [{"id": 8, "amounts": [{"value": 1, "when": {"fact": "x", "is": 1}}]}],
            },
            "第8项",
        ),
        ({"title": "x", "district": "潞州区", "additions": {"id": 27}}, "additions"),
        ({"title": "x", "district": "潞州区", "additions": [27]}, "additions"),
        ({"title": "x", "district": "潞州区", "additions": [{"id": 27, "name": "x"}]}, "缺少"),
        ({"title": "x", "district": "潞州区", "additions": [{**ADDED, "service_type": "现金"}]}, "service_type"),
        ({"title": "x", "district": "潞州区", "additions": [{**ADDED, "colour": 1}]}, "colour"),
        ({"title": "x", "district": "潞州区", "additions": [ADDED, ADDED]}, "重复"),
        ({"title": "x", "district": "潞州区", "remove": 16}, "remove"),
        ({"title": "x", "district": "潞州区", "remove": [0]}, "id"),
    ],
)
def test_malformed_overlays_raise(raw, words):
    with pytest.raises(OverlayError) as info:
        parse_overlay(raw, source="bad.yaml")
    assert isinstance(info.value, ValueError)
    assert words in str(info.value) and str(info.value).startswith("bad.yaml：")


@pytest.mark.parametrize(
    "raw, words",
    [
        ({"changes": [{"id": 99, "summary": "x"}]}, "第99项"),
        ({"remove": [27]}, "第27项"),
        ({"changes": [], "additions": [{**ADDED, "id": 8}]}, "编号 8"),
        ({"offices": {"市财政局": {"name": "潞州区财政局"}}}, "市财政局"),
        ({"changes": [{"id": 8, "department": "潞州区财政局"}]}, "潞州区财政局"),
    ],
)
def test_overlays_that_do_not_fit_the_list_raise(raw, words):
    with pytest.raises(OverlayError, match=words):
        validate_overlay(KB, overlay(**raw))


def test_an_overlay_for_another_list_raises():
    other = parse_overlay({**RAW, "base_list": "changzhi-2024"}, definitions=KB.definitions)
    county = apply_overlay(KB, other, allow_example=True)
    with pytest.raises(OverlayError, match="changzhi-2024"):
        validate_overlay(county, other)


def test_unreadable_files_raise(tmp_path):
    with pytest.raises(OverlayError, match="读不到"):
        load_overlay(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("district: [潞州区\n", encoding="utf-8")
    with pytest.raises(OverlayError, match="YAML"):
        load_overlay(bad)


def test_dates_and_defaults():
    parsed = parse_overlay({"title": "x", "district": "沁县", "published": "2025-03-01", "effective_from": None})
    assert parsed.published.isoformat() == "2025-03-01" and parsed.effective_from is None
    assert parsed.list_title == "沁县基本养老服务清单" and parsed.base_list == "changzhi-2024"
    assert validate_overlay(KB, parsed) == []
    county = apply_overlay(KB, parsed)
    assert county.published.isoformat() == "2025-03-01" and county.effective_from == KB.effective_from
    for profile in ({}, {"age": 85, "economic_status": "minimum_living"}, {"age": 61, "self_care": "dependent"}):
        assert evaluate(profile, county)["services"] == evaluate(profile, KB)["services"]


def test_yaml_dates_and_bad_dates():
    import datetime as dt

    parsed = parse_overlay({"title": "x", "district": "沁县", "published": dt.date(2025, 3, 1)})
    assert parsed.published == dt.date(2025, 3, 1)
    with pytest.raises(OverlayError, match="published"):
        parse_overlay({"title": "x", "district": "沁县", "published": 20250301})


def test_integer_membership_and_list_facts_are_enumerated():
    # item 25 reads disability_grade in [0]; a county that also covers grade 3-4 widens it,
    # one that only covers grade 0 for 65+ narrows it
    city = KB.service(25).raw["condition"]
    wider = [{"use": "age_60"}, {"use": "cannot_self_care"}, {"fact": "disability_grade", "in": [0, 3, 4]}]
    assert problems_for({"id": 25, "condition": wider}) == []
    narrower = [{"use": "age_65"}] + city[1:]
    (problem,) = problems_for({"id": 25, "condition": narrower})
    assert "第25项" in problem and "60周岁" in problem
    # an exact grade (`is`) is enumerated with every grade
    exact = [{"use": "age_60"}, {"use": "cannot_self_care"}, {"fact": "disability_grade", "is": 1}]
    (problem,) = problems_for({"id": 25, "condition": exact})
    assert "第25项" in problem and "没有残疾证" in problem
    # a list fact (any subset of chronic conditions is tried)
    follow_up = [{"use": "age_65"}, {"fact": "chronic_conditions", "in": ["hypertension"]}]
    (problem,) = problems_for({"id": 24, "condition": follow_up})
    assert "第24项" in problem and "慢性病为无" in problem


def test_an_added_item_without_amounts_round_trips(tmp_path):
    from policy_kb.store import load_list_from_db, make_engine, save_list

    bare = {k: v for k, v in ADDED.items() if k != "amounts"}
    county = apply_overlay(KB, overlay(additions=[bare]))
    assert county.service(27).amounts == ()
    db = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    save_list(db, county)
    again = load_list_from_db(db, county.id)
    assert again.service(27).raw == county.service(27).raw and again.service(27).amounts == ()
    assert evaluate({"age": 71}, again) == evaluate({"age": 71}, county)


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_overlay_loads_and_is_not_lower(path):
    shipped = load_overlay(path)
    assert validate_overlay(KB, shipped) == []
    if shipped.example:
        assert "示例" in shipped.title or "EXAMPLE" in shipped.title
