"""The one conversation core every channel talks to.

Channels (widget, WeChat, operator console, kiosk) are thin adapters: they send
the user's text (or a button payload) here and render the messages that come
back. The conversation itself lives in Rasa (REST channel on 5005) and the
action server; this module only speaks HTTP to it, so no channel keeps rules or
replies of its own.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from policy_kb.facts import FACT_NAMES

DEFAULT_RASA_URL = "http://127.0.0.1:5005"


class CoreUnavailable(RuntimeError):
    """Rasa did not answer; channels show a gentle Chinese message instead."""


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
    def __init__(self, rasa_url: str | None = None, timeout: float = 10.0, client: httpx.AsyncClient | None = None):
        self.rasa_url = (rasa_url or os.environ.get("RASA_URL") or DEFAULT_RASA_URL).rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, sender: str, text: str) -> list[BotMessage]:
        try:
            resp = await self._client.post(
                f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            )
            resp.raise_for_status()
        except httpx.HTTPError as exc:  # network or 5xx: channels answer kindly
            raise CoreUnavailable(str(exc)) from exc
        return [BotMessage.from_rasa(m) for m in resp.json() or []]

    async def tracker(self, sender: str) -> dict[str, Any]:
        try:
            resp = await self._client.get(f"{self.rasa_url}/conversations/{sender}/tracker")
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise CoreUnavailable(str(exc)) from exc
        return resp.json()

    async def profile(self, sender: str) -> dict[str, Any]:
        """The facts known so far (slots named as contract section 2), unknown ones omitted."""
        slots = (await self.tracker(sender)).get("slots", {})
        return {name: slots[name] for name in FACT_NAMES if slots.get(name) is not None}

    async def slots(self, sender: str) -> dict[str, Any]:
        return (await self.tracker(sender)).get("slots", {})

    async def set_facts(self, sender: str, facts: dict[str, Any]) -> list[BotMessage]:
        """Set or correct facts (operator edits, buttons) and get the bot's next turn."""
        return await self.send(sender, inform_payload(facts))

    async def restart(self, sender: str) -> list[BotMessage]:
        return await self.send(sender, "/restart")

    async def forget(self, sender: str) -> None:
        """Wipe the conversation's events (kiosk visit ended, 清除记录, 重新开始 confirmed):
        nothing the user said stays on the server, unlike a restart event appended."""
        try:
            resp = await self._client.put(f"{self.rasa_url}/conversations/{sender}/tracker/events", json=[])
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise CoreUnavailable(str(exc)) from exc
