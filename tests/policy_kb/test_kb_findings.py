"""Issue 11's review of the 26 items against the source text: one test per finding.

Each test reads what an elder would be told (summary, why, amount, how to apply, `explain N`,
the glossary) and fails on the wording the review found overstated or miscited.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from policy_kb import cli, evaluate
from policy_kb.kb import load_kb

ROOT = Path(__file__).resolve().parents[2]
KB = load_kb()
GLOSSARY = yaml.safe_load((ROOT / "actions" / "dialogue" / "glossary.yaml").read_text(encoding="utf-8"))
ALIASES = yaml.safe_load((ROOT / "policy_kb" / "data" / KB.id / "aliases.yaml").read_text(encoding="utf-8"))


def service(sid: int, profile: dict) -> dict:
    return next(s for s in evaluate(profile)["services"] if s["id"] == sid)


def explain(sid: int, monkeypatch, capsys) -> str:
    monkeypatch.setattr("sys.argv", ["policy_kb"])
    assert cli.main(["explain", str(sid)]) == 0
    return capsys.readouterr().out


def test_23_free_electricity_is_one_benefit_paid_as_a_refund(monkeypatch, capsys):
    s = KB.service(23)
    assert len(s.amounts) == 1
    one = "每月每户15度免费电量（按每月退电费7.16元落实）"
    assert s.amounts[0].wording() == one
    assert one in s.summary
    assert service(23, {"age": 70, "economic_status": "minimum_living"})["amount"] == one
    assert one in explain(23, monkeypatch, capsys)


def test_10_says_who_the_plan_targets_first_and_that_others_depend_on_the_county(monkeypatch, capsys):
    for text in (KB.service(10).summary, GLOSSARY["适老化改造"]["text"]):
        assert "分散供养特困" in text and "高龄、失能、残疾" in text, text
        assert "县（区）" in text, text
    assert "分散供养特困" in explain(10, monkeypatch, capsys)
    # the status stays as contract section 3 reads it
    assert service(10, {"age": 60, "economic_status": "low_income"})["status"] == "eligible"


def test_17_how_to_apply_comes_from_item_17_and_its_department(monkeypatch, capsys):
    how = KB.service(17).how_to_apply
    assert "空余床位" not in how and "其他" not in how
    assert "市退役军人事务局" in how
    assert "空余床位" not in explain(17, monkeypatch, capsys)


def test_17_no_supporter_includes_a_spouse():
    s = KB.service(17)
    assert "没有子女赡养" not in s.summary
    assert "没有法定赡养人、扶养人（子女、配偶等），或他们没有能力" in s.summary
    labels = [leaf.label for leaf in s.condition.leaves() if leaf.fact == "has_capable_supporter"]
    assert labels == ["没有法定赡养人、扶养人（子女、配偶等），或他们没有能力"]


def test_14_housing_help_only_for_housing_hardship():
    s = KB.service(14)
    assert "还有住房救助" not in s.summary
    assert "住房困难的还可得到住房救助" in s.summary


def test_16_18_special_family_definition_is_labelled_common_usage():
    entry = GLOSSARY["计划生育特殊家庭"]
    assert entry["source"].startswith("通用说法")
    assert "独生子女死亡或三级以上残疾、未再生育或收养子女" in entry["text"]
    assert "伤残或者去世" not in entry["text"]
    labels = [leaf.label for leaf in KB.service(18).condition.leaves()]
    assert not any("独生子女伤残或去世" in label for label in labels), labels


def test_14_15_23_extreme_poverty_has_its_criteria_and_is_not_the_same_as_poverty_alleviation():
    entry = GLOSSARY["特困"]
    for words in ("无劳动能力", "无生活来源", "无法定赡养抚养扶养义务人或其无履行能力", "经民政部门认定"):
        assert words in entry["text"], words
    assert "脱贫户" in entry["text"] and "不是特困" in entry["text"]
    assert "通用说法" in entry["source"]
    hint = KB.definitions["extreme_poverty"].hint
    assert "无劳动能力" in hint and "脱贫户" not in KB.definitions["extreme_poverty"].label


def test_12_training_subsidy_is_for_those_who_qualify(monkeypatch, capsys):
    assert "符合条件的可以按规定领培训补贴" in KB.service(12).summary
    assert "符合条件的可以按规定领培训补贴" in explain(12, monkeypatch, capsys)


def test_11_25_a_self_reported_answer_is_not_called_certified():
    profile = {"age": 70, "economic_status": "low_income", "self_care": "dependent", "disability_grade": 0}
    for sid in (11, 25):
        why = service(sid, profile)["why"]
        assert "经认定生活不能自理" not in why, why
        assert "生活不能自理（以能力评估认定为准）" in why, why


def test_19_living_subsidy_line_names_its_condition_while_status_is_unknown():
    amount = service(19, {"age": 70, "disability_grade": 1, "disability_type": "physical"})["amount"]
    part = next(p for p in amount.split("；") if "生活补贴" in p)
    assert "低保或低保边缘" in part, amount


def test_22_does_not_cite_the_fitness_equipment_task(monkeypatch, capsys):
    assert KB.service(22).citation.tasks == ()
    assert "三(四)16" not in explain(22, monkeypatch, capsys)


def test_5_assessment_is_the_basis_the_plan_names(monkeypatch, capsys):
    s = KB.service(5)
    text = s.summary + (s.how_to_apply or "")
    assert "护理补贴" not in text
    assert "基本养老服务的重要依据" in text
    assert "养老服务补贴" in text and "入住养老服务机构" in text
    assert "护理补贴" not in explain(5, monkeypatch, capsys)


def test_16_25_advice_beyond_the_text_is_marked_as_common_practice():
    for sid in (16, 25):
        how = KB.service(sid).how_to_apply
        for part in how.split("；"):
            if "也可" in part:
                assert "通用做法" in part, (sid, how)


def test_2_no_other_basic_pension_not_only_the_employee_one():
    s = KB.service(2)
    assert "等国家规定的基本养老待遇" in s.summary
    labels = [leaf.label for leaf in s.condition.leaves() if leaf.fact == "employee_pension_retired"]
    assert labels and all("等国家规定的基本养老待遇" in label for label in labels)


def test_local_office_flag_means_the_text_names_a_county_office():
    local = {s.id for s in KB.services if s.local_office}
    assert local == {5, 15, 18}
    for s in KB.services:
        text = s.content + s.standard + (s.how_to_apply or "")
        assert ("县级" in text) == s.local_office, s.id


def test_ambiguous_colloquial_names_map_to_every_item_they_fit(monkeypatch, capsys):
    def items(word: str) -> set[int]:
        return {int(sid) for sid, words in ALIASES.items() if word in words}

    assert items("养老金") == {1, 2}
    assert items("老年补贴") == {8, 9}
    assert "养老金" in explain(2, monkeypatch, capsys) and "老年补贴" in explain(9, monkeypatch, capsys)


def test_25_has_its_own_hint_pointing_to_the_disability_federation():
    profile = {"age": 70, "self_care": "independent", "disability_grade": 0}
    change = service(25, profile)["change"] or ""
    assert "残联" in change and "能力综合评估" not in change, change
    assert "能力综合评估" in (service(11, {**profile, "economic_status": "low_income"})["change"] or "")


def test_23_power_company_name_is_printed_once(monkeypatch, capsys):
    out = explain(23, monkeypatch, capsys)
    assert "国网长治供电公司（国网长治供电公司）" not in out
    assert "牵头部门：国网长治供电公司" in out
