"""Hotline operator console: ``/operator`` and its JSON API under ``/operator/api/``.

An operator on a call reads the bot's next question aloud, clicks the caller's answer
(or types what the caller said), corrects facts in the profile, reads out the result
card and copies a summary into the call record. Each call is its own conversation
(sender ``op:<random>``) on the shared conversation core: no rules or replies here.

Protected by OPERATOR_TOKEN (environment, or bot.settings when present): unset → the
console is disabled (503 with a clear message); wrong or missing token → 401.
"""
from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from bot import screening_view as view
from bot.core import ConversationCore, CoreUnavailable
from policy_kb.facts import FACT_NAMES, ProfileError

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static" / "operator"
_FILES = {"console.js": "text/javascript", "console.css": "text/css"}
SENDER = re.compile(r"^op:[0-9a-f]{12}$")
START_MESSAGE = "/greet"  # as the widget and WeChat start: the welcome and the first question
NO_STORE = {"Cache-Control": "no-store"}
DISABLED = "操作员控制台未启用：请管理员在配置中设置 OPERATOR_TOKEN 后重启服务。"


class ApiError(Exception):
    def __init__(self, status: int, detail: str):
        self.status, self.detail = status, detail


def configured_token(request: Request | None = None) -> str:
    """OPERATOR_TOKEN at request time: the environment, else the gateway's settings (which read `.env`)."""
    token = os.environ.get("OPERATOR_TOKEN", "").strip()
    if token:
        return token
    settings = getattr(request.app.state, "settings", None) if request is not None else None
    if settings is None:
        try:
            from bot.settings import get_settings  # the gateway's settings module, when present
        except ImportError:
            return ""
        try:
            settings = get_settings()
        except Exception:  # a broken .env must not break the page
            log.warning("operator console: settings could not be read")
            return ""
    return (getattr(settings, "operator_token", None) or "").strip()


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def require_operator(request: Request) -> None:
    token = configured_token(request)
    if not token:
        raise ApiError(503, DISABLED)
    given = request.headers.get("x-operator-token", "")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(401, "口令不正确，请重新输入操作员口令。")


def call_summary(sender: str, profile: dict[str, list], result: dict[str, Any] | None, when: datetime) -> str:
    """Plain text for the call record: the facts, the result and the bot's own summary."""
    lines = [f"【养老服务资格咨询】{when:%Y-%m-%d %H:%M}  会话编号 {sender}", "老人情况："]
    lines += [f"  {f['label']}：{f['value_label']}" for f in profile["known"]] or ["  （尚未了解）"]
    matters = profile.get("matters")
    unknown = [f for f in profile["unknown"] if matters is None or f["name"] in matters]
    if unknown:
        lines.append(("尚不清楚：" if matters is None else "尚不清楚（可能影响结果）：") + "、".join(f["label"] for f in unknown))
    if result is None:
        lines.append("结果：尚未得出")
    else:
        def names(cards: list[dict]) -> str:
            return "；".join(f"{c['id']}. {c['name']}" + (f"（{c['amount']}）" if c["amount"] else "") for c in cards)
        lines.append("可以享受：" + (names(result["eligible"]) or "暂无"))
        if result["possible"]:
            lines.append("可能可以享受（需进一步核实）：" + names(result["possible"]))
        if result["summary"]:
            lines.append("助手说明：" + result["summary"])
    return "\n".join(lines)


async def call_state(core: ConversationCore, sender: str) -> dict[str, Any]:
    tracker = await core.tracker(sender)
    slots = tracker.get("slots") or {}
    profile = {name: slots[name] for name in FACT_NAMES if slots.get(name) is not None}
    pview = view.profile_view(slots)
    evaluation = view.evaluate_profile(profile)
    # unknown facts that could still change the result, most useful first (None: engine not available)
    pview["matters"] = list(evaluation.get("next_facts") or []) if evaluation else None
    result = view.result_view(tracker, profile, evaluation)
    asking = slots.get("requested_slot")
    schema = {f["name"]: f for f in view.fact_schema()}
    return {
        "sender": sender,
        "question": {
            "messages": [m.as_dict() for m in view.last_turn(tracker)],
            "asking": asking,
            "asking_label": view.fact_label(asking),
            "input": schema.get(asking),
        },
        "profile": pview,
        "result": result,
        "transcript": view.transcript(tracker),
        "summary": call_summary(sender, pview, result, datetime.now()),
    }


async def _run(request: Request, sender: str, action) -> JSONResponse:
    """Authorise, run one action on the core, answer the call's new state — kindly on any failure."""
    try:
        require_operator(request)
        if sender and not SENDER.match(sender):
            raise ApiError(404, "没有这个通话。")
        core = view.get_core(request)
        if action is not None:
            await action(core)
        return _json(await call_state(core, sender))
    except ApiError as exc:
        return _json({"detail": exc.detail}, exc.status)
    except ProfileError as exc:
        return _json({"detail": exc.message_zh, "fact": exc.fact}, 422)
    except CoreUnavailable:
        log.warning("operator console: conversation core unavailable")
        return _json({"detail": "助手暂时连接不上，请稍后再试；可先按纸质清单解答。"}, 503)


router = APIRouter(tags=["operator"])


@router.get("/operator", response_class=HTMLResponse, include_in_schema=False)
async def console_page(request: Request) -> HTMLResponse:
    if not configured_token(request):
        html = (f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>操作员控制台</title>"
                f"<body style='font:20px sans-serif;padding:3em'><h1>操作员控制台未启用</h1><p id='disabled'>{DISABLED}</p>"
                "<p>Operator console disabled: set OPERATOR_TOKEN.</p></body></html>")
        return HTMLResponse(html, status_code=503)
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers=NO_STORE)


@router.get("/operator/static/{name}", include_in_schema=False)
async def console_static(name: str):
    if name not in _FILES:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return FileResponse(STATIC / name, media_type=_FILES[name])


@router.get("/operator/api/facts")
async def operator_facts(request: Request) -> JSONResponse:
    """The profile facts (names, labels, values) for the editable profile form."""
    try:
        require_operator(request)
    except ApiError as exc:
        return _json({"detail": exc.detail}, exc.status)
    return _json({"facts": view.fact_schema()})


@router.post("/operator/api/calls")
async def new_call(request: Request) -> JSONResponse:
    """Open a call: a fresh conversation ``op:<random>`` and the bot's first question."""
    sender = "op:" + secrets.token_hex(6)
    log.info("operator call opened %s", sender)
    return await _run(request, sender, lambda core: core.send(sender, START_MESSAGE))


@router.get("/operator/api/calls/{sender}")
async def get_call(request: Request, sender: str) -> JSONResponse:
    return await _run(request, sender, None)


@router.post("/operator/api/calls/{sender}/say")
async def say(request: Request, sender: str, body: dict = Body(..., examples=[{"text": "82岁"}])) -> JSONResponse:
    """What the caller said (typed by the operator) or a one-click answer's payload."""
    text = str(body.get("text") or "").strip()[:500]

    async def action(core: ConversationCore):
        if not text:
            raise ApiError(422, "请先输入来电人说的话。")
        await core.send(sender, text)
    return await _run(request, sender, action)


@router.post("/operator/api/calls/{sender}/facts")
async def edit_facts(request: Request, sender: str,
                     body: dict = Body(..., examples=[{"facts": {"economic_status": "minimum_living"}}])) -> JSONResponse:
    """Set or correct profile facts; values are checked against policy_kb's fact domains."""
    async def action(core: ConversationCore):
        raw = body.get("facts")
        if not isinstance(raw, dict) or not raw:
            raise ApiError(422, "请选择要修改的资料。")
        await core.set_facts(sender, {name: view.parse_fact(name, value) for name, value in raw.items()})
    return await _run(request, sender, action)


@router.post("/operator/api/calls/{sender}/end")
async def end_call(request: Request, sender: str) -> JSONResponse:
    """Close a call: restart its conversation so nothing lingers."""
    async def action(core: ConversationCore):
        await core.restart(sender)
        log.info("operator call closed %s", sender)
    return await _run(request, sender, action)
