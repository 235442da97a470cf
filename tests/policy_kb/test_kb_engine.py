"""Unit tests of the pieces under the engine: conditions in three values, explanations,
next_facts ordering, the result cache, amounts wording and fact validation."""

from __future__ import annotations

import dataclasses

import pytest

from policy_kb import engine
from policy_kb.amounts import amount_for, parse_amount
from policy_kb.conditions import All, Any_, ConditionError, Not, explain, parse, parse_definitions
from policy_kb.engine import evaluate, next_facts, open_facts
from policy_kb.facts import ProfileError, facts, validate_profile
from policy_kb.kb import build_service, load_kb

KB = load_kb()
DEFS = KB.definitions


def test_kleene_all_any_not():
    c = parse(
        {
            "all": [
                {"fact": "age", "min": 60},
                {"any": [{"fact": "homeless", "is": True}, {"not": {"fact": "economic_status", "in": ["none"]}}]},
            ]
        }
    )
    assert isinstance(c, All) and isinstance(c.children[1], Any_) and isinstance(c.children[1].children[1], Not)
    assert c.evaluate({}) is None
    assert c.evaluate({"age": 59}) is False
    assert c.evaluate({"age": 60, "homeless": True}) is True
    assert c.evaluate({"age": 60, "homeless": False}) is None
    assert c.evaluate({"age": 60, "homeless": False, "economic_status": "none"}) is False
    assert c.evaluate({"age": 60, "homeless": False, "economic_status": "low_income"}) is True
    assert c.fact_names() == {"age", "homeless", "economic_status"}
    assert open_facts(c, {"age": 60}) == {"homeless", "economic_status"}
    assert open_facts(c, {"age": 59}) == set()
    assert open_facts(Not(c), {"age": 60, "homeless": False}) == {"economic_status"}
    met, failed, unknown = explain(c, {"age": 60, "homeless": False, "economic_status": "none"})
    assert [leaf.fact for leaf in met] == ["age"] and [leaf.fact for leaf in failed] == ["homeless", "economic_status"]
    met, failed, unknown = explain(Not(c), {"age": 59})
    assert [leaf.fact for leaf in met] == ["age"] and not failed  # under a `not`, a failed leaf supports the result


def test_list_facts_hold_when_any_item_is_allowed():
    c = parse({"fact": "chronic_conditions", "in": ["diabetes"]})
    assert c.evaluate({"chronic_conditions": ["hypertension", "diabetes"]}) is True
    assert c.evaluate({"chronic_conditions": []}) is False


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"fact": "income", "min": 1}, "income"),
        ({"fact": "economic_status", "in": ["rich"]}, "rich"),
        ({"fact": "age"}, "min/max"),
        ({"use": "age_61"}, "age_61"),
        ("age >= 60", "mapping"),
    ],
)
def test_malformed_conditions(spec, words):
    with pytest.raises(ConditionError, match=words):
        parse(spec, DEFS)


def test_definitions_may_use_earlier_ones():
    defs = parse_definitions(
        {"old": {"fact": "age", "min": 80}, "old_and_poor": {"all": [{"use": "old"}, {"use": "old"}]}}
    )
    assert defs["old_and_poor"].children[0] is defs["old"]
    assert parse_definitions(None) == {}


def test_possible_reasons_and_missing_facts():
    result = evaluate({"age": 85})
    nine = next(s for s in result["services"] if s["id"] == 9)
    assert nine["status"] == "possible" and nine["missing"] == ["economic_status"]
    assert "年满80周岁" in nine["why"] and "还要看" in nine["why"] and nine["change"]
    eight = next(s for s in result["services"] if s["id"] == 8)
    assert (
        eight["status"] == "eligible"
        and eight["change"] is None
        and "符合《长治市基本养老服务清单》第8项" in eight["why"]
    )
    old = next(s for s in evaluate({"age": 85, "employee_pension_retired": False})["services"] if s["id"] == 1)
    assert old["status"] == "ineligible" and "缴费满15年" in old["change"]  # the leaf's hint
    nobody = next(s for s in evaluate({})["services"] if s["id"] == 4)
    assert nobody["why"].startswith("还要看")


def test_a_partial_amount_without_label_is_marked_as_conditional():
    a = parse_amount({"when": {"fact": "age", "min": 80}, "value": 5, "unit": "元", "period": "月"}, DEFS)
    assert amount_for((a,), {}) == "如符合：每月5元"
    assert amount_for((a,), {"age": 80}) == "每月5元"
    assert amount_for((a,), {"age": 79}) == ""
    b = parse_amount({"label": "补贴", "text": "另行规定"}, DEFS)
    assert b.wording() == "补贴：另行规定" and b.as_dict()["text"] == "补贴：另行规定"


def test_next_facts_prefers_the_fact_that_settles_most():
    order = evaluate({})["next_facts"]
    assert order[0] == "age" and "district" not in order
    assert set(order) == set(facts()) - {"district", "chronic_conditions"}
    # with age known, economic_status settles more items than anything else
    assert evaluate({"age": 85})["next_facts"][0] == "economic_status"
    assert next_facts(KB, {}, []) == []


def test_the_result_cache_is_bounded(monkeypatch):
    plan = engine._plan(KB)
    monkeypatch.setattr(engine._Plan, "MAX_ENTRIES", 3)
    for age in range(60, 70):
        assert evaluate({"age": age})["eligible"] == evaluate({"age": age}, validated=True)["eligible"]
    assert all(len(cache) <= 3 for *_, cache in plan.groups)


def test_a_service_that_reads_no_fact_holds_for_everyone():
    raw = {**KB.service(21).raw, "id": 99, "condition": {"all": []}, "amounts": []}
    service = build_service(raw, {"number": "n", "list_title": "t"}, KB.departments, DEFS)
    kb = dataclasses.replace(KB, services=KB.services + (service,))
    result = evaluate({}, kb)
    assert 99 in result["eligible"]
    assert next(s for s in result["services"] if s["id"] == 99)["amount"] == ""


def test_build_service_rejects_an_unknown_department():
    with pytest.raises(ValueError, match="市财政局"):
        build_service(
            {**KB.service(1).raw, "department": "市财政局"}, {"number": "n", "list_title": "t"}, KB.departments, DEFS
        )


def test_validate_profile():
    assert validate_profile({"age": 70, "homeless": None}) == {"age": 70}
    assert validate_profile({"chronic_conditions": ["diabetes", "hypertension", "diabetes"]}) == {
        "chronic_conditions": ["diabetes", "hypertension"]
    }

    class Grade(int):
        pass

    assert validate_profile({"disability_grade": Grade(2)}) == {"disability_grade": 2}  # int subclasses are ints
    for bad in (
        {"age": 70.0},
        {"age": False},
        {"disability_grade": 1.5},
        {"homeless": 1},
        {"support_mode": "HOME"},
        {"chronic_conditions": ("diabetes",)},
        {"chronic_conditions": [1]},
    ):
        with pytest.raises(ProfileError) as info:
            validate_profile(bad)
        assert info.value.fact == next(iter(bad))
    with pytest.raises(ProfileError) as info:
        validate_profile(["age", 70])
    assert info.value.fact == ""


def test_value_labels():
    known = facts()
    assert known["age"].value_label(83) == "83周岁"
    assert known["homeless"].value_label(False) == "否"
    assert known["chronic_conditions"].value_label([]) == "无"
    assert known["chronic_conditions"].value_label(["diabetes"]) == "2型糖尿病"
    assert known["economic_status"].value_label("minimum_living") == "低保"
    assert known["disability_grade"].value_label(1) == "一级"
    assert known["chronic_conditions"].allowed("en").startswith("a list of")


def test_no_countdown_once_past_an_upper_age_limit():
    raw = {**KB.service(4).raw, "id": 98, "condition": [{"fact": "age", "min": 60, "max": 64, "label": "60至64周岁"}]}
    service = build_service(raw, {"number": "n", "list_title": "t"}, KB.departments, DEFS)
    kb = dataclasses.replace(KB, services=(service,))
    young = evaluate({"age": 58}, kb)["services"][0]
    old = evaluate({"age": 70}, kb)["services"][0]
    assert young["change"] == "还差2年满60周岁，到时可以申请"
    assert old["status"] == "ineligible" and old["change"] is None
