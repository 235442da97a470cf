"""Self-care read from daily activities, as a needs assessment does (吃饭, 穿衣, 洗澡, 上厕所…).

People rarely say 失能; they describe the day: 吃饭还能自己吃，就是穿衣洗澡要人. Each activity
mentioned is read as done alone or with help in its clause; all alone -> independent, help with
some -> partial, help with most or everything -> dependent. The words are lexicon data (`adl`).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import NamedTuple

from .lexicon import get_lexicon
from .normalize import Clauses
from .relation import clause_owners, modifies_relative


class _Words(NamedTuple):
    """The lexicon's `adl` words, compiled (one alternation each; `domains` per assessment domain)."""

    activities: re.Pattern
    helped: re.Pattern
    alone: re.Pattern
    everything: re.Pattern
    bedridden: re.Pattern
    alone_only: re.Pattern
    aids: re.Pattern
    doubt: re.Pattern
    rest: re.Pattern
    learnt: re.Pattern
    no_help: re.Pattern
    domains: tuple[tuple[str, re.Pattern], ...]


@lru_cache(maxsize=1)
def _rx() -> _Words:
    a = get_lexicon().raw.get("adl") or {}

    def alt(words):
        words = sorted((str(w) for w in words or ()), key=len, reverse=True)
        parts = [w[3:] if w.startswith("re:") else re.escape(w) for w in words]  # "re:" as in the categories
        return re.compile("|".join(parts) or "(?!)")

    domains = a.get("activities") or {}
    return _Words(
        activities=alt([w for ws in domains.values() for w in ws or ()]),
        helped=alt(a.get("helped")),
        alone=alt(a.get("alone")),
        everything=alt(a.get("all")),
        bedridden=alt(a.get("bedridden")),
        alone_only=alt(a.get("alone_only")),
        aids=alt(a.get("aids")),
        doubt=alt(a.get("doubt")),
        rest=alt(a.get("rest")),
        learnt=alt(a.get("learnt")),
        no_help=alt(a.get("no_help")),
        domains=tuple((name, alt(ws)) for name, ws in domains.items()),
    )


@lru_cache(maxsize=1)
def now_lead_rx() -> re.Pattern:
    """A clause opening with 现在 / 如今 …: how things are now (lexicon `now_lead`)."""
    return re.compile("^" + str(get_lexicon().raw.get("now_lead") or "(?!)"))


_NEGATED_BEFORE_RX = re.compile(r"(?:不|没|没有|不是|并非)(?:用|是|再|在)?$")


def _domain(text: str) -> str:
    """The assessment domain of an activity's words (吃饭 -> eating, 扣子 -> dressing)."""
    return next((name for name, rx in _rx().domains if rx.fullmatch(text)), text)


def read_self_care(norm: str, clauses: Clauses) -> str | None:
    return self_care_of(read_day(norm, clauses))


def self_care_of(day: tuple[int, int, bool, int]) -> str | None:
    """The self-care value of a day as read_day counts it (None: too little told)."""
    help_n, alone_n, severe, _ = day
    if not help_n and not alone_n:
        return None
    if help_n and alone_n:
        return "partial"
    if help_n:
        return "dependent" if help_n >= 3 or severe else "partial"
    return "independent" if alone_n >= 2 else None


def read_day(norm: str, clauses: Clauses) -> tuple[int, int, bool, int]:
    """(domains done with help, domains and chores done alone, help with everything told, domains
    done alone: eating, dressing… not chores)."""
    w = _rx()
    activities, helped, alone, everything, bedridden = w.activities, w.helped, w.alone, w.everything, w.bedridden
    alone_only, aids, rest, learnt = w.alone_only, w.aids, w.rest, w.learnt
    past = get_lexicon().past_rx
    helped_in: set[str] = set()  # the assessment's domains told as done with help / alone
    alone_in: set[str] = set()
    more_help = chores_alone = 0  # lying in bed all day (help with everything); chores done alone
    severe = False
    owners = clause_owners(norm, clauses, get_lexicon())
    spans = clauses.spans()
    now_at = next((i for i, (s, e) in enumerate(spans) if now_lead_rx().match(norm[s:e])), len(spans))
    for i, (s, e) in enumerate(spans):
        clause = w.no_help.sub("自己能", norm[s:e])  # 吃饭不用人喂: done alone, not being fed
        if past.match(clause) or past.search(clause[:4]) or (i < now_at and past.search(clause)):
            continue  # 以前能自己走 / 原来瘫在床上 / 做手术那阵下不了床，现在…: how it was, not how it is
        if i in owners or learnt.search(clause):
            continue  # 俺哥…他自己也瘫了: another person's day; 想学学咋翻身: a course's
        others = alone_only.findall(clause)
        if others and not helped.search(aids.sub("", clause)) and alone.search(clause):
            chores_alone += len(others)
        lying = bedridden.search(clause)
        if lying and _NEGATED_BEFORE_RX.search(clause[max(0, lying.start() - 3) : lying.start()]):
            lying = None  # 不卧床 / 没躺在床上: the opposite of lying in bed
        if lying and not modifies_relative(clause, lying.end(), get_lexicon(), lying.start()):
            more_help, severe = more_help + 2, True  # 整天躺着: help with everything (not 瘫在床上的儿子)
            continue
        found = list(activities.finditer(clause))
        if not found:
            told = helped_in or alone_in or more_help or chores_alone
            if told and helped.search(clause) and everything.search(clause):
                severe = True  # 吃饭穿衣都不会了，得人一样一样伺候: all of it
            if told and rest.search(clause):
                said_rest = _said(clause, helped, alone)  # 饭能吃，别的都得人帮: the activities not named
                (helped_in if said_rest == "helped" else alone_in if said_rest == "alone" else set()).add("rest")
            continue
        if helped.search(clause):
            severe = severe or bool(everything.search(clause))
        # 饭能自己吃衣服扣子系不上得人帮她: each activity with what is said after it, up to the next one;
        # one that has nothing of its own shares what the next says (吃饭穿衣都得人帮)
        bounds = [found[0].start(), *(m.start() for m in found[1:]), len(clause)]
        said = [_said(clause[a:b], helped, alone) for a, b in itertools.pairwise(bounds)]
        # 能自己吃饭穿衣: what is said before the first one holds when nothing follows it
        # (半边身子不能动，吃饭还能拿勺子: what follows it wins)
        said[0] = said[0] or _said(clause[: bounds[0]], helped, alone)
        for k in range(len(said) - 2, -1, -1):
            said[k] = said[k] or said[k + 1]
        for k in range(1, len(said)):
            said[k] = said[k] or said[k - 1]  # 能自己吃饭穿衣: what is said before the list holds for all of it
        for m, how in zip(found, said, strict=True):
            if how is not None:
                (helped_in if how == "helped" else alone_in).add(_domain(m.group()))
    alone_n = len(alone_in - helped_in)
    return len(helped_in) + more_help, alone_n + chores_alone, severe, alone_n


def independence_doubted(norm: str, clauses: Clauses) -> bool:
    """做饭做不了 / 走不了路 / 脑子糊涂了: a chore or walking failing, or the mind. It is no loss of
    self-care as the assessment counts it, but beside "all the rest alone" independent is a guess."""
    w = _rx()
    helped, alone_only, aids = w.helped, w.alone_only, w.aids
    if w.doubt.search(norm):
        return True
    for s, e in clauses.spans():
        clause = norm[s:e]
        chores = [m.group() for m in alone_only.finditer(clause)]
        if chores and (helped.search(aids.sub("", clause)) or any("不" in c for c in chores)):
            return True  # 做饭做不了 / 走不动路
    return False


def _said(part: str, helped: re.Pattern, alone: re.Pattern) -> str | None:
    if helped.search(part):
        return "helped"
    return "alone" if alone.search(part) else None
