"""Eligibility and services API (contract sections 4–5), errors as JSON in Chinese and English."""
from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import policy_kb
from bot.errors import GatewayError
from policy_kb.facts import ProfileError as FactsProfileError

log = logging.getLogger(__name__)
router = APIRouter(tags=["eligibility"])

MAX_PROFILES = 1000  # bodies are at most 64 KB anyway (bot.guard.BodyLimit)


ApiError = GatewayError  # the gateway's one error type (bot.errors)


_HTTP_MESSAGES = {
    404: ("not_found", "没有找到这个地址", "not found"),
    405: ("method_not_allowed", "不支持这种请求方式", "method not allowed"),
    413: ("too_large", "发送的内容太多了，请短一点再试。", "request too large"),
    429: ("too_many_requests", "请求太频繁了，请稍等一会儿再试。", "too many requests"),
}


def install_error_handlers(app: FastAPI) -> None:
    """Every error of the gateway is JSON with a Chinese and an English message, never a trace."""

    @app.exception_handler(GatewayError)
    async def _gateway_error(_: Request, exc: GatewayError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, zh, en = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求无法处理", str(exc.detail)))
        return ApiError(exc.status_code, code, zh, en).response()

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        return ApiError(422, "invalid_request", f"请求参数不正确：{where}", f"invalid request parameters: {where}").response()

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__)
        return ApiError(500, "internal_error", "系统出了点问题，请稍后再试", "internal error, please try again later").response()


def _engine(name: str):
    fn = getattr(policy_kb, name, None)
    if fn is None:
        raise ApiError(503, "engine_unavailable", "政策规则引擎暂不可用", "the policy engine is not available")
    return fn


def _profile_errors() -> tuple[type[BaseException], ...]:
    return tuple({FactsProfileError, getattr(policy_kb, "ProfileError", FactsProfileError)})


def _on_date(raw: str | None):
    """`?date=YYYY-MM-DD`: answer with the list in force that day (None: today)."""
    if raw is None or raw == "":
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(raw[:10]) if len(raw) == 10 else dt.date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "invalid_date", "日期要写成 年-月-日，例如 2025-01-01",
                       "date must be YYYY-MM-DD, e.g. 2025-01-01") from None


def _evaluate_one(profile: Any, index: int | None, on=None) -> dict[str, Any]:
    evaluate = _engine("evaluate")
    if not isinstance(profile, dict):
        where_zh = f"第 {index + 1} 个档案" if index is not None else "档案"
        where_en = f"profile #{index + 1}" if index is not None else "the profile"
        raise ApiError(400, "invalid_profile", f"{where_zh}必须是一个 JSON 对象，例如 {{\"age\": 83}}",
                       f'{where_en} must be a JSON object, e.g. {{"age": 83}}',
                       **({"index": index} if index is not None else {}))
    try:
        return evaluate(profile, on=on) if on is not None else evaluate(profile)
    except LookupError:
        raise ApiError(400, "no_list_in_force", "那一天还没有施行中的清单", "no list was in force on that date") from None
    except _profile_errors() as exc:
        zh, en = getattr(exc, "message_zh", str(exc)), getattr(exc, "message_en", str(exc))
        if index is not None:
            zh, en = f"第 {index + 1} 个档案：{zh}", f"profile #{index + 1}: {en}"
        where = {"index": index} if index is not None else {}
        raise ApiError(400, "invalid_profile", zh, en, fact=getattr(exc, "fact", ""), **where) from None


_EXAMPLE_ONE = {"age": 82, "economic_status": "minimum_living", "self_care": "dependent"}
_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "One profile (JSON object) or a list of profiles; facts as contract section 2, "
        "any fact may be missing. 一个老人的情况（对象）或多个（列表）。",
        "content": {
            "application/json": {
                "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
                "examples": {
                    "one": {"summary": "one profile → one result", "value": _EXAMPLE_ONE},
                    "list": {"summary": "a list → a list", "value": [_EXAMPLE_ONE, {"age": 90}]},
                },
            }
        },
    }
}
_ERRORS_DOC = {400: {"description": "bad profile: {error, fact, message_zh, message_en}"}}


@router.post("/api/eligibility", summary="Evaluate eligibility (contract §4)", openapi_extra=_BODY_DOC,
             responses=_ERRORS_DOC)
async def eligibility(request: Request) -> Any:
    """One profile object gives one result object; a list of profiles gives a list of results.

    Each result has `eligible`, `possible`, `next_facts` and `services` (contract section 4), and
    `list`, the list that answered. `?date=YYYY-MM-DD` answers with the list in force on that day.
    """
    on = _on_date(request.query_params.get("date"))
    body = await request.body()
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "invalid_json", "请求内容不是有效的 JSON", "the request body is not valid JSON") from None
    if isinstance(data, list):
        if len(data) > MAX_PROFILES:
            raise ApiError(413, "too_many_profiles", f"一次最多 {MAX_PROFILES} 个档案",
                           f"at most {MAX_PROFILES} profiles per request")
        return [_evaluate_one(p, i, on) for i, p in enumerate(data)]
    return _evaluate_one(data, None, on)


@router.get("/api/services", summary="The 26 services of the list, with citations and plain summaries")
async def services() -> list[dict[str, Any]]:
    return _engine("list_services")()


@router.get("/api/services/{service_id}", summary="One service by its number (1–26) in the list",
            responses={404: {"description": "no such service"}})
async def service(service_id: str) -> dict[str, Any]:
    try:
        number = int(service_id)
    except ValueError:
        number = None
    found = _engine("get_service")(number) if number is not None else None
    if not found:
        raise ApiError(404, "unknown_service", f"没有编号为 {service_id!s:.20} 的服务，编号是 1 到 26",
                       f"no service with id {service_id!s:.20}; ids are 1 to 26")
    return found
