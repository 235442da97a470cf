"""A stand-in for api.weixin.qq.com: access tokens, customer-service messages (recorded) and
temporary media (`media/get`: files a test puts in `media`, as WeChat serves a voice's MediaId)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class FakeWeChatAPI:
    def __init__(self, appid: str, secret: str) -> None:
        self.appid, self.secret = appid, secret
        self.sent: list[dict[str, Any]] = []  # {"touser", "msgtype", "text": {"content"}}
        self.token_requests = 0
        self.expire_next_send = False  # answer the next send with errcode 40001 once
        self.media: dict[str, tuple[bytes, str]] = {}  # media_id → (bytes, content type)
        self.media_requests: list[str] = []  # media ids asked for, in order
        self.expire_next_media = False  # answer the next media/get with errcode 42001 once
        self._token = "token-0"
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.sent) >= count, timeout=timeout)
            return list(self.sent)

    def texts_to(self, openid: str) -> list[str]:
        return [m["text"]["content"] for m in self.sent if m.get("touser") == openid]

    def start(self) -> FakeWeChatAPI:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _media(self, q: dict[str, str]) -> None:
                with api._cond:
                    if q.get("access_token") != api._token:
                        return self._json({"errcode": 40001, "errmsg": "invalid credential"})
                    if api.expire_next_media:
                        api.expire_next_media = False
                        return self._json({"errcode": 42001, "errmsg": "access_token expired"})
                    api.media_requests.append(q.get("media_id", ""))
                    found = api.media.get(q.get("media_id", ""))
                if found is None:  # WeChat answers an unknown or expired MediaId so (as text/plain)
                    data = json.dumps({"errcode": 40007, "errmsg": "invalid media_id"}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                data, kind = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Disposition", 'attachment; filename="voice.amr"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/cgi-bin/media/get":
                    return self._media(q)
                if url.path != "/cgi-bin/token":
                    return self._json({"errcode": 404})
                if q.get("appid") != api.appid or q.get("secret") != api.secret:
                    return self._json({"errcode": 40013, "errmsg": "invalid appid"})
                with api._cond:
                    api.token_requests += 1
                    api._token = f"token-{api.token_requests}"
                    return self._json({"access_token": api._token, "expires_in": 7200})

            def do_POST(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8"))
                with api._cond:
                    if url.path != "/cgi-bin/message/custom/send" or q.get("access_token") != api._token:
                        return self._json({"errcode": 40001, "errmsg": "invalid credential"})
                    if api.expire_next_send:
                        api.expire_next_send = False
                        return self._json({"errcode": 42001, "errmsg": "access_token expired"})
                    api.sent.append(body)
                    api._cond.notify_all()
                return self._json({"errcode": 0, "errmsg": "ok"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
