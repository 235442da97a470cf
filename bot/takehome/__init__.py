"""Take home and share: the printable result page `/result#<share>` and `POST /api/result`.

The page's address carries the elder's facts in its fragment (`/result#age=83&…`, the `share`
field of the structured result). A fragment never reaches the server: the page reads it in the
browser and POSTs the facts to `/api/result`, which coerces the strings by the fact types, runs the
same engine and the same builder as the chat (`result_view.build(evaluate(profile), profile)`) for
the list in force today (or `?date=`), and answers. Nothing is stored and nothing about the facts is
logged; the body is small and limited.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from bot import api
from bot.errors import NO_STORE, GatewayError
from bot.guard import too_large
from policy_kb.facts import ProfileError, facts

router = APIRouter(tags=["take-home"])
STATIC = Path(__file__).parent / "static"
MESSAGES = Path(__file__).parent / "messages.yaml"

MAX_BODY = 4096  # every fact with its longest value is well under 1 KB
MAX_VALUE = 200  # characters of one value as sent

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    """The page's own fixed sentences (messages.yaml)."""
    return {str(k): str(v) for k, v in yaml.safe_load(MESSAGES.read_text(encoding="utf-8")).items()}


def _bad(zh: str, en: str, fact: str = "") -> GatewayError:
    return GatewayError(400, "invalid_profile", zh, en, **({"fact": fact} if fact else {}))


def coerce(raw: Any) -> dict[str, Any]:
    """The facts as the page sends them (strings from the fragment, or typed JSON values) → a profile.

    Strings are read by the fact's type as `share` writes them: integers, `true`/`false`, a list
    comma-joined (empty: none). Anything else raises a 400 naming the fact and the allowed values.
    """
    if not isinstance(raw, dict):
        raise _bad('facts 必须是一个对象，例如 {"age": "83"}', 'facts must be an object, e.g. {"age": "83"}')
    known = facts()
    if len(raw) > len(known):
        raise _bad("事实太多了", f"at most {len(known)} facts")
    profile: dict[str, Any] = {}
    for name, value in raw.items():
        fact = known.get(name)
        if fact is None:
            shown = str(name)[:40]
            raise _bad(f"不认识的项目 {shown!r}，可以有的项目：{', '.join(known)}",
                       f"unknown fact {shown!r}; allowed facts: {', '.join(known)}", fact=shown)
        if value is None:
            continue  # unknown
        if isinstance(value, str):
            value = value.strip()
            if len(value) > MAX_VALUE:
                raise _bad(f"{fact.label}（{name}）的取值太长了", f"the value of '{name}' is too long", fact=name)
            if fact.type == "int":
                value = int(value) if value.isascii() and value.isdigit() else value
            elif fact.type == "bool":
                value = {"true": True, "false": False}.get(value.lower(), value)
            elif fact.type == "list":
                value = [v.strip() for v in value.split(",") if v.strip()]
        try:
            profile[name] = fact.check(value)
        except ProfileError as exc:
            raise _bad(exc.message_zh, exc.message_en, fact=name) from None
    return profile


def facts_shown(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The facts in plain Chinese, in the order of policy_kb's facts: what the result was computed from."""
    return [{"name": name, "label": fact.label, "value": profile[name], "value_label": fact.value_label(profile[name])}
            for name, fact in facts().items() if name in profile]


def take_home_result(profile: dict[str, Any], on: dt.date | None = None) -> dict[str, Any]:
    """What the chat tells for these facts (the same engine and builder), plus the facts and the day."""
    from actions.dialogue import result_view  # the chat's builder

    result = api._evaluate_one(profile, None, on)
    view = result_view.build(result, profile)
    view["facts"] = facts_shown(profile)
    view["date"] = (on or dt.date.today()).isoformat()
    return view


_EXAMPLE = {"facts": {"age": "83", "economic_status": "minimum_living", "self_care": "dependent"}}
_BODY_DOC = {"requestBody": {"required": True, "description": "the facts of the `/result#…` fragment, as strings "
                             "(or typed values); any fact may be missing. 链接里老人的情况。",
                             "content": {"application/json": {"schema": {"type": "object"}, "example": _EXAMPLE}}}}


@router.post("/api/result", summary="The take-home result for facts sent in the body (nothing stored)",
             openapi_extra=_BODY_DOC,
             responses={400: {"description": "bad facts: {error, fact, message_zh, message_en}"},
                        413: {"description": "body over 4 KB"}})
async def result(request: Request) -> JSONResponse:
    """Body `{"facts": {"age": "83", "economic_status": "minimum_living", …}}` (strings as in the
    `/result#…` fragment, or typed values) → the structured result of the chat (`type: "result"`,
    `headline`, `groups`, `labels`, `share`, `list`, …) plus `facts` (label and plain value of each
    fact) and `date`. `?date=YYYY-MM-DD`: with the list in force that day (default today)."""
    on = api._on_date(request.query_params.get("date"))
    body = await request.body()
    if len(body) > MAX_BODY:
        raise too_large()
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise GatewayError(400, "invalid_json", "请求内容不是有效的 JSON", "the body is not valid JSON") from None
    if not isinstance(data, dict) or set(data) - {"facts"}:
        raise _bad('请求内容应为 {"facts": {…}}', 'the body must be {"facts": {…}}')
    view = take_home_result(coerce(data.get("facts", {})), on)
    return JSONResponse(view, headers=NO_STORE)


def _page() -> str:
    t = texts()
    page = (STATIC / "result.html").read_text(encoding="utf-8")
    page = _PLACEHOLDER.sub(lambda m: html.escape(t[m.group(1)]), page)
    catalogue = json.dumps(t, ensure_ascii=False).replace("<", "\\u003c")
    return page.replace("__TEXTS__", catalogue)


@router.get("/result", include_in_schema=False)
async def result_page() -> HTMLResponse:
    return HTMLResponse(_page(), headers=PAGE_HEADERS)


@router.get("/result/{name}", include_in_schema=False)
async def result_asset(name: str) -> FileResponse:
    kinds = {"result.js": "application/javascript", "result.css": "text/css"}
    if name not in kinds:
        raise GatewayError(404, "not_found", "没有找到这个地址", "not found")
    return FileResponse(STATIC / name, media_type=kinds[name] + "; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
