"""HTTP of the hand-off: the user's page polls `GET /api/chat/events`; operators work the queue
under `/operator/api/handoff/…` with OPERATOR_TOKEN, as the rest of the console.

Operators never see the user's conversation id (it is what the user chats with): a case has its
own random id.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from bot import screening_view as view
from bot.core import CoreUnavailable
from bot.deps import get_issuer, get_lockout, get_settings
from bot.errors import NO_STORE, GatewayError
from bot.guard import Lockout, user_text
from bot.handoff.desk import DeskError, HandoffDesk
from bot.handoff.messages import msg
from bot.handoff.store import Case
from bot.operator import require_operator
from bot.sessions import Issuer
from bot.settings import Settings
from bot.web import check_sender

log = logging.getLogger(__name__)
router = APIRouter(tags=["handoff"])
MAX_AFTER = 2**53


def get_desk(request: Request) -> HandoffDesk:
    return request.app.state.handoff


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def _refusal(exc: DeskError) -> JSONResponse:
    return GatewayError(exc.status, exc.code, exc.message_zh, exc.code.replace("_", " ")).response(NO_STORE)


@router.get("/api/chat/events", summary="Hand-off: the operator's messages for this website conversation")
async def chat_events(sender: str = Query(..., max_length=200), after: int = Query(0, ge=0, le=MAX_AFTER),
                      issuer: Issuer = Depends(get_issuer), desk: HandoffDesk = Depends(get_desk)) -> JSONResponse:
    """`{"state": "none"|"queued"|"taken"|"returned"|"closed", "events": [{"id", "who", "text", "state"}]}`:
    `who` is `operator` (a message to show) or `notice` (taken, handed back, ended). Poll with the
    last `id` seen as `after`."""
    check_sender(issuer, sender)
    return _json(desk.events_for(sender, after))


# ---- operators ---------------------------------------------------------------------------------

def _summary(case: Case) -> dict[str, Any]:
    now = time.time()
    return {"id": case.case_id, "channel": case.channel, "state": case.state,
            "waiting_seconds": int(now - case.created), "taken_seconds": int(now - case.taken) if case.taken else None,
            "wechat_window_seconds": int(max(0.0, case.last_user + 48 * 3600 - now)) if case.channel == "wx" else None}


async def _detail(request: Request, desk: HandoffDesk, case: Case, after: int = 0) -> dict[str, Any]:
    out = _summary(case)
    out["messages"] = desk.store.messages_after(case.case_id, after, limit=400)
    try:
        tracker = await request.app.state.core.tracker(case.sender)
    except CoreUnavailable:
        tracker = None
    if tracker is not None:
        slots = tracker.get("slots") or {}
        out["profile"] = view.profile_view(slots)
        out["transcript"] = view.transcript(tracker)
        told = view.latest_result(tracker)
        out["headline"] = (told or {}).get("headline") or ""
    else:
        out["profile"], out["transcript"], out["headline"] = None, None, ""
    return out


async def _guarded(action) -> JSONResponse:
    try:
        return _json(await action())
    except DeskError as exc:
        return _refusal(exc)
    except GatewayError as exc:
        return exc.response(NO_STORE)
    except CoreUnavailable:
        log.warning("hand-off: conversation core unavailable")
        return _json({"error": "core_unavailable", "detail": msg("core_down")}, 503)


def _auth(request: Request, settings: Settings, lockout: Lockout) -> JSONResponse | None:
    try:
        require_operator(request, settings, lockout)
    except GatewayError as exc:
        return exc.response(NO_STORE)
    return None


@router.get("/operator/api/handoff", summary="Hand-off queue: conversations waiting for or talking to an operator")
async def handoff_queue(request: Request, settings: Settings = Depends(get_settings),
                        lockout: Lockout = Depends(get_lockout), desk: HandoffDesk = Depends(get_desk)) -> JSONResponse:
    refused = _auth(request, settings, lockout)
    if refused:
        return refused
    return _json({"enabled": desk.enabled, "open": desk.open_now(),
                  "hours": desk.hours.describe() if desk.hours.configured else "",
                  "max": desk.max_queue, "cases": [_summary(c) for c in desk.queue()]})


@router.get("/operator/api/handoff/{case_id}")
async def handoff_case(case_id: str, request: Request, after: int = Query(0, ge=0, le=MAX_AFTER),
                       settings: Settings = Depends(get_settings), lockout: Lockout = Depends(get_lockout),
                       desk: HandoffDesk = Depends(get_desk)) -> JSONResponse:
    """One case: the profile and transcript so far (from the conversation), and the hand-off's messages."""
    refused = _auth(request, settings, lockout)
    if refused:
        return refused
    return await _guarded(lambda: _detail(request, desk, desk.by_id(case_id), after))


@router.post("/operator/api/handoff/{case_id}/take")
async def handoff_take(case_id: str, request: Request, settings: Settings = Depends(get_settings),
                       lockout: Lockout = Depends(get_lockout), desk: HandoffDesk = Depends(get_desk)) -> JSONResponse:
    """Take the conversation: the bot pauses (Rasa's pause event) and the user is told."""
    refused = _auth(request, settings, lockout)
    if refused:
        return refused

    async def action():
        case = await desk.take(request.app.state.core, case_id)
        return await _detail(request, desk, case)
    return await _guarded(action)


@router.post("/operator/api/handoff/{case_id}/send")
async def handoff_send(case_id: str, request: Request,
                       body: dict = Body(..., examples=[{"text": "您好，我是热线人员。"}]),
                       settings: Settings = Depends(get_settings), lockout: Lockout = Depends(get_lockout),
                       desk: HandoffDesk = Depends(get_desk)) -> JSONResponse:
    """A message from the operator to the user (≤ 500 characters): the page shows it; WeChat gets it
    through the customer-service API within 48 hours of the user's last message."""
    refused = _auth(request, settings, lockout)
    if refused:
        return refused

    async def action():
        text = user_text(body.get("text") if isinstance(body, dict) else None, msg("empty_text"))
        return await desk.send(case_id, text)
    return await _guarded(action)


@router.post("/operator/api/handoff/{case_id}/resume")
async def handoff_resume(case_id: str, request: Request,
                         settings: Settings = Depends(get_settings), lockout: Lockout = Depends(get_lockout),
                         desk: HandoffDesk = Depends(get_desk)) -> JSONResponse:
    """Hand back to the bot: Rasa's resume event; the user's next message gets the bot's answer."""
    refused = _auth(request, settings, lockout)
    if refused:
        return refused
    return await _guarded(lambda: _finish(request, desk, case_id, closed=False))


@router.post("/operator/api/handoff/{case_id}/close")
async def handoff_close(case_id: str, request: Request, settings: Settings = Depends(get_settings),
                        lockout: Lockout = Depends(get_lockout), desk: HandoffDesk = Depends(get_desk)) -> JSONResponse:
    """End the hand-off (the bot answers again; the case leaves the queue)."""
    refused = _auth(request, settings, lockout)
    if refused:
        return refused
    return await _guarded(lambda: _finish(request, desk, case_id, closed=True))


async def _finish(request: Request, desk: HandoffDesk, case_id: str, closed: bool) -> dict[str, Any]:
    case = await desk.finish(request.app.state.core, case_id, closed)
    return _summary(case)
