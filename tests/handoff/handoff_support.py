"""Support for the hand-off tests: a small stand-in for Rasa that honours pause/resume events and
answers 找人工 as the dialogue does (the departments, then the `handoff_request` marker, then
the question again), and a gateway served by uvicorn with hand-off open.

The real dialogue's 找人工 answer is checked on the live stack (test_handoff_live.py).
"""
from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import uvicorn

OPERATOR_TOKEN = "handoff-operator-token-0123456789"
AUTH = {"X-Operator-Token": OPERATOR_TOKEN}
UNLIMITED = {"rate_ip_per_minute": 1e6, "rate_sender_per_minute": 1e6, "operator_max_failures": 10_000}
OPEN_ALWAYS = {"handoff_hours": "00:00-24:00", "handoff_days": "1-7"}
DEPARTMENTS = "需要找人问的话，养老服务的事大多由长治市民政局牵头。和老人情况有关的部门有：长治市民政局。"
QUESTION = "老人今年多大岁数？"
NEXT = "老人家里是低保户吗？"
_HUMAN = re.compile(r"人工|真人|客服")


class PausingRasa:
    """REST webhook + tracker API, Rasa 3.6's JSON; a paused conversation gets no answer."""

    def __init__(self):
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.received: dict[str, list[str]] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paused(self, sender: str) -> bool:
        state = False
        for e in self.events.get(sender, []):
            if e["event"] == "pause":
                state = True
            elif e["event"] in ("resume", "restart"):
                state = False
        return state

    def _bot(self, sender: str, text: str = "", custom: dict | None = None, buttons=None) -> dict[str, Any]:
        self.events[sender].append({"event": "bot", "timestamp": time.time(), "text": text or None,
                                    "data": {"buttons": buttons, "custom": custom}})
        out: dict[str, Any] = {"recipient_id": sender}
        if text:
            out["text"] = text
        if buttons:
            out["buttons"] = buttons
        if custom:
            out["custom"] = custom
        return out

    def reply(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.received.setdefault(sender, []).append(text)
        events = self.events.setdefault(sender, [])
        events.append({"event": "user", "timestamp": time.time(), "text": text, "parse_data": {}})
        if self.paused(sender):
            return []  # Rasa records the message and runs no action while paused
        if text == "/restart":
            self.events[sender] = [{"event": "restart", "timestamp": time.time()}]
            return [self._bot(sender, "好的，我们重新开始。" + QUESTION)]
        if text == "/human_handoff" or _HUMAN.search(text):
            return [self._bot(sender, DEPARTMENTS), self._bot(sender, custom={"type": "handoff_request"}),
                    self._bot(sender, "我们接着说：" + QUESTION)]
        if re.search(r"\d+", text):
            low = {"title": "低保", "payload": '/inform{"economic_status":"minimum_living"}'}
            return [self._bot(sender, NEXT, buttons=[low])]
        return [self._bot(sender, QUESTION)]

    def tracker(self, sender: str) -> dict[str, Any]:
        slots: dict[str, Any] = {"requested_slot": "age"}
        for e in self.events.get(sender, []):
            m = re.search(r"(\d+)", e.get("text") or "") if e["event"] == "user" else None
            if m:
                slots["age"] = int(m.group(1))
        return {"sender_id": sender, "slots": slots, "events": list(self.events.get(sender, [])),
                "paused": self.paused(sender), "latest_message": {}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, data: Any, status: int = 200):
                body = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self):
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")

            def do_POST(self):
                data = self._body()
                m = re.fullmatch(r"/conversations/([^/?]+)/tracker/events(\?.*)?", self.path)
                with fake.lock:
                    if m:
                        sender = unquote(m.group(1))
                        for e in data if isinstance(data, list) else [data]:
                            fake.events.setdefault(sender, []).append({**e, "timestamp": time.time()})
                        return self._send(fake.tracker(sender))
                    if self.path.split("?")[0] == "/webhooks/rest/webhook":
                        return self._send(fake.reply(data["sender"], data["message"]))
                self._send({"error": "not found"}, 404)

            def do_PUT(self):
                m = re.fullmatch(r"/conversations/([^/?]+)/tracker/events(\?.*)?", self.path)
                self._body()
                if not m:
                    return self._send({"error": "not found"}, 404)
                with fake.lock:
                    fake.events.pop(unquote(m.group(1)), None)
                    self._send(fake.tracker(unquote(m.group(1))))

            def do_GET(self):
                m = re.fullmatch(r"/conversations/([^/?]+)/tracker(\?.*)?", self.path)
                if not m:
                    return self._send({"status": "ok"} if self.path.startswith("/status") else {"error": "nf"},
                                      200 if self.path.startswith("/status") else 404)
                with fake.lock:
                    self._send(fake.tracker(unquote(m.group(1))))

        return Handler


def settings_for(rasa_url: str, **overrides):
    from bot.settings import Settings

    values = dict(rasa_url=rasa_url, operator_token=OPERATOR_TOKEN,
                  data_dir=tempfile.mkdtemp(prefix="czyl-handoff-test-"), **UNLIMITED, **OPEN_ALWAYS)
    values.update(overrides)
    return Settings(**values)


def app_for(rasa_url: str, **overrides):
    from bot.app import create_app
    from bot.core import ConversationCore

    return create_app(settings_for(rasa_url, **overrides), ConversationCore(rasa_url=rasa_url))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A gateway app served by uvicorn on a free 127.0.0.1 port, in a thread."""

    def __init__(self, app):
        self.app = app
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started and time.time() < deadline:
            time.sleep(0.05)
        assert self.server.started, "gateway did not start"

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


# screenshots go to a temporary folder (SCREENSHOT_DIR to choose it); `make screenshots` copies them
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "czyl-screenshots")
