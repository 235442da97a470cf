"""The web gateway on port 8000: `uvicorn bot.app:app --port 8000`.

Serves the eligibility API (bot.api) and one package per channel over the one core
(bot/core.py): the widget (bot.web: / and /widget.js), WeChat (bot.wechat: /wechat), the operator
console (bot.operator: /operator) and the kiosk (bot.kiosk: /kiosk, /api/tts). All channels share one ConversationCore
(`app.state.core`); the settings are read once (`app.state.settings`) and handed to routes by
FastAPI dependencies (bot.deps). Limits at the door: bot.guard.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot import api, kiosk, operator, takehome, web, wechat
from bot.core import ConversationCore
from bot.guard import BodyLimit, Buckets, ChatCors, Lockout, RateLimit, quiet_logs
from bot.kiosk import speech
from bot.sessions import Issuer, Secret
from bot.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = """长治市基本养老服务资格助手的网关。

* `POST /api/eligibility` — one profile (object) → one result; a list → a list (contract §4).
* `GET /api/services`, `GET /api/services/{id}` — the 26 services with citations and plain summaries.
* `POST /api/chat/session` → `{"sender"}` (an id issued by the gateway); `POST /api/chat` with it.
* `POST /api/result` — the facts of the take-home page `/result#<facts>` → the chat's structured result.
* `/` full-page chat, `/widget.js` embeddable widget, `/wechat` 公众号, `/operator`, `/kiosk`.

Errors are JSON: `{"error", "message_zh", "message_en", "message", "detail"}`.
"""


def create_app(settings: Settings | None = None, core: ConversationCore | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    quiet_logs()
    problem = settings.operator_token_problem()
    if problem and settings.operator_token:
        log.warning("operator console disabled: %s", problem)  # says why, never the token

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _ = app.state.secret.key  # made on first start (DATA_DIR/secret, 0600)
        yield
        await app.state.wechat.aclose()
        await app.state.core.aclose()

    app = FastAPI(title="长治养老服务资格助手 · Web gateway", version="0.2.0", description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.core = core or ConversationCore(settings.rasa_url, token=settings.rasa_token or "",
                                              rasa_urls=settings.rasa_urls or None)
    app.state.secret = Secret(settings.data_path)
    app.state.issuer = Issuer(app.state.secret)
    app.state.sender_limits = Buckets(settings.rate_sender_per_minute, 20)
    app.state.lockout = Lockout(settings.operator_max_failures)
    app.state.wechat = wechat.WeChatBridge(settings, app.state.core, limits=app.state.sender_limits)
    api.install_error_handlers(app)
    for module in (api, web, wechat, operator, kiosk, takehome):
        app.include_router(module.router)
    app.mount("/widget", StaticFiles(directory=web.STATIC), name="widget")
    # outermost first: CORS answers preflights, then the rate limit, then the body limit
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       exceptions={"/kiosk/api/listen": speech.MAX_AUDIO_BYTES})
    ip_rate = settings.rate_ip_per_minute
    app.add_middleware(RateLimit, buckets=Buckets(ip_rate, max(10.0, ip_rate / 4)))
    app.add_middleware(ChatCors, origins=settings.widget_origin_list)
    return app


app = create_app()
