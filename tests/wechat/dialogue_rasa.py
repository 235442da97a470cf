"""A stand-in for the Rasa server that runs the project's real dialogue (actions.dialogue.turn),
so WeChat sees the very messages the bot sends: texts, buttons and the structured result.

    POST /webhooks/rest/webhook  {"sender", "message"} → [{"recipient_id", "text"/"buttons" | "custom"}]
    PUT  /conversations/{sender}/tracker/events → the conversation wiped

Only the NLU is left out: a button payload (/intent{...}) is parsed as Rasa parses it, any other
text goes in as `inform` and the dialogue's own understanding reads it. Tests read `received`
(sender, message) and `results` (the last result payload per sender).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from actions.dialogue.turn import Incoming, handle

PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.S)
TODAY = dt.date(2026, 11, 28)


def rasa_messages(slots: dict[str, Any], message: str) -> list[dict[str, Any]]:
    m = PAYLOAD.match(message.strip())
    if m:
        entities = [{"entity": k, "value": v} for k, v in json.loads(m.group(2) or "{}").items()]
        incoming = Incoming(text=message, intent=m.group(1), entities=entities)
    else:
        incoming = Incoming(text=message, intent="inform")
    out = handle(slots, incoming, today=TODAY)
    slots.update(out.slots)
    replies = []
    for msg in out.messages:  # as action_converse dispatches them and the REST channel returns them
        if msg.get("custom"):
            replies.append({"custom": msg["custom"]})
        else:
            replies.append({"text": msg["text"], **({"buttons": msg["buttons"]} if msg.get("buttons") else {})})
    return replies


class DialogueRasa:
    def __init__(self) -> None:
        self.slots: dict[str, dict[str, Any]] = {}
        self.received: list[tuple[str, str]] = []
        self.results: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def count(self, sender: str, message: str | None = None) -> int:
        with self._lock:
            return sum(1 for s, m in self.received if s == sender and (message is None or m == message))

    def start(self) -> DialogueRasa:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
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
                    replies = rasa_messages(fake.slots.setdefault(sender, {}), message)
                    for r in replies:
                        if (r.get("custom") or {}).get("type") == "result":
                            fake.results[sender] = r["custom"]
                self._json(200, [{"recipient_id": sender, **r} for r in replies])

            def do_PUT(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                found = re.fullmatch(r"/conversations/([^/]+)/tracker/events", self.path.split("?")[0])
                if not found:
                    return self._json(404, {"error": "not found"})
                with fake._lock:
                    fake.slots.pop(unquote(found.group(1)), None)
                self._json(200, {"sender_id": unquote(found.group(1)), "slots": {}, "events": []})

            def do_GET(self) -> None:  # noqa: N802
                found = re.fullmatch(r"/conversations/([^/]+)/tracker", self.path.split("?")[0])
                if not found:
                    return self._json(404, {"error": "not found"})
                sender = unquote(found.group(1))
                with fake._lock:
                    slots = dict(fake.slots.get(sender, {}))
                self._json(200, {"sender_id": sender, "slots": slots})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
