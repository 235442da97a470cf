"""Limits at the door (pure ASGI middleware) and the log filter.

* `BodyLimit`: request bodies at most `max_body_bytes` (64 KB), counted while they stream in, so
  a chunked upload is cut off at the limit; nothing bigger is ever held in memory.
* `RateLimit`: a token bucket per client address for every POST (WeChat aside: all its requests
  come from Tencent's servers; it is limited per openid instead) and for /api/tts.
* `ChatCors`: CORS on /api/chat* for the origins in WIDGET_ORIGINS only.
* `Buckets`, `Lockout`: per-conversation limits and the back-off after wrong operator tokens.
* `RedactIds`: access-log lines without query strings and without conversation ids.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from bot.errors import GatewayError, too_many

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]


async def send_error(send, error: GatewayError) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), (b"connection", b"close")]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


def too_large() -> GatewayError:
    return GatewayError(413, "too_large", "发送的内容太多了，请短一点再试。", "request body too large")


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, exceptions: dict[str, int] | None = None):
        self.app, self.limit, self.exceptions = app, limit, dict(exceptions or {})

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.exceptions.get(scope.get("path", ""), self.limit)
        length = _header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > limit):
            return await send_error(send, too_large())  # refused before reading a byte
        chunks: list[bytes] = []
        size = 0
        first: dict[str, Any] | None = None
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first = message  # the client went away: let the app see it
                break
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                return await send_error(send, too_large())
            chunks.append(body)
            if not message.get("more_body", False):
                break
        if first is None:
            first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, replay, send)


class Buckets:
    """Token buckets by key (bounded: the oldest keys are dropped first)."""

    def __init__(self, per_minute: float, burst: float, max_keys: int = 100_000):
        self.rate = max(per_minute, 0.001) / 60.0
        self.burst = max(1.0, burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when allowed (a token is used), else the seconds to wait."""
        now = time.monotonic()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    def check(self, key: str) -> None:
        wait = self.take(key)
        if wait:
            raise too_many(wait)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimit:
    def __init__(self, app: ASGIApp, buckets: Buckets):
        self.app, self.buckets = app, buckets

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            counted = (scope.get("method") == "POST" and path != "/wechat") or path == "/api/tts"
            if counted:
                wait = self.buckets.take(client_address(scope))
                if wait:
                    return await send_error(send, too_many(wait))
        await self.app(scope, receive, send)


class Lockout:
    """After `max_failures` wrong operator tokens from one address, it must wait: 2 s, 4 s, … up to 15 min."""

    def __init__(self, max_failures: int = 5, longest: float = 900.0, max_keys: int = 50_000):
        self.max_failures, self.longest, self.max_keys = max(1, max_failures), longest, max_keys
        self._state: OrderedDict[str, tuple[int, float]] = OrderedDict()  # address -> (failures, locked until)

    def wait(self, address: str) -> float:
        _, until = self._state.get(address, (0, 0.0))
        return max(0.0, until - time.monotonic())

    def failed(self, address: str) -> None:
        failures, _ = self._state.pop(address, (0, 0.0))
        failures += 1
        until = 0.0
        if failures >= self.max_failures:
            until = time.monotonic() + min(self.longest, 2.0 ** (failures - self.max_failures + 1))
        self._state[address] = (failures, until)
        while len(self._state) > self.max_keys:
            self._state.popitem(last=False)

    def succeeded(self, address: str) -> None:
        self._state.pop(address, None)


class ChatCors:
    """CORS for /api/chat and /api/chat/*: only the listed origins, no credentials."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]):
        self.app, self.origins = app, {o for o in origins if o != "*"}

    async def __call__(self, scope: Scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        origin = _header(scope, b"origin") if path == "/api/chat" or path.startswith("/api/chat/") else None
        if not origin or origin.rstrip("/") not in self.origins:
            return await self.app(scope, receive, send)
        allow = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
        if scope.get("method") == "OPTIONS" and _header(scope, b"access-control-request-method"):
            headers = allow + [(b"access-control-allow-methods", b"POST"),
                               (b"access-control-allow-headers", b"content-type"),
                               (b"access-control-max-age", b"600"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            return await send({"type": "http.response.body", "body": b""})

        async def with_cors(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *allow]}
            await send(message)

        await self.app(scope, receive, with_cors)


_IDS = re.compile(r"(?i)\b(web|kiosk|op|wx)(?::|%3A)[^/?#\s\"]*")


def redact(text: str) -> str:
    """A request line without its query string and without conversation ids."""
    if "?" in text:
        text = text.split("?", 1)[0] + "?…"
    return _IDS.sub(lambda m: m.group(1) + ":…", text)


class RedactIds(logging.Filter):
    """For uvicorn's access log: (client, method, path, version, status) → the path redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


def quiet_logs() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry ids and tokens
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactIds) for f in access.filters):
        access.addFilter(RedactIds())


MAX_TEXT = 500  # characters of user text on every channel, before it reaches Rasa
TEXT_TOO_LONG = f"您发的文字太长了。请分几次发，每次不超过 {MAX_TEXT} 个字。"


def user_text(raw: object, empty_zh: str = "请先输入要说的话。") -> str:
    """The user's text, stripped, 1–500 characters; else a kind GatewayError."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise GatewayError(422, "empty_message", empty_zh, "the message is empty")
    if len(text) > MAX_TEXT:
        raise GatewayError(413, "message_too_long", TEXT_TOO_LONG, f"the message must be at most {MAX_TEXT} characters")
    return text
