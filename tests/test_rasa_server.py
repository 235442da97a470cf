"""The Rasa launcher's faster check of action-server responses still refuses invalid ones."""

import pytest
from jsonschema import ValidationError, validate

from bot.rasa_server import _install_fast_action_validation

_install_fast_action_validation()
from rasa.core.actions.action import RemoteAction  # noqa: E402

GOOD = {
    "events": [{"event": "slot", "name": "age", "value": 83, "timestamp": None}],
    "responses": [{"text": "老人今年多大岁数？", "buttons": [{"title": "不清楚", "payload": "/dont_know"}]}],
}
BAD = [{"events": [{"event": "slot", "name": 5}]}, {"events": [{"name": "x"}]}, {"events": "nope"}]


def test_valid_response_is_accepted():
    assert RemoteAction.__new__(RemoteAction)._validate_action_result(GOOD) is True


@pytest.mark.parametrize("response", BAD)
def test_invalid_responses_are_refused_as_rasa_would(response):
    with pytest.raises(ValidationError):
        validate(response, RemoteAction.action_response_format_spec())  # Rasa's own check refuses it
    with pytest.raises(ValidationError):
        RemoteAction.__new__(RemoteAction)._validate_action_result(response)


# Responses of every event type, right and wrong, with the verdict Rasa's own check gives them:
# the split check (each event against its own type's schema) must agree on every one.
VARIANTS = [
    {"events": [{"event": "bot", "text": "你好", "data": {"buttons": []}}]},
    {"events": [{"event": "bot", "text": 5}]},
    {"events": [{"event": "user", "text": "八十三", "parse_data": {"intent": {"name": "inform", "confidence": 1}}}]},
    {"events": [{"event": "user", "parse_data": {"intent": {"name": 3}}}]},
    {"events": [{"event": "action", "name": "action_listen"}]},
    {"events": [{"event": "action", "name": None}]},
    {"events": [{"event": "slot", "name": "age", "value": None}]},
    {"events": [{"event": "followup", "name": "action_converse"}]},
    {"events": [{"event": "reset_slots"}, {"event": "restart"}, {"event": "session_started"}]},
    {"events": [{"event": "nonsense"}]},
    {"events": [{"event": 7}]},
    {"events": [{"event": "slot", "name": "age", "value": 1, "timestamp": "yesterday"}]},
    {"events": [{"event": "active_loop", "name": None}]},
    {"events": [], "responses": [{"text": "好"}]},
    {"events": [], "responses": "nope"},
    {},
]


@pytest.mark.parametrize("response", VARIANTS)
def test_the_split_check_agrees_with_rasas_own(response):
    try:
        validate(response, RemoteAction.action_response_format_spec())
        rasa_says = True
    except ValidationError:
        rasa_says = False
    try:
        ours = RemoteAction.__new__(RemoteAction)._validate_action_result(response)
    except ValidationError:
        ours = False
    assert ours == rasa_says


def test_the_event_class_table_finds_what_rasa_finds():
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    from bot.rasa_server import _install_event_type_cache

    original = events.Event.resolve_by_type
    _install_event_type_cache()
    try:
        for cls in all_subclasses(events.Event):
            assert events.Event.resolve_by_type(cls.type_name) is original(cls.type_name)
        with pytest.raises(ValueError):
            events.Event.resolve_by_type("no_such_event")
        assert events.Event.resolve_by_type("no_such_event", events.SlotSet) is events.SlotSet
    finally:
        events.Event.resolve_by_type = staticmethod(original)


def test_a_token_that_starts_with_a_dash_is_passed_as_one_argument(monkeypatch):
    from bot.rasa_server import _arguments

    monkeypatch.setenv("RASA_TOKEN", "-abc")
    argv, token = _arguments(["run", "--enable-api"])
    assert token == "-abc" and "--auth-token=-abc" in argv and "-abc" not in argv
    assert _arguments(["run", "--auth-token=xyz"])[1] == "xyz"


# Rasa's ticket lock with a ticket left behind by a replica killed mid-turn (TICKET_LOCK_LIFETIME
# bounds how long it blocks the conversation): the failover request must get the lock once it
# expires, even when its own ticket expires between two of its looks (Rasa 3.6 then waits forever).
def _lock_run(coro, timeout: float = 5.0):
    import asyncio

    async def bounded():
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


def test_a_request_behind_a_dead_ticket_gets_the_lock_once_that_expires():
    import time

    from rasa.core.lock_store import InMemoryLockStore

    from bot.rasa_server import ticket_lock

    store = InMemoryLockStore()
    store.issue_ticket("c", lock_lifetime=0.4)  # the killed replica's, never finished

    async def failover():  # issued right after it: both tickets expire between two looks
        start = time.monotonic()
        async with ticket_lock(store, "c", lock_lifetime=0.4, wait_time_in_seconds=0.3):
            return time.monotonic() - start

    waited = _lock_run(failover())
    assert 0.35 <= waited < 1.5
    assert store.get_lock("c") is None  # cleaned up as Rasa does


def test_the_same_on_the_redis_lock_store_replicas_share():
    """The ticket's expiry, by which a request knows its own ticket, survives the trip to Redis."""
    import secrets
    import time

    redis = pytest.importorskip("redis")
    from rasa.core.lock_store import RedisLockStore

    from bot.rasa_server import ticket_lock

    try:
        store = RedisLockStore(
            host="127.0.0.1", port=6379, db=0, key_prefix="test" + secrets.token_hex(4), socket_timeout=2
        )
        store.red.ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    store.issue_ticket("c", lock_lifetime=0.4)  # the killed replica's

    async def failover():
        start = time.monotonic()
        async with ticket_lock(store, "c", lock_lifetime=0.4, wait_time_in_seconds=0.3):
            assert store.get_lock("c") is not None  # held while the turn runs
            return time.monotonic() - start

    try:
        assert 0.35 <= _lock_run(failover()) < 1.5
        assert store.get_lock("c") is None
    finally:
        store.delete_lock("c")


def test_the_lock_still_serves_one_request_at_a_time_in_order():
    import asyncio

    from rasa.core.lock_store import InMemoryLockStore

    from bot.rasa_server import ticket_lock

    store = InMemoryLockStore()
    log: list[str] = []

    async def turn(name: str, hold: float):
        async with ticket_lock(store, "c", lock_lifetime=10, wait_time_in_seconds=0.02):
            log.append(f"{name}+")
            await asyncio.sleep(hold)
            log.append(f"{name}-")

    async def other_conversation():
        async with ticket_lock(store, "d", lock_lifetime=10, wait_time_in_seconds=0.02):
            log.append("d")

    async def scenario():
        first = asyncio.create_task(turn("a", 0.2))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(turn("b", 0.01))
        await asyncio.sleep(0.05)
        await other_conversation()  # another conversation is not held up
        await asyncio.gather(first, second)

    _lock_run(scenario())
    assert log == ["a+", "d", "a-", "b+", "b-"]
    assert store.get_lock("c") is None


def test_a_waiter_whose_ticket_expired_queues_behind_the_live_ones():
    """Its ticket expired while it waited and a newer request holds the lock now: it waits
    for that one, it does not go in beside it."""
    import asyncio

    from rasa.core.lock_store import InMemoryLockStore

    from bot.rasa_server import ticket_lock

    store = InMemoryLockStore()
    store.issue_ticket("c", lock_lifetime=0.3)  # dead
    log: list[str] = []

    async def waiter():
        async with ticket_lock(store, "c", lock_lifetime=0.3, wait_time_in_seconds=0.5):
            log.append("w+")
            log.append("w-")

    async def newer():  # comes after both tickets expired, before the waiter looks again
        await asyncio.sleep(0.35)
        async with ticket_lock(store, "c", lock_lifetime=10, wait_time_in_seconds=0.05):
            log.append("n+")
            await asyncio.sleep(0.4)
            log.append("n-")

    async def scenario():
        await asyncio.gather(waiter(), newer())

    _lock_run(scenario())
    assert log == ["n+", "n-", "w+", "w-"]


def test_the_launcher_puts_this_lock_in_place_of_rasas(monkeypatch):
    from rasa.core.lock_store import LockStore

    from bot.rasa_server import _install_ticket_lock, ticket_lock

    monkeypatch.setattr(LockStore, "lock", LockStore.lock)  # restored after the test
    _install_ticket_lock()
    assert LockStore.lock is ticket_lock


# ---- a button's payload skips the NLU graph ----------------------------------------------------
@pytest.fixture(scope="module")
def domain():
    from pathlib import Path

    from rasa.shared.core.domain import Domain

    return Domain.load(str(Path(__file__).resolve().parent.parent / "domain.yml"))


def test_a_payload_is_read_as_the_regex_handler_reads_it(domain):
    from bot.rasa_server import payload_parse

    parsed = payload_parse('/inform{"age":83,"district":"潞州区"}', domain)
    assert parsed["intent"] == {"name": "inform", "confidence": 1.0}
    assert parsed["intent_ranking"] == [{"name": "inform", "confidence": 1.0}]
    assert {(e["entity"], e["value"]) for e in parsed["entities"]} == {("age", 83), ("district", "潞州区")}
    assert payload_parse("/affirm", domain)["intent"]["name"] == "affirm"


def test_typed_text_and_unknown_intents_still_go_to_the_graph(domain):
    from bot.rasa_server import payload_parse

    assert payload_parse("俺娘八十三，吃低保", domain) is None
    assert payload_parse("/no_such_intent", domain) is None


def test_the_launcher_routes_payloads_past_the_graph(monkeypatch, domain):
    from rasa.core.processor import MessageProcessor
    from rasa.core.channels.channel import UserMessage

    from bot.rasa_server import _install_payload_shortcut

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", MessageProcessor._parse_message_with_graph)
    graph_calls = []

    def graph(self, message, tracker, only_output_properties=True):
        graph_calls.append(message.text)
        return {"text": message.text, "intent": {"name": "inform", "confidence": 0.5}, "entities": []}

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", graph)
    _install_payload_shortcut()
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.domain = domain
    tap = processor._parse_message_with_graph(UserMessage('/inform{"age":83}'), None)
    typed = processor._parse_message_with_graph(UserMessage("八十三"), None)
    assert tap["intent"]["confidence"] == 1.0 and typed["intent"]["confidence"] == 0.5
    assert graph_calls == ["八十三"]  # the tap never reached the graph (DIET)
