"""A stand-in for the Rasa server that runs the real dialogue: every message goes to the project's
own custom actions (actions/actions.py: action_converse, action_restart) with a rasa_sdk Tracker
built as Rasa builds it (slots of domain.yml, the events so far, the latest message with its
metadata), and the slots they set are kept as Rasa keeps them. Only button payloads are parsed
(/intent{json}, as Rasa's RegexMessageHandler does): the kiosk sends nothing else. No NLU model.

Speaks Rasa 3.6's JSON: POST /webhooks/rest/webhook {"sender", "message", "metadata"},
GET /conversations/<id>/tracker, PUT /conversations/<id>/tracker/events [] (forget).
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionConverse, ActionRestartConversation

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
SLOTS = list(DOMAIN["slots"])
INTENTS = set(DOMAIN["intents"])
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.S)
_POOL = ThreadPoolExecutor(2)  # actions run on threads of their own (Playwright holds a loop here)


def parse(text: str) -> dict[str, Any]:
    m = PAYLOAD.match(text.strip())
    if not m or m.group(1) not in INTENTS:
        return {"intent": {"name": "nlu_fallback", "confidence": 0.0}, "entities": []}
    try:
        values = json.loads(m.group(2) or "{}")
    except ValueError:
        values = {}
    values = values if isinstance(values, dict) else {}
    return {"intent": {"name": m.group(1), "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in values.items() if k in DOMAIN.get("entities", [])]}


class Conversation:
    def __init__(self) -> None:
        self.slots: dict[str, Any] = {s: None for s in SLOTS}
        self.events: list[dict[str, Any]] = []


class DialogueRasa:
    def __init__(self) -> None:
        self.conversations: dict[str, Conversation] = {}
        self.received: list[tuple[str, str, dict[str, Any] | None]] = []  # (sender, text, metadata)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> DialogueRasa:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- one message, as Rasa handles it ----
    def reply(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.received.append((sender, text, metadata))
        conv = self.conversations.setdefault(sender, Conversation())
        parsed = parse(text)
        latest = {"text": text, **parsed, "metadata": metadata or {}, "message_id": None}
        conv.events.append({"event": "user", "timestamp": time.time(), "text": text, "parse_data": latest,
                            "metadata": metadata or {}, "input_channel": "rest"})
        action = ActionRestartConversation() if parsed["intent"]["name"] == "restart" else ActionConverse()
        tracker = Tracker(sender_id=sender, slots=dict(conv.slots), latest_message=latest, events=list(conv.events),
                          paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")
        dispatcher = CollectingDispatcher()
        events = _POOL.submit(asyncio.run, action.run(dispatcher, tracker, DOMAIN)).result()
        conv.events.append({"event": "action", "name": action.name(), "timestamp": time.time()})
        out = []
        for m in dispatcher.messages:
            data = {"buttons": m.get("buttons") or None, "custom": m.get("custom")}
            conv.events.append({"event": "bot", "timestamp": time.time(), "text": m.get("text"), "data": data,
                                "metadata": {}})
            reply = {"recipient_id": sender}
            if m.get("text"):
                reply["text"] = m["text"]
            if m.get("buttons"):
                reply["buttons"] = m["buttons"]
            if m.get("custom"):
                reply["custom"] = m["custom"]
            out.append(reply)
        for e in events:
            if e.get("event") == "restart":
                conv.slots = {s: None for s in SLOTS}
                conv.events.append({"event": "restart", "timestamp": time.time()})
            elif e.get("event") == "slot" and e.get("name") in conv.slots:
                conv.slots[e["name"]] = e.get("value")
                conv.events.append({"event": "slot", "timestamp": time.time(), "name": e["name"],
                                    "value": e.get("value")})
        return out

    def tracker(self, sender: str) -> dict[str, Any]:
        conv = self.conversations.get(sender) or Conversation()
        return {"sender_id": sender, "slots": dict(conv.slots), "events": list(conv.events),
                "latest_message": {}, "paused": False, "active_loop": {}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, data: Any, status: int = 200) -> None:
                body = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> Any:
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")

            def do_POST(self):
                if urlsplit(self.path).path != "/webhooks/rest/webhook":
                    return self._send({"error": "not found"}, 404)
                data = self._body()
                with fake.lock:
                    self._send(fake.reply(data["sender"], data["message"], data.get("metadata")))

            def do_PUT(self):
                m = re.fullmatch(r"/conversations/([^/]+)/tracker/events", urlsplit(self.path).path)
                self._body()
                if not m:
                    return self._send({"error": "not found"}, 404)
                with fake.lock:
                    fake.conversations.pop(unquote(m.group(1)), None)
                    self._send(fake.tracker(unquote(m.group(1))))

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/status":
                    return self._send({"model_file": "dialogue-rasa"})
                m = re.fullmatch(r"/conversations/([^/]+)/tracker", path)
                if not m:
                    return self._send({"error": "not found"}, 404)
                with fake.lock:
                    self._send(fake.tracker(unquote(m.group(1))))

        return Handler
