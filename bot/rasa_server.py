"""Start Rasa (same arguments as the `rasa` command), made safe to run and a little faster.

    RASA_TOKEN=… python -m bot.rasa_server run --enable-api --model models/….tar.gz

- Loopback only: `-i 127.0.0.1` unless an interface is given (Docker Compose gives one).
- Token: `--auth-token` comes from `RASA_TOKEN` in the environment (so it never shows in `ps`);
  without one a random token is made, so the API is never open. Every route but `GET /` needs
  `?token=` (Rasa itself guards only its API; here the REST channel's webhook is guarded too).
- Limits on Rasa itself: request bodies over 1 MB are refused by Sanic; a REST message longer
  than 500 characters is refused with a kind reply (HTTP 200, the REST channel's usual answer,
  nothing recorded in the conversation; a malformed body or a sender id over 255: HTTP 400), before NLU runs, so no one on the host can freeze Rasa with a long text.
- Logs: users' text, facts and ids are scrubbed from every log line (bot.logfilters).
- Speed: Rasa 3.6 checks every action-server response with `jsonschema.validate`, which
  re-checks the schema itself on every call (~70% of Rasa's CPU per turn). Here the response is
  checked against the same schema compiled once with fastjsonschema: invalid ones still refused.
- Speed: a button's payload is read by Rasa's RegexMessageHandler alone, not by the whole NLU
  graph that handler ends (DIET ran on every tap, ~40% of Rasa's CPU per turn): `payload_parse`.
- Ticket lock: a request waiting for a conversation's lock is not stranded when its own ticket
  expires while it waits (Rasa 3.6 then waits forever): see `ticket_lock`.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import os
import secrets
import sys
from contextlib import asynccontextmanager
from functools import lru_cache

MAX_TEXT_CHARS = 500
MAX_SENDER_CHARS = 255  # the SQL tracker store's column
MAX_BODY_BYTES = 1_000_000
TOO_LONG_REPLY = f"您说的话太长了，请简短一些，不超过{MAX_TEXT_CHARS}个字，再说一次。"
BAD_REQUEST_REPLY = "这条消息没法读懂，请重新说一次。"


def _event_validators(spec: dict):
    """The response schema split by event type: the `oneOf` over 23 event types makes every event
    be tried against all of them; each alternative pins `event` to one name, so checking an event
    against its own alternative alone accepts and refuses exactly the same responses."""
    import copy

    import fastjsonschema

    spec = copy.deepcopy(spec)
    items = spec["properties"]["events"]["items"]
    alternatives = items.pop("oneOf")
    spec["properties"]["events"]["items"] = {"type": "object"}  # each event is checked below
    per_type = {}
    for alt in alternatives:
        name = alt["properties"]["event"]["const"]
        per_type[name] = fastjsonschema.compile({**items, "allOf": [alt]})
    return fastjsonschema.compile(spec), per_type


def _install_fast_action_validation() -> None:
    import fastjsonschema
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    @lru_cache(maxsize=1)
    def validators():
        return _event_validators(RemoteAction.action_response_format_spec())

    def _validate_action_result(self, result) -> bool:
        whole, per_type = validators()
        try:
            whole(result)
            for event in (result or {}).get("events") or ():
                check = per_type.get(event.get("event")) if isinstance(event.get("event"), str) else None
                if check is None:
                    raise fastjsonschema.JsonSchemaValueException(f"data.events: unknown event {event.get('event')!r}")
                check(event)
            return True
        except fastjsonschema.JsonSchemaException as e:
            # the same exception type Rasa's caller expects
            raise ValidationError(f"{e.message}. Failed to validate Action server response from API.") from e

    RemoteAction._validate_action_result = _validate_action_result


def payload_parse(text: str, domain) -> dict | None:
    """A button payload (/inform{"age":83}) read as Rasa's RegexMessageHandler reads it, or None when
    the text is no payload of an intent in the domain."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    if not text.startswith("/"):
        return None
    message = YAMLStoryReader.unpack_regex_message(
        Message(data={TEXT: text}), domain, entity_extractor_name="RegexMessageHandler"
    )
    if not (message.get(INTENT) or {}).get(INTENT_NAME_KEY):
        return None
    parsed = {TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}
    parsed.update(message.as_dict(only_output_properties=True))
    return parsed


def _install_payload_shortcut() -> None:
    """Rasa 3.6 runs the whole NLU graph (DIET included, ~40% of its CPU per turn) on a button's
    payload and then lets RegexMessageHandler, the graph's last node, replace what DIET said. A
    payload of a known intent is read by that handler alone: the same parse, without DIET."""
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor._parse_message_with_graph

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        text = message.text or ""
        parsed = payload_parse(text, self.domain) if only_output_properties else None
        return parsed if parsed is not None else original(self, message, tracker, only_output_properties)

    MessageProcessor._parse_message_with_graph = _parse_message_with_graph


def _install_event_type_cache() -> None:
    """Rasa looks an event's class up by walking every subclass of Event, for each event it reads
    from the tracker store or the action server (~8% of its CPU per turn); the classes do not
    change once imported, so the name -> class table is kept (rebuilt when a name is not in it)."""
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    original = events.Event.resolve_by_type
    table: dict = {}

    def resolve_by_type(type_name, default=None):
        cls = table.get(type_name)
        if cls is None:
            table.clear()
            for c in all_subclasses(events.Event):
                table.setdefault(c.type_name, c)  # the first found wins, as in Rasa's own loop
            cls = table.get(type_name)
        return cls if cls is not None else original(type_name, default)

    events.Event.resolve_by_type = staticmethod(resolve_by_type)


def _own_ticket(lock, number: int, expires: float):
    """This request's ticket in `lock` if it is still there (unexpired); by number and expiry,
    as a number can be issued again once every ticket has expired."""
    if lock is None:
        return None
    lock.remove_expired_tickets()
    return next((t for t in lock.tickets if t.number == number and t.expires == expires), None)


def _issue_ticket(store, conversation_id: str, lifetime: float) -> tuple[int, float]:
    """`LockStore.issue_ticket`, returning the new ticket's expiry too."""
    from rasa.core.lock_store import LockError

    try:
        lock = store.get_or_create_lock(conversation_id)
        number = lock.issue_ticket(lifetime)
        store.save_lock(lock)
        return number, lock.tickets[-1].expires
    except Exception as e:  # as Rasa's
        raise LockError(f"Error while acquiring lock. Error:\n{e}") from e


@asynccontextmanager
async def ticket_lock(store, conversation_id: str, lock_lifetime: float | None = None,
                      wait_time_in_seconds: float = 1):
    """Rasa's `LockStore.lock`, without its stranded waiter.

    Rasa serves a conversation's tickets in order; a ticket expires `lock_lifetime` seconds
    (TICKET_LOCK_LIFETIME) after it was issued, so that one left behind by a replica killed
    mid-turn stops blocking the conversation. But a waiting request's own ticket expires too,
    barely later than that dead one when the request came just after it (the failover of the
    very turn the replica died in). Rasa looks again only every `wait_time_in_seconds`; if both
    tickets expired in between, the lock holds no ticket, "now serving" is none, and Rasa's
    waiter waits for its vanished ticket forever (the gateway's request times out after 90 s).
    Here a waiter whose ticket is gone takes a new one, at the back of the queue: still one
    request at a time per conversation, in the order of the live tickets."""
    from rasa.core import lock_store

    lifetime = lock_store.LOCK_LIFETIME if lock_lifetime is None else lock_lifetime
    number, expires = _issue_ticket(store, conversation_id, lifetime)
    try:
        while True:
            lock = store.get_lock(conversation_id)
            own = _own_ticket(lock, number, expires)
            if own is None:  # expired while it waited: queue again
                number, expires = _issue_ticket(store, conversation_id, lifetime)
                lock = store.get_lock(conversation_id)
                own = _own_ticket(lock, number, expires)
            if own is not None and lock.tickets[0] is own:
                break
            await asyncio.sleep(wait_time_in_seconds)
            store.update_lock(conversation_id)
        yield lock
    finally:  # Rasa's cleanup, by this request's own ticket (not another one with its number)
        lock = store.get_lock(conversation_id)
        if lock is not None:
            own = _own_ticket(lock, number, expires)
            if own is not None:
                lock.tickets.remove(own)
            if lock.tickets:
                store.save_lock(lock)
            else:
                store.delete_lock(conversation_id)


def _install_ticket_lock() -> None:
    from rasa.core.lock_store import LockStore

    LockStore.lock = ticket_lock


def message_refusal(body: bytes | None) -> tuple[int, str] | None:
    """(status, kind reply) when a REST channel message must not reach Rasa, else None."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return 400, BAD_REQUEST_REPLY
    if not isinstance(data, dict):
        return 400, BAD_REQUEST_REPLY
    message, sender = data.get("message"), data.get("sender")
    if message is not None and not isinstance(message, str):
        return 400, BAD_REQUEST_REPLY
    if sender is not None and (not isinstance(sender, str) or len(sender) > MAX_SENDER_CHARS):
        return 400, BAD_REQUEST_REPLY
    if message and len(message) > MAX_TEXT_CHARS:
        # 200, as the REST channel answers: a reply the widget can show, and nothing recorded
        return 200, TOO_LONG_REPLY
    return None


def _guard(app, token: str) -> None:
    """Token on every route but `GET /`, body size, and the text limit on webhooks."""
    from sanic import response

    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    expected = token.encode()

    async def guard(request):
        if request.path == "/" and request.method == "GET":
            return None
        given = (request.args.get("token") or "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"status": "failure", "reason": "NotAuthenticated", "code": 401}, status=401)
        if request.method == "POST" and request.path.startswith("/webhooks/") and request.path.endswith("/webhook"):
            refusal = message_refusal(request.body)
            if refusal:
                status, text = refusal
                return response.json([{"recipient_id": "", "text": text}], status=status)
        return None

    app.register_middleware(guard, "request")


def _install_guard(token: str) -> None:
    import rasa.core.run as run

    original = run.configure_app

    def configure_app(*args, **kwargs):
        app = original(*args, **kwargs)
        _guard(app, token)
        return app

    run.configure_app = configure_app


def _arguments(argv: list[str]) -> tuple[list[str], str]:
    """Rasa's arguments with loopback and the token added (the token from the environment)."""
    argv = list(argv)
    if argv and argv[0] == "run" and not any(a in ("-i", "--interface") for a in argv):
        argv += ["-i", os.environ.get("RASA_INTERFACE") or "127.0.0.1"]
    token = ""
    given = next((a for a in argv if a.startswith("--auth-token=")), None)
    if "--auth-token" in argv:
        token = argv[argv.index("--auth-token") + 1]
    elif given:
        token = given.split("=", 1)[1]
    else:
        token = (os.environ.get("RASA_TOKEN") or "").strip() or secrets.token_hex(24)
        if argv and argv[0] == "run":
            argv.append(f"--auth-token={token}")  # one argument: a token starting with "-" is no option
    return argv, token


def main() -> None:
    from bot import logfilters

    logfilters.install()
    argv, token = _arguments(sys.argv[1:])
    _install_fast_action_validation()
    _install_event_type_cache()
    _install_payload_shortcut()
    _install_ticket_lock()
    if argv and argv[0] == "run":
        _install_guard(token)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
