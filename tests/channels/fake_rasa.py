"""A tiny stand-in for the Rasa server: REST webhook + tracker, a scripted 3-question screening.

    POST /webhooks/rest/webhook  {"sender", "message"} → [{"text", "buttons"?, "custom"?}]
    GET  /conversations/{sender}/tracker → {"sender_id", "slots": {...}}

Questions: age (typed, no buttons) → economic_status (buttons) → self_care (buttons) → result.
    PUT  /conversations/{sender}/tracker/events  [] → the conversation wiped (as `core.forget`)
Tests can set `delay` (seconds before answering) and `down` (answer 500), and read `received`
and `forgotten` (senders wiped).
"""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import policy_kb

ECONOMIC = [("特困供养", "extreme_poverty"), ("低保", "minimum_living"), ("低保边缘", "near_minimum"),
            ("低收入", "low_income"), ("都不是", "none")]
SELF_CARE = [("能自理", "independent"), ("部分失能", "partial"), ("失能（不能自理）", "dependent")]
GREETING = "您好！我是长治市养老服务小助手，帮您看看老人能享受哪些养老服务。"
ASK_AGE = "请问老人今年多大年纪（周岁）？"


def _inform(fact: str, value: str) -> str:
    return "/inform" + json.dumps({fact: value}, ensure_ascii=False)


class Script:
    """The scripted conversation of one sender."""

    def __init__(self) -> None:
        self.slots: dict[str, Any] = {"requested_slot": None}

    def _ask(self, fact: str) -> list[dict[str, Any]]:
        self.slots["requested_slot"] = fact
        if fact == "age":
            return [{"text": ASK_AGE}]
        if fact == "economic_status":
            return [{"text": "老人家里是低保户、特困供养，还是都不是？",
                     "buttons": [{"title": t, "payload": _inform(fact, v)} for t, v in ECONOMIC]}]
        return [{"text": "老人生活能自理吗？",
                 "buttons": [{"title": t, "payload": _inform(fact, v)} for t, v in SELF_CARE]}]

    def _result(self) -> list[dict[str, Any]]:
        """The result as the real engine gives it for the three facts (the dialogue is what is fake)."""
        profile = {k: self.slots[k] for k in ("age", "economic_status", "self_care")}
        result = policy_kb.evaluate(profile)
        names = {s["id"]: s["name"] for s in policy_kb.list_services()}
        self.slots["requested_slot"] = None
        self.slots["eligible_services"] = result["eligible"]
        econ = dict((v, t) for t, v in ECONOMIC)[profile["economic_status"]]
        care = dict((v, t) for t, v in SELF_CARE)[profile["self_care"]]
        summary = (f"长治市养老服务查询结果\n老人情况：{profile['age']}周岁，{econ}，{care}\n"
                   f"可以申请：{'、'.join(names[i] for i in result['eligible']) or '暂无'}\n"
                   f"还需确认：{'、'.join(names[i] for i in result['possible']) or '无'}\n"
                   "请带老人身份证、户口本到乡镇（街道）民政窗口咨询办理。")
        return [{"text": f"好的，根据您说的情况，老人可以申请 {len(result['eligible'])} 项服务。"},
                {"custom": {"type": "result", "eligible": result["eligible"], "possible": result["possible"],
                            "summary": summary}}]

    def handle(self, message: str) -> list[dict[str, Any]]:
        message = message.strip()
        if message == "/restart" or message == "重新开始":
            self.slots = {"requested_slot": None}
            return [{"text": "好的，我们重新开始。"}, *self.handle("/greet")]
        if message.startswith("/greet") or message in ("你好", "您好"):
            self.slots["requested_slot"] = None
            return [{"text": GREETING, "buttons": [{"title": "开始查询", "payload": "/start_screening"}]}]
        if message.startswith("/inform"):
            self.slots.update(json.loads(message[len("/inform"):] or "{}"))
        elif self.slots.get("requested_slot") == "age":
            found = re.search(r"\d{1,3}", message)
            if not found:
                return [{"text": "没听明白，请告诉我老人的年龄，比如：82"}]
            self.slots["age"] = int(found.group())
        elif self.slots.get("requested_slot") in ("economic_status", "self_care"):
            fact = self.slots["requested_slot"]
            for title, value in ECONOMIC if fact == "economic_status" else SELF_CARE:
                if title in message:
                    self.slots[fact] = value
        for fact in ("age", "economic_status", "self_care"):
            if self.slots.get(fact) is None:
                return self._ask(fact)
        return self._result()


class FakeRasa:
    def __init__(self) -> None:
        self.scripts: dict[str, Script] = {}
        self.received: list[tuple[str, str]] = []
        self.forgotten: list[str] = []
        self.delay = 0.0
        self.down = False
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, sender: str, message: str | None = None) -> int:
        return sum(1 for s, m in self.received if s == sender and (message is None or m == message))

    def reset(self) -> None:
        self.delay, self.down = 0.0, False

    def start(self) -> "FakeRasa":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                if self.path.split("?")[0] != "/webhooks/rest/webhook":
                    return self._json(404, {"error": "not found"})
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                sender, message = str(body.get("sender", "")), str(body.get("message", ""))
                with fake._lock:
                    fake.received.append((sender, message))
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.down:
                    return self._json(500, {"error": "down"})
                with fake._lock:
                    reply = fake.scripts.setdefault(sender, Script()).handle(message)
                self._json(200, [{"recipient_id": sender, **m} for m in reply])

            def do_PUT(self) -> None:  # noqa: N802
                found = re.fullmatch(r"/conversations/([^/]+)/tracker/events", self.path.split("?")[0])
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not found:
                    return self._json(404, {"error": "not found"})
                sender = unquote(found.group(1))
                with fake._lock:
                    fake.scripts.pop(sender, None)
                    fake.forgotten.append(sender)
                self._json(200, {"sender_id": sender, "slots": {}, "events": []})

            def do_GET(self) -> None:  # noqa: N802
                found = re.fullmatch(r"/conversations/([^/]+)/tracker", self.path.split("?")[0])
                if not found:
                    return self._json(404, {"error": "not found"})
                sender = unquote(found.group(1))
                with fake._lock:
                    slots = dict(fake.scripts.setdefault(sender, Script()).slots)
                self._json(200, {"sender_id": sender, "slots": slots})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
