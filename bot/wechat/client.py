"""The customer-service message API (客服消息), for answers that take longer than WeChat waits,
and the temporary-media API (获取临时素材, `media/get`) that fetches a user's voice message.

Configured by WECHAT_APPID / WECHAT_SECRET; WECHAT_API_BASE lets tests point it at a fake server.
Access tokens are cached until shortly before they expire and refreshed once when WeChat says
they are invalid. Neither the token, the secret nor the message text is logged.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time

import httpx

log = logging.getLogger(__name__)
_TOKEN_ERRORS = {40001, 40014, 42001}


class WeChatAPIError(RuntimeError):
    pass


class MediaTooLarge(WeChatAPIError):
    """The media file is bigger than the caller accepts (the download stops there)."""


MEDIA_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")


class CustomerServiceClient:
    def __init__(self, appid: str, secret: str, base_url: str = "https://api.weixin.qq.com",
                 client: httpx.AsyncClient | None = None):
        self.appid, self._secret = appid, secret
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=10.0)
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _access_token(self, refresh: bool = False) -> str:
        async with self._lock:
            if refresh or not self._token or time.monotonic() >= self._expires:
                resp = await self._client.get(
                    f"{self.base_url}/cgi-bin/token",
                    params={"grant_type": "client_credential", "appid": self.appid, "secret": self._secret},
                )
                data = resp.json()
                if not data.get("access_token"):
                    raise WeChatAPIError(f"access_token failed: errcode {data.get('errcode')}")
                self._token = data["access_token"]
                self._expires = time.monotonic() + max(60, int(data.get("expires_in", 7200)) - 300)
            return self._token

    async def send_text(self, openid: str, content: str) -> None:
        """Send one text message to a user; raises WeChatAPIError when WeChat refuses."""
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": content}}, ensure_ascii=False)
        for attempt in (0, 1):
            token = await self._access_token(refresh=attempt == 1)
            resp = await self._client.post(
                f"{self.base_url}/cgi-bin/message/custom/send",
                params={"access_token": token},
                content=body.encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            data = resp.json()
            code = data.get("errcode", 0)
            if code == 0:
                return
            if code not in _TOKEN_ERRORS or attempt == 1:
                raise WeChatAPIError(f"custom/send failed: errcode {code}")

    async def download_media(self, media_id: str, max_bytes: int) -> tuple[bytes, str]:
        """A temporary media file (a voice message's MediaId) as (bytes, content type).

        The same call as wechatpy's `client.media.download(media_id)` (GET cgi-bin/media/get),
        made here with httpx so that it shares this client's access token and streams: a file
        over `max_bytes` is refused without reading the rest. WeChat answers errors as JSON.
        """
        if not MEDIA_ID_RE.match(media_id or ""):
            raise WeChatAPIError("media/get: malformed media id")
        for attempt in (0, 1):
            token = await self._access_token(refresh=attempt == 1)
            async with self._client.stream(
                "GET", f"{self.base_url}/cgi-bin/media/get", params={"access_token": token, "media_id": media_id}
            ) as resp:
                kind = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise MediaTooLarge("media/get: file too large")
                data = bytearray()
                async for chunk in resp.aiter_bytes():
                    data.extend(chunk)
                    if len(data) > max_bytes:
                        raise MediaTooLarge("media/get: file too large")
            if resp.status_code != 200:
                raise WeChatAPIError(f"media/get failed: HTTP {resp.status_code}")
            if kind in ("application/json", "text/plain"):
                try:
                    code = json.loads(bytes(data).decode("utf-8")).get("errcode", -1)
                except (ValueError, UnicodeDecodeError, AttributeError):
                    code = -1
                if code in _TOKEN_ERRORS and attempt == 0:
                    continue
                raise WeChatAPIError(f"media/get failed: errcode {code}")
            if not data:
                raise WeChatAPIError("media/get: empty file")
            return bytes(data), kind or "application/octet-stream"
        raise WeChatAPIError("media/get failed")  # not reached
