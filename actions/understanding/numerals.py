"""Chinese and Arabic numerals: 78, ７８, 七十八, 八十有五, 一百零二, 廿三, 一九四六."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "洞": 0,
    "一": 1,
    "壹": 1,
    "幺": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000}
# 廿 (20), 卅 (30), 卌 (40): rare, but still written by some elders.
TENS = {"廿": "二十", "卄": "二十", "卅": "三十", "卌": "四十"}

_CN_CHARS = "零〇○一二两三四五六七八九十百千万廿卄卅卌壹贰叁肆伍陆柒捌玖拾佰仟"
# A numeral token in running text. "有" joins 八十有五 (classical "eighty and five").
TOKEN_RX = re.compile(rf"\d+|[{_CN_CHARS}]+(?:有[一二三四五六七八九](?![{_CN_CHARS}]))?")
_YOU_RX = re.compile(r"(?<=[十百拾佰])有(?=[一二三四五六七八九])")


@dataclass(frozen=True)
class NumToken:
    start: int
    end: int
    text: str
    value: int | None
    kind: str  # "arabic" | "positional" (七十八) | "digits" (一九四六: read digit by digit)


def parse_chinese_number(s) -> int | None:
    """The integer a numeral string stands for, or None if it is not one number.

    Accepts Arabic (also full-width) digits, positional Chinese (七十八, 一百零二, 两千,
    八十有五, 九十整, 廿三, 一百二 = 120 as spoken) and digit-by-digit Chinese (一九四六).
    Ranges such as 七八十 are not one number: None.
    """
    try:
        if s is None:
            return None
        if isinstance(s, bool):
            return None
        if isinstance(s, int):
            return s
        s = unicodedata.normalize("NFKC", str(s)).strip().replace(" ", "")
        if s.endswith("整"):
            s = s[:-1]
        if not s or len(s) > 20:
            return None
        if s.isascii() and s.isdigit():
            return int(s)
        s = _YOU_RX.sub("", s)
        for k, v in TENS.items():
            s = s.replace(k, v)
        if any(ch not in DIGITS and ch not in UNITS for ch in s):
            return None
        if not any(ch in UNITS for ch in s):
            return int("".join(str(DIGITS[ch]) for ch in s))
        return _positional(s)
    except Exception:  # never raise on odd input
        return None


_PLAIN = str.maketrans({"两": "二", "幺": "一", "〇": "零", "○": "零", "洞": "零"})


def _positional(s: str) -> int | None:
    """Positional numerals through cn2an (the kept library for this); it refuses ranges such as
    七八十 and doubled units, which are not one number. A bare unit (百岁) is one of it."""
    import cn2an  # imported here: it loads its own tables, not needed for Arabic digits

    plain = s.translate(_PLAIN)
    if plain[0] in UNITS and plain[0] != "十":
        plain = "一" + plain
    try:
        return int(cn2an.cn2an(plain, "normal"))
    except (ValueError, KeyError, TypeError):
        return None


def _positional_own(s: str) -> int | None:
    """The former hand-written reading, kept only as the reference the tests compare cn2an with."""
    total = 0  # completed 万 sections
    section = 0
    num: int | None = None  # pending digit
    last_unit = 100000
    zero = False  # a 零 between units: 一百零二 (the 2 is units, not tens)
    for ch in s:
        if ch in DIGITS:
            d = DIGITS[ch]
            if d == 0:
                if num is not None:
                    return None
                zero = True
                continue
            if num is not None:
                return None  # two digits in a row: a range like 七八十
            num = d
        else:
            u = UNITS[ch]
            if u == 10000:
                section += num or 0
                if section == 0 and total == 0:
                    section = 1
                total = (total + section) * 10000
                section, num, last_unit, zero = 0, None, 10000, False
                continue
            if u >= last_unit:
                return None  # 十十, 百千: not a number
            if num is None:
                if zero:
                    return None
                num = 1  # 十五, 百岁
            section += num * u
            num, last_unit, zero = None, u, False
    if num is not None:
        if not zero and 100 <= last_unit < 10000:
            num *= last_unit // 10  # spoken 一百二 = 120, 两千五 = 2500
        section += num
    return total + section


def find_numbers(text: str) -> list[NumToken]:
    """Every numeral token of `text` (already NFKC-normalised), in order."""
    out: list[NumToken] = []
    for m in TOKEN_RX.finditer(text):
        t = m.group(0)
        if t[0].isdigit():
            kind = "arabic"
        elif any(ch in UNITS or ch in TENS for ch in t):
            kind = "positional"
        else:
            kind = "digits"
        out.append(NumToken(m.start(), m.end(), t, parse_chinese_number(t), kind))
    return out
