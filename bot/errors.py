"""The gateway's one error type: every refusal is JSON with a Chinese and an English message.

    {"error": code, "message_zh", "message_en", "message": "zh / en", "detail": message_zh, ...extra}

`detail` carries the Chinese message for the console and kiosk pages (and FastAPI's habit).
"""
from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store"}
TOO_MANY = "请求太频繁了，请稍等一会儿再试。"


class GatewayError(Exception):
    def __init__(self, status: int, code: str, message_zh: str, message_en: str = "",
                 headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(message_en or code)
        self.status, self.code = status, code
        self.message_zh, self.message_en = message_zh, message_en or code.replace("_", " ")
        self.headers, self.extra = dict(headers or {}), extra

    @property
    def detail(self) -> str:
        return self.message_zh

    def body(self) -> dict[str, Any]:
        body = {"error": self.code, "message_zh": self.message_zh, "message_en": self.message_en, **self.extra}
        body["message"] = f"{self.message_zh} / {self.message_en}"
        body.setdefault("detail", self.message_zh)
        return body

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers={**(headers or {}), **self.headers})


def too_many(retry_after: float) -> GatewayError:
    return GatewayError(429, "too_many_requests", TOO_MANY, "too many requests, please wait a moment",
                        headers={"Retry-After": str(max(1, int(retry_after + 0.999)))})
