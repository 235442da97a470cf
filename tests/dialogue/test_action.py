"""The Rasa custom action on tracker fixtures (as rasa_sdk's executor would call it)."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionConverse


def tracker(text: str, intent: str, slots: dict | None = None, entities: list | None = None) -> Tracker:
    return Tracker(
        sender_id="t1",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(t: Tracker):
    dispatcher = CollectingDispatcher()
    # a thread of its own: other tests (the browser's sync API) may hold an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        events = pool.submit(asyncio.run, ActionConverse().run(dispatcher, t, {})).result()
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_action_sets_fact_slots_and_asks_next_with_buttons():
    messages, slots = run(tracker("我妈八十三了，吃低保", "inform"))
    assert slots["age"] == 83 and slots["economic_status"] == "minimum_living"
    assert slots["requested_slot"] == "self_care"
    assert any(m.get("buttons") for m in messages)


def test_button_payload_entities_are_taken_as_facts():
    messages, slots = run(tracker('/inform{"self_care":"dependent"}', "inform",
                                  {"age": 83, "economic_status": "minimum_living", "requested_slot": "self_care"},
                                  [{"entity": "self_care", "value": "dependent"}]))
    assert slots["self_care"] == "dependent"


def test_result_is_sent_as_custom_json_and_sets_eligible_services():
    done = {"age": 58, "requested_slot": "employee_pension_retired"}
    messages, slots = run(tracker("不是", "deny", done))
    assert slots["eligible_services"] == []
    assert any((m.get("custom") or {}).get("type") == "result" for m in messages)


def test_an_internal_error_gives_a_kind_message_and_keeps_the_slots(monkeypatch):
    import actions.actions as mod

    def boom(*_a, **_k):
        raise RuntimeError("bug")

    monkeypatch.setattr(mod, "handle", boom)
    messages, slots = run(tracker("我妈八十三", "inform"))
    assert slots == {}
    assert "重新开始" in messages[0]["text"] and "Traceback" not in messages[0]["text"]
