"""Drive the dialogue core turn by turn, as Rasa would, without a model: each user message comes
with the intent the NLU would give it (button payloads parse exactly as Rasa parses them)."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from actions.dialogue.turn import Incoming, handle

TODAY = dt.date(2026, 11, 28)
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$")


class Chat:
    def __init__(self) -> None:
        self.slots: dict[str, Any] = {}
        self.replies: list[dict[str, Any]] = []

    def say(self, text: str, intent: str = "inform", entities: list[dict] | None = None) -> list[dict[str, Any]]:
        m = PAYLOAD.match(text)
        if m:
            intent = m.group(1)
            entities = [{"entity": k, "value": v} for k, v in json.loads(m.group(2) or "{}").items()]
        out = handle(self.slots, Incoming(text=text, intent=intent, entities=entities or []), today=TODAY)
        self.slots.update(out.slots)
        self.replies = out.messages
        return out.messages

    def tap(self, title_part: str) -> list[dict[str, Any]]:
        """Tap the quick-reply button whose title contains `title_part`."""
        for m in self.replies:
            for b in m.get("buttons") or []:
                if title_part in b["title"]:
                    return self.say(b["payload"])
        raise AssertionError(f"no button with {title_part!r} in {self.buttons()}")

    def buttons(self) -> list[str]:
        return [b["title"] for m in self.replies for b in m.get("buttons") or []]

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.replies if m.get("text"))

    @property
    def asked(self) -> str | None:
        return self.slots.get("requested_slot")

    def result(self) -> dict[str, Any] | None:
        for m in self.replies:
            if (m.get("custom") or {}).get("type") == "result":
                return m["custom"]
        return None


@pytest.fixture
def chat() -> Chat:
    return Chat()
