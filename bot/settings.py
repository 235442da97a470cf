"""Gateway settings, read once at start from environment variables and a `.env` file.

Real environment variables win over the `.env` file. `create_app` reads them once
(`Settings.from_env()`) and keeps them in `app.state.settings`; routes get them through the
FastAPI dependency `get_settings`. Nothing in `bot/` reads `os.environ` on its own.

Public names (contract section 5): WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APPID, WECHAT_SECRET,
OPERATOR_TOKEN; also RASA_URL. The others are listed in README "Settings" and docs/security.md.
The dataclass stays flat: one field per variable, named as the variable in lower case.
"""
from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from fastapi import Request

REPO_ROOT = Path(__file__).resolve().parent.parent
MIN_OPERATOR_TOKEN = 24  # characters; a shorter OPERATOR_TOKEN leaves the console disabled


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (comments, blank lines, `export`, quotes allowed)."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, IsADirectoryError, PermissionError, NotADirectoryError):
        return values
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        if key:
            values[key] = value
    return values


@dataclass(frozen=True)
class Settings:
    # WeChat 公众号 (contract section 5)
    wechat_token: str | None = None
    wechat_aes_key: str | None = None
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_deadline: float = 4.5  # seconds; WeChat gives up after 5 s
    wechat_max_clock_skew: float = 300.0  # seconds a signed timestamp may be off
    # the gateway's public address (https://…), for links people open later, e.g. <it>/result#…;
    # empty: no link is sent (nothing invented)
    public_base_url: str | None = None
    # the conversation core
    rasa_url: str = "http://127.0.0.1:5005"
    # operator console
    operator_token: str | None = None
    # where the gateway keeps its secret and caches (git-ignored ./run/data by default)
    data_dir: str = str(REPO_ROOT / "run" / "data")
    # the widget: origins that may embed the chat page and call /api/chat* ("*" = any site may embed)
    widget_origins: str = "*"
    # who may frame /operator and /kiosk (CSP frame-ancestors)
    console_frame_ancestors: str = "'self'"
    # limits at the door
    max_body_bytes: int = 64 * 1024
    rate_ip_per_minute: float = 240.0  # requests per client address (burst: a quarter of it, at least 10)
    rate_sender_per_minute: float = 60.0  # messages per conversation (burst: 20)
    operator_max_failures: int = 5  # wrong tokens before the address must wait
    # kiosk
    kiosk_idle_seconds: int = 90
    kiosk_tts: str = "server"  # server | browser | off
    kiosk_print: str = "off"  # on: a printer is set up, the result has a 打印 button (window.print)
    # text to speech (espeak-ng)
    tts_voice: str = "cmn-latn-pinyin"
    tts_speed: int = 140
    tts_cache_dir: str | None = None  # default: <data_dir>/tts
    tts_cache_bytes: int = 20 * 1024 * 1024
    tts_cache_max_age: float = 24 * 3600.0  # seconds a spoken sentence stays cached
    espeak_ng: str | None = None
    # speech recognition (bot.kiosk.speech)
    speech_recognizer: str | None = None
    speech_recognizer_module: str | None = None
    # serving (processes)
    rasa_token: str | None = None  # RASA_TOKEN: Rasa's API token (make run makes one when unset)
    rasa_urls: tuple[str, ...] = ()  # RASA_URLS: comma-separated Rasa replicas (else rasa_url)
    tracker_store_url: str | None = None  # TRACKER_STORE_URL: SQLAlchemy URL (PostgreSQL)
    lock_store_url: str | None = None  # LOCK_STORE_URL: redis://host:port/db (replicas)
    retention_days: float = 30.0  # RETENTION_DAYS: conversations older than this are deleted
    # live hand-off to an operator (bot.handoff); HANDOFF_HOURS empty: off, 找人工 lists departments
    handoff_hours: str = ""  # HANDOFF_HOURS: "08:30-17:30" (several: "08:30-12:00,14:00-17:30")
    handoff_days: str = "1-5"  # HANDOFF_DAYS: ISO weekdays, "1-5" Monday to Friday, "1-7" every day
    handoff_timezone: str = "Asia/Shanghai"  # HANDOFF_TIMEZONE: the hours are local time there
    handoff_max_queue: int = 30  # HANDOFF_MAX_QUEUE: conversations waiting or taken at once
    handoff_store_url: str | None = None  # HANDOFF_STORE_URL: default TRACKER_STORE_URL, else DATA_DIR/handoff.db

    # -- derived -------------------------------------------------------------------------------
    @property
    def wechat_enabled(self) -> bool:
        return bool(self.wechat_token)

    @property
    def wechat_safe_mode(self) -> bool:
        """With an AES key, messages must come encrypted (安全模式/兼容模式)."""
        return bool(self.wechat_aes_key)

    @property
    def wechat_customer_service(self) -> bool:
        return bool(self.wechat_appid and self.wechat_secret)

    def wechat_config_error(self) -> str | None:
        """A plain reason why the WeChat settings cannot work, or None."""
        if not self.wechat_aes_key:
            return None
        if not self.wechat_appid:
            return "WECHAT_AES_KEY needs WECHAT_APPID (安全模式需要 AppID)"
        if len(self.wechat_aes_key) != 43:
            return "WECHAT_AES_KEY must be the 43-character EncodingAESKey"
        try:
            if len(base64.b64decode(self.wechat_aes_key + "=", validate=True)) != 32:
                raise ValueError
        except (binascii.Error, ValueError):
            return "WECHAT_AES_KEY is not a valid EncodingAESKey"
        return None

    def operator_token_problem(self) -> str | None:
        """Why the operator console stays disabled (never quoting the token), or None."""
        token = self.operator_token or ""
        if not token:
            return "OPERATOR_TOKEN is not set"
        if len(token) < MIN_OPERATOR_TOKEN:
            return f"OPERATOR_TOKEN has {len(token)} characters; at least {MIN_OPERATOR_TOKEN} are needed"
        return None

    @property
    def operator_enabled(self) -> bool:
        return self.operator_token_problem() is None

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def tts_cache_path(self) -> Path:
        return Path(self.tts_cache_dir) if self.tts_cache_dir else self.data_path / "tts"

    @property
    def widget_origin_list(self) -> tuple[str, ...]:
        return tuple(o.strip().rstrip("/") for o in self.widget_origins.replace(",", " ").split() if o.strip())

    @property
    def kiosk_print_enabled(self) -> bool:
        return (self.kiosk_print or "").strip().lower() in ("1", "on", "yes", "true")

    @property
    def kiosk_tts_mode(self) -> str:
        mode = (self.kiosk_tts or "").strip().lower()
        return mode if mode in ("server", "browser", "off") else "server"

    # -- reading -------------------------------------------------------------------------------
    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = None) -> Settings:
        """Every field from the variable of its name in upper case; bad numbers fall back to the default."""
        environ = os.environ if environ is None else environ
        path = Path(env_file or environ.get("ENV_FILE") or REPO_ROOT / ".env")
        merged = {**read_env_file(path), **dict(environ)}
        values = {}
        for f in fields(cls):
            raw = (merged.get(f.name.upper()) or "").strip()
            if not raw:
                continue
            kind = type(f.default) if f.default is not None else str
            try:
                values[f.name] = kind(raw) if kind in (int, float) else raw
            except ValueError:
                continue  # a typo in a number keeps the default
        for url in ("rasa_url", "wechat_api_base"):
            if url in values:
                values[url] = values[url].rstrip("/")
        if "rasa_urls" in values:
            values["rasa_urls"] = tuple(u.strip().rstrip("/") for u in str(values["rasa_urls"]).split(",") if u.strip())
        values["kiosk_idle_seconds"] = max(2, min(3600, values.get("kiosk_idle_seconds", cls.kiosk_idle_seconds)))
        values["tts_speed"] = max(80, min(300, values.get("tts_speed", cls.tts_speed)))
        return cls(**values)


def get_settings(request: Request) -> Settings:
    """FastAPI dependency: the settings the gateway read at start."""
    return request.app.state.settings
