"""Website channel: the full-page chat at `/`, the embeddable `/widget.js` and its chat API.

Conversations are issued by the gateway (`POST /api/chat/session`, bot.sessions); `/api/chat`,
`/api/chat/resume` and `/api/chat/forget` refuse any id not issued for this channel.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel

from bot.core import ConversationCore, CoreUnavailable
from bot.deps import get_core, get_issuer, get_sender_limits, get_settings
from bot.errors import GatewayError
from bot.guard import MAX_TEXT, Buckets, user_text
from bot.sessions import Issuer
from bot.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["widget"])
STATIC = Path(__file__).parent / "static"

MAX_MESSAGE = MAX_TEXT
CHANNEL = "web"
# What every channel shows when the conversation core cannot be reached.
KIND_UNAVAILABLE = "抱歉，系统暂时连接不上，请过几分钟再试一次。着急的话，可以到村（社区）或乡镇（街道）民政窗口咨询。"
NOT_OURS = "这次对话已经失效了，请点“重新开始”。"


def page_headers(settings: Settings) -> dict[str, str]:
    """The chat page loads nothing from elsewhere; WIDGET_ORIGINS may frame it ("*": any site)."""
    origins = settings.widget_origin_list or ("'self'",)
    ancestors = "*" if "*" in origins else " ".join(dict.fromkeys(("'self'", *origins)))
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        f"style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors {ancestors}",
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


class ChatIn(BaseModel):
    sender: str
    message: str


class SenderIn(BaseModel):
    sender: str


class ResumeIn(BaseModel):
    sender: str
    message: str | None = None  # what the page sent last and got no answer to (reload during a reply)


def unavailable() -> GatewayError:
    return GatewayError(503, "core_unavailable", KIND_UNAVAILABLE, "the conversation service is unavailable")


def check_sender(issuer: Issuer, sender: object) -> str:
    if not issuer.valid(sender, CHANNEL):
        raise GatewayError(403, "invalid_sender", NOT_OURS,
                           "this conversation id was not issued by this gateway for the website")
    return sender  # type: ignore[return-value]


@router.get("/", include_in_schema=False)
async def chat_page(settings: Settings = Depends(get_settings)) -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=page_headers(settings))


@router.get("/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    headers = {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
    return FileResponse(STATIC / "widget.js", media_type="application/javascript; charset=utf-8", headers=headers)


@router.get("/widget/config.json", include_in_schema=False)
async def widget_config() -> JSONResponse:
    """What the page may use: server-side read-aloud (/api/tts)."""
    return JSONResponse({"tts_url": "/api/tts"})


@router.post("/api/chat/session", summary="A new website conversation: an id issued and signed by the gateway")
async def new_session(request: Request, issuer: Issuer = Depends(get_issuer)) -> JSONResponse:
    """Body: `{}` (or nothing). Answer: `{"sender": "web:…"}` for `/api/chat`."""
    try:
        data = json.loads((await request.body()).strip() or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise GatewayError(400, "invalid_request", "请求格式不正确", "the body must be an empty JSON object")
    return JSONResponse({"sender": issuer.issue(CHANNEL)}, headers={"Cache-Control": "no-store"})


@router.post("/api/chat", summary="Send the user's text or a button payload; get the bot's messages")
async def chat(body: ChatIn, core: ConversationCore = Depends(get_core), issuer: Issuer = Depends(get_issuer),
               limits: Buckets = Depends(get_sender_limits)) -> dict[str, Any]:
    sender = check_sender(issuer, body.sender)
    text = user_text(body.message, "消息不能为空，请先打字再发送。")
    limits.check(sender)
    try:
        if text == "/restart":  # 重新开始 confirmed: nothing said before stays on the server
            await core.forget(sender)
        messages = await core.send(sender, text)
    except CoreUnavailable:
        log.warning("core unavailable for a web conversation")
        raise unavailable() from None
    return {"messages": [m.as_dict() for m in messages]}


@router.post("/api/chat/forget", summary="清除记录: wipe the conversation on the server")
async def forget(body: SenderIn, core: ConversationCore = Depends(get_core),
                 issuer: Issuer = Depends(get_issuer)) -> dict[str, Any]:
    sender = check_sender(issuer, body.sender)
    try:
        await core.forget(sender)
    except CoreUnavailable:
        log.warning("core unavailable while forgetting a web conversation")
        raise unavailable() from None
    return {"ok": True}


def last_bot_turn(tracker: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    """(the last user message, the bot's messages after it) from a Rasa tracker's events, split
    as Rasa's REST channel splits them (a text-only message at each blank line; a `custom` apart),
    so a resumed turn looks exactly like the answer `/api/chat` would have given."""
    user, turn = None, []
    for event in tracker.get("events") or []:
        if not isinstance(event, dict):
            continue
        if event.get("event") == "user":
            user, turn = str(event.get("text") or ""), []
        elif event.get("event") == "bot":
            data = event.get("data") or {}
            text = str(event.get("text") or "")
            buttons = data.get("buttons") or data.get("quick_replies") or []
            if buttons:
                turn.append({"text": text, "buttons": [{"title": b.get("title", ""), "payload": b.get("payload", "")}
                                                       for b in buttons if isinstance(b, dict)], "custom": None})
            elif text.strip():
                turn.extend({"text": part, "buttons": [], "custom": None} for part in text.strip().split("\n\n"))
            if data.get("custom"):
                turn.append({"text": "", "buttons": [], "custom": data["custom"]})
    return user, turn


@router.post("/api/chat/resume", summary="After a reload during a reply: the bot's last turn")
async def resume(body: ResumeIn, core: ConversationCore = Depends(get_core),
                 issuer: Issuer = Depends(get_issuer)) -> dict[str, Any]:
    """Body `{"sender", "message"?}`. Answer `{"messages": [...], "answered": bool | null}`: the
    bot's messages after the last user message; `answered` says whether that user message was
    `message` (null when no `message` is given): false means it never arrived or is still being
    answered, and the page may ask again or offer 重试."""
    sender = check_sender(issuer, body.sender)
    message = body.message.strip()[:MAX_MESSAGE] if body.message else None
    try:
        tracker = await core.tracker(sender)
    except CoreUnavailable:
        log.warning("core unavailable while resuming a web conversation")
        raise unavailable() from None
    user, turn = last_bot_turn(tracker if isinstance(tracker, dict) else {})
    answered = None if message is None else (user is not None and user.strip() == message and bool(turn))
    return {"messages": turn, "answered": answered}
