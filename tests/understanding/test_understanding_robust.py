"""extract() never raises, always returns contract values, and is fast; the lexicon is sound."""
import collections
import datetime
import re
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.understanding import Extraction, extract, parse_age, parse_chinese_number
from actions.understanding.extractor import _extract
from actions.understanding.lexicon import LEXICON_PATH, get_lexicon

TODAY = datetime.date(2025, 6, 1)

# Contract section 2 (shared/contract.md): the only values extract() may produce.
ENUMS = {
    "economic_status": {"extreme_poverty", "minimum_living", "near_minimum", "low_income", "none"},
    "self_care": {"independent", "partial", "dependent"},
    "disability_type": {"physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"},
    "living_situation": {"alone", "empty_nest", "left_behind", "with_family"},
    "veteran_category": {"martyr_family", "duty_death_family", "illness_death_family", "disabled_veteran",
                         "demobilized_veteran", "retired_veteran", "none"},
    "support_mode": {"home", "institution"},
    "district": {"潞州区", "上党区", "屯留区", "潞城区", "襄垣县", "平顺县", "黎城县", "壶关县", "长子县",
                 "武乡县", "沁县", "沁源县", "高新区", "经开区"},
}
BOOLS = {"special_family_planning", "has_capable_supporter", "receives_pension_subsidy",
         "employee_pension_retired", "resident_pension_15y", "maintenance_dispute", "homeless",
         "family_care_training"}
CHRONIC = {"hypertension", "diabetes", "severe_mental_disorder"}
ALL_FACTS = set(ENUMS) | BOOLS | {"age", "disability_grade", "chronic_conditions"}
REQUESTED = [None, "special_circumstances", "veteran", *sorted(ALL_FACTS)]
RELATIONS = {None, "self", "mother", "father", "mother_in_law", "father_in_law", "grandmother",
             "grandfather", "spouse", "parents", "elder"}


def assert_valid(ex):
    assert isinstance(ex, Extraction)
    assert set(ex.facts) <= ALL_FACTS
    for name, value in ex.facts.items():
        if name == "age":
            assert type(value) is int and 0 <= value <= 130
        elif name == "disability_grade":
            assert type(value) is int and 0 <= value <= 4
        elif name == "chronic_conditions":
            assert isinstance(value, list) and set(value) <= CHRONIC
        elif name in BOOLS:
            assert type(value) is bool
        else:
            assert value in ENUMS[name], (name, value)
    assert isinstance(ex.unknown, set) and ex.unknown <= ALL_FACTS | {"special_circumstances"}
    assert isinstance(ex.approximate, dict) and set(ex.approximate) <= {"age"}
    assert isinstance(ex.correction, bool) and isinstance(ex.special_none, bool)
    assert ex.relation in RELATIONS


def test_values_pass_the_policy_engine_validation():
    facts = pytest.importorskip("policy_kb.facts")
    texts = ["俺娘八十三了，吃低保，瘫在床上好几年了，残疾证二级，肢体的，一个人住，潞州区",
             "老复员，有定补，没儿没女，高血压糖尿病，五保户在敬老院", "我爸1942年的，退休工人"]
    for t in texts:
        facts.validate_profile(extract(t, None, TODAY).facts)


EDGE_INPUTS = [
    "", " ", "\n\t", None, 0, 83, 3.5, b"\xe4\xbf\xba\xe5\xa8\x98 83", b"\xff\xfe", ["低保"], {"a": 1},
    object(), "😀😀😀", "🙏俺娘83了🙏", "？？？", "。。。", "!!!!", "a" * 5000, "八" * 5000,
    "俺娘八十三了，吃低保，" * 500, "一二三四五六七八九十百千万" * 300, "\x00\x01\x02", "\ud800",
    "低保" * 2000, "不是" * 2000, "我" * 5000, "1" * 5000, "1 2 3 4 5 6", "年" * 100 + "1946",
    "残疾证" + "一级" * 1000, "(((((", "[[[[", "\\", "re:", ".*", "？残疾证？二级？", "ＡＢＣ８３",
]


@pytest.mark.parametrize("text", EDGE_INPUTS, ids=lambda t: repr(t)[:30])
@pytest.mark.parametrize("requested", [None, "age", "special_circumstances", "homeless", 5, ""])
def test_edge_inputs_never_raise(text, requested):
    # the inner function, so that an error swallowed by extract()'s guard still fails here
    assert_valid(_extract(text, requested, TODAY))
    assert_valid(extract(text, requested))


@pytest.mark.parametrize("text", EDGE_INPUTS, ids=lambda t: repr(t)[:30])
def test_helpers_never_raise(text):
    parse_chinese_number(text)
    age, phrase = parse_age(text, TODAY)
    assert age is None or 0 <= age <= 130


def test_bad_today_is_ignored():
    assert_valid(extract("1946年生", None, "2025-01-01"))


# Text built from the words that matter, so the fuzzer explores the rules, not only noise.
WORDS = [
    "俺娘", "我妈", "我", "老伴", "八十", "三", "了", "岁", "多", "快", "虚岁", "1946", "年", "生", "的",
    "低保", "边缘", "五保", "不是", "没有", "没", "是", "残疾证", "二级", "一级", "肢体", "瘫", "在床上",
    "一个人住", "跟儿子住", "老两口", "退休", "工人", "交满", "15", "年", "独生子女", "去世", "告",
    "赡养费", "执行不了", "要饭", "想学", "照护", "没儿没女", "抚恤金", "烈属", "复员", "当过兵",
    "敬老院", "高血压", "糖尿病", "潞州", "长子", "不知道", "说错了", "应该是", "，", "。", "？", " ",
    "都没有", "嗯", "对", "能", "不能", "七老八十", "一百零二", "廿", "有", "😀", "\n", "以前", "想申请",
]
message = st.lists(st.sampled_from(WORDS), max_size=25).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(message, st.text(max_size=200)), requested=st.sampled_from(REQUESTED))
def test_fuzz_never_raises(text, requested):
    assert_valid(_extract(text, requested, TODAY))


def test_guard_returns_empty_extraction_on_internal_error(monkeypatch, caplog):
    def boom(*args):
        raise RuntimeError("boom")

    import actions.understanding.extractor as mod

    monkeypatch.setattr(mod, "_extract", boom)
    ex = mod.extract("俺娘八十三了")
    assert ex == Extraction()
    assert "boom" in caplog.text


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_fuzz_numbers(text):
    value = parse_chinese_number(text)
    assert value is None or (isinstance(value, int) and value >= 0)


def test_typical_message_is_fast():
    msgs = ["俺娘八十三了，吃低保，瘫在床上好几年了", "是", "我爸1942年的，退休工人，一个人住",
            "不知道", "我妈不是五保户，是低保，跟我们住，九十整"]
    get_lexicon()
    for m in msgs:
        extract(m, "age", TODAY)
    n = 200
    start = time.process_time()  # CPU time: robust to other load on the machine
    for _ in range(n):
        for m in msgs:
            extract(m, "age", TODAY)
    per_message = (time.process_time() - start) / (n * len(msgs))
    assert per_message < 0.001, f"{per_message * 1000:.3f} ms per message"


def test_long_message_stays_linear():
    extract("俺娘八十三了", None, TODAY)  # loading the lexicon and the sound table is not the long message's cost
    start = time.process_time()
    extract("俺娘八十三了，吃低保，瘫在床上好几年了" * 250, None, TODAY)
    extract("一二三四五六七八九十百年岁了不是没有低保残疾证级" * 200, None, TODAY)
    assert time.process_time() - start < 1.0


# --- the lexicon itself -------------------------------------------------------------------

def _load_checking_duplicates():
    dups = []

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        dups.extend((k, node.start_mark.line + 1) for k, c in collections.Counter(keys).items() if c > 1)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    yaml.load(LEXICON_PATH.read_text(encoding="utf-8"), Loader=Loader)
    return dups


def test_lexicon_has_no_duplicate_keys():
    # YAML silently keeps the last of two equal keys: a whole phrase list would be lost.
    assert _load_checking_duplicates() == []


def test_lexicon_categories_and_values_are_the_contract():
    lex = get_lexicon()
    for name, cat in lex.categories.items():
        assert name in ALL_FACTS
        for key in (lex.raw["categories"][name].get("phrases") or {}):
            value = key[len("_weak_"):] if isinstance(key, str) and key.startswith("_weak_") else key
            if isinstance(value, str) and value.startswith("_"):
                continue  # a marker
            if cat.type == "bool":
                assert value in (True, False, "true", "false")
            elif name == "disability_grade":
                assert value in (0, 1, 2, 3, 4)
            elif name == "chronic_conditions":
                assert value in CHRONIC
            else:
                assert value in ENUMS[name], (name, value)
        for src, dst in cat.negated.items():
            assert dst in ENUMS.get(name, set()) | {True, False, 0}, (name, dst)


def test_lexicon_regexes_compile_and_phrases_are_normalised():
    lex = get_lexicon()
    assert lex.regex_entries and lex.literal_map
    from actions.understanding.normalize import normalize

    for phrase in lex.literal_map:
        # a phrase the normaliser would rewrite could never match
        assert normalize(phrase) == phrase or phrase in lex.typos, phrase
    for rx, _, _ in lex.regex_entries:
        assert isinstance(rx, re.Pattern)


def test_lexicon_is_loaded_once():
    assert get_lexicon() is get_lexicon()
