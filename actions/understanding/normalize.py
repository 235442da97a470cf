"""Text normalisation and clause splitting shared by the extractors."""

from __future__ import annotations

import bisect
import re
import unicodedata

from .lexicon import get_lexicon

# Longer messages are cut: nobody states an elder's situation in more than this, and it
# keeps the cost bounded for pasted documents.
MAX_CHARS = 4000

# Clause boundaries: negation, questions and "the previous phrase" never cross these.
CLAUSE_PUNCT = "，,。.!！?？;；、\n：:~～…—()（）【】[]「」『』\"'“”‘’/|"
# 俺七十五他七十七: a number and then another person start a new clause (no punctuation typed).
_CLAUSE_RX = re.compile(
    "[" + re.escape(CLAUSE_PUNCT) + "]|但是|可是|不过|而是|(?<=[0-9一二三四五六七八九十][岁了])(?=[他她俺我咱])"
    "|(?<=[0-9二三四五六七八九十])(?=[他她俺我咱])"
)
_DIGIT_BLANK_RX = re.compile(r"(?<=\d)\s+(?=\d)")
_BLANK_RX = re.compile(r"\s+")
# 贰级: the numerals of forms and certificates read as the everyday ones (not 伍 陆 拾 佰,
# which are also parts of everyday words: 退伍, 大陆, 收拾).
_FINANCIAL_NUMERALS = str.maketrans("壹贰叁肆柒捌玖", "一二三四七八九")
# A blank between two Chinese words is a pause (typed or from speech recognition): a clause
# boundary, so that "没有 跟部队不沾边" reads as the answer 没有 and then its reason.
# Single characters spaced out (低 保, 我 妈 八 十) are one word typed slowly, not pauses.
# A word ending in a number (俺婆婆82岁 俺公公86岁, 老人82 住壶关) pauses the same way.
_HAN_BLANK_RX = re.compile(
    r"(?:(?<=[\u4e00-\u9fff0-9][\u4e00-\u9fff])|(?<=[\u4e00-\u9fff0-9][0-9]))\s+"
    r"(?=[\u4e00-\u9fff]{2})(?![岁年级周块元月楼层口个次号])"
)
# 有 每季度都发 / 是 零六年退的: a one-character answer word, then a pause, then its reason.
_LEAD_WORD_BLANK_RX = re.compile(r"^([\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff]{2})")


def to_text(text) -> str:
    """Any input as a string: None -> "", bytes decoded, other objects str()'d."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", "ignore")
    if not isinstance(text, str):
        try:
            return str(text)
        except Exception:
            return ""
    return text


def normalize(text) -> str:
    """NFKC (full-width digits -> ASCII), simplified characters, lower case, typos fixed,
    blanks removed (a blank between two numbers or two Chinese words becomes a comma)."""
    lex = get_lexicon()
    s = to_text(text)[:MAX_CHARS]
    s = unicodedata.normalize("NFKC", s)
    s = s.translate(lex.traditional).lower()
    s = s.translate(_FINANCIAL_NUMERALS)
    s = _DIGIT_BLANK_RX.sub(",", s)
    s = _LEAD_WORD_BLANK_RX.sub(r"\1，", s.strip())
    s = _HAN_BLANK_RX.sub("，", s)
    s = _BLANK_RX.sub("", s)
    if lex.typos:
        s = lex.typo_rx.sub(lambda m: lex.typos[m.group(0)], s)
    return s


class Clauses:
    """Clause spans of a normalised text; `of(pos)` gives the clause around `pos`."""

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        ends = []
        for m in _CLAUSE_RX.finditer(text):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(text))
        self.starts = starts
        self.ends = ends

    def index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def of(self, pos: int) -> tuple[int, int]:
        i = self.index(pos)
        return self.starts[i], max(self.starts[i], self.ends[i])

    def spans(self) -> list[tuple[int, int]]:
        return [(s, max(s, e)) for s, e in zip(self.starts, self.ends, strict=True)]


def speech_clauses(text: str) -> str:
    """俺今年六十六老两口种地过日子俺男人有糖尿病 -> …过日子，俺男人有糖尿病: a message with no pause
    marks at all gets a comma where a new subject begins (lexicon `speech_breaks`), so that whose
    fact it is is read per clause. Anything with a mark is left alone."""
    spec = get_lexicon().raw.get("speech_breaks") or {}
    if not spec or len(text) < int(spec.get("min_chars") or 12) or any(c in CLAUSE_PUNCT or c.isspace() for c in text):
        return text
    starts = re.compile(spec["subject"])
    not_after = re.compile(spec.get("not_after") or "(?!)")
    out, last = [], 0
    for m in starts.finditer(text):
        i = m.start()
        if i - last < 3 or not_after.match(text[i - 1]):
            continue
        out.append(text[last:i])
        last = i
    return "，".join([*out, text[last:]]) if out else text
