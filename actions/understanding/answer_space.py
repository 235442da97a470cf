"""Answers read against the question that was asked.

Each question knows its answer space: its buttons' labels and the values they set, and the
fact's value labels (questions.Question.answer_space). A typed or spoken answer is matched
against it exactly, then by characters (rapidfuzz) and by sound (pypinyin, so speech-recognition
homophones such as 地保 → 低保 work), and for yes/no questions by echoing the question's own
words (报名参加了, 交够了, 不想学). Exact matches are taken; the others are only good enough to
ask "您是说……，对吗？".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .lexicon import get_lexicon
from .normalize import normalize

EXACT, FUZZY, ECHO = "exact", "fuzzy", "echo"
FUZZY_MIN = 80  # rapidfuzz ratio (0-100) for a character-level near match
_STRIP_RX = re.compile(r"[，,。.!！?？;；、\s~～…\"'“”‘’（）()]+")


@dataclass(frozen=True)
class AnswerMatch:
    values: dict[str, Any]
    how: str  # exact | fuzzy | echo
    said: str  # the words matched, for the confirmation question


def _clean(text: str) -> str:
    lex = get_lexicon()
    s = _STRIP_RX.sub("", normalize(text))
    particles = lex.answers.get("particles")
    if particles:
        s = re.sub(particles, "", s) or s
    return s


@lru_cache(maxsize=4096)
def sound(text: str) -> str:
    """Toneless pinyin: 底保, 地保 and 低保 all sound 'di bao'; -n and -ng are one (loose_syllable)."""
    return " ".join(loose_syllable(p) for p in lazy_pinyin(text))


def loose_syllable(syllable: str) -> str:
    """in/ing and en/eng as one sound: 长治 speech (晋语) and speech recognizers merge them
    (进老院 for 敬老院). Only a confirmation rests on a sound-alike, never a silent record."""
    return syllable.replace("ing", "in").replace("eng", "en")


def match_answer(text: str, space: Iterable[tuple[str, dict[str, Any]]]) -> AnswerMatch | None:
    said = _clean(text)
    if not said or len(said) > 24:
        return None
    cands = [(_clean(words), values) for words, values in space]
    cands = [(w, v) for w, v in cands if w]
    for words, values in cands:
        if said == words:
            return AnswerMatch(dict(values), EXACT, words)
    best: tuple[float, str, dict[str, Any]] | None = None
    for words, values in cands:
        if len(words) < 2:
            continue
        if len(said) >= 2 and sound(said) == sound(words):
            return AnswerMatch(dict(values), FUZZY, words)
        if len(words) >= 3 and len(said) >= 3:
            score = fuzz.ratio(said, words)
            if len(words) >= 4 and len(said) == len(words) and Levenshtein.distance(said, words) == 1:
                score = max(score, FUZZY_MIN)  # 肢休残疾: one character mistyped in a label of four
            if score >= FUZZY_MIN and (best is None or score > best[0]):
                best = (score, words, values)
    if best is not None:
        return AnswerMatch(dict(best[2]), FUZZY, best[1])
    return None


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


# Verbs of wish and ability that a one-word answer may echo (想 / 要 / 能 / 会).
_ECHO_VERBS = "想要能会"


def echo_answer(text: str, question_text: str) -> bool | None:
    """For a yes/no question: True/False when the answer repeats the question's own words
    (问“想参加照护培训吗” → 报名参加了 / 不想学), None when it does not."""
    lex = get_lexicon()
    stop = set(lex.raw.get("echo_stop") or ())
    said = _clean(text)
    if not said or len(said) > 20:
        return None
    # Only the question itself: its explanation (一般是说独生子女去世…) is no wording to echo.
    asked_part = re.split(r"(?<=[？?])", normalize(question_text), maxsplit=1)[0]
    q = _STRIP_RX.sub("", asked_part)
    shared = [b for b in _bigrams(q) & _bigrams(said) if b not in stop and not set(b) & set("不没无别吗呢吧啊")]
    if not shared:
        # 想去 / 不想 to 想参加…吗: a short answer that repeats the question's own modal verb
        head = re.split(r"[，,。！!？?\s]", said, maxsplit=1)[0]
        core = head.lstrip("".join(lex.raw.get("echo_negators") or "不没"))
        if 1 <= len(head) <= 3 and core[:1] in _ECHO_VERBS and core[:1] in q:
            return len(core) == len(head)
        return None
    first = min(said.find(b) for b in shared)
    word = said[first : first + 2]
    before = said[:first]
    negators = lex.raw.get("echo_negators") or ["不", "没", "无", "别", "未"]
    # The question may itself deny what is echoed (问“没有地方住吗” → 有房有地 means no).
    at = q.find(word)
    # 有没有打官司 asks, it does not deny: A-not-A questions are blanked before looking for a negator.
    plain_q = re.sub(r"(.)[不没]\1", lambda m: "问" * len(m.group(0)), q)
    flipped = at > 0 and any(n in plain_q[max(0, at - 2) : at] for n in negators)
    if re.search(r"不是[不没]", before + word):
        return None  # 不是不领: a double negation, neither yes nor no until said plainly
    negated = any(n in before for n in negators) or bool(
        # 参加不了 / 交不够: the negation right after the echoed words
        re.search(r"^(?:[^，。]{0,3})(?:不了|不够|不上|不起|不到|不成)", said[first + 2 :])
    )
    return negated == flipped
