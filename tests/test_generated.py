"""The fact parts of domain.yml and data/nlu are what `make generate` makes of facts.yaml and the lexicon."""
from __future__ import annotations

import difflib
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions.understanding.extractor import extract

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate.py"


def _module():
    spec = importlib.util.spec_from_file_location("generate", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = mod
    spec.loader.exec_module(mod)
    return mod


gen = _module()


def _synonyms(path: Path) -> list[tuple[str, str, str]]:
    """(word, fact, value) for every synonym of the generated file."""
    text = path.read_text(encoding="utf-8")
    out = []
    for m in re.finditer(r'- synonym: "([^"]+)"  # (\w+)\n  examples: \|\n((?:    - .*\n)+)', text):
        out += [(w, m.group(2), m.group(1)) for w in re.findall(r"    - (.*)", m.group(3))]
    return out


def test_committed_files_are_what_make_generate_writes(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    stale = []
    for rel in gen.OUTPUTS:
        fresh = (tmp_path / rel).read_text(encoding="utf-8")
        committed = (ROOT / rel).read_text(encoding="utf-8")
        if fresh != committed:
            diff = difflib.unified_diff(committed.splitlines(), fresh.splitlines(), f"{rel} (committed)",
                                        f"{rel} (generated)", lineterm="", n=1)
            stale.append("\n".join(list(diff)[:30]))
    assert not stale, "generated files are stale: run `make generate`\n" + "\n".join(stale)


def test_every_synonym_is_what_the_extractor_reads_when_its_fact_is_asked():
    # DIET's entities are a second opinion for the rule extractor: the two must never disagree on a word.
    pairs = _synonyms(ROOT / gen.SYNONYMS)
    assert len(pairs) > 200
    wrong = [(w, f, v, extract(w, requested=f).facts.get(f)) for w, f, v in pairs
             if gen._value_text(extract(w, requested=f).facts.get(f)) != v]
    assert not wrong, wrong


def test_hand_written_sections_of_the_domain_are_kept():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    facts = list(gen.load_facts(ROOT))
    assert domain["entities"][: len(facts)] == facts
    assert {"service", "term", "relation", "special_circumstances"} <= set(domain["entities"][len(facts):])
    assert "greet" in domain["intents"] and "session_config" in domain


def test_a_word_claimed_twice_keeps_the_first_claim_and_reports_the_other():
    service = gen.Claim("光荣院", "service", "17", "vocabulary")
    mode = gen.Claim("光荣院", "support_mode", "institution", "lexicon")
    same = gen.Claim("自理", "self_care", "independent", "lexicon")
    kept, dropped = gen.resolve([service, mode, same, gen.Claim("自理", "term", "independent", "v")])
    assert kept["光荣院"] is service and kept["自理"] is same
    assert dropped == [(service, mode)]  # the same value under two entity types is no conflict


@pytest.fixture()
def inputs(tmp_path) -> Path:
    """A copy of everything the generator reads."""
    for rel in (gen.FACTS_YAML, gen.LEXICON_YAML, gen.QUESTIONS_YAML, gen.USERDICT, gen.DOMAIN):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    shutil.copytree(ROOT / gen.NLU_DIR, tmp_path / gen.NLU_DIR)
    return tmp_path


def test_a_new_fact_gets_its_slot_and_entity(inputs):
    facts = inputs / gen.FACTS_YAML
    facts.write_text(facts.read_text(encoding="utf-8") + "lives_in_village:\n  type: bool\n  label: 住在农村\n  ease: 99\n",
                     encoding="utf-8")
    files, _ = gen.build(inputs)
    domain = yaml.safe_load(files[gen.DOMAIN])
    assert "lives_in_village" in domain["entities"]
    assert domain["slots"]["lives_in_village"] == {"type": "any", "influence_conversation": False,
                                                   "mappings": [{"type": "custom"}]}


def test_a_word_added_to_the_lexicon_becomes_a_synonym_and_a_lookup(inputs):
    lexicon = inputs / gen.LEXICON_YAML
    text = lexicon.read_text(encoding="utf-8")
    assert "minimum_living: [低保, " in text
    lexicon.write_text(text.replace("minimum_living: [低保, ", "minimum_living: [低保, 吃上低保金, "), encoding="utf-8")
    userdict = inputs / gen.USERDICT
    userdict.write_text(userdict.read_text(encoding="utf-8") + "吃上低保金 100000 n\n", encoding="utf-8")
    files, _ = gen.build(inputs)
    (inputs / "out.yml").write_text(files[gen.SYNONYMS], encoding="utf-8")
    assert ("吃上低保金", "economic_status", "minimum_living") in _synonyms(inputs / "out.yml")
    assert "    - 吃上低保金\n" in files[gen.LOOKUPS]


def test_an_annotation_the_lexicon_cannot_read_is_refused_with_its_place(inputs):
    (inputs / gen.NLU_DIR / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n    - 住在[火星村](district)\n', encoding="utf-8")
    with pytest.raises(gen.GenerateError, match=r"extra\.yml:5: \[火星村\]\(district\)"):
        gen.build(inputs)


def test_a_fact_listed_by_hand_outside_the_markers_is_refused(inputs):
    domain = inputs / gen.DOMAIN
    domain.write_text(domain.read_text(encoding="utf-8").replace("- service\n", "- service\n- age\n"), encoding="utf-8")
    with pytest.raises(gen.GenerateError, match="outside the generated sections"):
        gen.build(inputs)
