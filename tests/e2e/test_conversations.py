"""Conversation stories through the real REST channel, on the trained model and action server."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

STORIES = yaml.safe_load((Path(__file__).with_name("conversations.yml")).read_text(encoding="utf-8"))
pytestmark = pytest.mark.model


class RestUser:
    def __init__(self, stack):
        self.stack = stack
        self.sender = f"e2e-{uuid.uuid4().hex[:8]}"
        self.messages: list[dict[str, Any]] = []

    def say(self, text: str) -> list[dict[str, Any]]:
        r = httpx.post(f"{self.stack.rasa_url}/webhooks/rest/webhook", json={"sender": self.sender, "message": text}, timeout=30)
        r.raise_for_status()
        self.messages = r.json()
        return self.messages

    def slots(self) -> dict[str, Any]:
        return httpx.get(f"{self.stack.rasa_url}/conversations/{self.sender}/tracker", timeout=30).json()["slots"]

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    def tap(self, title_part: str) -> None:
        buttons = self.buttons()
        for b in sorted(buttons, key=lambda b: b["title"] != title_part):  # an exact title first: 是 before 不是
            if title_part in b["title"]:
                self.say(b["payload"])
                return
        raise AssertionError(f"no button {title_part!r} in {[b['title'] for b in self.buttons()]}")

    def result(self):
        return next((m["custom"] for m in self.messages if (m.get("custom") or {}).get("type") == "result"), None)


def finish(user: RestUser, answers: dict[str, str]) -> dict[str, Any]:
    """Answer the remaining questions: the given button per fact, else 都没有 / 不是 / 不清楚."""
    transcript = []
    for _ in range(14):
        if user.result():
            return user.result()
        asked = user.slots().get("requested_slot")
        transcript.append((asked, user.text[:60]))
        titles = [b["title"] for b in user.buttons()]
        given = answers.get(asked)
        if given and not any(given in t for t in titles):
            given = None  # a multi-select asks again without the buttons already tapped
        choice = given or next((t for t in ("都没有", "不是", "不清楚") if any(t in x for x in titles)), None)
        assert choice, f"no way to answer {asked}: {user.text}"
        user.tap(choice)
    raise AssertionError(f"no result: {transcript}")


@pytest.mark.parametrize("story", STORIES, ids=[s["name"] for s in STORIES])
def test_story(live_stack, story):
    user = RestUser(live_stack)
    for turn in story["turns"]:
        if turn.get("finish"):
            result = finish(user, turn.get("answers") or {})
            slots = user.slots()
            assert slots["eligible_services"] == result["eligible"]
            for sid in turn.get("eligible_includes", []):
                assert sid in slots["eligible_services"], (sid, slots["eligible_services"])
            for sid in turn.get("eligible_excludes", []):
                assert sid not in slots["eligible_services"]
        else:
            user.say(turn["user"]) if not turn["user"].startswith("tap:") else user.tap(turn["user"][4:].strip())
            slots = user.slots()
            for k, v in (turn.get("slots") or {}).items():
                assert slots.get(k) == v, f"{k}: {slots.get(k)!r} != {v!r} after {turn['user']!r}; bot said {user.text!r}"
            if "asks" in turn:
                assert slots.get("requested_slot") == turn["asks"], user.text
            if "not_asks" in turn:
                assert slots.get("requested_slot") != turn["not_asks"], user.text
        for s in turn.get("says") or []:
            assert str(s) in user.text, f"{s!r} not in {user.text!r}"


def test_no_stack_trace_on_odd_input(live_stack):
    user = RestUser(live_stack)
    for text in ["", "   ", "😀😀😀", "a" * 3000, "/inform{bad json", "<script>alert(1)</script>", "/inform{\"age\": 999}"]:
        msgs = user.say(text)
        joined = " ".join(m.get("text") or "" for m in msgs)
        assert "Traceback" not in joined and "Error" not in joined
