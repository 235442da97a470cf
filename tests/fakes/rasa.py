"""One fake Rasa for the channel tests: Rasa's HTTP interface in front of the real dialogue.

Every turn runs the project's own action server code in-process: rasa_sdk's ActionExecutor with
the project's actions registered (as `python -m bot.action_server --actions actions` does), so
`action_converse` → actions/dialogue/turn.py asks the real questions from questions.yaml, says the
real sentences of messages.yaml and tells the real result (policy_kb + result_view). Around it,
Rasa's own pieces do what Rasa does with a turn: the domain (domain.yml), the tracker
(DialogueStateTracker: slots, events, pause, restart, rewind), the payload parser
(RegexMessageHandler's `/intent{json}` → intent and entities), the action server's reply turned
into bot events (a copy of RemoteAction._utter_responses) and the REST channel's output
(CollectingOutputChannel: text split on blank lines, buttons, custom). In front, the project's
guard on Rasa (bot/rasa_server.py): the token and the 500-character limit.

What is not Rasa here:
- **No NLU.** Typed text reaches the dialogue with intent None and no entities (no trained model
  is loaded); the dialogue reads the text itself (actions/understanding). So "你好" is read as
  a message, not as the intent greet: send the payload `/greet` for the welcome, as the channels
  do when a conversation opens. Button payloads are read exactly as Rasa reads them.
- **No policies.** Rasa's rules here are fixed: `restart` → action_restart (the project's own),
  `back` → Rasa's default action_back (the last user turn and what followed it undone, no reply),
  everything else → action_converse (data/rules.yml), then action_listen.
- Sessions never expire (Rasa's 60 minutes); one process, conversations in memory, turns one
  at a time. The dialogue runs in the test process: a test may change its catalogue for itself
  (fakes.screening.lengthen_question), which a live stack cannot do.

HTTP (as Rasa 3.6 with `--enable-api` behind bot/rasa_server.py's guard):
    GET  /                                      → "Hello from Rasa: 3.6.21" (no token needed)
    GET  /status, /version
    POST /webhooks/rest/webhook                 {"sender", "message", "metadata"?}
                                                → [{"recipient_id", "text"?, "buttons"?, "custom"?}]
    GET  /conversations/{sender}/tracker         ?include_events=AFTER_RESTART (default)|ALL|APPLIED|NONE
    POST /conversations/{sender}/tracker/events  one event or a list (e.g. {"event": "pause"}, {"event": "resume"})
    PUT  /conversations/{sender}/tracker/events  the conversation replaced by these events (`[]`: wiped, as core.forget)

Two doors, as tests/livestack.py has: `direct_url` checks `?token=` on every route but `GET /`
(401 otherwise, the guard's answer), the way a gateway must speak to Rasa; `url` is the door
for test code and gateways built by tests, which adds the token as livestack's proxy does.

Test controls: `delay` (seconds before answering a message), `down` (every message answered
with HTTP 500), `reset()`; records: `received` [(sender, text)] in arrival order (refused
messages are not recorded: they never reach Rasa), `forgotten` [sender] on each PUT, and
`conversations` {sender: Conversation} with `.slots`, `.events`, `.paused`.
"""
from __future__ import annotations

import asyncio
import copy
import hmac
import json
import re
import threading
import time
import uuid
import warnings
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

REPO = Path(__file__).resolve().parents[2]
RASA_VERSION = "3.6.21"
RULES = {"restart": "action_restart"}  # data/rules.yml + Rasa's default rules: the rest → action_converse
CONVERSE = "action_converse"
LISTEN = "action_listen"
_CONVERSATION = re.compile(r"/conversations/(.+)/tracker(/events)?")


@lru_cache(maxsize=1)
def domain():
    """The project's domain.yml, loaded by Rasa itself (its default intents and slots included)."""
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Domain.load(str(REPO / "domain.yml"))


@lru_cache(maxsize=1)
def executor():
    """The action server's executor with the project's actions, as rasa_sdk's `--actions actions`.

    The module actions.actions is registered rather than the package: rasa_sdk walks a package
    with pkgutil, which imports `dialogue` and `understanding` as top-level names, and under
    pytest those are tests/dialogue and tests/understanding. Every Action class is in it."""
    from rasa_sdk.executor import ActionExecutor

    ex = ActionExecutor()
    ex.register_package("actions.actions")
    return ex


def parse(text: str) -> dict[str, Any]:
    """The message as Rasa's NLU hands it on: a `/intent{json}` payload read by Rasa's
    RegexMessageHandler (unknown intents and entities dropped, as with the domain); any other
    text with no intent and no entities (this fake has no NLU)."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    data: dict[str, Any] = {"text": text, "intent": {}, "entities": []}
    if text.strip().startswith("/"):
        with warnings.catch_warnings():  # Rasa warns about unknown intents; it then reads it as text
            warnings.simplefilter("ignore")
            unpacked = YAMLStoryReader.unpack_regex_message(Message({"text": text}), domain())
        if unpacked.get("intent"):
            data.update(intent=dict(unpacked.get("intent")), entities=list(unpacked.get("entities") or []),
                        intent_ranking=list(unpacked.get("intent_ranking") or []))
    return data


def bot_uttered(response: dict[str, Any]):
    """One response of the action server as Rasa makes it a bot event: RemoteAction._utter_responses
    and create_bot_utterance (rasa/core/actions/action.py, Rasa 3.6), copied because importing that
    module loads TensorFlow. The project's actions send no `response` (templates), only text,
    buttons and custom JSON."""
    from rasa.shared.core.events import BotUttered

    response = dict(response)
    response.pop("response", None)
    draft: dict[str, Any] = {}
    buttons = response.pop("buttons", []) or []
    if buttons:
        draft["buttons"] = list(buttons)
    draft.update({k: v for k, v in response.items() if v})  # empty values do not overwrite
    return BotUttered(
        text=draft.pop("text", None),
        data={"elements": draft.pop("elements", None), "quick_replies": draft.pop("quick_replies", None),
              "buttons": draft.pop("buttons", None),
              "attachment": draft.pop("attachment", None) or draft.get("image", None),
              "image": draft.pop("image", None), "custom": draft.pop("custom", None)},
        metadata=draft,
    )


def _error(status: int, reason: str, message: str) -> dict[str, Any]:
    return {"version": RASA_VERSION, "status": "failure", "message": message, "reason": reason, "details": {},
            "help": None, "code": status}


class Conversation:
    """One sender's conversation: Rasa's own tracker (rasa.shared.core.trackers)."""

    def __init__(self, sender: str, events: list[dict[str, Any]] | None = None) -> None:
        from rasa.shared.core.trackers import DialogueStateTracker

        self.sender = sender
        self.tracker = DialogueStateTracker.from_dict(sender, list(events or []), domain().slots)

    @property
    def slots(self) -> dict[str, Any]:
        return self.tracker.current_slot_values()

    @property
    def paused(self) -> bool:
        return self.tracker.is_paused()

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event since the conversation began, as dicts (restarts included)."""
        return [e.as_dict() for e in self.tracker.events]

    def update(self, event) -> None:
        self.tracker.update(event, domain())

    def state(self, include_events: str = "AFTER_RESTART") -> dict[str, Any]:
        from rasa.shared.core.trackers import EventVerbosity

        verbosity = EventVerbosity[include_events.upper()] if include_events.upper() in EventVerbosity.__members__ \
            else EventVerbosity.AFTER_RESTART
        return self.tracker.current_state(verbosity)


class FakeRasa:
    def __init__(self, token: str | None = "fake-rasa-token-0123456789") -> None:
        self.token = token
        self.conversations: dict[str, Conversation] = {}
        self._received: list[tuple[str, str]] = []
        self.forgotten: list[str] = []
        self.delay = 0.0
        self.down = False
        self._lock = threading.Lock()  # the records and the conversations
        self._servers: list[ThreadingHTTPServer] = []
        self._loop = asyncio.new_event_loop()  # every turn runs here, one at a time, as Rasa's lock store does
        self._loop_thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # ---- records ---------------------------------------------------------------------------
    @property
    def received(self) -> list[tuple[str, str]]:
        return self._received

    def count(self, sender: str, message: str | None = None) -> int:
        return sum(1 for s, m in self._received if s == sender and (message is None or m == message))

    def reset(self) -> None:
        self.delay, self.down = 0.0, False

    # ---- Rasa, in-process --------------------------------------------------------------------
    def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """One message through Rasa's REST channel: the reply as the webhook returns it."""
        with self._lock:
            self._received.append((sender, text))
        return self._run(self._handle(sender, text, metadata))

    def tracker(self, sender: str, include_events: str = "AFTER_RESTART") -> dict[str, Any]:
        """GET /conversations/{sender}/tracker (a new sender gets a conversation, as in Rasa)."""
        return self._run(self._tracker(sender, include_events))

    def append(self, sender: str, events: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any] | None:
        """POST /conversations/{sender}/tracker/events; None when no event in it is valid."""
        return self._run(self._append(sender, events))

    def replace(self, sender: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        """PUT /conversations/{sender}/tracker/events (`[]`: the conversation wiped)."""
        with self._lock:
            self.forgotten.append(sender)
            self.conversations[sender] = Conversation(sender, events)
            return self.conversations[sender].state()

    def _run(self, coro):
        if not self._loop_thread.is_alive():
            self._loop_thread.start()
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def _conversation(self, sender: str) -> Conversation:
        with self._lock:
            if sender not in self.conversations:
                self.conversations[sender] = Conversation(sender)
            return self.conversations[sender]

    async def _start_session(self, conv: Conversation, metadata: dict[str, Any] | None) -> None:
        """action_session_start when the conversation has no applied events (processor rule)."""
        from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

        if conv.tracker.applied_events():
            return
        if metadata:
            conv.update(SlotSet("session_started_metadata", metadata))
        for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted(LISTEN)):
            conv.update(event)

    async def _tracker(self, sender: str, include_events: str) -> dict[str, Any]:
        conv = self._conversation(sender)
        await self._start_session(conv, None)
        return conv.state(include_events)

    async def _append(self, sender: str, raw: Any) -> dict[str, Any] | None:
        from rasa.shared.core.events import Event

        conv = self._conversation(sender)
        try:  # Rasa checks the body against its event schema first: an unknown event is a 400
            events = [Event.from_parameters(e) for e in (raw if isinstance(raw, list) else [raw])]
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        events = [e for e in events if e]
        if not events:
            return None
        for event in events:
            conv.update(event)
        return conv.state()

    async def _handle(self, sender: str, text: str, metadata: dict[str, Any] | None) -> list[dict[str, Any]]:
        from rasa.core.channels.channel import CollectingOutputChannel
        from rasa.shared.core.events import (
            ActionExecuted,
            BotUttered,
            UserUtteranceReverted,
            UserUttered,
            deserialise_events,
        )
        from rasa.shared.core.trackers import EventVerbosity

        conv = self._conversation(sender)
        await self._start_session(conv, metadata)
        data = parse(text)
        data["message_id"] = uuid.uuid4().hex
        data["metadata"] = dict(metadata or {})
        conv.update(UserUttered(text, data["intent"] or None, data["entities"], parse_data=copy.deepcopy(data),
                                input_channel="rest", message_id=data["message_id"], metadata=data["metadata"]))
        intent = (data["intent"] or {}).get("name")
        if conv.paused and intent != "restart":  # Rasa's processor: a paused conversation only listens
            return []
        if intent == "back":  # Rasa's ActionBack: no utter_back in the domain, two rewinds
            for event in (ActionExecuted("action_back", policy="RulePolicy", confidence=1.0),
                          UserUtteranceReverted(), UserUtteranceReverted(), ActionExecuted(LISTEN)):
                conv.update(event)
            return []
        action = RULES.get(intent or "", CONVERSE)
        call = {"next_action": action, "sender_id": sender, "tracker": conv.tracker.current_state(EventVerbosity.ALL),
                "domain": domain().as_dict(), "version": RASA_VERSION}
        conv.update(ActionExecuted(action, policy="RulePolicy", confidence=1.0))
        out = CollectingOutputChannel()
        try:
            response = await executor().run(json.loads(json.dumps(call))) or {}  # over the wire: JSON only
        except Exception:  # the action server failed: Rasa logs it and answers with what it has
            response = {}
        response = json.loads(json.dumps(response))
        bot = [bot_uttered(r) for r in response.get("responses") or []]
        for event in [*bot, *deserialise_events(response.get("events") or [])]:
            conv.update(event)
            if isinstance(event, BotUttered):
                await out.send_response(sender, event.message())
        conv.update(ActionExecuted(LISTEN, policy="RulePolicy", confidence=1.0))
        return out.messages

    # ---- HTTP --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The test code's door: the token is added (as tests/livestack.py's proxy does)."""
        return self._address(0)

    @property
    def direct_url(self) -> str:
        """Rasa's door: `?token=` is checked on every route but `GET /`."""
        return self._address(1)

    def _address(self, i: int) -> str:
        host, port = self._servers[i].server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeRasa:
        domain(), executor()  # loaded before the first request: a turn is then fast
        handler = self._handler()
        for trusted in (True, False):
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            server.trusted = trusted  # type: ignore[attr-defined]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        if self._loop_thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _handler(self):
        from bot.rasa_server import MAX_BODY_BYTES, message_refusal

        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet: no message text in any log
                pass

            def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes | None:
                size = int(self.headers.get("Content-Length") or 0)
                if size > MAX_BODY_BYTES:
                    self._send(413, _error(413, "PayloadTooLarge", "Request body too large"))
                    return None
                return self.rfile.read(size)

            def _allowed(self, path: str) -> bool:
                if self.server.trusted or fake.token is None or (self.command == "GET" and path == "/"):
                    return True
                given = (parse_qs(urlsplit(self.path).query).get("token") or [""])[0]
                if hmac.compare_digest(given.encode(), fake.token.encode()):
                    return True
                self._send(401, {"status": "failure", "reason": "NotAuthenticated", "code": 401})
                return False

            def _route(self) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                body = self._body() if self.command in ("POST", "PUT") else b""
                if body is None or not self._allowed(path):
                    return
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if self.command == "GET" and path == "/":
                    return self._send(200, f"Hello from Rasa: {RASA_VERSION}", "text/plain")
                if self.command == "GET" and path == "/version":
                    return self._send(200, {"version": RASA_VERSION, "minimum_compatible_version": "3.5.0"})
                if self.command == "GET" and path == "/status":
                    return self._send(200, {"model_file": "fake-rasa (no model: real dialogue, no NLU)",
                                            "model_id": "fake", "num_active_training_jobs": 0})
                if self.command == "POST" and path == "/webhooks/rest/webhook":
                    return self._webhook(body)
                found = _CONVERSATION.fullmatch(path)
                if not found:
                    return self._send(404, _error(404, "NotFound", "Requested URL not found"))
                sender, events = unquote(found.group(1)), bool(found.group(2))
                if self.command == "GET" and not events:
                    return self._send(200, fake.tracker(sender, query.get("include_events", "AFTER_RESTART")))
                if events and self.command in ("POST", "PUT"):
                    try:
                        raw = json.loads(body or b"null")
                    except ValueError:
                        raw = None
                    if self.command == "PUT":
                        if not isinstance(raw, list):
                            return self._send(400, _error(400, "BadRequest", "Request body is not a list of events"))
                        return self._send(200, fake.replace(sender, raw))
                    state = fake.append(sender, raw) if isinstance(raw, (list, dict)) else None
                    if state is None:
                        return self._send(400, _error(400, "BadRequest",
                                                      "Couldn't extract a proper event from the request body."))
                    return self._send(200, state)
                return self._send(405, _error(405, "MethodNotAllowed", "Method not allowed"))

            def _webhook(self, body: bytes) -> None:
                refusal = message_refusal(body)  # the project's guard: never reaches Rasa, nothing recorded
                if refusal:
                    status, text = refusal
                    return self._send(status, [{"recipient_id": "", "text": text}])
                data = json.loads(body)
                sender = data.get("sender") or "default"
                text = data.get("message") or ""
                metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else None
                with fake._lock:
                    fake._received.append((sender, text))
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.down:
                    return self._send(500, _error(500, "ConversationError", "down (a test made it so)"))
                return self._send(200, fake._run(fake._handle(sender, text, metadata)))

            def _safely(self) -> None:
                try:
                    self._route()
                except Exception as exc:  # noqa: BLE001 -- a fake's bug shows as Rasa's 500, not a dropped connection
                    self._send(500, _error(500, "ConversationError", f"fake Rasa: {type(exc).__name__}"))

            do_GET = do_POST = do_PUT = do_DELETE = _safely  # noqa: N815

        return Handler
