"""A tiny stand-in for the Rasa server (REST channel + tracker API) with a scripted screening.

Only for tests of the channels: three questions (age, economic status, self-care), then a
result message with ``custom={"type": "result", ...}``; a correction after the result makes
it tell the result again, as the real bot does. Speaks the same JSON as Rasa 3.6.
"""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

FACTS = ["age", "economic_status", "self_care", "disability_grade", "living_situation"]
QUESTIONS = {
    "age": ("请问老人今年多大岁数？", [("60岁以下", 55), ("60到79岁", 70), ("80到89岁", 85), ("90岁及以上", 92)]),
    "economic_status": ("家里是低保户、特困供养人员，还是都不是？", [
        ("特困供养人员", "extreme_poverty"), ("低保", "minimum_living"), ("低保边缘", "near_minimum"), ("都不是", "none")]),
    "self_care": ("老人生活能自理吗？", [("能自理", "independent"), ("部分不能自理", "partial"), ("完全不能自理", "dependent")]),
}
NAMES = {3: "健康管理服务", 8: "高龄津贴（每月不低于70元）", 11: "护理补贴", 13: "低保老人补贴", 16: "探访关爱服务"}


def fake_result(slots: dict[str, Any]) -> tuple[list[int], list[int], dict[int, str]]:
    """The result for these slots: policy_kb's engine when present, else stand-in rules."""
    profile = {k: v for k, v in slots.items() if k in FACTS and v is not None}
    try:
        from policy_kb import evaluate

        out = evaluate(profile)
        return out["eligible"], out["possible"], {s["id"]: s["name"] for s in out["services"]}
    except ImportError:
        pass
    age, eco, care = slots.get("age") or 0, slots.get("economic_status"), slots.get("self_care")
    eligible = []
    if age >= 60:
        eligible.append(3)
    if age >= 80:
        eligible.append(8)
    if age >= 60 and care == "dependent":
        eligible.append(11)
    if age >= 60 and eco == "minimum_living":
        eligible.append(13)
    possible = [16] if age >= 60 and slots.get("living_situation") is None else []
    return eligible, possible, NAMES


class Conversation:
    def __init__(self):
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {f: None for f in FACTS} | {"requested_slot": None, "eligible_services": None}
        self.told = False

    def bot(self, text: str, buttons=None, custom=None) -> dict[str, Any]:
        self.events.append({"event": "bot", "timestamp": time.time(), "text": text,
                            "data": {"elements": None, "quick_replies": None, "buttons": buttons,
                                     "attachment": None, "image": None, "custom": custom}, "metadata": {}})
        out = {"recipient_id": "x", "text": text}
        if buttons:
            out["buttons"] = buttons
        if custom:
            out["custom"] = custom
        return out


class FakeRasa:
    def __init__(self):
        self.conversations: dict[str, Conversation] = {}
        self.received: dict[str, list[str]] = {}
        self.forgotten: list[str] = []
        self.age_buttons = True
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeRasa":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- the script ----
    def reply(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.received.setdefault(sender, []).append(text)
        conv = self.conversations.setdefault(sender, Conversation())
        if text == "/restart":
            self.conversations[sender] = Conversation()
            return []
        conv.events.append({"event": "user", "timestamp": time.time(), "text": text,
                            "parse_data": {"intent": {"name": text.lstrip("/").split("{")[0] or "inform"}}})
        informed = self._understand(conv, text)
        if conv.told and informed:
            return self._result(conv)
        for fact in QUESTIONS:
            if conv.slots.get(fact) is None:
                conv.slots["requested_slot"] = fact
                question, options = QUESTIONS[fact]
                buttons = [{"title": t, "payload": "/inform" + json.dumps({fact: v}, ensure_ascii=False)}
                           for t, v in options]
                if fact == "age" and not self.age_buttons:
                    buttons = []
                buttons.append({"title": "不知道", "payload": "/dont_know"})
                prefix = [conv.bot("好的，我来帮您看看老人能享受哪些养老服务。")] if not conv.events[:-1] else []
                return prefix + [conv.bot(question, buttons)]
        return self._result(conv)

    def _understand(self, conv: Conversation, text: str) -> bool:
        if text.startswith("/inform"):
            data = json.loads(text[len("/inform"):] or "{}")
            conv.slots.update(data)
            return True
        asking = conv.slots.get("requested_slot")
        if text == "/dont_know" and asking:
            conv.slots[asking] = {"age": 60, "economic_status": "none", "self_care": "independent"}[asking]
            return True
        m = re.search(r"\d+", text)
        if asking == "age" and m:
            conv.slots["age"] = int(m.group(0))
            return True
        if "低保" in text:
            conv.slots["economic_status"] = "minimum_living"
            return True
        return False

    def _result(self, conv: Conversation) -> list[dict[str, Any]]:
        eligible, possible, names = fake_result(conv.slots)
        conv.slots["requested_slot"] = None
        conv.slots["eligible_services"] = eligible
        conv.told = True
        listing = "、".join(names.get(i, str(i)) for i in eligible) or "暂时没有"
        summary = f"老人可以享受：{listing}。"
        return [conv.bot("根据您说的情况，" + summary + "具体请到社区或民政部门办理。",
                         custom={"type": "result", "eligible": eligible, "possible": possible, "summary": summary}),
                conv.bot("还想了解别的吗？", [{"title": "重新开始", "payload": "/restart"}])]

    def tracker(self, sender: str) -> dict[str, Any]:
        conv = self.conversations.get(sender) or Conversation()
        return {"sender_id": sender, "slots": dict(conv.slots), "events": list(conv.events),
                "latest_message": {}, "paused": False, "active_loop": {}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, data: Any, status: int = 200):
                body = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                if self.path != "/webhooks/rest/webhook":
                    return self._send({"error": "not found"}, 404)
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                with fake.lock:
                    self._send(fake.reply(data["sender"], data["message"]))

            def do_PUT(self):  # core.forget: the conversation's events replaced by none
                m = re.fullmatch(r"/conversations/([^/]+)/tracker/events(\?.*)?", self.path)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not m:
                    return self._send({"error": "not found"}, 404)
                with fake.lock:
                    fake.conversations.pop(unquote(m.group(1)), None)
                    fake.forgotten.append(unquote(m.group(1)))
                    self._send(fake.tracker(unquote(m.group(1))))

            def do_GET(self):
                m = re.fullmatch(r"/conversations/([^/]+)/tracker(\?.*)?", self.path)
                if not m:
                    return self._send({"error": "not found"}, 404)
                with fake.lock:
                    self._send(fake.tracker(unquote(m.group(1))))

        return Handler
