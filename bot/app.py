"""The web gateway on port 8000: `uvicorn bot.app:app --port 8000`.

Serves the eligibility API, the widget (/ and /widget.js), WeChat (/wechat) and, when present,
issue 5's operator console and kiosk routers. All channels share one ConversationCore
(`app.state.core`); settings are in `app.state.settings`.
"""
from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot import api, web, wechat
from bot.core import ConversationCore
from bot.settings import Settings

log = logging.getLogger(__name__)
OPTIONAL_ROUTERS = ("bot.operator_console", "bot.kiosk")

DESCRIPTION = """长治市基本养老服务资格助手的网关。

* `POST /api/eligibility` — one profile (object) → one result; a list → a list (contract §4).
* `GET /api/services`, `GET /api/services/{id}` — the 26 services with citations and plain summaries.
* `/` full-page chat, `/widget.js` embeddable widget, `/wechat` 公众号 endpoint.

Errors are JSON: `{"error", "message_zh", "message_en", "message", "detail"}`.
"""


class RedactQuery(logging.Filter):
    """Access-log lines without query strings: WeChat puts the user's openid and signatures there."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def _quiet_logs() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry ids and tokens
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQuery) for f in access.filters):
        access.addFilter(RedactQuery())


def _include_optional(app: FastAPI) -> list[str]:
    included = []
    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            if exc.name != name:  # the module exists but something it needs is missing
                log.warning("%s not loaded: %s", name, exc)
            continue
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)
            included.append(name)
    return included


def create_app(settings: Settings | None = None, core: ConversationCore | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    _quiet_logs()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await app.state.wechat.aclose()
        await app.state.core.aclose()

    app = FastAPI(title="长治养老服务资格助手 · Web gateway", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.core = core or ConversationCore(settings.rasa_url)
    app.state.wechat = wechat.WeChatBridge(settings, app.state.core)
    api.install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(web.router)
    app.include_router(wechat.router)
    app.state.optional_routers = _include_optional(app)
    app.mount("/widget", StaticFiles(directory=web.STATIC), name="widget")
    return app


app = create_app()
