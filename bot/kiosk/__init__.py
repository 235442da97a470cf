"""Voice kiosk for a community centre: ``/kiosk``, its API under ``/kiosk/api/`` and ``/api/tts``.

Very large buttons, every bot message read aloud (espeak-ng via /api/tts, or the
browser's own speech synthesis), voice-friendly text, an optional speech recogniser
(bot.kiosk.speech) and an idle timeout after which the page clears itself and the
conversation is wiped on the server. Each visit is its own conversation (an id ``kiosk:…``
issued and signed by the gateway) on the shared conversation core: no rules or replies here.

The bot knows what the kiosk can do: every message goes to Rasa with metadata
``{"abilities": {"voice_in", "voice_out", "keypad"}}`` (no microphone unless a recogniser is
configured: the dialogue then never asks to speak), and a number typed on the keypad with
``"entry": "keypad"`` (the dialogue echoes it in words and asks 是/不是 before recording it).
上一步 sends ``/correct`` (no values): the dialogue takes the last answer back and asks again.
The result is the structured result payload (actions/dialogue/result_view.py); its plain-text
twin is not shown here.

Settings (environment or `.env`, read once): KIOSK_IDLE_SECONDS (default 90), KIOSK_TTS
(server | browser | off, default server), KIOSK_PRINT (on: a 打印 button; off by default),
SPEECH_RECOGNIZER and SPEECH_RECOGNIZER_MODULE (bot.kiosk.speech).
"""
from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from bot import screening_view as view
from bot.core import BotMessage, ConversationCore, CoreUnavailable
from bot.deps import get_core, get_issuer, get_sender_limits, get_settings
from bot.errors import NO_STORE, GatewayError
from bot.guard import Buckets, user_text
from bot.kiosk import speech, tts
from bot.kiosk.voice_text import to_voice
from bot.operator import console_headers
from bot.sessions import Issuer
from bot.settings import Settings
from policy_kb.facts import FACT_NAMES, ProfileError, facts

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
_FILES = {"kiosk.js": "text/javascript", "kiosk.css": "text/css"}
CHANNEL = "kiosk"
UNDO_MESSAGE = "/correct"  # 上一步 (actions/dialogue/flow.py UNDO)
START_MESSAGE = "/greet"  # as the widget and WeChat start: the welcome and the first question
SORRY = "对不起，系统暂时有点问题。请稍后再试，或请工作人员帮忙。"
ENDED = "这次服务已经结束，请点“开始”重新查询。"


class Kiosk:
    """Dependency: what a kiosk request needs."""

    def __init__(self, request: Request, settings: Settings = Depends(get_settings),
                 core: ConversationCore = Depends(get_core), issuer: Issuer = Depends(get_issuer),
                 limits: Buckets = Depends(get_sender_limits)):
        self.request, self.settings, self.core, self.issuer, self.limits = request, settings, core, issuer, limits

    def visit(self, value: Any) -> str:
        if not self.issuer.valid(value, CHANNEL):
            raise GatewayError(404, "no_such_visit", ENDED, "no such kiosk visit")
        return value

    async def body(self) -> dict[str, Any]:
        """JSON body; also accepts navigator.sendBeacon's text/plain."""
        try:
            data = json.loads((await self.request.body()) or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise GatewayError(422, "invalid_request", "请求格式不正确", "the body must be a JSON object")
        return data


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def _message(m: BotMessage) -> dict[str, Any]:
    d = m.as_dict()
    d["voice"] = to_voice(m.text)
    return d


def abilities(settings: Settings) -> dict[str, bool]:
    """What this kiosk can do, sent to the bot with every message (docs/contract-extensions.md)."""
    recogniser = speech.active(settings.speech_recognizer, settings.speech_recognizer_module)
    return {"voice_in": recogniser is not None, "voice_out": settings.kiosk_tts_mode != "off", "keypad": True}


def metadata(settings: Settings, entry: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"abilities": abilities(settings)}
    if entry:
        out["entry"] = entry
    return out


def _is_result(m: BotMessage) -> bool:
    return (m.custom or {}).get("type") == "result"


def _shown(messages: list[BotMessage]) -> list[BotMessage]:
    """The messages the kiosk shows: the structured result stands for its plain-text twin (the
    text message right before it, or the text of the result message itself)."""
    out: list[BotMessage] = []
    for m in messages:
        if _is_result(m):
            if out and out[-1].text and not out[-1].buttons and not out[-1].custom:
                out.pop()
            out.append(BotMessage(text="", buttons=m.buttons, custom=m.custom))
        else:
            out.append(m)
    return out


def _voiced(result: dict[str, Any]) -> dict[str, Any]:
    """The result with what the kiosk reads aloud re-spelt for the voice (`voice` beside `spoken`)."""
    out = dict(result, voice=to_voice(result.get("spoken") or ""))

    def card(c: dict[str, Any]) -> dict[str, Any]:
        return dict(c, voice=to_voice(c.get("spoken") or c.get("name") or ""))

    out["groups"] = [dict(g, services=[card(c) for c in g.get("services") or []]) for g in result.get("groups") or []]
    out["possible_services"] = [card(c) for c in result.get("possible_services") or []]
    return out


def _result(told: dict[str, Any], tracker: dict[str, Any] | None, profile: dict[str, Any]) -> dict[str, Any]:
    """The structured result; a bare one (a Rasa without result_view) is given cards from the engine."""
    if told.get("headline") and isinstance(told.get("groups"), list):
        return _voiced(told)
    old = (view.result_view(tracker, profile) if tracker else None) or {}
    summary = told.get("summary") or old.get("summary") or ""
    return _voiced({**told, "headline": summary, "spoken": summary, "labels": told.get("labels") or {},
                    "groups": [{"office": "", "department": "", "services": old.get("eligible") or []}],
                    "possible_services": old.get("possible") or [], "share": told.get("share") or ""})


async def turn(core: ConversationCore, sender: str, messages: list[BotMessage],
               heard: str | None = None) -> dict[str, Any]:
    """What the kiosk shows after one step: the bot's messages, what fact is asked, the result."""
    asking = result = None
    told = next((m.custom for m in messages if _is_result(m)), None)
    try:
        tracker = await core.tracker(sender)
        slots = tracker.get("slots") or {}
        fact = facts().get(slots.get("requested_slot") or "")
        if fact is not None:
            asking = {"fact": fact.name, "label": fact.label, "type": fact.type, "min": fact.min, "max": fact.max}
        profile = {n: slots[n] for n in FACT_NAMES if slots.get(n) is not None}
        result = _result(told, tracker, profile) if told else None
    except CoreUnavailable:
        result = _result(told, None, {}) if told else None  # the messages alone are enough to go on
    out = {"sender": sender, "messages": [_message(m) for m in _shown(messages)], "asking": asking, "result": result}
    if heard is not None:
        out["heard"] = heard
    return out


async def _run(kiosk: Kiosk, step) -> JSONResponse:
    try:
        return _json(await step(kiosk.core))
    except GatewayError as exc:
        return exc.response(NO_STORE)
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
async def kiosk_page(settings: Settings = Depends(get_settings)) -> HTMLResponse:
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers=console_headers(settings))


@router.get("/kiosk/static/{name}", include_in_schema=False)
async def kiosk_static(name: str):
    if name not in _FILES:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return FileResponse(STATIC / name, media_type=_FILES[name])


@router.get("/kiosk/api/config")
async def kiosk_config(settings: Settings = Depends(get_settings)) -> JSONResponse:
    """Idle timeout, how to speak (server | browser | off), whether a microphone button shows,
    whether a printer is set up (KIOSK_PRINT)."""
    idle = settings.kiosk_idle_seconds
    recogniser = speech.active(settings.speech_recognizer, settings.speech_recognizer_module)
    return _json({"idle_seconds": idle, "warn_seconds": min(15, max(1, idle // 3)),
                  "tts": settings.kiosk_tts_mode, "speech": recogniser is not None,
                  "print": settings.kiosk_print_enabled})


@router.post("/kiosk/api/session")
async def start_session(kiosk: Kiosk = Depends()) -> JSONResponse:
    """A new visit: a fresh conversation (an issued id) and the bot's first question."""
    async def step(core: ConversationCore):
        sender = kiosk.issuer.issue(CHANNEL)
        return await turn(core, sender, await core.send(sender, START_MESSAGE, metadata=metadata(kiosk.settings)))
    return await _run(kiosk, step)


@router.post("/kiosk/api/message")
async def message(kiosk: Kiosk = Depends()) -> JSONResponse:
    """A button's payload (or recognised speech) from the visitor."""
    async def step(core: ConversationCore):
        body = await kiosk.body()
        sender = kiosk.visit(body.get("sender"))
        text = user_text(body.get("text"), "请按一个按钮。")
        kiosk.limits.check(sender)
        return await turn(core, sender, await core.send(sender, text, metadata=metadata(kiosk.settings)))
    return await _run(kiosk, step)


@router.post("/kiosk/api/facts")
async def set_facts(kiosk: Kiosk = Depends()) -> JSONResponse:
    """A number typed on the on-screen keypad for the fact being asked (e.g. age)."""
    async def step(core: ConversationCore):
        body = await kiosk.body()
        sender, raw = kiosk.visit(body.get("sender")), body.get("facts")
        if not isinstance(raw, dict) or len(raw) != 1:
            raise GatewayError(422, "invalid_facts", "请输入一个数字。", "one fact expected")
        kiosk.limits.check(sender)
        values = {k: view.parse_fact(k, v) for k, v in raw.items()}
        typed = metadata(kiosk.settings, "keypad")
        return await turn(core, sender, await core.set_facts(sender, values, metadata=typed))
    return await _run(kiosk, step)


@router.post("/kiosk/api/listen")
async def listen(sender: str = "", kiosk: Kiosk = Depends()) -> JSONResponse:
    """A short recording → the configured speech recogniser → sent as the visitor's words."""
    async def step(core: ConversationCore):
        sid = kiosk.visit(sender)
        kiosk.limits.check(sid)
        audio = await kiosk.request.body()  # at most speech.MAX_AUDIO_BYTES (bot.guard.BodyLimit)
        content_type = kiosk.request.headers.get("content-type", "application/octet-stream")
        settings = kiosk.settings
        heard = (await asyncio.to_thread(speech.recognize, audio, content_type, settings.speech_recognizer,
                                         settings.speech_recognizer_module)).text
        heard = user_text(heard)
        return await turn(core, sid, await core.send(sid, heard, metadata=metadata(settings)), heard=heard)
    return await _run(kiosk, step)


@router.post("/kiosk/api/back")
async def back(kiosk: Kiosk = Depends()) -> JSONResponse:
    """上一步: the dialogue takes the last answer back and asks its question again."""
    async def step(core: ConversationCore):
        sender = kiosk.visit((await kiosk.body()).get("sender"))
        kiosk.limits.check(sender)
        return await turn(core, sender, await core.send(sender, UNDO_MESSAGE, metadata=metadata(kiosk.settings)))
    return await _run(kiosk, step)


@router.post("/kiosk/api/end")
async def end_session(kiosk: Kiosk = Depends()) -> JSONResponse:
    """The visit is over (idle timeout or 重新开始): wipe the conversation on the server."""
    async def step(core: ConversationCore):
        sender = kiosk.visit((await kiosk.body()).get("sender"))
        await core.forget(sender)
        return {"ok": True}
    return await _run(kiosk, step)
