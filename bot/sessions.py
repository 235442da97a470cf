"""Conversation ids issued and signed by the gateway.

An id is ``<channel>:<random>:<signature>``, e.g. ``web:3f9a…:8c1d…``: the signature is an HMAC
(SHA-256) of ``<channel>:<random>`` with the gateway's secret, so an id names its channel and
only the gateway can make one. ':' stays as it is (Rasa does not decode %3A in paths).
Channels: ``web`` (widget and full page), ``kiosk``, ``op`` (operator console). WeChat's
conversations are ``wx:<openid>`` and reach the core only through /wechat.

The secret lives in ``<DATA_DIR>/secret`` (created on first start, mode 0600).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
from pathlib import Path

log = logging.getLogger(__name__)

CHANNELS = ("web", "kiosk", "op")
_ID = re.compile(r"^(web|kiosk|op):([0-9a-f]{24}):([0-9a-f]{32})$")


def load_secret(data_dir: Path) -> bytes:
    """The gateway's secret from ``data_dir/secret``; made (0600) when missing."""
    path = Path(data_dir) / "secret"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # conversations may be stored beside it
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
            log.warning("the gateway's secret file was readable by others; now 0600")
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise RuntimeError(f"{path} is too short to be the gateway's secret; delete it to make a new one")
        return key.encode("ascii")
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    log.info("made a new gateway secret in the data folder")
    return key.encode("ascii")


class Secret:
    """The secret, loaded on first use (at start, by the app's lifespan)."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._key: bytes | None = None
        self._lock = threading.Lock()

    @property
    def key(self) -> bytes:
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = load_secret(self.data_dir)
        return self._key

    def mac(self, text: str, length: int = 32) -> str:
        return hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


class Issuer:
    def __init__(self, secret: Secret):
        self.secret = secret

    def issue(self, channel: str) -> str:
        if channel not in CHANNELS:
            raise ValueError(channel)
        body = f"{channel}:{secrets.token_hex(12)}"
        return f"{body}:{self.secret.mac('sender|' + body)}"

    def valid(self, sender: object, channel: str) -> bool:
        """True only for an id this gateway issued for ``channel``."""
        if not isinstance(sender, str):
            return False
        m = _ID.match(sender)
        if not m or m.group(1) != channel:
            return False
        expected = self.secret.mac(f"sender|{m.group(1)}:{m.group(2)}")
        return hmac.compare_digest(expected, m.group(3))
