"""The data files against the source text and the contract: every item as the 附件 清单 prints
it, departments with full names, citations, amounts in 元 with the period, document identity."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import policy_kb
from policy_kb.facts import facts
from policy_kb.kb import DEFAULT_LIST, list_in_force, load_kb

KB = load_kb()
SEED_NAME = "000_0b65e4ed2368b390.txt"
SEED_CANDIDATES = [
    Path(__file__).resolve().parents[3] / "shared" / "seeds" / SEED_NAME,
    Path(__file__).resolve().parents[4] / "shared" / "seeds" / SEED_NAME,  # a worktree in wt/
    Path(__file__).resolve().parents[2] / "seeds" / SEED_NAME,
]
SEED = next((p for p in SEED_CANDIDATES if p.exists()), None)
needs_seed = pytest.mark.skipif(SEED is None, reason="the source text (seeds/) is not beside this checkout")

# Contract section 2, verbatim: fact -> allowed values (ints as ranges).
CONTRACT_FACTS = {
    "age": range(0, 131),
    "economic_status": {"extreme_poverty", "minimum_living", "near_minimum", "low_income", "none"},
    "self_care": {"independent", "partial", "dependent"},
    "disability_grade": range(0, 5),
    "disability_type": {"physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"},
    "living_situation": {"alone", "empty_nest", "left_behind", "with_family"},
    "special_family_planning": bool,
    "veteran_category": {
        "martyr_family",
        "duty_death_family",
        "illness_death_family",
        "disabled_veteran",
        "demobilized_veteran",
        "retired_veteran",
        "none",
    },
    "has_capable_supporter": bool,
    "receives_pension_subsidy": bool,
    "employee_pension_retired": bool,
    "resident_pension_15y": bool,
    "maintenance_dispute": bool,
    "homeless": bool,
    "family_care_training": bool,
    "support_mode": {"home", "institution"},
    "chronic_conditions": {"hypertension", "diabetes", "severe_mental_disorder"},
    "district": {
        "潞州区",
        "上党区",
        "屯留区",
        "潞城区",
        "襄垣县",
        "平顺县",
        "黎城县",
        "壶关县",
        "长子县",
        "武乡县",
        "沁县",
        "沁源县",
        "高新区",
        "经开区",
    },
}

# The 牵头落实部门 of the list and their full names.
FULL_NAMES = {
    "市人社局": "长治市人力资源和社会保障局",
    "市中级人民法院": "长治市中级人民法院",
    "市发改委": "长治市发展和改革委员会",
    "市民政局": "长治市民政局",
    "市卫健委": "长治市卫生健康委员会",
    "市交通运输局": "长治市交通运输局",
    "市退役军人事务局": "长治市退役军人事务局",
    "市教育局": "长治市教育局",
    "市体育局": "长治市体育局",
    "国网长治供电公司": "国网长治供电公司",  # the list gives no longer name; none is invented
    "市残联": "长治市残疾人联合会",
    "市公安局": "长治市公安局",
}


def _norm(text: str) -> str:
    """The PDF text wraps lines and spaces numbers; it prints 60（含）一 65 for 60（含）—65."""
    return re.sub(r"\s+", "", text).replace(",", "，").replace("一65", "—65")


@pytest.fixture(scope="module")
def annex() -> str:
    if SEED is None:
        pytest.skip("the source text (seeds/) is not beside this checkout")
    text = SEED.read_text(encoding="utf-8")
    return _norm(text[text.rfind("附件\n") :])


def test_facts_are_exactly_the_contract_facts():
    known = facts()
    assert set(known) == set(CONTRACT_FACTS)
    for name, allowed in CONTRACT_FACTS.items():
        fact = known[name]
        if allowed is bool:
            assert fact.type == "bool"
        elif isinstance(allowed, range):
            assert fact.type == "int" and (fact.min, fact.max) == (allowed.start, allowed.stop - 1)
        else:
            assert set(fact.values) == allowed, name
        assert fact.label


def test_the_list_has_items_1_to_26_with_15_and_17_distinct():
    assert [s.id for s in KB.services] == list(range(1, 27))
    assert KB.service(15).name == KB.service(17).name == "集中供养"
    assert KB.service(15).department.short_name != KB.service(17).department.short_name
    assert KB.service(27) is None


@needs_seed
@pytest.mark.parametrize("service", KB.services, ids=lambda s: f"item{s.id}")
def test_each_item_is_worded_as_the_list_prints_it(service, annex):
    for field in ("name", "target_group", "content", "standard", "service_type"):
        assert _norm(getattr(service, field)) in annex, f"item {service.id} {field}"
    assert service.department.short_name in annex


def test_every_department_has_its_full_name():
    used = {s.department.short_name for s in KB.services}
    assert used == set(FULL_NAMES)
    for short, dept in KB.departments.items():
        assert dept.full_name == FULL_NAMES[short]
        # a city bureau's full name starts with 长治市; the power company is named as the list names it
        assert dept.full_name != short or not short.startswith("市")
        # contact details are not in the source: empty until a deployment sets them
        assert dept.phone == "" and dept.address == ""


@pytest.mark.parametrize("service", KB.services, ids=lambda s: f"item{s.id}")
def test_every_service_cites_its_item(service):
    assert service.citation.item == service.id
    assert service.citation.document == "长政办发〔2024〕28号"
    assert f"《长治市基本养老服务清单》第{service.id}项" in service.citation.full()
    assert service.citation.full().endswith("（长政办发〔2024〕28号）")
    for task in service.citation.tasks:
        assert re.fullmatch(r"三\([一二三四五]\)\d{1,2}", task), task
    assert service.summary and service.target_group and service.service_type in {"物质帮助", "照护服务", "关爱服务"}
    for leaf in service.condition.leaves():
        assert leaf.label, f"item {service.id}: a requirement without plain words"


@pytest.mark.parametrize("service", KB.services, ids=lambda s: f"item{s.id}")
def test_amounts_are_in_yuan_with_the_period(service):
    assert service.amounts, f"item {service.id} says nothing about what the elder gets"
    for amount in service.amounts:
        text = amount.wording()
        assert text
        if amount.value is None:
            continue
        assert amount.unit in {"元", "度"}
        assert amount.period in {"月", "年", "人", "次"}
        assert text.endswith(f"{amount.value:g}{amount.unit}")
        assert {"月": "每月", "人": "每人", "年": "每年", "次": "每次"}[amount.period] in text
        if amount.per:
            assert f"每{amount.per}" in text
        if amount.floor:
            assert "不低于" in text
        if amount.ceiling:
            assert "不超过" in text


@pytest.mark.parametrize("service", [s for s in KB.services if s.id != 14], ids=lambda s: f"item{s.id}")
def test_every_number_comes_from_the_items_standard(service):
    standard = _norm(service.standard)
    for amount in service.amounts:
        if amount.value is not None:
            assert f"{amount.value:g}" in standard, (service.id, amount.value)


def test_item_14_care_subsidy_is_1_2_3_times_item_11():
    base = next(a.value for a in KB.service(11).amounts if a.value is not None)
    bands = {
        tuple(a.when.evaluate({"self_care": v}) for v in ("independent", "partial", "dependent")): a
        for a in KB.service(14).amounts
        if a.value is not None
    }
    assert bands[(True, False, False)].value == base
    assert bands[(False, True, False)].value == 2 * base
    assert bands[(False, False, True)].value == 3 * base
    assert all(a.floor and a.unit == "元" and a.period == "月" for a in bands.values())
    assert "1倍、2倍、3倍" in _norm(KB.service(14).standard)


def test_items_the_text_gives_to_county_offices_are_marked_local():
    for service in KB.services:
        text = service.content + service.standard + (service.how_to_apply or "")
        if "县级" in text:
            assert service.local_office, service.id
        if service.local_office:
            assert service.department.county_counterpart, service.id


def test_every_fact_but_district_matters_somewhere():
    used = set()
    for service in KB.services:
        used |= service.facts
        for amount in service.amounts:
            if amount.when is not None:
                used |= amount.when.fact_names()
    assert used == set(CONTRACT_FACTS) - {"district"}


@needs_seed
def test_document_identity_matches_the_source():
    text = SEED.read_text(encoding="utf-8")
    assert KB.number == "长政办发〔2024〕28号" and _norm(KB.number) in _norm(text)
    assert KB.published == dt.date(2024, 10, 16)
    assert "2024年10月16日" in text
    assert KB.list_title == "长治市基本养老服务清单" and KB.list_title in text
    assert KB.effective_from == KB.published and KB.effective_to is None
    assert KB.id == DEFAULT_LIST
    assert KB.document["issuer"] == "长治市人民政府办公室"


def test_the_list_in_force_depends_on_the_date():
    with pytest.raises(LookupError):
        list_in_force(dt.date(2024, 10, 15))
    assert list_in_force(dt.date(2024, 10, 16)) is KB
    assert list_in_force() is KB
    assert KB.in_force(dt.date(2030, 1, 1))


def test_package_api():
    services = policy_kb.list_services()
    assert [s["id"] for s in services] == list(range(1, 27))
    assert services[7]["department_full"] == "长治市民政局"
    assert policy_kb.get_service(8)["citation"].startswith("《长治市基本养老服务清单》第8项")
    assert policy_kb.get_service(8)["amounts"][0]["text"] == "80至89周岁：每月不低于70元"
    assert policy_kb.get_service(99) is None
    assert policy_kb.decide({"age": 85})[8] == "eligible"
    assert policy_kb.decide({"age": 79})[8] == "ineligible"
