"""WeChat Official Account (公众号) channel at /wechat — answers only when WECHAT_TOKEN is set.

GET: URL verification. POST: text, voice, subscribe; plaintext or safe (AES) mode. Protocol by
wechatpy; every body passes `check_xml` (no DOCTYPE/entities) first. A voice message's text is
its `Recognition`, or, when WeChat leaves that out, what the configured recogniser hears in the
fetched recording (bot.wechat.voice). A result goes out short, its details on request
(bot.wechat.result).
"""
from __future__ import annotations

import logging
import re
import time

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from bot.core import ConversationCore, CoreUnavailable
from bot.errors import TOO_MANY, GatewayError
from bot.guard import MAX_TEXT, TEXT_TOO_LONG, Buckets
from bot.settings import Settings
from bot.web import KIND_UNAVAILABLE
from bot.wechat import result as wxresult
from bot.wechat.catalogue import ASK_TO_TYPE, BUSY, DETAILS_GONE, ONLY_TEXT, VOICE_NOT_AVAILABLE
from bot.wechat.client import CustomerServiceClient
from bot.wechat.dedup import MessageDeduplicator, ReplayGuard, in_background
from bot.wechat.options import MORE_HINT, LastButtons, MorePages, Paged, options_text, render, split_text
from bot.wechat.safe_xml import MAX_XML_BYTES, UnsafeXML, check_xml
from bot.wechat.voice import VoiceListener, VoiceNotConfigured, VoiceNotHeard

log = logging.getLogger(__name__)
router = APIRouter(tags=["wechat"])

OPENID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
__all__ = ["ASK_TO_TYPE", "BUSY", "ONLY_TEXT", "VOICE_NOT_AVAILABLE", "WeChatBridge", "router"]


class Refused(GatewayError):
    """A refused WeChat request (the gateway's error type; WeChat gets plain text, not JSON)."""

    def __init__(self, status: int, reason: str):
        super().__init__(status, "wechat_refused", "请求被拒绝", reason)
        self.reason = reason


class WeChatBridge:
    """Turns WeChat messages into core turns, once per message, and answers in time."""

    def __init__(self, settings: Settings, core: ConversationCore, cs: CustomerServiceClient | None = None,
                 limits: Buckets | None = None):
        self.settings, self.core = settings, core
        self.limits = limits or Buckets(settings.rate_sender_per_minute, 20)
        self.cs = cs
        if cs is None and settings.wechat_customer_service:
            self.cs = CustomerServiceClient(settings.wechat_appid, settings.wechat_secret, settings.wechat_api_base)
        self.crypto = None
        if settings.wechat_safe_mode and not settings.wechat_config_error():
            self.crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
        self.dedup = MessageDeduplicator()
        self.replays = ReplayGuard()
        self.buttons = LastButtons()
        self.more = MorePages()
        self.results = wxresult.LastResults()
        self.voice = VoiceListener(settings, self.cs)

    async def aclose(self) -> None:
        if self.cs is not None:
            await self.cs.aclose()

    # -- one bot turn ------------------------------------------------------------------------
    async def _turn(self, sender: str, text: str, counted: bool = False) -> str | None:
        text = text.strip()
        if len(text) > MAX_TEXT:
            return TEXT_TOO_LONG  # never sent to Rasa
        if not text:
            return ASK_TO_TYPE
        if text == wxresult.DETAILS_PAYLOAD or (wxresult.is_details_request(text) and self.results.get(sender)):
            return self._details(sender)
        if not counted and self.limits.take(sender):
            return TOO_MANY
        try:
            messages = await self.core.send(sender, text)
        except CoreUnavailable:
            log.warning("core unavailable for a wechat conversation")
            return KIND_UNAVAILABLE
        at = wxresult.find_result(messages)
        if at is not None:
            return self._result_reply(sender, messages, at)
        reply, buttons = render(messages)
        self.buttons.remember(sender, buttons)
        return reply or None

    def _result_reply(self, sender: str, messages, at: int) -> str:
        """The turn with a result: its other messages, then the short result; option 1 = details."""
        payload = messages[at].custom
        others, buttons = render(wxresult.without_fallback(messages, at))
        offered = [{"title": payload.get("labels", {}).get("details", ""), "payload": wxresult.DETAILS_PAYLOAD}]
        options = options_text(offered + buttons) if buttons else ""
        self.buttons.remember(sender, offered + buttons)
        fixed = "\n\n".join(p for p in (others, options) if p)
        room = wxresult.MAX_BYTES - len(fixed.encode("utf-8")) - 4
        short = wxresult.short_text(payload, self.settings.public_base_url, max_bytes=max(600, room))
        hint = MORE_HINT.strip()
        detail = wxresult.pages(wxresult.detail_sections(payload), wxresult.MAX_CHARS - len(hint) - 2)
        self.results.remember(sender, detail)
        parts = [others, short, options] if options else [others, short]
        return "\n\n".join(p for p in parts if p).replace("]]>", "]] >")

    def _details(self, sender: str) -> Paged | str:
        detail = self.results.get(sender)
        if not detail:
            return DETAILS_GONE
        return self.more.first(sender, [p.replace("]]>", "]] >") for p in detail])

    async def _heard(self, sender: str, msg) -> str:
        """What a voice message says: WeChat's `Recognition`, else the configured recogniser's text."""
        heard = (msg.recognition or "").strip()
        if heard:
            return await self._said(sender, heard)
        media_id = str(getattr(msg, "media_id", "") or "")
        if not self.voice.configured():
            return VOICE_NOT_AVAILABLE  # nothing fetched, nothing kept
        if self.limits.take(sender):  # a recording costs more than a text: counted before fetching
            return TOO_MANY
        try:
            heard = await self.voice.hear(media_id, str(getattr(msg, "format", "") or "amr"))
        except VoiceNotConfigured:
            return VOICE_NOT_AVAILABLE
        except VoiceNotHeard:
            return ASK_TO_TYPE
        return await self._said(sender, heard, counted=True)

    async def _said(self, sender: str, text: str, counted: bool = False) -> str | None:
        """Typed or spoken words: “继续” pages on, a number picks an option, else a bot turn."""
        more = self.more.next(sender, text)
        if more is not None:
            return more
        return await self._turn(sender, self.buttons.resolve(sender, text), counted=counted)

    async def _produce(self, msg) -> str | None:
        sender = f"wx:{msg.source}"
        if msg.type in ("text", "voice"):
            said = (msg.content if msg.type == "text" else msg.recognition) or ""
            if len(said.strip()) > MAX_TEXT:
                return TEXT_TOO_LONG  # before anything else looks at it; never sent to Rasa
        if msg.type == "text":
            return await self._said(sender, msg.content or "")
        if msg.type == "voice":
            return await self._heard(sender, msg)
        if msg.type == "event":
            event = (msg.event or "").lower()
            if event in ("subscribe", "subscribe_scan"):
                return await self._turn(sender, "/greet")
            if event == "click" and str(getattr(msg, "key", "") or "").startswith("/"):
                return await self._turn(sender, msg.key)  # menu keys may be bot payloads, e.g. /restart
            if event == "unsubscribe":  # the user left: nothing they said stays on the server
                self.buttons.remember(sender, [])
                self.more.forget(sender)
                self.results.forget(sender)
                try:
                    await self.core.forget(sender)
                except CoreUnavailable:
                    log.warning("could not wipe a wechat conversation after unsubscribe")
            return None
        return ONLY_TEXT

    async def _send_later(self, openid: str, text: str) -> None:
        for piece in split_text(text):
            try:
                await self.cs.send_text(openid, piece)
            except Exception as exc:  # noqa: BLE001 — log the kind, never the content
                log.warning("customer-service message failed: %s", type(exc).__name__)
                return

    # -- one delivery -------------------------------------------------------------------------
    async def reply_for(self, msg, signed: str) -> str | None:
        if not OPENID_RE.match(msg.source or ""):
            raise Refused(400, "bad FromUserName")
        key = f"id:{msg.id}" if msg.id else f"ev:{msg.source}:{msg.time}:{msg.type}:{getattr(msg, 'event', '')}"
        if not self.replays.check(signed, key):
            raise Refused(403, "replayed signature")
        if self.dedup.seen(key):
            log.info("wechat retry of a message")
        later = (lambda text: self._send_later(msg.source, text)) if self.cs else None
        status, answer = await self.dedup.answer(
            key, lambda: self._produce(msg), self.settings.wechat_reply_deadline, later
        )
        if status == "pending":
            return BUSY  # no customer-service API configured: say so rather than stay silent
        if not answer:
            return None
        if isinstance(answer, Paged):
            return answer
        pieces = split_text(answer)
        if later is None:
            return self.more.first(f"wx:{msg.source}", pieces)
        if len(pieces) > 1:
            in_background(later("\n".join(pieces[1:])))
        return pieces[0]


def _check_request(settings: Settings, q) -> None:
    try:
        check_signature(settings.wechat_token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
    except InvalidSignatureException:
        raise Refused(403, "bad signature") from None


def _check_fresh(settings: Settings, timestamp: str) -> None:
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        raise Refused(403, "bad timestamp") from None
    if age > settings.wechat_max_clock_skew:
        raise Refused(403, "stale timestamp")


def _bridge(request: Request) -> WeChatBridge | None:
    settings: Settings = request.app.state.settings
    return request.app.state.wechat if settings.wechat_enabled else None


def _not_found() -> Response:
    return PlainTextResponse("not found", status_code=404)


@router.get("/wechat", include_in_schema=False)
async def verify(request: Request) -> Response:
    bridge = _bridge(request)
    if bridge is None:
        return _not_found()
    try:
        _check_request(bridge.settings, request.query_params)
    except Refused as exc:
        log.warning("wechat verification refused: %s", exc.reason)
        return PlainTextResponse("forbidden", status_code=exc.status)
    return PlainTextResponse(request.query_params.get("echostr", ""))


@router.post("/wechat", include_in_schema=False)
async def receive(request: Request) -> Response:
    bridge = _bridge(request)
    if bridge is None:
        return _not_found()
    settings, q = bridge.settings, request.query_params
    if settings.wechat_config_error():
        log.error("wechat settings unusable: %s", settings.wechat_config_error())
        return PlainTextResponse("misconfigured", status_code=503)
    try:
        _check_request(settings, q)
        _check_fresh(settings, q.get("timestamp", ""))
        if int(request.headers.get("content-length") or 0) > MAX_XML_BYTES:
            raise UnsafeXML("too large")  # refused before reading it
        body = check_xml(await request.body())
        encrypted = q.get("encrypt_type", "raw").lower() == "aes"
        if settings.wechat_safe_mode and not encrypted:
            raise Refused(403, "plaintext message while safe mode is configured")
        if encrypted:
            if bridge.crypto is None:
                raise Refused(403, "encrypted message but no WECHAT_AES_KEY")
            body = check_xml(_decrypt(bridge.crypto, body, q))
        try:
            msg = parse_message(body)
        except Exception:  # noqa: BLE001 — malformed message fields
            raise Refused(400, "malformed message") from None
        if msg is None:
            raise Refused(400, "empty message")
        signed = f"{q.get('timestamp')}:{q.get('nonce')}:{q.get('signature')}"
        answer = await bridge.reply_for(msg, signed)
    except UnsafeXML as exc:
        log.warning("wechat body refused: %s", exc)
        return PlainTextResponse("bad request", status_code=400)
    except Refused as exc:
        log.warning("wechat message refused: %s", exc.reason)
        return PlainTextResponse("forbidden" if exc.status == 403 else "bad request", status_code=exc.status)
    if not answer:
        return PlainTextResponse("success")
    xml = create_reply(answer, msg).render()
    if encrypted:
        xml = bridge.crypto.encrypt_message(xml, q.get("nonce", ""), str(int(time.time())))
    return Response(xml, media_type="application/xml; charset=utf-8")


def _decrypt(crypto: WeChatCrypto, body: bytes, q) -> str:
    try:
        return crypto.decrypt_message(body, q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
    except (InvalidSignatureException, InvalidAppIdException):
        raise Refused(403, "bad message signature or appid") from None
    except Exception:  # noqa: BLE001 — bad base64, padding, missing <Encrypt>
        raise Refused(400, "cannot decrypt") from None
