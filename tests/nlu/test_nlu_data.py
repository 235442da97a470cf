"""Checks of the NLU data files (no trained model needed).

- data/nlu/*.yml (training) and tests/nlu_heldout/*.yml (held-out test) parse as Rasa 3.x NLU data;
- every intent has enough examples, and the two sets share no example;
- every annotated entity value is a contract value (contract.md section 2) after synonyms;
- every entity word is in data/jieba/userdict.txt and lines up with jieba's tokens,
  exactly as the JiebaTokenizer (dictionary_path: data/jieba) will cut the text.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = ROOT / "data" / "nlu"
TEST_DIR = ROOT / "tests" / "nlu_heldout"
JIEBA_DIR = ROOT / "data" / "jieba"
USERDICT = JIEBA_DIR / "userdict.txt"

INTENTS = {
    "greet", "goodbye", "thank", "start_screening", "inform", "correct", "affirm", "deny",
    "dont_know", "skip", "ask_service_info", "ask_why", "ask_missing", "ask_definition",
    "restart", "human_handoff", "ask_capabilities", "out_of_scope",
}
MIN_TRAIN = 20
MIN_TRAIN_SPECIAL = {"inform": 200, "ask_service_info": 60, "start_screening": 30, "correct": 30}
MIN_TEST = 5
MIN_TEST_TOTAL = 120

# contract.md section 2
ECONOMIC = {"extreme_poverty", "minimum_living", "near_minimum", "low_income", "none"}
SELF_CARE = {"independent", "partial", "dependent"}
DISABILITY_TYPE = {"physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"}
LIVING = {"alone", "empty_nest", "left_behind", "with_family"}
VETERAN = {
    "martyr_family", "duty_death_family", "illness_death_family", "disabled_veteran",
    "demobilized_veteran", "retired_veteran", "none",
}
SUPPORT_MODE = {"home", "institution"}
DISTRICTS = {
    "潞州区", "上党区", "屯留区", "潞城区", "襄垣县", "平顺县", "黎城县", "壶关县", "长子县",
    "武乡县", "沁县", "沁源县", "高新区", "经开区",
}
FACT_NAMES = {
    "age", "economic_status", "self_care", "disability_grade", "disability_type",
    "living_situation", "special_family_planning", "veteran_category", "has_capable_supporter",
    "receives_pension_subsidy", "employee_pension_retired", "resident_pension_15y",
    "maintenance_dispute", "homeless", "family_care_training", "support_mode",
    "chronic_conditions", "district",
}
# relation: who the elder is to the speaker (not a contract fact; documented in data/nlu/synonyms.yml)
RELATIONS = {
    "self", "mother", "father", "parents", "mother_in_law", "father_in_law", "grandmother",
    "grandfather", "spouse", "elder",
}
# term: a policy word asked about; its value is the fact name or fact value it explains
TERMS = FACT_NAMES | ECONOMIC | SELF_CARE | DISABILITY_TYPE | LIVING | VETERAN | SUPPORT_MODE | {
    "special_difficulty"
}
ALLOWED = {
    "economic_status": ECONOMIC,
    "self_care": SELF_CARE,
    "disability_grade": {"0", "1", "2", "3", "4"},
    "disability_type": DISABILITY_TYPE,
    "living_situation": LIVING,
    "veteran_category": VETERAN,
    "support_mode": SUPPORT_MODE,
    "district": DISTRICTS,
    "service": {str(i) for i in range(1, 27)},
    "relation": RELATIONS,
    "term": TERMS,
}
ENTITIES = set(ALLOWED) | {"age"}

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_DIGITS["〇"] = 0
_DIGITS["两"] = 2


def _cn_number(s: str) -> int | None:
    """八十三 → 83, 一百零二 → 102, 八十有五 → 85, 83 → 83."""
    if s.isdigit():
        return int(s)
    s = s.replace("有", "")
    total, num, seen = 0, 0, False
    for ch in s:
        if ch in _DIGITS:
            num, seen = _DIGITS[ch], True
        elif ch == "十":
            total += (num if seen else 1) * 10
            num, seen = 0, False
        elif ch == "百":
            total += num * 100
            num, seen = 0, False
        else:
            return None
    return total + num


def parse_age(text: str) -> int | None:
    """The age in years for an annotated age span, or None if it is not one.

    Accepts 八十三, 83, 八十有五, 快八十, 八十多, 九十出头, 七十来岁, and birth years 1946年,
    一九四六年, 46年, 四六年 (read as 19xx).
    """
    current_year = date.today().year
    m = re.fullmatch(r"(\d{4}|[一二][九〇零一二三四五六七八九]{3})年", text)
    if m:
        year = int("".join(str(_DIGITS.get(c, c)) for c in m.group(1)))
        return current_year - year if 1890 <= year <= current_year else None
    m = re.fullmatch(r"([\d〇零一二三四五六七八九]{2})年", text)
    if m:
        year = 1900 + int("".join(str(_DIGITS.get(c, c)) for c in m.group(1)))
        return current_year - year
    core = re.sub(r"^(快|将近|差不多)", "", text)
    core = re.sub(r"(多|出头|来岁|来)$", "", core)
    n = _cn_number(core)
    return n if n is not None and 0 <= n <= 130 else None


def _load_dir(directory: Path):
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = sorted(directory.glob("*.yml"))
    assert files, f"no .yml files in {directory}"
    return TrainingData().merge(*[load_data(str(f)) for f in files])


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


@pytest.fixture(scope="module")
def train():
    return _load_dir(NLU_DIR)


@pytest.fixture(scope="module")
def test_set():
    return _load_dir(TEST_DIR)


@pytest.fixture(scope="module")
def userdict() -> dict[str, int]:
    words: dict[str, int] = {}
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        if line.strip():
            parts = line.split()
            words[parts[0]] = int(parts[1])
    return words


@pytest.fixture(scope="module")
def tokenizer():
    """A private jieba tokenizer with the user dictionary, as Rasa's JiebaTokenizer loads it."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for path in sorted(JIEBA_DIR.glob("*")):
        tok.load_userdict(str(path))
    return tok


def _synonym_blocks() -> dict[str, set[str]]:
    """surface word -> the values it is mapped to by the synonym blocks of data/nlu."""
    mapped: dict[str, set[str]] = defaultdict(set)
    for path in sorted(NLU_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or []:
            if "synonym" in item:
                for line in item["examples"].splitlines():
                    word = line.strip().lstrip("-").strip()
                    if word:
                        mapped[word].add(str(item["synonym"]))
    return mapped


def _lookups() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or []:
            if "lookup" in item:
                out[item["lookup"]] = [
                    line.strip().lstrip("-").strip()
                    for line in item["examples"].splitlines()
                    if line.strip()
                ]
    return out


def _value(entity: dict, synonyms: dict[str, str]) -> str:
    value = str(entity["value"])
    return synonyms.get(value.lower(), synonyms.get(value, value))


# ---------------------------------------------------------------- intents and sets


def test_training_intents_and_counts(train):
    counts = Counter(ex.get("intent") for ex in train.intent_examples)
    assert set(counts) == INTENTS, f"unexpected/missing intents: {set(counts) ^ INTENTS}"
    low = {
        i: n for i, n in counts.items() if n < MIN_TRAIN_SPECIAL.get(i, MIN_TRAIN)
    }
    assert not low, f"too few training examples: {low}"
    assert sum(counts.values()) >= 600


def test_test_set_intents_and_counts(test_set):
    counts = Counter(ex.get("intent") for ex in test_set.intent_examples)
    assert set(counts) == INTENTS, f"unexpected/missing intents: {set(counts) ^ INTENTS}"
    low = {i: n for i, n in counts.items() if n < MIN_TEST}
    assert not low, f"too few test examples: {low}"
    assert sum(counts.values()) >= MIN_TEST_TOTAL


def test_no_duplicates_within_training(train):
    seen: dict[str, str] = {}
    clashes = []
    for ex in train.intent_examples:
        key = _normalize(ex.get("text"))
        if key in seen:
            clashes.append((ex.get("text"), seen[key], ex.get("intent")))
        seen[key] = ex.get("intent")
    assert not clashes, f"duplicate training examples: {clashes}"


def test_train_and_test_do_not_overlap(train, test_set):
    train_texts = {_normalize(ex.get("text")) for ex in train.intent_examples}
    overlap = [ex.get("text") for ex in test_set.intent_examples if _normalize(ex.get("text")) in train_texts]
    assert not overlap, f"test examples also in training data: {overlap}"


def test_test_set_is_not_in_training_folder():
    # rasa train --data data/nlu must never see the held-out set
    assert TEST_DIR.resolve() != NLU_DIR.resolve()
    assert not any(NLU_DIR.rglob("*test*")), "test data inside data/nlu"


# ---------------------------------------------------------------- entities


@pytest.mark.parametrize("which", ["train", "test_set"])
def test_entity_values_are_contract_values(which, request, train):
    data = request.getfixturevalue(which)
    synonyms = train.entity_synonyms  # the test set is mapped by the training synonyms
    bad = []
    for ex in data.entity_examples:
        for ent in ex.get("entities"):
            name = ent["entity"]
            if name not in ENTITIES:
                bad.append((ex.get("text"), name, "unknown entity"))
            elif name == "age":
                if parse_age(ent["value"]) is None:
                    bad.append((ex.get("text"), name, ent["value"]))
            elif _value(ent, synonyms) not in ALLOWED[name]:
                bad.append((ex.get("text"), name, ent["value"], _value(ent, synonyms)))
    assert not bad, f"entity values outside the contract: {bad}"


def test_every_entity_type_is_trained(train):
    counts = Counter(ent["entity"] for ex in train.entity_examples for ent in ex.get("entities"))
    low = {e: counts.get(e, 0) for e in ENTITIES if counts.get(e, 0) < 15}
    assert not low, f"too few annotations: {low}"


def test_synonyms_map_each_word_to_one_valid_value():
    valid = set().union(*ALLOWED.values())
    mapped = _synonym_blocks()
    assert mapped, "no synonym blocks found"
    conflicts = {w: v for w, v in mapped.items() if len(v) > 1}
    assert not conflicts, f"Rasa synonyms ignore the entity type; words mapped twice: {conflicts}"
    invalid = {w: v for w, v in mapped.items() if not v <= valid}
    assert not invalid, f"synonym targets outside the contract: {invalid}"


def test_age_parser():
    assert parse_age("八十三") == 83
    assert parse_age("83") == 83
    assert parse_age("八十有五") == 85
    assert parse_age("一百零二") == 102
    assert parse_age("快八十") == 80
    assert parse_age("九十出头") == 90
    assert parse_age("一九四六年") == parse_age("1946年") == parse_age("46年") == date.today().year - 1946
    assert parse_age("低保") is None


# ---------------------------------------------------------------- jieba


def test_jieba_folder_holds_only_dictionaries(userdict):
    # JiebaTokenizer loads every file in the folder as a user dictionary
    assert [p.name for p in JIEBA_DIR.iterdir()] == ["userdict.txt"]
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        assert re.fullmatch(r"\S+ \d+( [a-z]+)?", line), f"bad userdict line: {line!r}"


@pytest.mark.parametrize("which", ["train", "test_set"])
def test_entity_words_in_userdict_and_aligned(which, request, userdict, tokenizer):
    data = request.getfixturevalue(which)
    missing, misaligned = set(), []
    for ex in data.entity_examples:
        text = ex.get("text")
        tokens = list(tokenizer.tokenize(text))
        starts = {s for _, s, _ in tokens}
        ends = {e for _, _, e in tokens}
        for ent in ex.get("entities"):
            span = text[ent["start"] : ent["end"]]
            if not userdict.get(span):
                missing.add(span)
            if ent["start"] not in starts or ent["end"] not in ends:
                misaligned.append((text, span, "/".join(w for w, _, _ in tokens)))
    assert not missing, f"entity words missing from {USERDICT.name}: {sorted(missing)}"
    assert not misaligned, f"entity spans not on jieba token boundaries: {misaligned}"


def test_synonym_and_lookup_words_are_single_tokens(userdict, tokenizer):
    words = set(_synonym_blocks())
    for entries in _lookups().values():
        words.update(entries)
    missing = sorted(w for w in words if not userdict.get(w))
    assert not missing, f"words missing from {USERDICT.name}: {missing}"
    split = sorted(w for w in words if [t for t, _, _ in tokenizer.tokenize(w)] != [w])
    assert not split, f"jieba splits these dictionary words: {split}"


def test_regexes_compile():
    for path in sorted(NLU_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or []:
            if "regex" in item:
                for line in item["examples"].splitlines():
                    pattern = line.strip()[2:]
                    if pattern:
                        re.compile(pattern)
