"""Reading an elder's age (周岁) from a message.

Sources, strongest first: "83岁/83周岁/今年83/虚岁84", a birth year ("1946年生",
"一九四六年出生", "46年的"), "83了", a bare number after the elder ("俺娘83"), and a bare
number as the whole answer when the age was asked. Approximate phrases ("快八十了",
"八十多岁") give a best guess plus the phrase, so the bot can confirm.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import alternation, get_lexicon
from .normalize import Clauses, normalize
from .numerals import find_numbers, parse_chinese_number

# Plausible ages: an elder's age when said in passing; any 周岁 when the age was asked.
PLAUSIBLE = (40, 130)
PLAUSIBLE_ASKED = (0, 130)
MIN_YEAR = 1880
WINDOW = 16

_PARTICLES = "啊呀吧呢哦嘛了的哈噢哇嘞咧滴呐喔哟"
_RANGE_UNITS_RX = re.compile(r"^([一二三四五六七八九])十([一二三四五六七八九])([一二三四五六七八九])$")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# after / before the number (see find_age)
_GENERIC_QUESTION_RX = re.compile(r"(?:的)?(?:老人)?(?:能|可以|能不能|可不可以|有没有|有什么|有啥|怎么|咋)")
_UP5_RX = re.compile(r"好几")
_UP_RX = re.compile(r"多|几|来(?=岁|了|$)|出头|挂零|有余|余")
_ZHOUSUI_RX = re.compile(r"周岁|实岁|足岁")
_XUSUI_AFTER_RX = re.compile(r"虚岁")
_SUI_RX = re.compile(r"岁|歲|寿")
_UP_AFTER_SUI_RX = re.compile(r"出头|多|挂零")
_LE_RX = re.compile(r"了|整|啦")
_ABOUT_RX = re.compile(r"左右|上下|的样子|来着|吧")
_NOT_NOW_RX = re.compile(r"以上|以下|以后|之后|以前|之前|的时候|那年|开始|起|的老人|老人")
_NEG_BEFORE_RX = re.compile(r"(?:不是|并非|不)$")
_EVENT_AGE_RX = re.compile(
    r"上(?=才|就|开始|退|交|没|死|走)|时(?!候)|那会|那阵|(?:就|才)(?:开始|领|退|交|办|瘫|没了|走了|死|去世|病)"
)
_COMPARE_BEFORE_RX = re.compile(r"比[^，,。]{0,8}(?:大|小|多|少)$")
_EVENT_BEFORE_RX = re.compile(r"(?:那会儿?|那时候?|当时|那年)[^，,。]{0,12}$")  # 那会儿已经过六十了
_LEAD_RX = re.compile(r"^(?:应该是|其实是|就是|是|有)")
_MONTH_RX = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})月份?(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})[日号])?")


@dataclass
class AgeReading:
    age: int
    approx_phrase: str | None
    strength: int
    start: int


@dataclass
class AgeResult:
    reading: AgeReading | None
    negated_seen: bool  # "不是83": a value was denied (a correction, when another follows)


@dataclass(frozen=True)
class _Rx:
    unit_after: re.Pattern
    not_before: re.Pattern
    strong_before: re.Pattern
    weak_before: re.Pattern
    subject_before: re.Pattern
    approx_down_before: re.Pattern
    approx_up_before: re.Pattern
    approx_same_before: re.Pattern
    xusui_before: re.Pattern
    birth_before: re.Pattern
    birth_not_before: re.Pattern
    birth_after: re.Pattern


@lru_cache(maxsize=1)
def _rx() -> _Rx:
    a = get_lexicon().age

    def end(key: str) -> re.Pattern:
        return re.compile("(?:" + alternation(a.get(key, [])) + ")$")

    units = "|".join(sorted(a.get("unit_after", []), key=len, reverse=True))  # may hold regex bits
    return _Rx(
        unit_after=re.compile(r"^[多几来余]?(?:" + units + ")"),
        not_before=end("not_before"),
        strong_before=end("strong_before"),
        weak_before=end("weak_before"),
        subject_before=re.compile(
            "(?:" + alternation(a.get("subject_before", [])) + ")(?:今年|已经|都|是|才|也|刚|就|有)?$"
        ),
        approx_down_before=end("approx_down_before"),
        approx_up_before=end("approx_up_before"),
        approx_same_before=end("approx_same_before"),
        xusui_before=end("xusui_before"),
        birth_before=end("birth_before"),
        birth_not_before=re.compile(
            "(?:" + alternation(a.get("birth_not_before", [])) + r"|(?:交|缴|干|工作|住|待|种|当|过|病|瘫|躺)了?)$"
        ),
        birth_after=re.compile(
            "^(?:" + alternation([x for x in a.get("birth_after", []) if x != "的"]) + r"|的(?=$|[人啊呀吧哦呢老]))"
        ),
    )


def _plausible(age: int, asked: bool) -> bool:
    lo, hi = PLAUSIBLE_ASKED if asked else PLAUSIBLE
    return lo <= age <= hi


def _mask_idioms(text: str) -> str:
    rx = get_lexicon().idiom_rx
    if rx is None:
        return text
    return rx.sub(lambda m: "□" * len(m.group(0)), text)


def _strip_particles(s: str) -> str:
    return s.strip(_PARTICLES + "~～!！。.,，?？ ")


def _birth_year(tok, pre: str, post: str, today: datetime.date, asked: bool, r: _Rx):
    """(age, strength) if the token is a birth year, None if it is not, False to skip."""
    v = tok.value
    four = (tok.kind == "arabic" and len(tok.text) == 4) or (tok.kind == "digits" and len(tok.text) == 4)
    two = (tok.kind == "arabic" and len(tok.text) == 2) or (tok.kind == "digits" and len(tok.text) == 2)
    if not (four or two):
        return None
    if four and not (MIN_YEAR <= v <= today.year):
        return False
    if two:
        if not (20 <= v <= 69):  # 46年的 = 1946; 15年/70年 are too ambiguous (years paid...)
            return False
        v += 1900
    if r.birth_not_before.search(pre) and not r.birth_before.search(pre):
        return False
    after = post[1:] if post.startswith("年") else post
    month = None
    m = _MONTH_RX.match(after)
    if m:
        month = parse_chinese_number(m.group(1))
        after = after[m.end() :]
    born_said = bool(r.birth_after.match(after)) or bool(r.birth_before.search(pre))
    clause_end = _strip_particles(after) == ""
    if not post.startswith("年"):
        # a bare 1946 only when the age was asked
        if not (four and asked and clause_end and not pre.strip()):
            return False
    elif not born_said:
        # "1946年" ending a clause ("我爸1942年，退休工人") reads as a birth year; a two-digit
        # year needs 生/出生/的 or the elder right before it.
        if not clause_end or (two and not r.subject_before.search(pre)):
            return False
    # Only the year is known for sure: age = this year - birth year (the birthday may be
    # still to come this year, so this can be one year too high). With a month we know more.
    age = today.year - v
    if month and 1 <= month <= 12 and month > today.month:
        age -= 1
    return age, 4


def find_age(
    text, today: datetime.date | None = None, requested: str | None = None, *, normalized: bool = False
) -> AgeResult:
    """The best age reading of `text` (reading None if there is none); see module doc.

    Each number gets a strength from its context (岁 +3, 今年 +3, 了 +2, the elder before
    it +2, ...); below 2 it is not an age. The strongest reading wins, then the earliest.
    """
    if not isinstance(today, datetime.date):
        today = datetime.date.today()
    asked = requested == "age"
    norm = text if normalized else normalize(text)
    masked = _mask_idioms(norm)
    clauses = Clauses(masked)
    r = _rx()
    best: AgeReading | None = None
    negated_seen = False

    for tok in find_numbers(masked):
        cs, ce = clauses.of(tok.start)
        # markers sit next to the number: bounded windows keep long input linear
        pre = masked[max(cs, tok.start - WINDOW) : tok.start]
        post = masked[tok.end : min(ce, tok.end + WINDOW)]
        if pre.endswith(("第", "老")) and tok.kind != "arabic" and len(tok.text) == 1:
            continue
        value = tok.value
        approx = False
        delta = 0
        if value is None:
            m = _RANGE_UNITS_RX.match(tok.text)
            if m and _CN[m.group(3)] == _CN[m.group(2)] + 1:  # 八十七八 -> about 87
                value, approx = _CN[m.group(1)] * 10 + _CN[m.group(2)], True
            else:
                continue  # 七八十 and other ranges say too little
        if tok.kind == "arabic" and len(tok.text) >= 5:
            continue  # phone, ID, bank numbers
        if tok.kind == "arabic" and tok.start > 0 and masked[tok.start - 1] in ".-":
            continue

        by = None
        if post.startswith("年") or (asked and tok.kind == "arabic" and len(tok.text) == 4):
            by = _birth_year(tok, pre, post, today, asked, r)
            if by is False:
                continue
        if by:
            age, strength = by
            if _plausible(age, asked):
                cand = AgeReading(age, None, strength, tok.start)
                if best is None or cand.strength > best.strength:
                    best = cand
            continue

        if r.unit_after.match(post):
            continue
        if value > 200:
            continue

        # what follows the number
        rest = post
        consumed = 0
        up = _UP5_RX.match(rest)
        if up and value % 10 == 0 and value >= 10:
            delta, approx = 5, True
        else:
            up = _UP_RX.match(rest)
            if up and value % 10 == 0 and value >= 10:
                delta, approx = 1, True
            else:
                up = None
        if up:
            consumed += up.end()
            rest = rest[up.end() :]
        strength = 0
        xusui = False
        m = _ZHOUSUI_RX.match(rest)
        if m:
            strength += 3
        else:
            m = _XUSUI_AFTER_RX.match(rest)
            if m:
                strength += 3
                xusui = True
            else:
                m = _SUI_RX.match(rest)
                if m:
                    strength += 3
        if m:
            consumed += m.end()
            rest = rest[m.end() :]
            m2 = _UP_AFTER_SUI_RX.match(rest)
            if m2 and value % 10 == 0 and not approx:
                delta, approx = 1, True
                consumed += m2.end()
                rest = rest[m2.end() :]
        m = _LE_RX.match(rest)
        stated = bool(m)  # 八十三了: a statement about now, even when a question follows
        if m:
            strength += 2
            consumed += m.end()
            rest = rest[m.end() :]
        m = _ABOUT_RX.match(rest)
        if m:
            approx = True
            if m.group(0) != "吧":
                consumed += m.end()
        if _NOT_NOW_RX.match(rest) or _EVENT_AGE_RX.match(rest):
            continue  # a threshold or a past moment, not the elder's age (六十岁上才开始交)
        if _COMPARE_BEFORE_RX.search(pre) or _EVENT_BEFORE_RX.search(pre):
            continue  # 比俺老汉小两岁: a difference of ages, not an age
        if not (asked or stated) and _GENERIC_QUESTION_RX.match(rest) and not r.subject_before.search(pre):
            continue  # 90岁能领多少: a question about 90-year-olds in general

        # what precedes the number
        marker_len = 0
        if r.not_before.search(pre) and strength < 3:
            continue
        if _NEG_BEFORE_RX.search(pre):
            negated_seen = True
            continue
        m = r.approx_down_before.search(pre)
        if m:
            delta, approx = -1, True
            marker_len = len(m.group(0))
            strength += 2
        else:
            m_same = r.approx_same_before.search(pre)
            m_up = r.approx_up_before.search(pre)
            if m_same and (not m_up or len(m_same.group(0)) >= len(m_up.group(0))):
                approx = True
                marker_len = len(m_same.group(0))
                strength += 2
            elif m_up:
                delta, approx = max(delta, 1), True
                marker_len = len(m_up.group(0))
                strength += 2
        m = r.xusui_before.search(pre)
        if m:
            xusui = True
            strength += 3
        if r.strong_before.search(pre):
            strength += 3
        elif r.weak_before.search(pre):
            strength += 1
        if r.subject_before.search(pre):
            strength += 2
        lead = _LEAD_RX.sub("", _strip_particles(pre))
        bare = _strip_particles(lead) == "" and _strip_particles(rest) == ""
        if bare and requested in (None, "age"):
            strength += 2
        if asked:
            strength += 1
        if strength < 2:
            continue
        age = value + delta
        if xusui:
            age -= 1  # 周岁 = 虚岁 - 1 (about: it is 2 before the birthday in the lunar year)
        if not _plausible(age, asked):
            continue
        phrase = None
        if approx:
            phrase = norm[tok.start - marker_len : tok.end + consumed].strip("，,")
        cand = AgeReading(age, phrase, strength, tok.start)
        if best is None or cand.strength > best.strength:
            best = cand
    return AgeResult(best, negated_seen)


def parse_age(text, today: datetime.date | None = None, requested: str | None = None) -> tuple[int | None, str | None]:
    """(age in 周岁 or None, the approximate phrase or None). Never raises.

    `requested="age"` when the message answers the age question (then 0-130 and a bare
    number count); otherwise only plausible elder ages 40-130 with some age context.
    """
    try:
        res = find_age(text, today, requested)
    except Exception:
        return None, None
    if res.reading is None:
        return None, None
    return res.reading.age, res.reading.approx_phrase
