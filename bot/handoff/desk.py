"""The hand-off desk: the queue of conversations waiting for an operator, and the core wrapper
that lets the bot step aside while an operator talks.

`HandoffCore` wraps the one ConversationCore every channel uses (app.state.core), so the
website and WeChat need no changes of their own:
- the dialogue marks its 找人工 answer with a `{"type": "handoff_request"}` custom message;
  here, on the website or WeChat, while hand-off is open and the queue has room, that answer
  becomes a place in the queue (`{"type": "handoff", "state": "queued"}` for the page); outside
  the hours the user is told when people are there, and the departments stay; otherwise the
  marker is simply dropped (the kiosk and the operator's own calls never queue);
- while an operator has taken the conversation (Rasa paused), what the user sends is kept for
  the operator and answered "已转给人工客服，请稍等" instead of going to Rasa;
- forgetting a conversation (清除记录, 重新开始) forgets its hand-off too.
No message text is logged.
"""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from bot.core import BotMessage, ConversationCore, inform_payload
from bot.guard import MAX_TEXT
from bot.handoff.hours import Hours
from bot.handoff.messages import msg
from bot.handoff.store import Case, Store

log = logging.getLogger(__name__)

CHANNELS = ("web", "wx")  # never the kiosk (a public terminal) nor the operator's own calls
WECHAT_WINDOW = 48 * 3600.0  # WeChat's customer-service messages: within 48 h of the user's last one
MAX_MESSAGES = 300  # per hand-off
REQUEST = "handoff_request"


def channel_of(sender: str) -> str:
    return sender.split(":", 1)[0]


class DeskError(Exception):
    def __init__(self, status: int, code: str, key: str):
        super().__init__(code)
        self.status, self.code, self.message_zh = status, code, msg(key)


class HandoffDesk:
    def __init__(self, store: Store, hours: Hours, max_queue: int = 30, retention_days: float = 30.0,
                 enabled: bool = True, wechat_sender: Callable[[], Any] | None = None):
        self.store, self.hours = store, hours
        self.max_queue, self.retention_days = max_queue, retention_days
        self.enabled = enabled and hours.configured
        self._wechat = wechat_sender or (lambda: None)  # -> an object with `async send_text(openid, text)`, or None
        self.cases: dict[str, Case] = {c.sender: c for c in store.open_cases()}  # open cases, in memory
        self.store.prune(retention_days)
        self._pruned = time.monotonic()

    # -- state ----------------------------------------------------------------------------------
    def open_now(self) -> bool:
        return self.enabled and self.hours.open_at()

    def case_of(self, sender: str) -> Case | None:
        return self.cases.get(sender)

    def by_id(self, case_id: str) -> Case:
        case = next((c for c in self.cases.values() if c.case_id == case_id), None)
        if case is None:
            found = self.store.case_by_id(case_id) if isinstance(case_id, str) and len(case_id) <= 32 else None
            if found is None:
                raise DeskError(404, "no_such_handoff", "no_case")
            case = found
        return case

    def queue(self) -> list[Case]:
        if time.monotonic() - self._pruned > 60:  # the console asks every few seconds: tidy once a minute
            self._pruned = time.monotonic()
            self.store.prune(self.retention_days)
        return sorted(self.cases.values(), key=lambda c: c.created)

    def wechat_client(self):
        return self._wechat()

    def _save(self, case: Case) -> None:
        case.updated = time.time()
        self.store.put_case(case)
        if case.open:
            self.cases[case.sender] = case
        else:
            self.cases.pop(case.sender, None)

    # -- the user's side ------------------------------------------------------------------------
    def reachable(self, sender: str) -> bool:
        channel = channel_of(sender)
        if channel not in CHANNELS:
            return False
        return channel != "wx" or self.wechat_client() is not None

    def enqueue(self, sender: str) -> Case:
        now = time.time()
        self.store.prune(self.retention_days, now)
        case = Case(case_id=secrets.token_hex(12), sender=sender, channel=channel_of(sender), state="queued",
                    created=now, last_user=now, updated=now)
        self._save(case)
        log.info("hand-off queued (%s), %d open", case.channel, len(self.cases))
        return case

    def user_said(self, case: Case, text: str) -> None:
        case.last_user = time.time()
        if self.store.count_messages(case.case_id) < MAX_MESSAGES:
            self.store.add_message(case.case_id, "user", text[:MAX_TEXT])
        self._save(case)

    def touched(self, sender: str) -> None:
        """The user wrote (WeChat's 48-hour window counts from here)."""
        case = self.cases.get(sender)
        if case is not None:
            case.last_user = time.time()
            self._save(case)

    def drop(self, sender: str) -> None:
        self.cases.pop(sender, None)
        self.store.drop_sender(sender)

    def events_for(self, sender: str, after: int) -> dict[str, Any]:
        """What the user's page shows: operator messages and notices after id `after`."""
        case = self.cases.get(sender) or self.store.case_of(sender)
        if case is None:
            return {"state": "none", "events": []}
        events = [{"id": m["id"], "who": m["who"], "text": m["text"], "state": m["state"]}
                  for m in self.store.messages_after(case.case_id, after, who=("operator", "notice"))]
        return {"state": case.state, "events": events}

    def after_reply(self, sender: str, messages: list[BotMessage]) -> list[BotMessage]:
        """The bot's reply with its 找人工 marker turned into a place in the queue, or dropped."""
        at = next((i for i, m in enumerate(messages)
                   if isinstance(m.custom, dict) and m.custom.get("type") == REQUEST), None)
        if at is None:
            return messages
        out = list(messages)
        del out[at]
        if not self.enabled or not self.reachable(sender):
            return out  # the departments, as before
        answer = at - 1 if at > 0 and out[at - 1].text else None  # the departments' message
        marker = BotMessage(custom={"type": "handoff", "state": "queued"})
        if sender in self.cases:
            return self._replace(out, answer, msg("already_queued"), marker)
        if not self.hours.open_at():
            if answer is not None:
                out[answer] = BotMessage(text=msg("closed", when=self.hours.describe()) + out[answer].text,
                                         buttons=out[answer].buttons)
            return out
        if len(self.cases) >= self.max_queue:
            if answer is not None:
                out[answer] = BotMessage(text=msg("busy") + out[answer].text, buttons=out[answer].buttons)
            log.warning("hand-off queue full (%d)", len(self.cases))
            return out
        self.enqueue(sender)
        return self._replace(out, answer, msg("queued"), marker)

    @staticmethod
    def _replace(out: list[BotMessage], answer: int | None, text: str, marker: BotMessage) -> list[BotMessage]:
        said = BotMessage(text=text)
        if answer is None:
            return [said, marker, *out]
        return [*out[:answer], said, marker, *out[answer + 1:]]

    # -- the operator's side ------------------------------------------------------------------
    async def _notify(self, case: Case, state: str | None, text: str, who: str = "notice") -> dict[str, Any]:
        """Keep a message for the user's page; on WeChat, send it through the customer-service API."""
        if self.store.count_messages(case.case_id) >= MAX_MESSAGES:
            raise DeskError(409, "handoff_too_long", "too_long")
        if case.channel == "wx":
            client = self.wechat_client()
            if client is None:
                raise DeskError(503, "wechat_unavailable", "wechat_failed")
            if time.time() - case.last_user > WECHAT_WINDOW:
                raise DeskError(409, "wechat_window_closed", "wechat_window")
            try:
                await client.send_text(case.sender[len("wx:"):], text)
            except Exception as exc:  # noqa: BLE001 — the kind, never the content
                log.warning("hand-off wechat message failed: %s", type(exc).__name__)
                raise DeskError(502, "wechat_failed", "wechat_failed") from None
        mid = self.store.add_message(case.case_id, who, text, state)
        self._save(case)
        return {"id": mid, "who": who, "text": text, "state": state}

    async def take(self, core: ConversationCore, case_id: str) -> Case:
        case = self.by_id(case_id)
        if not case.open:
            raise DeskError(409, "handoff_finished", "finished")
        if case.state == "taken":
            raise DeskError(409, "handoff_taken", "already_taken")
        await core.pause(case.sender)  # CoreUnavailable: stays queued
        case.state, case.taken = "taken", time.time()
        self._save(case)
        try:
            await self._notify(case, "taken", msg("taken"))
        except DeskError:
            pass  # the operator sees it when sending (e.g. WeChat's window); the case stays taken
        log.info("hand-off taken (%s)", case.channel)
        return case

    async def send(self, case_id: str, text: str) -> dict[str, Any]:
        case = self.by_id(case_id)
        if not case.open:
            raise DeskError(409, "handoff_finished", "finished")
        if case.state != "taken":
            raise DeskError(409, "handoff_not_taken", "not_taken")
        return await self._notify(case, None, text, who="operator")

    async def finish(self, core: ConversationCore, case_id: str, closed: bool) -> Case:
        """Hand back to the bot (`returned`) or end (`closed`); either way the bot speaks again."""
        case = self.by_id(case_id)
        if not case.open:
            raise DeskError(409, "handoff_finished", "finished")
        if case.state == "taken":
            await core.resume(case.sender)
        state = "closed" if closed else "returned"
        try:
            await self._notify(case, state, msg("ended" if closed else "returned"))
        except DeskError:
            pass
        case.state, case.finished = state, time.time()
        self._save(case)
        log.info("hand-off %s (%s)", state, case.channel)
        return case


class HandoffCore:
    """The conversation core with the hand-off in between (same methods as ConversationCore)."""

    def __init__(self, inner: ConversationCore, desk: HandoffDesk):
        object.__setattr__(self, "inner", inner)
        object.__setattr__(self, "desk", desk)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.inner, name, value)

    async def send(self, sender: str, text: str, allow_empty: bool = False,
                   metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        case = self.desk.case_of(sender)
        if case is not None and case.state == "taken":
            if text.strip() == "/restart":  # starting over ends the hand-off
                await self.inner.resume(sender)
                self.desk.drop(sender)
            else:
                self.desk.user_said(case, text)
                return [BotMessage(text=msg("waiting"))]
        elif case is not None:
            self.desk.touched(sender)
        return self.desk.after_reply(sender, await self.inner.send(sender, text, allow_empty, metadata=metadata))

    async def set_facts(self, sender: str, facts: dict[str, Any],
                        metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        return await self.send(sender, inform_payload(facts), metadata=metadata)

    async def restart(self, sender: str) -> list[BotMessage]:
        return await self.send(sender, "/restart", allow_empty=True)

    async def forget(self, sender: str) -> None:
        self.desk.drop(sender)
        await self.inner.forget(sender)

    # the pass-through coroutines, named so that `await core.x()` reads the same
    async def tracker(self, sender: str) -> dict[str, Any]:
        return await self.inner.tracker(sender)

    async def aclose(self) -> None:
        await self.inner.aclose()

