"""Run a coroutine to completion from a test, even when the session's browser tests (Playwright's
sync API) have left an event loop running in the main thread: the coroutine gets its own loop in
a fresh thread."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
