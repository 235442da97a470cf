"""Website channel: the full-page chat at `/`, the embeddable `/widget.js` and its chat API."""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel

from bot.api import ApiError
from bot.core import ConversationCore, CoreUnavailable

log = logging.getLogger(__name__)
router = APIRouter(tags=["widget"])
STATIC = Path(__file__).parent / "static" / "widget"

SENDER_RE = re.compile(r"^[A-Za-z0-9:_\-]{1,80}$")
MAX_MESSAGE = 500
# What every channel shows when the conversation core cannot be reached.
KIND_UNAVAILABLE = "抱歉，系统暂时连接不上，请过几分钟再试一次。着急的话，可以到村（社区）或乡镇（街道）民政窗口咨询。"

# The page may be framed by any site (that is what the widget does); it loads nothing from elsewhere.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors *",
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
}


class ChatIn(BaseModel):
    sender: str
    message: str


def short_id(sender: str) -> str:
    """A log-safe stand-in for a sender id."""
    return hashlib.sha256(sender.encode("utf-8")).hexdigest()[:8]


def check_sender(sender: str) -> str:
    if not SENDER_RE.match(sender or ""):
        raise ApiError(400, "invalid_sender", "会话编号不正确，请点“重新开始”", "invalid sender id; letters, digits, ':', '_' and '-' only")
    return sender


def core_of(request: Request) -> ConversationCore:
    return request.app.state.core


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


@router.get("/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    headers = {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
    return FileResponse(STATIC / "widget.js", media_type="application/javascript; charset=utf-8", headers=headers)


@router.get("/widget/config.json", include_in_schema=False)
async def widget_config(request: Request) -> JSONResponse:
    """What the page may use: server-side read-aloud (issue 5's /api/tts) when it is mounted."""
    paths = {getattr(r, "path", "") for r in request.app.routes}
    return JSONResponse({"tts_url": "/api/tts" if "/api/tts" in paths else None})


@router.post("/api/chat", summary="Send the user's text or a button payload; get the bot's messages")
async def chat(body: ChatIn, request: Request) -> dict[str, Any]:
    sender = check_sender(body.sender)
    text = (body.message or "").strip()
    if not text or len(text) > MAX_MESSAGE:
        raise ApiError(400, "invalid_message", f"消息不能为空，也不能超过 {MAX_MESSAGE} 个字",
                       f"the message must be 1–{MAX_MESSAGE} characters")
    try:
        messages = await core_of(request).send(sender, text)
    except CoreUnavailable:
        log.warning("core unavailable for web sender %s", short_id(sender))
        raise ApiError(503, "core_unavailable", KIND_UNAVAILABLE, "the conversation service is unavailable") from None
    return {"messages": [m.as_dict() for m in messages]}
