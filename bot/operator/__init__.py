"""Hotline operator console: ``/operator`` and its JSON API under ``/operator/api/``.

An operator on a call reads the bot's next question aloud, clicks the caller's answer
(or types what the caller said), corrects facts in the profile, reads out the result
card and copies a summary into the call record. Each call is its own conversation
(an id ``op:…`` issued and signed by the gateway, bot.sessions) on the shared conversation
core: no rules or replies here.

Protected by OPERATOR_TOKEN (settings, read once): unset or shorter than 24 characters → the
console is disabled (503 saying why); wrong or missing token → 401, and after
OPERATOR_MAX_FAILURES wrong tokens from one address it must wait (429, growing back-off).
"""
from __future__ import annotations

import hmac
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from bot import screening_view as view
from bot.core import ConversationCore, CoreUnavailable
from bot.deps import get_core, get_issuer, get_lockout, get_sender_limits, get_settings
from bot.errors import NO_STORE, GatewayError, too_many
from bot.guard import Buckets, Lockout, client_address, user_text
from bot.sessions import Issuer
from bot.settings import MIN_OPERATOR_TOKEN, Settings
from policy_kb.facts import FACT_NAMES, ProfileError

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
_FILES = {"console.js": "text/javascript", "console.css": "text/css", "handoff-desk.js": "text/javascript"}
CHANNEL = "op"
START_MESSAGE = "/greet"  # as the widget and WeChat start: the welcome and the first question
DISABLED = "操作员控制台未启用：请管理员在配置中设置 OPERATOR_TOKEN 后重启服务。"
TOO_SHORT = f"操作员控制台未启用：OPERATOR_TOKEN 太短，至少要 {MIN_OPERATOR_TOKEN} 个字符。请管理员换一个更长的口令后重启服务。"
NO_CALL = "没有这个通话。"
# what the console says after an edit (the service names come from the engine's answer)
CHANGE_ADDED = "新增：{names}"
CHANGE_REMOVED = "不再符合：{names}"
CHANGE_NONE = "改动后，能享受的服务没有变化。"
BAD_NUMBER = "{label}要填 {low} 到 {high} 之间的整数，“{value}”不行，没有保存。"
BAD_CHOICE = "{label}请从列表里选，没有保存。"


def console_headers(settings: Settings) -> dict[str, str]:
    """The console and kiosk pages: nothing from elsewhere, framed only by CONSOLE_FRAME_ANCESTORS."""
    ancestors = settings.console_frame_ancestors.strip() or "'self'"
    headers = {
        **NO_STORE,
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        f"style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors {ancestors}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if ancestors in ("'self'", "'none'"):
        headers["X-Frame-Options"] = "SAMEORIGIN" if ancestors == "'self'" else "DENY"
    return headers


def disabled_reason(settings: Settings) -> str | None:
    if not settings.operator_token:
        return DISABLED
    return None if settings.operator_enabled else TOO_SHORT


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def require_operator(request: Request, settings: Settings, lockout: Lockout) -> None:
    reason = disabled_reason(settings)
    if reason:
        raise GatewayError(503, "console_disabled", reason, "operator console disabled")
    address = client_address(request.scope)
    wait = lockout.wait(address)
    if wait:
        raise too_many(wait)
    given = request.headers.get("x-operator-token", "")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not given or not hmac.compare_digest(given.encode(), settings.operator_token.encode()):
        lockout.failed(address)
        raise GatewayError(401, "wrong_token", "口令不正确，请重新输入操作员口令。", "wrong or missing operator token")
    lockout.succeeded(address)


class Operator:
    """Dependency: an authorised operator request with what it needs."""

    def __init__(self, request: Request, settings: Settings = Depends(get_settings),
                 lockout: Lockout = Depends(get_lockout), core: ConversationCore = Depends(get_core),
                 issuer: Issuer = Depends(get_issuer), limits: Buckets = Depends(get_sender_limits)):
        self.request, self.settings, self.lockout = request, settings, lockout
        self.core, self.issuer, self.limits = core, issuer, limits

    def authorise(self) -> None:
        require_operator(self.request, self.settings, self.lockout)

    def call(self, sender: str) -> str:
        if not self.issuer.valid(sender, CHANNEL):
            raise GatewayError(404, "no_such_call", NO_CALL, "no such call")
        return sender


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


def result_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    """新增：…；不再符合：… between two evaluations (eligible services), by the engine's names."""
    if not before or not after:
        return None
    names = {s["id"]: s["name"] for s in (before.get("services") or []) + (after.get("services") or [])}
    old, new = set(before.get("eligible") or []), set(after.get("eligible") or [])
    parts = []
    if new - old:
        parts.append(CHANGE_ADDED.format(names="、".join(names.get(i, str(i)) for i in sorted(new - old))))
    if old - new:
        parts.append(CHANGE_REMOVED.format(names="、".join(names.get(i, str(i)) for i in sorted(old - new))))
    return "；".join(parts) if parts else CHANGE_NONE


def refusal_reason(name: str, value: Any) -> str:
    """Why an edit is refused, in the console's words (the fact's label and its allowed values)."""
    spec = next((f for f in view.fact_schema() if f["name"] == name), None)
    if spec is None:
        return "没有这一项资料。"
    if spec["type"] == "int" and not spec["values"]:
        return BAD_NUMBER.format(label=spec["label"], low=spec["min"], high=spec["max"], value=str(value)[:20])
    return BAD_CHOICE.format(label=spec["label"])


def _next_to_read(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """What the operator reads aloud next: the question, or the result's headline and the first
    money card's spoken line when the result has just come (all from the result payload)."""
    result = next((m["custom"] for m in messages if isinstance(m.get("custom"), dict)
                   and m["custom"].get("type") == "result"), None)
    if result is not None:
        cards = [c for g in result.get("groups") or [] for c in g.get("services") or []]
        money = next((c for c in cards if c.get("money")), None)
        lines = [result.get("headline") or ""] + ([money["spoken"]] if money and money.get("spoken") else [])
        return {"kind": "result", "lines": [x for x in lines if x]}
    texts = [m["text"] for m in messages if m.get("text")]
    return {"kind": "question", "lines": texts[-1:]}


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
    told = view.latest_result(tracker)
    messages = [m.as_dict() for m in view.last_turn(tracker)
                if not (isinstance(m.custom, dict) and m.custom.get("type") == "handoff_request")]
    if result is not None and told is not None:
        result["headline"] = told.get("headline") or ""
        result["labels"] = told.get("labels") or {}
        cards = [c for g in told.get("groups") or [] for c in g.get("services") or []]
        result["money_ids"] = [c["id"] for c in cards if c.get("money")]
    return {
        "sender": sender,
        "read": _next_to_read(messages),
        "question": {
            "messages": messages,
            "asking": asking,
            "asking_label": view.fact_label(asking),
            "input": schema.get(asking),
        },
        "profile": pview,
        "result": result,
        "transcript": view.transcript(tracker),
        "summary": call_summary(sender, pview, result, datetime.now()),
    }


async def _run(op: Operator, sender: str | None, action) -> JSONResponse:
    """Authorise, run one action on the core, answer the call's new state — kindly on any failure."""
    try:
        op.authorise()
        if sender is None:
            sender = op.issuer.issue(CHANNEL)
        else:
            op.call(sender)
        if action is not None:
            await action(op.core, sender)
        return _json(await call_state(op.core, sender))
    except GatewayError as exc:
        return exc.response(NO_STORE)
    except ProfileError as exc:
        return _json({"detail": exc.message_zh, "fact": exc.fact}, 422)
    except CoreUnavailable:
        log.warning("operator console: conversation core unavailable")
        return _json({"detail": "助手暂时连接不上，请稍后再试；可先按纸质清单解答。"}, 503)


router = APIRouter(tags=["operator"])


@router.get("/operator", response_class=HTMLResponse, include_in_schema=False)
async def console_page(settings: Settings = Depends(get_settings)) -> HTMLResponse:
    reason = disabled_reason(settings)
    if reason:
        html = (f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>操作员控制台</title>"
                f"<body><h1>操作员控制台未启用</h1><p id='disabled'>{reason}</p>"
                f"<p>Operator console disabled: set OPERATOR_TOKEN (at least {MIN_OPERATOR_TOKEN} characters).</p></body></html>")
        return HTMLResponse(html, status_code=503, headers=console_headers(settings))
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers=console_headers(settings))


@router.get("/operator/static/{name}", include_in_schema=False)
async def console_static(name: str):
    if name not in _FILES:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return FileResponse(STATIC / name, media_type=_FILES[name])


@router.get("/operator/api/facts")
async def operator_facts(op: Operator = Depends()) -> JSONResponse:
    """The profile facts (names, labels, values) for the editable profile form."""
    try:
        op.authorise()
    except GatewayError as exc:
        return exc.response(NO_STORE)
    return _json({"facts": view.fact_schema()})


@router.post("/operator/api/calls")
async def new_call(op: Operator = Depends()) -> JSONResponse:
    """Open a call: a fresh conversation (an issued ``op:…`` id) and the bot's first question."""
    async def action(core: ConversationCore, sender: str):
        await core.send(sender, START_MESSAGE)
    return await _run(op, None, action)


@router.get("/operator/api/calls/{sender}")
async def get_call(sender: str, op: Operator = Depends()) -> JSONResponse:
    return await _run(op, sender, None)


@router.post("/operator/api/calls/{sender}/say")
async def say(sender: str, body: dict = Body(..., examples=[{"text": "82岁"}]), op: Operator = Depends()) -> JSONResponse:
    """What the caller said (typed by the operator) or a one-click answer's payload."""
    async def action(core: ConversationCore, sender: str):
        text = user_text(body.get("text"), "请先输入来电人说的话。")
        op.limits.check(sender)
        await core.send(sender, text)
    return await _run(op, sender, action)


@router.post("/operator/api/calls/{sender}/facts")
async def edit_facts(sender: str, body: dict = Body(..., examples=[{"facts": {"economic_status": "minimum_living"}}]),
                     op: Operator = Depends()) -> JSONResponse:
    """Set or correct profile facts; values are checked against policy_kb's fact domains. A refused
    value changes nothing (422 with `fact` and the reason); a saved one answers the call's new state
    with `change`: what the edit changed in the result (新增：…；不再符合：…)."""
    changed: dict[str, Any] = {}

    async def action(core: ConversationCore, sender: str):
        raw = body.get("facts") if isinstance(body, dict) else None
        if not isinstance(raw, dict) or not raw or len(raw) > len(FACT_NAMES):
            raise GatewayError(422, "no_facts", "请选择要修改的资料。", "choose the facts to change")
        parsed = {}
        for name, value in raw.items():
            try:
                parsed[name] = view.parse_fact(name, value)
            except ProfileError:
                raise GatewayError(422, "invalid_fact", refusal_reason(name, value), "value not allowed",
                                   fact=str(name)[:40]) from None
        op.limits.check(sender)
        changed["before"] = view.evaluate_profile(await core.profile(sender))
        await core.set_facts(sender, parsed)

    response = await _run(op, sender, action)
    if response.status_code == 200 and "before" in changed:
        state = json.loads(response.body)
        after = view.evaluate_profile({f["name"]: f["value"] for f in state["profile"]["known"]})
        state["change"] = result_change(changed["before"], after)
        return _json(state)
    return response


@router.post("/operator/api/calls/{sender}/end")
async def end_call(sender: str, op: Operator = Depends()) -> JSONResponse:
    """Close a call: wipe its conversation on the server so nothing lingers."""
    async def action(core: ConversationCore, sender: str):
        await core.forget(sender)
    return await _run(op, sender, action)
