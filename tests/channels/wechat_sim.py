"""Plays the WeChat server: signs (and in safe mode encrypts) messages like mp.weixin.qq.com does.

The crypto here is written from WeChat's published scheme (SHA1 signatures; AES-256-CBC with
IV = key[:16], PKCS#7 to 32 bytes, random(16) + len(4, big-endian) + xml + appid), independently
of wechatpy, so the gateway is checked against the protocol, not against itself.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
import time
from xml.etree import ElementTree

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def new_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class WeChatSim:
    def __init__(self, base_url: str, token: str, aes_key: str | None = None, appid: str | None = None,
                 account: str = "gh_0123456789ab"):
        self.base_url = base_url.rstrip("/")
        self.token, self.aes_key, self.appid, self.account = token, aes_key, appid, account
        self._key = base64.b64decode(aes_key + "=") if aes_key else None
        self._msg_id = int(time.time() * 1000) * 1000 + secrets.randbelow(1000)

    # -- messages -----------------------------------------------------------------------------
    def next_msg_id(self) -> int:
        self._msg_id += 1
        return self._msg_id

    def _envelope(self, openid: str, msg_type: str, fields: str, msg_id: int | None) -> str:
        msg_id_xml = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
        return (f"<xml><ToUserName>{cdata(self.account)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>{fields}{msg_id_xml}</xml>")

    def text(self, openid: str, content: str, msg_id: int | None = None) -> str:
        return self._envelope(openid, "text", f"<Content>{cdata(content)}</Content>", msg_id or self.next_msg_id())

    def voice(self, openid: str, recognition: str | None, msg_id: int | None = None,
              media_id: str = "media_id_1", fmt: str = "amr") -> str:
        """A voice message; `recognition=None` leaves the field out, as WeChat now does."""
        fields = f"<MediaId>{cdata(media_id)}</MediaId><Format>{cdata(fmt)}</Format>"
        if recognition is not None:
            fields += f"<Recognition>{cdata(recognition)}</Recognition>"
        return self._envelope(openid, "voice", fields, msg_id or self.next_msg_id())

    def image(self, openid: str) -> str:
        fields = f"<PicUrl>{cdata('http://example.invalid/p.jpg')}</PicUrl><MediaId>{cdata('m1')}</MediaId>"
        return self._envelope(openid, "image", fields, self.next_msg_id())

    def event(self, openid: str, event: str, key: str = "") -> str:
        return self._envelope(openid, "event", f"<Event>{cdata(event)}</Event><EventKey>{cdata(key)}</EventKey>", None)

    # -- crypto -------------------------------------------------------------------------------
    def encrypt(self, xml: str) -> str:
        body = xml.encode("utf-8")
        raw = os.urandom(16) + struct.pack(">I", len(body)) + body + self.appid.encode()
        pad = 32 - len(raw) % 32
        raw += bytes([pad]) * pad
        enc = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).encryptor()
        return base64.b64encode(enc.update(raw) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        dec = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        raw = dec.update(base64.b64decode(encrypted)) + dec.finalize()
        raw = raw[: -raw[-1]]
        length = struct.unpack(">I", raw[16:20])[0]
        assert raw[20 + length:].decode() == self.appid, "reply encrypted for another appid"
        return raw[20:20 + length].decode("utf-8")

    # -- HTTP ---------------------------------------------------------------------------------
    def signed_query(self, timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**9))
        return {"signature": sha1_signature(self.token, timestamp, nonce), "timestamp": timestamp,
                "nonce": nonce, "openid": "ignored"}

    def build(self, xml: str, **query_overrides: str) -> tuple[dict[str, str], str]:
        """The query and body WeChat would POST for this message."""
        q = self.signed_query(query_overrides.pop("timestamp", None), query_overrides.pop("nonce", None))
        body = xml
        if self.aes_key:
            encrypted = self.encrypt(xml)
            q["encrypt_type"] = "aes"
            q["msg_signature"] = sha1_signature(self.token, q["timestamp"], q["nonce"], encrypted)
            body = f"<xml><ToUserName>{cdata(self.account)}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        q.update(query_overrides)
        return q, body

    def post(self, xml: str, timeout: float = 10.0, **query_overrides: str) -> httpx.Response:
        q, body = self.build(xml, **query_overrides)
        return self.post_raw(q, body, timeout)

    def post_raw(self, query: dict[str, str], body: str | bytes, timeout: float = 10.0) -> httpx.Response:
        return httpx.post(f"{self.base_url}/wechat", params=query, content=body,
                          headers={"Content-Type": "text/xml"}, timeout=timeout)

    def reply(self, resp: httpx.Response) -> dict[str, str] | None:
        """The passive reply as a dict of fields (decrypted and signature-checked in safe mode)."""
        assert resp.status_code == 200, resp.text
        if resp.text in ("success", ""):
            return None
        root = ElementTree.fromstring(resp.text)
        fields = {child.tag: child.text or "" for child in root}
        if self.aes_key:
            expected = sha1_signature(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            assert fields["MsgSignature"] == expected, "reply signature wrong"
            root = ElementTree.fromstring(self.decrypt(fields["Encrypt"]))
            fields = {child.tag: child.text or "" for child in root}
        return fields
