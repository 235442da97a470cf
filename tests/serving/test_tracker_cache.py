"""The tracker store keeps the last saved tracker in memory: it must give back what the table holds."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.tracker_store import ForgetfulSQLTrackerStore, delete_older_than

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  age: {type: any, mappings: [{type: custom}]}
"""
)


def run(coro):
    return asyncio.run(coro)


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "rasa.db")


def store(db, cls=ForgetfulSQLTrackerStore):
    return cls(DOMAIN, dialect="sqlite", db=db)


def turn(tracker, text: str, age: int) -> None:
    tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
    tracker.update(SlotSet("age", age))
    tracker.update(BotUttered(f"记下了 {age}"))
    tracker.update(ActionExecuted("action_listen"))


def events_in_table(db, sender):
    tracker = run(store(db, SQLTrackerStore).retrieve(sender))  # Rasa's own store, no memory
    return [e.as_dict() for e in tracker.events] if tracker else None


def test_turns_are_stored_as_rasas_own_store_would_store_them(db):
    s = store(db)
    t = run(s.get_or_create_tracker("c1"))
    for age in (80, 81, 82):
        t = run(s.retrieve("c1")) or t
        turn(t, "八十", age)
        run(s.save(t))
    assert events_in_table(db, "c1") == [e.as_dict() for e in t.events]
    assert run(s.retrieve("c1")).get_slot("age") == 82


def test_another_writer_is_seen_not_a_stale_copy(db):
    a, b = store(db), store(db)  # two replicas on one table
    t = run(a.get_or_create_tracker("c2"))
    turn(t, "八十", 80)
    run(a.save(t))
    tb = run(b.retrieve("c2"))
    turn(tb, "八十五", 85)
    run(b.save(tb))
    again = run(a.retrieve("c2"))
    assert again.get_slot("age") == 85
    assert [e.as_dict() for e in again.events] == events_in_table(db, "c2")


def test_a_tracker_changed_but_not_saved_is_not_given_back(db):
    s = store(db)
    t = run(s.get_or_create_tracker("c3"))
    turn(t, "八十", 80)
    run(s.save(t))
    t = run(s.retrieve("c3"))
    turn(t, "九十", 90)  # the turn failed before its save
    back = run(s.retrieve("c3"))
    assert back.get_slot("age") == 80 and len(back.events) == len(events_in_table(db, "c3"))


def test_a_replacement_and_the_retention_delete_still_work(db):
    s = store(db)
    t = run(s.get_or_create_tracker("c4"))
    turn(t, "八十", 80)
    run(s.save(t))
    from rasa.shared.core.trackers import DialogueStateTracker

    run(s.save(DialogueStateTracker("c4", DOMAIN.slots)))  # what core.forget sends: nothing kept
    assert not events_in_table(db, "c4")
    t = run(s.get_or_create_tracker("c5"))
    turn(t, "八十", 80)
    run(s.save(t))
    assert run(s.retrieve("c5")) is not None
    delete_older_than(f"sqlite:///{db}", days=-1)  # every conversation is "old"
    assert run(s.retrieve("c5")) is None


def test_a_conversation_is_rebuilt_from_the_table_once_not_every_turn(db, monkeypatch):
    rebuilt = []
    original = SQLTrackerStore._retrieve

    async def counting(self, sender_id, fetch_events_from_all_sessions):
        rebuilt.append(sender_id)
        return await original(self, sender_id, fetch_events_from_all_sessions)

    monkeypatch.setattr(SQLTrackerStore, "_retrieve", counting)
    s = store(db)
    t = run(s.get_or_create_tracker("c6"))
    turn(t, "八十", 80)
    run(s.save(t))
    for age in (81, 82, 83, 84):
        t = run(s.retrieve("c6"))
        turn(t, "八十", age)
        run(s.save(t))
    assert rebuilt.count("c6") <= 1
    assert events_in_table(db, "c6") == [e.as_dict() for e in t.events]


def test_conversations_are_not_held_in_memory_past_their_bounds(db, monkeypatch):
    s = store(db)
    monkeypatch.setattr(s, "KEEP", 3)
    for i in range(5):
        t = run(s.get_or_create_tracker(f"k{i}"))
        turn(t, "八十", 80)
        run(s.save(t))
    assert list(s._kept) == ["k2", "k3", "k4"]  # the least recently used went first
    monkeypatch.setattr(s, "KEEP_SECONDS", 0)  # every earlier one is now idle too long
    t = run(s.get_or_create_tracker("k5"))
    run(s.save(t))
    assert list(s._kept) == ["k5"]
    assert run(s.retrieve("k2")).get_slot("age") == 80  # still in the table, read again from it
