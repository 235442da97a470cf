"""Voice-friendly text: what the kiosk (and any TTS) should say aloud.

Numbers become Chinese words ("每月不低于70元" → "每月不低于七十元"), years and phone
numbers are read digit by digit, symbols become words or go, and emoji, brackets,
markdown marks and list bullets are removed. The meaning is never changed: this is
pure re-spelling of the bot's own words, no replies of its own.
"""
from __future__ import annotations

import re
import unicodedata

DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ["", "十", "百", "千"]
_BIG_UNITS = ["", "万", "亿"]
_FULLWIDTH = str.maketrans("０１２３４５６７８９％", "0123456789%")
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}  # ①..⑳

_END_PUNCT = "。！？；"
_KEEP_PUNCT = "，。！？；：、"


def _four(n: int) -> str:
    """0 < n < 10000 in words, with inner zeros as 零."""
    out, zero = [], False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def int_words(n: int) -> str:
    """Read an integer as a Chinese number: 70 → 七十, 105 → 一百零五, 15 → 十五."""
    if n < 0:
        return "负" + int_words(-n)
    if n == 0:
        return "零"
    if n >= 10**12:
        return digit_words(str(n))
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, need_zero = [], False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or g < 1000):
            out.append("零")
        out.append(_four(g) + _BIG_UNITS[i])
        need_zero = False
    words = "".join(out)
    return words[1:] if words.startswith("一十") else words  # 十五, not 一十五


def digit_words(s: str) -> str:
    """Digit by digit: 2024 → 二零二四."""
    return "".join(DIGITS[int(c)] for c in s if c.isdigit())


def _phone(m: re.Match) -> str:
    return "，".join(digit_words(part).replace("一", "幺") for part in re.split(r"[-\s]", m.group(0)) if part)


def _decimal(m: re.Match) -> str:
    whole, frac = m.group(1), m.group(2)
    return int_words(int(whole)) + "点" + digit_words(frac)


def _number(m: re.Match) -> str:
    s = m.group(0)
    if len(s) > 1 and s.startswith("0"):
        return digit_words(s)  # codes like 0355
    return int_words(int(s))


_RULES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"(?<=\d),(?=\d{3})"), ""),  # 1,000 → 1000
    (re.compile(r"〔(\d{4})〕"), lambda m: digit_words(m.group(1)) + "年"),  # 长政办发〔2024〕28号
    (re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-\d{7,8}|\d{3}-\d{3,4}-\d{4}|12345|12349|110|120)(?!\d)"), _phone),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年)"), lambda m: digit_words(m.group(1))),
    (re.compile(r"(?<=\d)\s*[-–—~～至]\s*(?=\d)"), "到"),
    (re.compile(r"(?<=\d)[．。](?=\d)"), "."),
    (re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)"),
     lambda m: int_words(int(m.group(1))) + "点" + ("整" if m.group(2) == "00" else int_words(int(m.group(2))) + "分")),
    (re.compile(r"[¥￥](\d+(?:\.\d+)?)"), lambda m: m.group(1) + "元"),
    (re.compile(r"(\d+(?:\.\d+)?)\s*%"), lambda m: "百分之" + m.group(1)),
    (re.compile(r"(?<!\d)2(?=[个位项次种])"), "两"),
    (re.compile(r"(\d+)\.(\d+)"), _decimal),
    (re.compile(r"\d+"), _number),
]

_SYMBOLS = {
    "≥": "不低于", "≤": "不超过", ">": "大于", "<": "小于", "=": "等于", "+": "加", "×": "乘",
    "&": "和", "→": "，", "=>": "，", "…": "。", "……": "。", "·": "", "•": "", "●": "", "○": "",
    "■": "", "□": "", "▪": "", "◆": "", "★": "", "☆": "", "√": "", "✓": "", "✔": "",
    "*": "", "#": "", "`": "", "_": "", "|": "，", "\\": "", "^": "", "@": "", "~": "",
}
_OPEN = "（([【〔「『《〈{<\"'“‘"
_CLOSE = "）)]】〕」』》〉}>\"'”’"
_PER = re.compile(r"/(?=(?:人|户|月|年|天|日|次|周|小时))")
_BULLET = re.compile(r"^\s*(?:[-*•·●○■▪◆>]+|\d{1,2}[.)、．）]|[（(]\d{1,2}[）)])(?!\d)\s*")


def _strip_emoji(text: str) -> str:
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\u200d\ufe0f\ufe0e" or cat in ("So", "Cs", "Co", "Sk") or 0x1F000 <= ord(ch) <= 0x1FAFF:
            continue
        out.append(ch)
    return "".join(out)


def _line(line: str) -> str:
    m = _BULLET.match(line)
    if m:
        num = re.search(r"\d+", m.group(0))
        line = (int_words(int(num.group(0))) + "，" if num else "") + line[m.end():]
    line = "".join(int_words(_CIRCLED[c]) + "，" if c in _CIRCLED else c for c in line)
    return line.strip()


def to_voice(text: str) -> str:
    """Re-spell a bot message so a speech synthesiser reads it naturally."""
    if not text:
        return ""
    text = _strip_emoji(text.translate(_FULLWIDTH))
    text = re.sub(r"\*\*|__|~~|!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # markdown links keep their words
    text = re.sub(r"https?://\S+", "", text)
    lines = [_line(line) for line in text.splitlines()]
    lines = [ln for ln in lines if ln]
    text = "".join(ln if ln[-1] in _KEEP_PUNCT or i == len(lines) - 1 else ln + "。" for i, ln in enumerate(lines))
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    text = _PER.sub("每", text).replace("/", "或")
    for sym in sorted(_SYMBOLS, key=len, reverse=True):
        text = text.replace(sym, _SYMBOLS[sym])
    text = "".join("，" if c in _OPEN or c in _CLOSE else c for c in text)
    text = text.replace(",", "，").replace(".", "。").replace("?", "？").replace("!", "！")
    text = text.replace(";", "；").replace(":", "：").replace("-", "").replace("–", "").replace("—", "，")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([，。！？；：、])\s*", r"\1", text)
    text = re.sub(r"[，、：]+(?=[。！？；])", "", text)  # "，。" → "。"
    text = re.sub(r"([。！？；])[，、：。]+", r"\1", text)
    text = re.sub(r"，{2,}", "，", text)
    return text.strip(" ，、：")
