"""Short answers to the fact the bot just asked: 是/对/有 -> True, 没有 -> False, 能 -> independent..."""

from __future__ import annotations

import functools
import re

from .lexicon import Lexicon
from .normalize import Clauses

SPECIAL = "special_circumstances"
_GRADE_RX = re.compile(r"^(?:(?:我|俺|她|他)?(?:有|是)个?)?([1-4一二三四])级?(?:的|残疾|残)?$")
_GRADE = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_REPEAT_RX = re.compile(r"^(.+?)\1+$")
_FILLER_ONLY_RX = re.compile(r"^(?:嗯|呃|额|那个|这个|哦|噢|啊|唉|哎)+$")


def core_of_first_clause(norm: str, clauses: Clauses, lex: Lexicon) -> str:
    """The first clause without fillers (嗯, 那个) and trailing particles, repeats collapsed:
    "嗯嗯，对对对的" -> "嗯"; "没有没有啊" -> "没有"."""
    a = lex.answers
    particles = a.get("particles", "$^")
    fillers = a.get("fillers", "$^")
    for s, e in clauses.spans():
        c = norm[s:e]
        if (c in (a.get("deny") or ()) or c in (a.get("affirm") or ())) and not _FILLER_ONLY_RX.match(c):
            return c  # 算了 is "no", before its 了 is taken for a particle (算 alone would be "yes")
        m = _REPEAT_RX.match(c)  # 是的是的 -> 是的
        c = m.group(1) if m else c
        c = _without_subject(re.sub(particles, "", c), lex)
        if not c:
            continue
        if _FILLER_ONLY_RX.match(c) and any(norm[s2:e2].strip() for s2, e2 in clauses.spans() if s2 > e):
            continue  # 嗯，不是: the filler only opens the real answer
        c = re.sub(fillers, "", c) or c  # 嗯 alone stays: it is a yes
        c = re.sub(particles, "", c) or c
        m = _REPEAT_RX.match(c)  # 对对对 -> 对
        c = m.group(1) if m else c
        # 不是俺有家 / 没有我们按月给的: a plain yes or no run on into its reason, no pause between.
        m = _ANSWER_THEN_SUBJECT_RX.match(c)
        if (
            m
            and len(c) > len(m.group(1)) + 1
            and (m.group(1) in (a.get("deny") or ()) or m.group(1) in (a.get("affirm") or ()))
        ):
            return m.group(1)
        return c
    return ""


def _without_subject(core: str, lex: Lexicon) -> str:
    """俺娘没有 / 她也不是 -> 没有 / 不是: a short answer with the elder named first."""
    from .relation import subject_end

    end = subject_end(core, lex)
    rest = core[end:].lstrip("也都还就倒")
    if not end or not rest:
        return core
    a = lex.answers
    words = [a.get("deny"), a.get("affirm")] + [ws for t in a.values() if isinstance(t, dict) for ws in t.values()]
    return rest if any(_is(rest, [str(w) for w in ws or ()]) for ws in words) else core


_ANSWER_THEN_SUBJECT_RX = re.compile(
    r"^(不是|没有|没|不|是的|是|对|有|有的)(?=俺|我|咱|他|她|我们|俺们|人家|家里|老人)"
)


def _is(core: str, words) -> bool:
    if not words:
        return False
    if core in words:
        return True
    # 当过 / 交过 / 领着: an aspect particle after the answer word
    return len(core) > 1 and core[-1] in "过着" and core[:-1] in words


def short_answer(norm: str, clauses: Clauses, lex: Lexicon, requested: str) -> dict:
    """Facts (and "special_none") said by a short answer to `requested`; {} if none."""
    core = core_of_first_clause(norm, clauses, lex)
    if not core or len(core) > 12:
        return {}
    a = lex.answers
    table = a.get(requested)
    if isinstance(table, dict):
        for value, words in table.items():
            if _is(core, [str(w) for w in words or []]):
                return {requested: value}
    if requested == SPECIAL:
        if _is(core, a.get("special_none")):
            return {"special_none": True}
        return {}
    if requested == "disability_grade":
        m = _GRADE_RX.match(core)
        if m:
            return {"disability_grade": _GRADE[m.group(1)]}
    deny = _is(core, a.get("deny"))
    affirm = not deny and _is(core, a.get("affirm"))
    by_sound = False
    if not (deny or affirm) and 2 <= len(core) <= 6:
        # 叫够了 -> 交够了: a yes or no misheard (speech recognition, pinyin typing); confirmed, not recorded
        heard = _sound(core)
        deny = heard in _sounds(tuple(str(w) for w in a.get("deny") or ()))
        affirm = not deny and heard in _sounds(tuple(str(w) for w in a.get("affirm") or ()))
        by_sound = deny or affirm
    if not (deny or affirm):
        return {}
    found = _yes_no_value(requested, lex, deny, affirm)
    if found and by_sound:
        found[BY_SOUND] = True
    return found


BY_SOUND = "_by_sound"


def _sound(text: str) -> str:
    from .answer_space import sound

    return sound(text)


@functools.lru_cache(maxsize=8)
def _sounds(words: tuple[str, ...]) -> frozenset[str]:
    """How the answer words of two or more characters sound (是 alone sounds like too much)."""
    stems = {w.rstrip("了呢啊呀的") for w in words}  # 叫够了 is read as 叫够 (its 了 a particle)
    return frozenset(_sound(w) for w in set(words) | stems if len(w) >= 2)


def _yes_no_value(requested: str, lex: Lexicon, deny: bool, affirm: bool) -> dict:
    cat = lex.categories.get(requested)
    if cat is None:
        return {}
    if cat.type == "bool":
        return {requested: affirm}
    if deny:
        if requested in ("economic_status", "veteran_category"):
            return {requested: "none"}
        if requested == "disability_grade":
            return {requested: 0}
        if requested == "chronic_conditions":
            return {requested: []}
    return {}
