"""WeChat has no buttons: they become numbered options, and a reply of just the number picks one."""
from __future__ import annotations

import re
import time
import unicodedata
from collections import OrderedDict

from bot.core import BotMessage

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
           "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_TENS = ("十", "拾")
_WRAP = re.compile(r"^(?:第|选|选择)?(.+?)(?:个|项|号|条)?$")
_PUNCT = " \t\r\n.。、,，:：;；!！?？)）(（【】[]\"'“”‘’"


def parse_choice(text: str) -> int | None:
    """1, １, ①, 一, 第二个, 选3 … → the number; anything else → None."""
    s = unicodedata.normalize("NFKC", text or "").strip(_PUNCT)
    m = _WRAP.match(s)
    if not m:
        return None
    s = m.group(1).strip(_PUNCT)
    if s.isdigit() and len(s) <= 2:
        return int(s)
    if not s or len(s) > 3 or any(c not in _DIGITS and c not in _TENS for c in s):
        return None
    if s[0] in _TENS:  # 十, 十二 → 一十, 一十二
        s = "一" + s
    if len(s) == 1:
        return _DIGITS.get(s)
    if s[0] not in _DIGITS or s[1] not in _TENS:
        return None
    tens = _DIGITS[s[0]] * 10  # 二十, 二十三
    if len(s) == 2:
        return tens
    return tens + _DIGITS[s[2]] if s[2] in _DIGITS else None


def options_text(buttons: list[dict[str, str]]) -> str:
    lines = [f"{i} {b.get('title', '')}" for i, b in enumerate(buttons, start=1)]
    return "请回复数字：\n" + "\n".join(lines)


def render(messages: list[BotMessage]) -> tuple[str, list[dict[str, str]]]:
    """The bot's turn as one WeChat text, plus the buttons its numbers stand for.

    A result's printable summary is for the widget's card; WeChat shows it only when the turn
    has no text of its own (the result text already lists the services).
    """
    parts: list[str] = []
    buttons: list[dict[str, str]] = []
    summaries: list[str] = []
    for m in messages:
        if m.text and m.text.strip():
            parts.append(m.text.strip())
        custom = m.custom or {}
        if custom.get("type") == "result" and str(custom.get("summary") or "").strip():
            summaries.append(str(custom["summary"]).strip())
        if m.buttons:
            buttons = [b for b in m.buttons if b.get("payload")]
    if not parts:
        parts.extend(summaries)
    if buttons:
        parts.append(options_text(buttons))
    return "\n\n".join(parts).replace("]]>", "]] >"), buttons  # the reply goes into a CDATA section


def split_text(text: str, limit: int = 1700) -> list[str]:
    """Cut a long answer into pieces WeChat accepts (its limit is about 2048 bytes)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line.encode("utf-8")) > limit:
            cut = limit // 3
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        pieces.append(current)
    return pieces or [""]


class LastButtons:
    """The last buttons shown to each openid (in memory, bounded, expiring)."""

    def __init__(self, max_users: int = 20000, ttl: float = 24 * 3600):
        self._data: OrderedDict[str, tuple[float, list[dict[str, str]]]] = OrderedDict()
        self.max_users, self.ttl = max_users, ttl

    def remember(self, sender: str, buttons: list[dict[str, str]]) -> None:
        self._data.pop(sender, None)
        if buttons:
            self._data[sender] = (time.monotonic(), buttons)
            while len(self._data) > self.max_users:
                self._data.popitem(last=False)

    def resolve(self, sender: str, text: str) -> str:
        """The payload of the chosen button when the text is its number or its exact title, else the text."""
        entry = self._data.get(sender)
        if not entry or time.monotonic() - entry[0] > self.ttl:
            return text
        buttons = entry[1]
        number = parse_choice(text)
        if number is not None and 1 <= number <= len(buttons):
            return buttons[number - 1]["payload"]
        for b in buttons:
            if text.strip() == b.get("title", "").strip():
                return b["payload"]
        return text


MORE_WORDS = ("继续", "更多", "下一页", "后面", "还有呢")
MORE_HINT = "\n\n（内容较长，回复“继续”看后面的部分）"


class Paged(str):
    """A piece of a long answer, already carrying its “继续” hint."""


class MorePages:
    """Long answers without the customer-service API: one piece per reply, “继续” for the next."""

    def __init__(self, max_users: int = 20000):
        self._data: OrderedDict[str, list[str]] = OrderedDict()
        self.max_users = max_users

    def first(self, sender: str, pieces: list[str]) -> Paged:
        self._data.pop(sender, None)
        if len(pieces) > 1:
            self._data[sender] = pieces[1:]
            while len(self._data) > self.max_users:
                self._data.popitem(last=False)
            return Paged(pieces[0] + MORE_HINT)
        return Paged(pieces[0])

    def forget(self, sender: str) -> None:
        self._data.pop(sender, None)

    def next(self, sender: str, text: str) -> Paged | None:
        """The next piece when the user asks for more and there is more, else None."""
        if text.strip().strip("。.!！") not in MORE_WORDS or not self._data.get(sender):
            return None
        pieces = self._data.pop(sender)
        return self.first(sender, pieces)
