"""Finding lexicon phrases in a message and reading their polarity.

Every phrase of every category is looked for at every position; overlaps are resolved
longest first across categories (残疾军人 beats 残疾, 不能自理 beats 能自理). Then each
kept phrase is read in its clause: negated (没有低保, 低保没有), hypothetical or a question
(想申请低保, 是不是低保, 低保能领多少), or past (以前是低保).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from .lexicon import Lexicon, Target, may_match
from .normalize import Clauses
from .relation import (
    SPEAKER,
    SPOUSE,
    clause_owners,
    modifies_relative,
    personal_categories,
    shared_with_speaker,
    shared_with_spouse,
    speaker_aside,
    speaker_away,
)

# A phrase that is itself negative (没有残疾证, 不能自理) is not negated again by a
# preceding word: double negation is rare in speech and mostly a mis-read.
_SELF_NEGATIVE = ("不", "没", "无", "未")
# ...except the plain double negation 不是不领 / 也不是不能动: it is neither reading, so nothing is taken.
CONDITION_RX = re.compile(r"要是|如果|假如|万一|假设|若是")  # also read by extractor (a grade in a condition)
_DOUBLE_NEGATION_RX = re.compile(
    r"(?:不是|并不是|也不是|倒不是|又不是|(?<![有])没有|还没到|没到|还不到|不到)(?:那种|那个|这种)?$"
)  # 没有不能自理 / 还没到不能动的程度: not that bad, and no reading either way
WINDOW = 16
_UNKNOWN_LEAD_RX = re.compile(r"^(?:也|还|我|俺|咱|就|都|有没有|是不是|是啥|是什么|是几级|几级|多少|咋样)*")
# A phrase that asserts by itself (吃低保, 享受低保) stays a statement in a question:
# 俺娘吃低保能领啥 still says she has 低保.
_SELF_ASSERTIVE = ("吃", "享受", "有", "领", "拿", "办了", "评上")


@dataclass
class PhraseMatch:
    start: int
    end: int
    text: str
    targets: list[Target]
    clause: int = 0
    negated: bool = False
    irrealis: bool = False
    past: bool = False
    pending: bool = False  # applied for, not granted (申请了…还没批): says nothing of now
    asked: bool = False  # asked about (照护培训是免费的不): says nothing of the elder, whatever the category
    post_negated: bool = False
    double_negated: bool = False


@dataclass
class Reading:
    """Values per category: positive mentions and values implied by negated ones."""

    positive: dict[str, list] = field(default_factory=dict)
    negative: dict[str, list] = field(default_factory=dict)
    list_negated: dict[str, set] = field(default_factory=dict)
    matches: list[PhraseMatch] = field(default_factory=list)


def _gate_closed(t: Target, norm: str, lex: Lexicon, requested: str | None, memo: dict) -> bool:
    cat = lex.categories[t.category]
    if cat.closed_by is not None:
        key = cat.name + "!"
        if key not in memo:
            memo[key] = cat.closed_in(norm)
        if memo[key]:
            return True  # 在厂里交够了年限，退休了: the years paid are the employee pension's
    gate = cat.gate_all or (cat.gate if t.weak else None)
    if gate is None or requested == cat.name:
        return False
    key = cat.name + ("*" if cat.gate_all else "")
    if key not in memo:
        memo[key] = not gate.search(norm)
    return memo[key]


def find_phrases(norm: str, lex: Lexicon, requested: str | None = None, *, gated: bool = False) -> list[PhraseMatch]:
    """The longest phrases, none overlapping. With `gated`, a phrase whose category's gate word is
    absent (and not asked) takes no room: 在上党区老家住 is no 有家 answer, so 上党区 is kept."""
    cands: dict[tuple[int, int], list[Target]] = {}
    if lex.literal_rx is not None:
        for m in lex.literal_rx.finditer(norm):
            s, e = m.span(1)
            if e > s:
                cands.setdefault((s, e), []).extend(lex.literal_map.get(m.group(1), ()))
    chars = set(norm)
    todo = set(lex.regex_always)
    for ch in chars:
        todo.update(lex.regex_by_char.get(ch, ()))
    for i in sorted(todo):
        rx, targets, needs = lex.regex_entries[i]
        if needs and not may_match(needs, chars):
            continue
        for m in rx.finditer(norm):
            if m.end() > m.start():
                cands.setdefault(m.span(), []).extend(targets)
    if gated:
        memo: dict[str, bool] = {}
        for span in list(cands):
            open_ = [t for t in cands[span] if not _gate_closed(t, norm, lex, requested, memo)]
            if open_:
                cands[span] = open_
            else:
                del cands[span]
    apart = {span: ts for span, ts in cands.items() if all(lex.categories[t.category].apart for t in ts)}
    rest = {span: ts for span, ts in cands.items() if span not in apart}
    kept = _longest(norm, rest, lex) + _longest(norm, apart, lex) if apart else _longest(norm, rest, lex)
    kept.sort(key=lambda m: m.start)
    return kept


def _longest(norm: str, cands: dict[tuple[int, int], list[Target]], lex: Lexicon) -> list[PhraseMatch]:
    # 评上了低保边缘: a phrase whose tail is a phrase of its own (低保) that a longer-reaching
    # phrase of the same category extends (低保边缘) gives way to it, though it is longer
    by_start: dict[int, list[tuple[int, set[str]]]] = {}
    for (s2, e2), ts2 in cands.items():
        by_start.setdefault(s2, []).append((e2, {t.category for t in ts2}))
    crossed = []
    for (s, e), ts in cands.items():
        cats = {t.category for t in ts}
        # only starts inside this phrase: linear in the text, however many phrases it holds
        if any(
            e2 > e and cats & cats2 and norm[s2:e] in lex.literal_map
            for s2 in range(s + 1, e)
            for e2, cats2 in by_start.get(s2, ())
        ):
            crossed.append((s, e))
    for span in crossed:
        del cands[span]
    taken = bytearray(len(norm))
    kept: list[PhraseMatch] = []
    for s, e in sorted(cands, key=lambda se: (se[0] - se[1], se[0])):
        if any(taken[s:e]):
            continue
        taken[s:e] = b"\x01" * (e - s)
        targets = list(dict.fromkeys(cands[(s, e)]))
        kept.append(PhraseMatch(s, e, norm[s:e], targets))
    return kept


# states that describe a person (瘫在床上的儿子, 有糖尿病的闺女): said before 的 + a younger relative, that
# relative's; a veteran's family (烈士的儿子) is the other way round, so it is not among them
_OF_A_PERSON = frozenset(("self_care", "disability_type", "chronic_conditions"))
_LEARNT_RX = re.compile(r"(?:学|教)(?:学|一下)?(?:怎么|咋|如何|怎样)?(?:照顾|护理|伺候|照护|照料)(?:好)?$")


def _negation_is_the_next(m: PhraseMatch, nxt: PhraseMatch | None, clauses: Clauses, norm: str, lex: Lexicon) -> bool:
    """X不是Y with X and Y of one fact: the negation after X is Y's own (是低保不是五保), unless Y
    has a negation of its own after it (低保不是五保也不是)."""
    if nxt is None or clauses.index(nxt.start) != clauses.index(m.start) or nxt.start - m.end > 4:
        return False
    if lex.post_negation_rx.match(norm[nxt.end : nxt.end + WINDOW]):
        return False
    return bool({t.category for t in m.targets} & {t.category for t in nxt.targets})


def read_phrases(norm: str, clauses: Clauses, lex: Lexicon, requested: str | None) -> Reading:
    out = Reading()
    prev: PhraseMatch | None = None
    gate_open: dict[str, bool] = {}  # per category: its gate word occurs in the message
    pending = lex.pending_rx
    others = clause_owners(norm, clauses, lex)
    aside = speaker_aside(norm, clauses, lex, requested)
    if aside:
        others = {**{i: SPEAKER for i in aside}, **others}
    personal = personal_categories(lex) if others else frozenset()
    # 儿子是因公牺牲的: what the relative's death makes the elder (遗属) is the elder's, said of the relative
    through = (lex.raw.get("other_person") or {}).get("through_relative") or {}
    shared = shared_with_speaker(lex) if others else frozenset()
    couple = shared_with_spouse(lex) if others else frozenset()
    found = find_phrases(norm, lex, requested, gated=True)
    spans = clauses.spans()
    # 申请低保的材料交上去了，一直没办下来: a pending clause with no phrase of its own is about the one before
    with_phrase = {clauses.index(m.start) for m in found}
    pending_at = {i for i, (s, e) in enumerate(spans) if pending is not None and pending.search(norm[s:e])}
    pending_at |= {i - 1 for i in pending_at if i > 0 and i not in with_phrase}
    following = {id(a): b for a, b in itertools.pairwise(found)}
    for m in found:
        m.clause = clauses.index(m.start)
        cs, ce = clauses.of(m.start)
        same = prev is not None and prev.clause == m.clause and prev.end <= m.start
        prev_end = prev.end if prev is not None else cs
        # Markers sit close to the phrase: a bounded window keeps long messages linear.
        prefix = norm[max(cs, prev_end if same else cs, m.start - WINDOW) : m.start]
        suffix = norm[m.end : min(max(ce, m.end), m.end + WINDOW)]
        if prev is not None and same and (not prefix or lex.list_joiners_rx.match(prefix)):
            # 没有高血压和糖尿病: the list shares the first item's reading
            m.negated, m.irrealis, m.past, m.pending = prev.negated, prev.irrealis, prev.past, prev.pending
            m.asked = prev.asked
        else:
            question = (
                lex.question_prefix_rx.search(prefix)
                or (
                    # 有没有低保 read as 有没 + 有低保, 能不能自理 as 能不 + 能自理: A-not-A questions
                    len(prefix) >= 2 and prefix[-1] in "没不" and m.text.startswith(prefix[-2])
                )
                or (
                    # 能不能自理 read as 能 + 不能自理
                    prefix and len(m.text) > 1 and m.text[0] in "没不" and m.text[1] == prefix[-1]
                )
            )
            m.negated = (
                not question and not m.text.startswith(_SELF_NEGATIVE) and bool(lex.neg_prefix_rx.search(prefix))
            )
            window = prefix[-8:]
            m.irrealis = bool(question) or (
                bool(lex.irrealis_rx.search(window))
                # 我想问问我妈是低保 asserts; 要是评上失能 stays a condition
                and (not lex.assert_before_rx.search(prefix) or bool(CONDITION_RX.search(window)))
            )
            if (
                not m.irrealis
                and not m.negated
                and lex.question_after_rx.search(suffix)
                and not lex.subject_before_rx.search(prefix)
                and not m.text.startswith(_SELF_ASSERTIVE)
            ):
                m.irrealis = m.asked = True  # 低保能领多少钱: asks about 低保, says nothing of the elder
            if (
                not m.irrealis
                and suffix
                and norm.rstrip().endswith(("吗", "么", "?", "？", "不"))
                and (lex.yes_no_question_after_rx.match(suffix))
            ):
                m.irrealis = True  # 我妈是低保户吗: asked, not stated
            m.asked = m.asked or bool(question) and not lex.subject_before_rx.search(prefix)
            if not m.irrealis and (
                lex.unknown_rx.search(window) or lex.unknown_rx.match(_UNKNOWN_LEAD_RX.sub("", suffix))
            ):
                m.irrealis = True  # 不知道低保…, 低保不清楚: not a statement either way
            m.past = bool(lex.past_rx.search(window) or lex.past_still_rx.search(window + m.text[:2]))
            # 低保正在申请，还没批: applied for, not had; this holds for every fact, also those
            # whose questions (失独家庭有补助吗) are kept as statements
            m.pending = m.clause in pending_at
            m.irrealis = m.irrealis or m.pending
        m.post_negated = not m.text.startswith(_SELF_NEGATIVE) and bool(lex.post_negation_rx.match(suffix))
        if m.post_negated and _negation_is_the_next(m, following.get(id(m)), clauses, norm, lex):
            m.post_negated = False  # 是低保不是五保: the 不是 denies what follows it, not 低保
        if m.text.startswith(_SELF_NEGATIVE) and _DOUBLE_NEGATION_RX.search(prefix):
            m.double_negated = True
        out.matches.append(m)
        prev = m
        for t in m.targets:
            cat = lex.categories[t.category]
            if (
                m.pending
                or m.double_negated
                or (
                    m.clause in others
                    and cat.name in personal
                    and t.value not in through.get(cat.name, ())
                    and not (
                        others[m.clause] == SPEAKER
                        and cat.name in shared
                        and not speaker_away(norm[slice(*spans[m.clause])], lex)
                    )
                    and not (others[m.clause] == SPOUSE and cat.name in couple)
                )
            ):
                continue  # 不是不领; 闺女自己也是低保 (the daughter's status, not the elder's)
            if cat.name in _OF_A_PERSON and modifies_relative(norm, m.end, lex, m.start):
                continue  # 伺候她瘫在床上的儿子: the son's state, not the elder's
            if cat.name in _OF_A_PERSON and _LEARNT_RX.search(norm[max(0, m.start - 10) : m.start]):
                continue  # 想学学咋照顾失能老人: what is learnt is about any such elder
            if cat.irrealis and m.irrealis:
                continue
            if cat.void_before is not None and cat.void_before.search(norm[max(0, m.start - 14) : m.start]):
                continue  # 白天她一个人在家: part of the day, not how the elder lives
            if m.asked:
                continue  # 打赡养费官司能找法律援助不: a question about the condition, not the elder's
            if cat.past and m.past:
                continue
            gate = cat.gate_all or (cat.gate if t.weak else None)
            if gate is not None and requested != cat.name:
                key = cat.name + ("*" if cat.gate_all else "")
                if key not in gate_open:
                    gate_open[key] = bool(gate.search(norm))
                if not gate_open[key]:
                    continue
            if m.negated or (cat.postneg and m.post_negated):
                if t.value in cat.negated:
                    out.negative.setdefault(cat.name, []).append(cat.negated[t.value])
                elif cat.type == "list":
                    out.list_negated.setdefault(cat.name, set()).add(t.value)
                continue
            if isinstance(t.value, str) and t.value.startswith("_"):
                continue  # a marker (残疾证 mentioned): only its negation says something
            out.positive.setdefault(cat.name, []).append(t.value)
    return out
