"""The customer-service message API (客服消息), for answers that take longer than WeChat waits.

Configured by WECHAT_APPID / WECHAT_SECRET; WECHAT_API_BASE lets tests point it at a fake server.
Access tokens are cached until shortly before they expire and refreshed once when WeChat says
they are invalid. Neither the token, the secret nor the message text is logged.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time

import httpx

log = logging.getLogger(__name__)
_TOKEN_ERRORS = {40001, 40014, 42001}


class WeChatAPIError(RuntimeError):
    pass


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
