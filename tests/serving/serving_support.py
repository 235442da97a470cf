"""Helpers for the serving tests: talk to Rasa directly (with its token) or through the gateway."""
from __future__ import annotations

import re
import secrets
import sqlite3
import time
from pathlib import Path

import httpx

CJK = re.compile(r"[\u4e00-\u9fff]")
SENDERS: set[str] = set()  # every sender id the serving tests used (the log test looks for them)
TEXTS: set[str] = set()  # every user text they sent


def new_sender(prefix: str = "srv") -> str:
    sender = f"{prefix}-{secrets.token_hex(6)}"
    SENDERS.add(sender)
    return sender


class RasaChat:
    """One conversation on Rasa's REST channel, with the token."""

    def __init__(self, url: str, token: str, sender: str | None = None):
        self.url, self.token = url, token
        self.sender = sender or new_sender()

    def say(self, text: str, timeout: float = 60) -> list[dict]:
        TEXTS.add(text)
        r = httpx.post(f"{self.url}/webhooks/rest/webhook", params={"token": self.token},
                       json={"sender": self.sender, "message": text}, timeout=timeout)
        r.raise_for_status()
        return r.json()

    def tracker(self) -> dict:
        r = httpx.get(f"{self.url}/conversations/{self.sender}/tracker", params={"token": self.token}, timeout=30)
        r.raise_for_status()
        return r.json()

    def slots(self) -> dict:
        return self.tracker()["slots"]


class GatewayChat:
    """One website conversation through the gateway (a server-issued id when the gateway has them)."""

    def __init__(self, gateway_url: str):
        self.url = gateway_url
        r = httpx.post(f"{gateway_url}/api/chat/session", json={}, timeout=30)
        self.sender = r.json()["sender"] if r.status_code == 200 else new_sender("web")
        SENDERS.add(self.sender)

    def say(self, text: str, timeout: float = 60) -> httpx.Response:
        TEXTS.add(text)
        return httpx.post(f"{self.url}/api/chat", json={"sender": self.sender, "message": text}, timeout=timeout)


def event_rows(db: Path, sender: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]


def wait_for(predicate, timeout: float, step: float = 0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (httpx.HTTPError, OSError, ValueError):
            pass
        time.sleep(step)
    raise AssertionError(f"not true within {timeout}s")


def script(i: int) -> list[str]:
    """Conversation i's messages: its own age (60 + i % 50) marks it, so crossed ones show."""
    return ["你好", f"我妈{60 + i % 50}岁", "吃低保", "不能自理", "独居", "没有残疾证"]


async def run_conversation(core, sender: str, texts: list[str], latencies: list[float] | None = None,
                           on_turn=None) -> list[str]:
    """Send the texts one after another; returns the texts that got a reply."""
    answered = []
    for text in texts:
        start = time.perf_counter()
        messages = await core.send(sender, text)
        if latencies is not None:
            latencies.append((time.perf_counter() - start) * 1000)
        if messages:
            answered.append(text)
        if on_turn:
            on_turn()
    return answered


def user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]
