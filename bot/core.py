"""The one conversation core every channel talks to.

Channels (widget, WeChat, operator console, kiosk) are thin adapters: they send
the user's text (or a button payload) here and render the messages that come
back. The conversation itself lives in Rasa (REST channel on 5005) and the
action server; this module only speaks HTTP to it, so no channel keeps rules or
replies of its own.
"""
from __future__ import annotations

import asyncio
import json
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.replicas import ReplicaRing
from policy_kb.facts import FACT_NAMES

DEFAULT_RASA_URL = "http://127.0.0.1:5005"
# connection failures after which the request cannot have reached Rasa's dialogue (or Rasa died
# mid-turn, saving nothing): safe to send to the next replica
_FAILOVER_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)


class _EmptyReply(Exception):
    pass


class CoreUnavailable(RuntimeError):
    """Rasa did not answer, or answered nothing (action server down): channels show a gentle
    Chinese message with a retry. The user's message is not lost: sending it again continues
    the conversation where it was."""


@dataclass
class BotMessage:
    """One bot message as a channel needs it."""

    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)  # [{"title", "payload"}]
    custom: dict[str, Any] | None = None  # e.g. {"type": "result", ...}

    @classmethod
    def from_rasa(cls, raw: dict[str, Any]) -> "BotMessage":
        return cls(
            text=raw.get("text") or "",
            buttons=[{"title": b.get("title", ""), "payload": b.get("payload", "")} for b in raw.get("buttons") or []],
            custom=raw.get("custom"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons, "custom": self.custom}


def inform_payload(facts: dict[str, Any]) -> str:
    """A message that sets facts directly, as buttons do: /inform{"age": 82}."""
    return "/inform" + json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


class ConversationCore:
    """Speaks to Rasa with its token (`RASA_TOKEN`) on every call. With several replicas
    (`RASA_URLS`), each sender goes to one replica, the next one when it is down (bot.replicas)."""

    def __init__(self, rasa_url: str | None = None, timeout: float = 10.0, client: httpx.AsyncClient | None = None,
                 token: str | None = None, rasa_urls: list[str] | tuple[str, ...] | None = None):
        settings = _serving_settings()
        self.token = token if token is not None else settings.get("rasa_token")
        if rasa_urls:
            urls = list(rasa_urls)
        elif settings.get("rasa_urls") and rasa_url in (None, settings.get("rasa_url")):
            urls = list(settings["rasa_urls"])
        else:
            urls = [rasa_url or settings.get("rasa_url") or DEFAULT_RASA_URL]
        self.ring = ReplicaRing(urls)
        self.rasa_url = self.ring.urls[0]
        self._client = client or httpx.AsyncClient(timeout=timeout)
        # an empty reply (action server down) is re-sent after these pauses (seconds) within the
        # same call: supervisor restarts the action server in a few seconds
        self.empty_retries: tuple[float, ...] = (1.0, 1.5)
        # messages Rasa got but could not act on; re-sent before the sender's next message
        self._unanswered: OrderedDict[str, str] = OrderedDict()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    async def _probe(self, url: str) -> bool:
        try:
            return (await self._client.get(f"{url}/status", params=self._params(), timeout=1.0)).status_code == 200
        except httpx.HTTPError:
            return False

    async def _request(self, sender: str, method: str, path: str, **kwargs) -> httpx.Response:
        """One call to the sender's replica; on a refused or dropped connection, the next one."""
        error: Exception | None = None
        for url in await self.ring.candidates(sender, self._probe):
            try:
                return await self._client.request(method, f"{url}{path}", params=self._params(), **kwargs)
            except _FAILOVER_ERRORS as exc:
                self.ring.mark_down(url)
                error = exc
            except httpx.HTTPError as exc:  # e.g. a read timeout: Rasa may still be working on it
                raise CoreUnavailable(type(exc).__name__) from exc
        raise CoreUnavailable(type(error).__name__ if error else "no replica") from error

    async def send(self, sender: str, text: str, allow_empty: bool = False,
                   metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        """The bot's reply. ``metadata`` goes with the message (Rasa REST `metadata`, e.g. the
        channel's abilities: docs/contract-extensions.md). An empty reply (the action server is
        down: Rasa keeps the user's message but none of its facts) is retried briefly, then CoreUnavailable; the message is
        kept and sent again before the sender's next one, so its facts are not lost."""
        pending = self._unanswered.pop(sender, None)
        if pending is not None and pending != text:
            try:
                await self._send_once(sender, pending, allow_empty, metadata)
            except CoreUnavailable:
                self._remember(sender, pending)
                raise
        for pause in (*self.empty_retries, None):
            try:
                return await self._send_once(sender, text, allow_empty, metadata)
            except _EmptyReply:
                if pause is None:
                    self._remember(sender, text)
                    raise CoreUnavailable("empty reply") from None
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    def _remember(self, sender: str, text: str) -> None:
        self._unanswered[sender] = text
        while len(self._unanswered) > 10_000:
            self._unanswered.popitem(last=False)

    async def _send_once(self, sender: str, text: str, allow_empty: bool,
                         metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        resp = await self._request(sender, "POST", "/webhooks/rest/webhook", json=body)
        if resp.status_code == 400:  # refused by Rasa's own guard, with a kind reply
            try:
                return [BotMessage.from_rasa(m) for m in resp.json()]
            except (ValueError, TypeError, AttributeError):
                raise CoreUnavailable(f"HTTP {resp.status_code}")
        if resp.status_code >= 300:
            raise CoreUnavailable(f"HTTP {resp.status_code}")
        try:
            messages = [BotMessage.from_rasa(m) for m in resp.json() or []]
        except (ValueError, TypeError, AttributeError) as exc:
            raise CoreUnavailable("unreadable reply") from exc
        if not messages and not allow_empty:  # e.g. the action server is down: Rasa answers 200 with nothing
            raise _EmptyReply()
        return messages

    async def tracker(self, sender: str) -> dict[str, Any]:
        resp = await self._request(sender, "GET", f"/conversations/{sender}/tracker")
        if resp.status_code >= 300:
            raise CoreUnavailable(f"HTTP {resp.status_code}")
        return resp.json()

    async def profile(self, sender: str) -> dict[str, Any]:
        """The facts known so far (slots named as contract section 2), unknown ones omitted."""
        slots = (await self.tracker(sender)).get("slots", {})
        return {name: slots[name] for name in FACT_NAMES if slots.get(name) is not None}

    async def slots(self, sender: str) -> dict[str, Any]:
        return (await self.tracker(sender)).get("slots", {})

    async def set_facts(self, sender: str, facts: dict[str, Any],
                        metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        """Set or correct facts (operator edits, buttons) and get the bot's next turn."""
        return await self.send(sender, inform_payload(facts), metadata=metadata)

    async def restart(self, sender: str) -> list[BotMessage]:
        return await self.send(sender, "/restart", allow_empty=True)

    async def append_event(self, sender: str, event: dict[str, Any]) -> None:
        """Append one event to the conversation (e.g. {"event": "pause"} / {"event": "resume"})."""
        resp = await self._request(sender, "POST", f"/conversations/{sender}/tracker/events", json=event)
        if resp.status_code >= 300:
            raise CoreUnavailable(f"HTTP {resp.status_code}")

    async def pause(self, sender: str) -> None:
        """Rasa's conversation-paused event: the bot stays silent until `resume` (live hand-off)."""
        await self.append_event(sender, {"event": "pause"})

    async def resume(self, sender: str) -> None:
        await self.append_event(sender, {"event": "resume"})

    async def forget(self, sender: str) -> None:
        """Wipe the conversation's events (kiosk visit ended, 清除记录, 重新开始 confirmed):
        the tracker store deletes its rows (bot.tracker_store), unlike a restart event appended."""
        resp = await self._request(sender, "PUT", f"/conversations/{sender}/tracker/events", json=[])
        if resp.status_code >= 300:
            raise CoreUnavailable(f"HTTP {resp.status_code}")


def _serving_settings() -> dict[str, Any]:
    """RASA_URL, RASA_URLS and RASA_TOKEN from the environment or `.env` (bot.settings)."""
    try:
        from bot.settings import Settings

        s = Settings.from_env()
        return {"rasa_url": getattr(s, "rasa_url", None), "rasa_urls": getattr(s, "rasa_urls", ()),
                "rasa_token": getattr(s, "rasa_token", None)}
    except Exception:  # settings unreadable: the plain environment
        urls = tuple(u.strip() for u in os.environ.get("RASA_URLS", "").split(",") if u.strip())
        return {"rasa_url": os.environ.get("RASA_URL"), "rasa_urls": urls, "rasa_token": os.environ.get("RASA_TOKEN")}
