"""WeChat retries: one message reaches the bot once, however often WeChat sends it.

WeChat resends a message (same MsgId) when no answer came within 5 s, three times in all.
The first delivery starts the bot's turn as a task; every delivery waits for that same task
up to the deadline. An answer ready in time goes back as the passive reply; otherwise the
reply is `success` and the answer follows once through the customer-service API.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    task: asyncio.Task
    created: float = field(default_factory=time.monotonic)
    mode: str | None = None  # None, "passive" or "later"


class MessageDeduplicator:
    def __init__(self, ttl: float = 300.0, max_entries: int = 10000):
        self.ttl, self.max_entries = ttl, max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def _prune(self) -> None:
        now = time.monotonic()
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if now - entry.created < self.ttl and len(self._entries) <= self.max_entries:
                break
            if not entry.task.done() and len(self._entries) <= self.max_entries:
                break
            self._entries.popitem(last=False)

    def seen(self, key: str) -> bool:
        return key in self._entries

    async def answer(
        self,
        key: str,
        produce: Callable[[], Awaitable[str | None]],
        deadline: float,
        later: Callable[[str], Awaitable[None]] | None,
    ) -> tuple[str, str | None]:
        """("ready", answer) for a passive reply; ("later", None) when the answer will go through
        `later`; ("pending", None) when it is not ready and there is no `later`.

        `produce` runs once per key; `later` gets its answer at most once.
        """
        self._prune()
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(asyncio.create_task(produce()))
        elif entry.mode == "later":
            return "later", None  # on its way through the customer-service API
        try:
            result = await asyncio.wait_for(asyncio.shield(entry.task), timeout=deadline)
        except asyncio.TimeoutError:
            if later is None:
                return "pending", None
            if entry.mode is None:
                entry.mode = "later"
                entry.task.add_done_callback(lambda t: _hand_over(t, later))
            return "later", None
        except Exception:  # noqa: BLE001 — produce() answers kindly itself; never a trace to WeChat
            log.exception("wechat turn failed")
            return "ready", None
        if entry.mode == "later":
            return "later", None
        entry.mode = "passive"
        return "ready", result


_background: set[asyncio.Task] = set()


def in_background(coro: Awaitable[None]) -> None:
    """Run a coroutine without awaiting it, keeping a reference until it ends."""
    task = asyncio.ensure_future(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


def _hand_over(task: asyncio.Task, later: Callable[[str], Awaitable[None]]) -> None:
    if task.cancelled() or task.exception() is not None:
        return
    if task.result():
        in_background(later(task.result()))


class ReplayGuard:
    """A signed request (timestamp, nonce, signature) may only ever carry one message.

    WeChat's own retries carry the same message again and pass (the deduplicator answers them);
    the same signature with a different message is a replay and is refused.
    """

    def __init__(self, ttl: float = 600.0, max_entries: int = 50000):
        self.ttl, self.max_entries = ttl, max_entries
        self._seen: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def check(self, signed: str, message_key: str) -> bool:
        now = time.monotonic()
        while self._seen:
            _, (created, _) = next(iter(self._seen.items()))
            if now - created < self.ttl and len(self._seen) <= self.max_entries:
                break
            self._seen.popitem(last=False)
        previous = self._seen.get(signed)
        if previous is not None:
            return previous[1] == message_key
        self._seen[signed] = (now, message_key)
        return True
