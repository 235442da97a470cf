"""The structured result (contract-extensions: the `custom` payload of type "result") on WeChat.

A WeChat text is read on a phone in a chat bubble: the result goes out short (≤ 600 characters:
the headline, one line per service that pays money, how many others, a link to the printable
take-home page `<PUBLIC_BASE_URL>/result#<share>`, "回复1看详细"); the details (one section per
office, pages of ≤ 600 characters, “继续” for the next) follow on request. Every name and label
comes from the payload; the long fallback text the dialogue sends with the result is not sent.
"""
from __future__ import annotations

import time
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from bot.core import BotMessage
from bot.wechat import catalogue as C

MAX_CHARS = 600  # one WeChat text of the result, and each page of its details
MAX_BYTES = 1700  # and never over what one WeChat text carries (about 2048 bytes; see split_text)
DETAILS_PAYLOAD = "\x00wechat:details"  # what option 1 stands for after a result; never sent to Rasa


def is_structured(custom: Mapping[str, Any] | None) -> bool:
    """A result payload built by result_view.py (older ones carry only eligible/possible/summary)."""
    return bool(custom) and custom.get("type") == "result" and "headline" in custom and "groups" in custom


def find_result(messages: list[BotMessage]) -> int | None:
    for i, m in enumerate(messages):
        if is_structured(m.custom):
            return i
    return None


def without_fallback(messages: list[BotMessage], at: int) -> list[BotMessage]:
    """The turn's other messages: neither the result payload nor the long text sent just before it
    for clients that show only text (flow.tell_result sends that text, then the payload)."""
    drop = {at}
    before = messages[at - 1] if at > 0 else None
    if before is not None and before.text.strip() and not before.buttons and not before.custom:
        drop.add(at - 1)
    rest = [m for i, m in enumerate(messages) if i not in drop]
    if (messages[at].text or "").strip() or messages[at].buttons:  # a payload message with its own text
        rest.insert(min(at, len(rest)), BotMessage(text=messages[at].text, buttons=messages[at].buttons))
    return rest


def public_link(base_url: str | None, share: str) -> str | None:
    """`<PUBLIC_BASE_URL>/result#<share>`, or None when no usable public address is configured."""
    base = (base_url or "").strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    if len(base) > 200 or any(c.isspace() for c in base):
        return None
    return f"{base}/result#{share}" if share else f"{base}/result"


def _labels(result: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (result.get("labels") or {}).items()}


def _cards(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for g in result.get("groups") or [] for c in g.get("services") or []]


def _first_amount(card: Mapping[str, Any]) -> str:
    amounts = [a for a in card.get("amounts") or [] if a]
    return amounts[0] if amounts else str(card.get("amount") or "")


def _fits(text: str, max_chars: int, max_bytes: int) -> bool:
    return len(text) <= max_chars and len(text.encode("utf-8")) <= max_bytes


def short_text(result: Mapping[str, Any], base_url: str | None, max_chars: int = MAX_CHARS,
               max_bytes: int = MAX_BYTES) -> str:
    """The result in one short text: headline, money lines, link, counts of the rest + 回复1看详细."""
    labels = _labels(result)
    counts = result.get("counts") or {}
    money = [c for c in _cards(result) if c.get("money")]
    lines_money = [C.MONEY_LINE.format(name=c.get("name", ""), amount=_first_amount(c)).rstrip("，")
                   for c in money]
    rest = [C.COUNT.format(label=labels.get(key, ""), n=counts.get(key, 0))
            for key in ("other", "possible") if counts.get(key)]
    link = public_link(base_url, str(result.get("share") or ""))
    link_line = (C.LINK.format(label=labels.get("print", ""), url=link) if link
                 else C.LINK_MISSING.format(label=labels.get("print", "")))
    ask = C.ASK_DETAILS.format(label=labels.get("details", ""))
    tail = [link_line, C.REST_AND_ASK.format(counts=C.COUNTS_JOIN.join(rest), ask=ask) if rest else ask]
    head = [str(result.get("headline") or "")]

    def compose(shown: int) -> str:
        body = list(head)
        if money:
            body.append(C.MONEY_HEAD.format(label=labels.get("money", "")))
            body += lines_money[:shown]
            if shown < len(money):
                body.append(C.MONEY_MORE.format(n=len(money) - shown))
        return "\n".join(body + tail)

    shown = len(money)
    text = compose(shown)
    while shown > 0 and not _fits(text, max_chars, max_bytes):
        shown -= 1
        text = compose(shown)
    if not _fits(text, max_chars, max_bytes):  # only with an absurd headline: keep the link and the offer
        keep = "\n".join(tail)
        room = max(0, max_chars - len(keep) - 2)
        text = head[0][:room] + "…\n" + keep
    return text


def detail_sections(result: Mapping[str, Any]) -> list[list[str]]:
    """One section (a list of lines) per office, then what is still to be confirmed."""
    labels = _labels(result)
    sections: list[list[str]] = [[C.DETAILS_TITLE.format(headline=result.get("headline", ""))]]
    for group in result.get("groups") or []:
        lines = [C.OFFICE_HEAD.format(office=group.get("office") or group.get("department") or "")]
        for card in group.get("services") or []:
            amounts = C.AMOUNTS_JOIN.join(a for a in card.get("amounts") or [] if a) or str(card.get("amount") or "")
            lines.append(C.SERVICE_LINE.format(name=card.get("name", ""), amounts=amounts) if amounts
                         else C.SERVICE_ONLY.format(name=card.get("name", "")))
        sections.append(lines)
    possible = result.get("possible_services") or []
    if possible:
        lines = [C.OFFICE_HEAD.format(office=labels.get("possible", ""))]
        for card in possible:
            missing = C.LIST_JOIN.join(card.get("missing") or [])
            lines.append(C.POSSIBLE_LINE.format(name=card.get("name", ""), missing_label=labels.get("missing", ""),
                                                missing=missing) if missing
                         else C.SERVICE_ONLY.format(name=card.get("name", "")))
        sections.append(lines)
    undecided = result.get("undecided") or []
    closing = []
    if undecided:
        closing.append(C.UNDECIDED.format(label=labels.get("undecided", ""), items=C.LIST_JOIN.join(undecided)))
    if labels.get("disclaimer"):
        closing.append(labels["disclaimer"])
    if closing:
        sections.append(closing)
    return sections


def _cut(line: str, max_chars: int, max_bytes: int) -> list[str]:
    pieces = []
    while not _fits(line, max_chars, max_bytes):
        n = min(max_chars, max_bytes // 3)
        pieces.append(line[:n])
        line = line[n:]
    return pieces + [line]


def pages(sections: list[list[str]], max_chars: int, max_bytes: int = MAX_BYTES) -> list[str]:
    """Pages of whole sections where they fit, of whole lines where a section is too long."""
    out: list[str] = []
    current = ""
    for section in sections:
        block = "\n".join(section)
        candidate = f"{current}\n\n{block}" if current else block
        if _fits(candidate, max_chars, max_bytes):
            current = candidate
            continue
        if current:
            out.append(current)
            current = ""
        if _fits(block, max_chars, max_bytes):
            current = block
            continue
        for line in section:
            for piece in _cut(line, max_chars, max_bytes):
                candidate = f"{current}\n{piece}" if current else piece
                if _fits(candidate, max_chars, max_bytes):
                    current = candidate
                else:
                    out.append(current)
                    current = piece
    if current:
        out.append(current)
    return out


def is_details_request(text: str) -> bool:
    s = unicodedata.normalize("NFKC", text or "").strip().strip("。.!！?？ ")
    return s in C.DETAILS_WORDS


class LastResults:
    """The detail pages of each openid's last result (in memory, bounded, expiring)."""

    def __init__(self, max_users: int = 20000, ttl: float = 24 * 3600):
        self._data: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()
        self.max_users, self.ttl = max_users, ttl

    def remember(self, sender: str, detail_pages: list[str]) -> None:
        self._data.pop(sender, None)
        self._data[sender] = (time.monotonic(), detail_pages)
        while len(self._data) > self.max_users:
            self._data.popitem(last=False)

    def get(self, sender: str) -> list[str] | None:
        entry = self._data.get(sender)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            self._data.pop(sender, None)
            return None
        return list(entry[1])

    def forget(self, sender: str) -> None:
        self._data.pop(sender, None)
