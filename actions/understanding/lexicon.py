"""Loads lexicon.yml once (lazily) and compiles it into fast matchers."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the parser behind `re`, to find the characters a pattern cannot match without
    from re import _constants as _sre_c  # type: ignore[attr-defined]  # Python >= 3.11
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as _sre_c
    import sre_parse as _sre_parse

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~20x faster

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")


@dataclass(frozen=True)
class Target:
    """What a matched phrase says: `category` has `value` (weak: only behind the gate)."""

    category: str
    value: Any
    weak: bool = False


@dataclass
class Category:
    name: str
    type: str
    irrealis: bool = True
    past: bool = True
    postneg: bool = False
    negated: dict = field(default_factory=dict)
    # a value read only from a negated mention (也没低保 -> none) is confirmed, not recorded
    negated_unsure: bool = False
    # values only inferred from a story (没人管 -> no capable supporter): confirmed unless the fact
    # was asked; `confirm_unasked: true` in the lexicon means every value, a list only those
    confirm_unasked: frozenset = frozenset()
    # values read while another question waits (儿子在外头打工 as the answer about supporters): confirmed
    confirm_aside: frozenset = frozenset()
    # words just before a phrase that make it say nothing of how things are (白天一个人在家)
    void_before: re.Pattern | None = None
    gate: re.Pattern | None = None
    gate_all: re.Pattern | None = None
    # words naming another kind of the same thing (职工/厂/退休 for the resident pension): with them,
    # and without the category's own kind (`closed_unless`), its phrases speak of the other kind
    closed_by: re.Pattern | None = None
    closed_unless: re.Pattern | None = None
    # place names sit inside other phrases (老两口在壶关老家住): found apart from other categories
    apart: bool = False

    def closed_in(self, norm: str) -> bool:
        """Another kind of the same thing is named (`closed_by`) and this category's own is not."""
        return bool(self.closed_by and self.closed_by.search(norm)) and not (
            self.closed_unless and self.closed_unless.search(norm)
        )


@dataclass
class Lexicon:
    raw: dict
    typo_rx: re.Pattern
    typos: dict[str, str]
    traditional: dict[int, str]
    idiom_rx: re.Pattern | None
    categories: dict[str, Category]
    literal_rx: re.Pattern | None  # overlapping longest match at every position
    literal_map: dict[str, list[Target]]
    regex_entries: list[tuple[re.Pattern, list[Target], list[frozenset]]]
    regex_by_char: dict[str, tuple[int, ...]]  # a character -> entries that need it (or one of its set)
    regex_always: tuple[int, ...]  # entries with no required character
    neg_prefix_rx: re.Pattern
    question_prefix_rx: re.Pattern
    post_negation_rx: re.Pattern
    irrealis_rx: re.Pattern
    pending_rx: re.Pattern | None
    assert_before_rx: re.Pattern
    question_after_rx: re.Pattern
    yes_no_question_after_rx: re.Pattern
    subject_before_rx: re.Pattern
    past_rx: re.Pattern
    past_still_rx: re.Pattern
    list_joiners_rx: re.Pattern
    unknown_rx: re.Pattern
    unknown_topics: dict[str, re.Pattern]
    correction_rx: re.Pattern
    relation_literal_rx: re.Pattern | None
    relation_literals: dict[str, str]
    relation_entries: list[tuple[re.Pattern, str, list[frozenset]]]
    relation_deceased_rx: re.Pattern
    self_pronoun_rx: re.Pattern
    answers: dict
    age: dict[str, list[str]]
    stopped_clause_rx: re.Pattern | None = None
    stopped_clause_end_rx: re.Pattern | None = None
    stopped_by_change: dict[str, re.Pattern] = field(default_factory=dict)


def alternation(words) -> str:
    """A regex alternation of literal words, longest first (so the longest wins)."""
    words = sorted({str(w) for w in words if str(w)}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words) or "(?!)"


def phrase_rx(entries) -> re.Pattern:
    """One regex for a list of literal phrases and "re:" patterns (longest literal first)."""
    entries = [str(e) for e in entries or []]
    regexes = [e[3:] for e in entries if e.startswith("re:")]
    literal = alternation(e for e in entries if not e.startswith("re:"))
    return re.compile("|".join(["(?:" + r + ")" for r in regexes] + [literal]))


def trie_regex(words) -> str:
    """A regex matching any of `words`, built as a trie: fast, and longest match first."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            body = "(?:" + body + ")?"  # greedy: the longer phrase is tried first
        return body

    return build(trie) or "(?!)"


def required_chars(pattern: str) -> list[frozenset]:
    """Clauses of characters a text must contain for `pattern` to match: each clause is a
    set of which at least one must occur. A cheap test that skips most regexes of the
    lexicon on a given message. [] (no test) when unsure."""
    c = _sre_c

    def walk(seq) -> list[frozenset]:
        out: list[frozenset] = []
        for op, av in seq:
            if op is c.LITERAL:
                out.append(frozenset(chr(av)))
            elif op is c.SUBPATTERN:
                out.extend(walk(av[-1]))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                if av[0] >= 1:
                    out.extend(walk(av[2]))
            elif op is c.BRANCH:
                alts = [walk(b) for b in av[1]]
                if alts and all(alts):
                    out.append(frozenset().union(*(a[0] for a in alts)))
            elif op is c.IN:
                chars = [chr(v) for o, v in av if o is c.LITERAL]
                if chars and all(o is c.LITERAL for o, _ in av):
                    out.append(frozenset(chars))
        return out

    try:
        return walk(_sre_parse.parse(pattern))
    except Exception:
        return []


def may_match(clauses: list[frozenset], chars) -> bool:
    """Whether a text with these characters (a set, or the text itself) can match."""
    if not isinstance(chars, (set, frozenset)):
        chars = set(chars)
    for clause in clauses:
        if clause.isdisjoint(chars):
            return False
    return True


def _confirm_unasked(ctype: str, spec) -> frozenset:
    if spec is True:
        return frozenset({True, False}) if ctype == "bool" else frozenset({"*"})
    if not spec:
        return frozenset()
    return frozenset(_value(ctype, v) for v in spec)


def _value(category_type: str, key: Any) -> Any:
    if category_type == "bool" and isinstance(key, str):
        return key.lower() == "true"
    return key


# Every top-level key of lexicon.yml and what reads it; an unknown key is a mistake (a typo'd
# key would silently do nothing), so loading fails on one.
KNOWN_KEYS = {
    "typos": "normalize",
    "traditional": "normalize",
    "number_idioms": "age",
    "age": "age",
    "markers": "phrases",
    "categories": "phrases",
    "answers": "answers",
    "unknown": "extractor",
    "unknown_topics": "extractor",
    "correction": "extractor",
    "misspoken": "extractor",
    "ellipsis": "extractor",
    "hedge_words": "profile",
    "relations": "relation",
    "relation_deceased_after": "relation",
    "self_pronoun": "relation",
    "other_person": "relation",
    "echo_stop": "answer_space",
    "echo_negators": "answer_space",
    "sound_alike": "extractor",
    "sound_alike_not": "extractor",
    "emotion": "dialogue",
    "closing_words": "dialogue",
    "ask_verb": "dialogue",
    "stopped_clause": "extractor",
    "hearsay_clause": "dialogue",
    "deferral_clause": "dialogue",
    "pending": "extractor",
    "now_lead": "adl",
    "adl": "adl",
    "speech_breaks": "normalize",
    "stopped_categories": "extractor",
    "stopped_clause_end": "extractor",
    "stopped_by_change": "extractor",
    "confirm_phrases": "extractor",
    "district_registered": "extractor",
    "past_event": "dialogue",
    "certificate_held": "dialogue",
}
KNOWN_CATEGORY_KEYS = {
    "type",
    "irrealis",
    "past",
    "postneg",
    "negated",
    "negated_unsure",
    "confirm_unasked",
    "confirm_aside",
    "void_before",
    "gate",
    "gate_all",
    "closed_by",
    "apart",
    "phrases",
}


class LexiconError(ValueError):
    pass


def check_keys(raw: dict) -> None:
    unknown = sorted(set(raw) - set(KNOWN_KEYS))
    if unknown:
        raise LexiconError(f"lexicon.yml: unknown top-level keys {unknown}; known: {sorted(KNOWN_KEYS)}")
    for name, spec in (raw.get("categories") or {}).items():
        bad = sorted(set(spec) - KNOWN_CATEGORY_KEYS)
        if bad:
            raise LexiconError(f"lexicon.yml: category {name} has unknown keys {bad}")


def _load() -> Lexicon:
    raw = yaml.load(LEXICON_PATH.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    check_keys(raw)
    typos = {str(k): str(v) for k, v in (raw.get("typos") or {}).items()}
    trad = str(raw.get("traditional") or "")
    traditional = {ord(trad[i]): trad[i + 1] for i in range(0, len(trad) - 1, 2)}
    idioms = raw.get("number_idioms") or []
    markers = raw["markers"]

    categories: dict[str, Category] = {}
    literal_map: dict[str, list[Target]] = {}
    regex_entries: list[tuple[re.Pattern, list[Target], list[frozenset]]] = []
    regex_index: dict[str, list[Target]] = {}
    for name, spec in raw["categories"].items():
        ctype = spec.get("type", "enum")
        cat = Category(
            name=name,
            type=ctype,
            irrealis=spec.get("irrealis", True),
            past=spec.get("past", True),
            postneg=spec.get("postneg", False),
            negated={_value(ctype, k): v for k, v in (spec.get("negated") or {}).items()},
            negated_unsure=bool(spec.get("negated_unsure", False)),
            confirm_unasked=_confirm_unasked(ctype, spec.get("confirm_unasked", False)),
            confirm_aside=_confirm_unasked(ctype, spec.get("confirm_aside", False)),
            void_before=re.compile(f"(?:{spec['void_before']})[^。！？]{{0,10}}$") if spec.get("void_before") else None,
            gate=re.compile(spec["gate"]) if spec.get("gate") else None,
            gate_all=re.compile(spec["gate_all"]) if spec.get("gate_all") else None,
            closed_by=re.compile(spec["closed_by"]["words"]) if spec.get("closed_by") else None,
            closed_unless=re.compile(spec["closed_by"]["unless"])
            if (spec.get("closed_by") or {}).get("unless")
            else None,
            apart=bool(spec.get("apart")),
        )
        categories[name] = cat
        for key, phrases in (spec.get("phrases") or {}).items():
            weak = isinstance(key, str) and key.startswith("_weak_")
            value = _value(ctype, key[len("_weak_") :] if weak else key)
            target = Target(name, value, weak)
            for phrase in phrases or []:
                phrase = str(phrase)
                if phrase.startswith("re:"):
                    regex_index.setdefault(phrase[3:], []).append(target)
                else:
                    literal_map.setdefault(phrase, []).append(target)
    for pattern, targets in regex_index.items():
        regex_entries.append((re.compile(pattern), targets, required_chars(pattern)))

    by_char: dict[str, list[int]] = {}
    always: list[int] = []
    for i, (_, _, needs) in enumerate(regex_entries):
        if not needs:
            always.append(i)
            continue
        for ch in min(needs, key=len):  # index by the most selective clause
            by_char.setdefault(ch, []).append(i)

    neg = alternation(markers["negators"])
    gap = markers["negation_gap"]
    relation_entries = []
    relation_literals: dict[str, str] = {}
    for value, patterns in (raw.get("relations") or {}).items():
        for p in patterns:
            p = str(p)
            if p.startswith("re:"):
                relation_entries.append((re.compile(p[3:]), value, required_chars(p[3:])))
            else:
                relation_literals.setdefault(p, value)
    answers = raw.get("answers") or {}

    return Lexicon(
        raw=raw,
        typo_rx=re.compile(alternation(typos)),
        typos=typos,
        traditional=traditional,
        idiom_rx=re.compile(alternation(idioms)) if idioms else None,
        categories=categories,
        literal_rx=re.compile("(?=(" + trie_regex(literal_map) + "))") if literal_map else None,
        literal_map=literal_map,
        regex_entries=regex_entries,
        regex_by_char={k: tuple(v) for k, v in by_char.items()},
        regex_always=tuple(always),
        neg_prefix_rx=re.compile(f"(?:{neg}){gap}{{0,3}}$"),
        question_prefix_rx=re.compile(f"(?:是不是|有没有|算不算|是否|能不能|可不可以){gap}{{0,2}}$"),
        post_negation_rx=re.compile(markers["post_negation"]),
        irrealis_rx=phrase_rx(markers["irrealis"]),
        pending_rx=re.compile(raw["pending"]) if raw.get("pending") else None,
        assert_before_rx=re.compile(markers["assert_before"]),
        question_after_rx=re.compile(markers["question_after"]),
        yes_no_question_after_rx=re.compile(markers["yes_no_question_after"]),
        subject_before_rx=re.compile(markers["subject_before"]),
        past_rx=phrase_rx(markers["past"]),
        past_still_rx=re.compile(markers.get("past_still") or "(?!)"),
        list_joiners_rx=re.compile(markers["list_joiners"]),
        unknown_rx=phrase_rx(raw.get("unknown")),
        unknown_topics={k: re.compile(alternation(v)) for k, v in (raw.get("unknown_topics") or {}).items()},
        correction_rx=phrase_rx(raw.get("correction")),
        relation_literal_rx=(re.compile("(?=(" + trie_regex(relation_literals) + "))") if relation_literals else None),
        relation_literals=relation_literals,
        relation_entries=relation_entries,
        relation_deceased_rx=re.compile(raw.get("relation_deceased_after") or "(?!)"),
        self_pronoun_rx=re.compile(raw.get("self_pronoun") or "(?!)"),
        answers=answers,
        age={k: [str(x) for x in v] for k, v in (raw.get("age") or {}).items()},
        stopped_clause_rx=re.compile(raw["stopped_clause"]) if raw.get("stopped_clause") else None,
        stopped_clause_end_rx=re.compile(raw["stopped_clause_end"]) if raw.get("stopped_clause_end") else None,
        stopped_by_change={k: re.compile(v) for k, v in (raw.get("stopped_by_change") or {}).items()},
    )


_LOCK = threading.Lock()
_LEXICON: Lexicon | None = None


def get_lexicon() -> Lexicon:
    """The compiled lexicon, loaded on first use (thread-safe)."""
    global _LEXICON
    if _LEXICON is None:
        with _LOCK:
            if _LEXICON is None:
                _LEXICON = _load()
    return _LEXICON
