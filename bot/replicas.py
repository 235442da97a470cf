"""Route each conversation to one Rasa replica; fail over to the next one when it is down.

Rasa's Redis lock store does not stop two replicas from serving one conversation at once
(rasa issue 9213), so a sender must stick to one replica: a consistent-hash ring (64 points per
replica) gives each sender a fixed order of replicas. A replica that refuses a connection is
marked down and skipped; after `retry_after` seconds it is probed (`GET /status`) before it
gets conversations back. The conversation itself lives in the shared tracker store
(PostgreSQL), so the next replica continues it.
"""
from __future__ import annotations

import bisect
import hashlib
import time
from typing import Awaitable, Callable


def _point(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


class ReplicaRing:
    def __init__(self, urls: list[str] | tuple[str, ...], points: int = 64, retry_after: float = 3.0):
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.urls = [u.rstrip("/") for u in urls]
        self.retry_after = retry_after
        self._ring = sorted((_point(f"{url}#{i}"), url) for url in self.urls for i in range(points))
        self._keys = [p for p, _ in self._ring]
        self._down: dict[str, float] = {}  # url -> when it may be probed again

    def order(self, sender: str) -> list[str]:
        """Every replica, in the order this sender should try them."""
        start = bisect.bisect(self._keys, _point(sender)) % len(self._ring)
        seen: list[str] = []
        for i in range(len(self._ring)):
            url = self._ring[(start + i) % len(self._ring)][1]
            if url not in seen:
                seen.append(url)
                if len(seen) == len(self.urls):
                    break
        return seen

    def mark_down(self, url: str) -> None:
        self._down[url] = time.monotonic() + self.retry_after

    def mark_up(self, url: str) -> None:
        self._down.pop(url, None)

    async def candidates(self, sender: str, probe: Callable[[str], Awaitable[bool]]) -> list[str]:
        """The sender's replicas that are up (down ones probed once their wait is over);
        when all seem down, all of them, in order (one may be back)."""
        up = []
        for url in self.order(sender):
            retry_at = self._down.get(url)
            if retry_at is None:
                up.append(url)
            elif time.monotonic() >= retry_at:
                if await probe(url):
                    self.mark_up(url)
                    up.append(url)
                else:
                    self.mark_down(url)
        return up or self.order(sender)
