"""Gateway settings from environment variables; a `.env` file may set them.

Real environment variables win over the `.env` file. Public names (contract section 5):
WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APPID, WECHAT_SECRET, OPERATOR_TOKEN; also RASA_URL.
Added here (optional): WECHAT_API_BASE, WECHAT_REPLY_DEADLINE, WECHAT_MAX_CLOCK_SKEW, ENV_FILE.
"""
from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (comments, blank lines, `export`, quotes allowed)."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
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


def _float(raw: str | None, default: float) -> float:
    try:
        return float(raw) if raw not in (None, "") else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    wechat_token: str | None = None
    wechat_aes_key: str | None = None
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    operator_token: str | None = None
    rasa_url: str = "http://127.0.0.1:5005"
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_deadline: float = 4.5  # seconds; WeChat gives up after 5 s
    wechat_max_clock_skew: float = 300.0  # seconds a signed timestamp may be off
    # serving (processes)
    rasa_token: str | None = None  # RASA_TOKEN: Rasa's API token (make run makes one when unset)
    rasa_urls: tuple[str, ...] = ()  # RASA_URLS: comma-separated Rasa replicas (else rasa_url)
    data_dir: str = "run/data"  # DATA_DIR: the SQLite tracker store lives here
    tracker_store_url: str | None = None  # TRACKER_STORE_URL: SQLAlchemy URL (PostgreSQL)
    lock_store_url: str | None = None  # LOCK_STORE_URL: redis://host:port/db (replicas)
    retention_days: float = 30.0  # RETENTION_DAYS: conversations older than this are deleted

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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        path = Path(env_file or environ.get("ENV_FILE") or REPO_ROOT / ".env")
        merged = {**read_env_file(path), **{k: v for k, v in environ.items()}}

        def get(name: str) -> str | None:
            value = (merged.get(name) or "").strip()
            return value or None

        return cls(
            wechat_token=get("WECHAT_TOKEN"),
            wechat_aes_key=get("WECHAT_AES_KEY"),
            wechat_appid=get("WECHAT_APPID"),
            wechat_secret=get("WECHAT_SECRET"),
            operator_token=get("OPERATOR_TOKEN"),
            rasa_url=(get("RASA_URL") or cls.rasa_url).rstrip("/"),
            wechat_api_base=(get("WECHAT_API_BASE") or cls.wechat_api_base).rstrip("/"),
            wechat_reply_deadline=_float(get("WECHAT_REPLY_DEADLINE"), cls.wechat_reply_deadline),
            wechat_max_clock_skew=_float(get("WECHAT_MAX_CLOCK_SKEW"), cls.wechat_max_clock_skew),
            # serving (processes)
            rasa_token=get("RASA_TOKEN"),
            rasa_urls=tuple(u.strip().rstrip("/") for u in (get("RASA_URLS") or "").split(",") if u.strip()),
            data_dir=get("DATA_DIR") or cls.data_dir,
            tracker_store_url=get("TRACKER_STORE_URL"),
            lock_store_url=get("LOCK_STORE_URL"),
            retention_days=_float(get("RETENTION_DAYS"), cls.retention_days),
        )


def get_settings() -> Settings:
    """Settings as the environment (and `.env`) give them now."""
    return Settings.from_env()
