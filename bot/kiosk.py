"""Voice kiosk for a community centre: ``/kiosk``, its API under ``/kiosk/api/`` and ``/api/tts``.

Very large buttons, every bot message read aloud (espeak-ng via /api/tts, or the
browser's own speech synthesis), voice-friendly text, an optional speech recogniser
(bot.speech) and an idle timeout after which the page clears itself and the
conversation is restarted. Each visit is its own conversation ``kiosk:<random>`` on the
shared conversation core: no rules or replies here.

Environment: KIOSK_IDLE_SECONDS (default 90), KIOSK_TTS (server | browser | off, default server),
SPEECH_RECOGNIZER (see bot.speech).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from bot import screening_view as view
from bot import speech, tts
from bot.core import BotMessage, ConversationCore, CoreUnavailable
from bot.voice_text import to_voice
from policy_kb.facts import FACT_NAMES, ProfileError, facts

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static" / "kiosk"
_FILES = {"kiosk.js": "text/javascript", "kiosk.css": "text/css"}
SENDER = re.compile(r"^kiosk:[0-9a-f]{16}$")
START_MESSAGE = "/greet"  # as the widget and WeChat start: the welcome and the first question
NO_STORE = {"Cache-Control": "no-store"}
SORRY = "对不起，系统暂时有点问题。请稍后再试，或请工作人员帮忙。"


class KioskError(Exception):
    def __init__(self, status: int, detail: str):
        self.status, self.detail = status, detail


def idle_seconds() -> int:
    try:
        return max(2, min(3600, int(os.environ.get("KIOSK_IDLE_SECONDS", "90"))))
    except ValueError:
        return 90


def tts_mode() -> str:
    mode = os.environ.get("KIOSK_TTS", "server").strip().lower()
    return mode if mode in ("server", "browser", "off") else "server"


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


async def _body(request: Request) -> dict[str, Any]:
    """JSON body; also accepts navigator.sendBeacon's text/plain."""
    try:
        data = json.loads((await request.body())[:10_000] or b"{}")
    except ValueError:
        raise KioskError(422, "请求格式不正确")
    if not isinstance(data, dict):
        raise KioskError(422, "请求格式不正确")
    return data


def _sender(value: Any) -> str:
    if not isinstance(value, str) or not SENDER.match(value):
        raise KioskError(404, "这次服务已经结束，请点“开始”重新查询。")
    return value


def _message(m: BotMessage) -> dict[str, Any]:
    d = m.as_dict()
    d["voice"] = to_voice(m.text)
    return d


async def turn(core: ConversationCore, sender: str, messages: list[BotMessage], heard: str | None = None) -> dict[str, Any]:
    """What the kiosk shows after one step: the bot's messages, what fact is asked, the result."""
    asking = result = None
    try:
        tracker = await core.tracker(sender)
        slots = tracker.get("slots") or {}
        fact = facts().get(slots.get("requested_slot") or "")
        if fact is not None:
            asking = {"fact": fact.name, "label": fact.label, "type": fact.type, "min": fact.min, "max": fact.max}
        profile = {n: slots[n] for n in FACT_NAMES if slots.get(n) is not None}
        result = view.result_view(tracker, profile) if any((m.custom or {}).get("type") == "result" for m in messages) else None
    except CoreUnavailable:
        pass  # the messages alone are enough to go on
    out = {"sender": sender, "messages": [_message(m) for m in messages], "asking": asking, "result": result}
    if heard is not None:
        out["heard"] = heard
    return out


async def _run(request: Request, step) -> JSONResponse:
    try:
        return _json(await step(view.get_core(request)))
    except KioskError as exc:
        return _json({"detail": exc.detail}, exc.status)
    except ProfileError:
        return _json({"detail": "这个数字不对，请再输一次。"}, 422)
    except speech.RecognitionError:
        return _json({"detail": "没有听清楚，请再说一遍，或者按屏幕上的按钮。"}, 422)
    except CoreUnavailable:
        log.warning("kiosk: conversation core unavailable")
        return _json({"detail": SORRY}, 503)


router = APIRouter(tags=["kiosk"])
router.include_router(tts.router)


@router.get("/kiosk", response_class=HTMLResponse, include_in_schema=False)
async def kiosk_page() -> HTMLResponse:
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers=NO_STORE)


@router.get("/kiosk/static/{name}", include_in_schema=False)
async def kiosk_static(name: str):
    if name not in _FILES:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return FileResponse(STATIC / name, media_type=_FILES[name])


@router.get("/kiosk/api/config")
async def kiosk_config() -> JSONResponse:
    """Idle timeout, how to speak (server | browser | off), whether a microphone button shows."""
    return _json({"idle_seconds": idle_seconds(), "warn_seconds": min(15, max(1, idle_seconds() // 3)),
                  "tts": tts_mode(), "speech": speech.active() is not None})


@router.post("/kiosk/api/session")
async def start_session(request: Request) -> JSONResponse:
    """A new visit: a fresh conversation and the bot's first question."""
    async def step(core: ConversationCore):
        sender = "kiosk:" + secrets.token_hex(8)
        return await turn(core, sender, await core.send(sender, START_MESSAGE))
    return await _run(request, step)


@router.post("/kiosk/api/message")
async def message(request: Request) -> JSONResponse:
    """A button's payload (or recognised speech) from the visitor."""
    async def step(core: ConversationCore):
        body = await _body(request)
        sender, text = _sender(body.get("sender")), str(body.get("text") or "").strip()[:300]
        if not text:
            raise KioskError(422, "请按一个按钮。")
        return await turn(core, sender, await core.send(sender, text))
    return await _run(request, step)


@router.post("/kiosk/api/facts")
async def set_facts(request: Request) -> JSONResponse:
    """A number typed on the on-screen keypad for the fact being asked (e.g. age)."""
    async def step(core: ConversationCore):
        body = await _body(request)
        sender, raw = _sender(body.get("sender")), body.get("facts")
        if not isinstance(raw, dict) or len(raw) != 1:
            raise KioskError(422, "请输入一个数字。")
        return await turn(core, sender, await core.set_facts(sender, {k: view.parse_fact(k, v) for k, v in raw.items()}))
    return await _run(request, step)


@router.post("/kiosk/api/listen")
async def listen(request: Request, sender: str = "") -> JSONResponse:
    """A short recording → the configured speech recogniser → sent as the visitor's words."""
    async def step(core: ConversationCore):
        sid = _sender(sender)
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > speech.MAX_AUDIO_BYTES:
            raise KioskError(413, "录音太长了，请说短一点。")
        audio = await request.body()
        content_type = request.headers.get("content-type", "application/octet-stream")
        heard = (await asyncio.to_thread(speech.recognize, audio, content_type)).text
        return await turn(core, sid, await core.send(sid, heard), heard=heard)
    return await _run(request, step)


@router.post("/kiosk/api/end")
async def end_session(request: Request) -> JSONResponse:
    """The visit is over (idle timeout or 重新开始): restart the conversation so nothing lingers."""
    async def step(core: ConversationCore):
        sender = _sender((await _body(request)).get("sender"))
        await core.restart(sender)
        return {"ok": True}
    return await _run(request, step)
