"""The fake Rasa the channel tests talk to runs the real dialogue and speaks as Rasa does.

If it ever drifted into a script of its own, the channel tests would test invented questions:
these tests hold it to the catalogue (questions.yaml, messages.yaml), the engine (policy_kb) and
Rasa's HTTP behaviour (token, REST format, tracker, pause, restart).
"""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml

import policy_kb

from .fake_rasa import inform, question, settled_profile

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = yaml.safe_load((REPO / "actions" / "dialogue" / "questions.yaml").read_text(encoding="utf-8"))
MESSAGES = yaml.safe_load((REPO / "actions" / "dialogue" / "messages.yaml").read_text(encoding="utf-8"))
# an elder with something in most facts: 83, 低保, cannot look after herself, a grade-2 physical disability
PERSONA = {"age": 83, "economic_status": "minimum_living", "self_care": "dependent", "disability_grade": 2,
           "disability_type": "physical", "living_situation": "alone", "employee_pension_retired": False,
           "resident_pension_15y": True, "special_family_planning": False, "veteran_category": "none",
           "maintenance_dispute": False, "homeless": False, "has_capable_supporter": False,
           "receives_pension_subsidy": False, "support_mode": "home", "family_care_training": False,
           "chronic_conditions": [], "district": "潞州区"}


def say(fake, sender: str, text: str) -> list[dict]:
    resp = httpx.post(f"{fake.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=20)
    assert resp.status_code == 200
    return resp.json()


def tracker(fake, sender: str) -> dict:
    return httpx.get(f"{fake.url}/conversations/{sender}/tracker", timeout=10).json()


def answer(messages: list[dict], asking: str | None) -> str:
    """What the persona answers: the button that says what she would, else her value as a payload."""
    buttons = [b for m in messages for b in m.get("buttons") or []]
    for b in buttons:
        if b["payload"].startswith("/inform{"):
            values = json.loads(b["payload"][len("/inform"):])
            if all(k in PERSONA and PERSONA[k] == v for k, v in values.items()):
                return b["payload"]
    if any(b["payload"] == '/inform{"special_circumstances":"none"}' for b in buttons):
        return '/inform{"special_circumstances":"none"}'  # none of the rare situations
    if asking in PERSONA:
        return inform({asking: PERSONA[asking]})
    return "/dont_know"


def test_a_screening_through_the_fake_ends_with_the_engines_result(fake_rasa):
    sender = "test:screening"
    messages = say(fake_rasa, sender, "/greet")
    for _ in range(40):
        if any((m.get("custom") or {}).get("type") == "result" for m in messages):
            break
        messages = say(fake_rasa, sender, answer(messages, tracker(fake_rasa, sender)["slots"]["requested_slot"]))
    told = next(m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "result")
    slots = tracker(fake_rasa, sender)["slots"]
    known = {k: slots[k] for k in PERSONA if slots.get(k) is not None}
    assert known and all(PERSONA[k] == v for k, v in known.items())  # only what she said was recorded
    expected = policy_kb.evaluate(known)
    assert told["eligible"] == expected["eligible"] and told["possible"] == expected["possible"]
    assert slots["eligible_services"] == expected["eligible"] and slots["result_told"] is True
    assert len(known) >= 3 and expected["eligible"]  # a real screening, with services to tell


def test_the_questions_are_the_catalogues(fake_rasa):
    sender = "test:questions"
    greeting = say(fake_rasa, sender, "/greet")
    texts = [m.get("text") for m in greeting]
    assert MESSAGES["welcome"] in texts and QUESTIONS["age"]["text"] in texts
    asked = say(fake_rasa, sender, "82")  # read by the dialogue itself: no NLU in the fake
    assert asked[-1]["text"] == QUESTIONS["economic_status"]["text"]
    assert asked[-1]["buttons"] == question("economic_status").button_dicts()  # the fact's values, then 不清楚
    assert tracker(fake_rasa, sender)["slots"]["age"] == 82


def test_rest_format_and_tracker_are_rasas(fake_rasa):
    sender = "test:format"
    say(fake_rasa, sender, "/greet")
    profile = {"age": 70, "economic_status": "none", "self_care": "independent"}
    messages = say(fake_rasa, sender, inform(profile))
    assert all(m["recipient_id"] == sender for m in messages)
    state = tracker(fake_rasa, sender)
    assert set(state) >= {"sender_id", "slots", "latest_message", "events", "paused", "latest_action_name"}
    assert state["latest_message"]["intent"]["name"] == "inform"
    assert {"entity": "age", "value": 70} in [{k: e[k] for k in ("entity", "value")}
                                             for e in state["latest_message"]["entities"]]
    kinds = [e["event"] for e in state["events"]]
    assert kinds[:3] == ["action", "session_started", "action"] and "user" in kinds and "bot" in kinds
    bots = [e for e in state["events"] if e["event"] == "bot"]
    assert bots[-1]["text"] == messages[-1].get("text")  # the events hold what was said
    say(fake_rasa, sender, "我妈身体还行")
    assert tracker(fake_rasa, sender)["latest_message"]["intent"] == {}  # typed text: no NLU, no intent


def test_message_metadata_reaches_the_tracker(fake_rasa):
    """What a channel sends beside the text (e.g. what it can do) is in the latest message, as in Rasa."""
    meta = {"channel": {"microphone": False}}
    resp = httpx.post(f"{fake_rasa.url}/webhooks/rest/webhook",
                      json={"sender": "test:meta", "message": "/greet", "metadata": meta}, timeout=20)
    assert resp.status_code == 200 and resp.json()
    state = tracker(fake_rasa, "test:meta")
    assert state["latest_message"]["metadata"] == meta
    assert [e["metadata"] for e in state["events"] if e["event"] == "user"] == [meta]


def test_a_result_is_a_custom_message_alone(fake_rasa):
    sender = "test:result"
    profile = {"age": 85, "economic_status": "minimum_living", "self_care": "dependent"}
    messages = say(fake_rasa, sender, inform(settled_profile(profile)))
    custom = [m for m in messages if m.get("custom")]
    assert len(custom) == 1 and set(custom[0]) == {"recipient_id", "custom"}  # as Rasa sends json_message
    assert custom[0]["custom"]["type"] == "result" and custom[0]["custom"]["headline"]
    assert all("\n\n" not in (m.get("text") or "") for m in messages)  # blank lines split, as Rasa's REST channel


def test_token_is_checked_on_the_gateways_door(fake_rasa):
    direct = fake_rasa.direct_url
    assert httpx.get(f"{direct}/").status_code == 200
    for method, path, body in [("GET", "/status", None), ("GET", "/conversations/x/tracker", None),
                               ("POST", "/webhooks/rest/webhook", {"sender": "test:token", "message": "/greet"}),
                               ("PUT", "/conversations/x/tracker/events", []),
                               ("POST", "/conversations/x/tracker/events", {"event": "pause"})]:
        for params in ({}, {"token": "wrong"}):
            resp = httpx.request(method, f"{direct}{path}", params=params, json=body, timeout=10)
            assert resp.status_code == 401 and resp.json()["reason"] == "NotAuthenticated", (method, path)
    assert fake_rasa.count("test:token") == 0
    ok = httpx.post(f"{direct}/webhooks/rest/webhook", params={"token": fake_rasa.token},
                    json={"sender": "test:token", "message": "/greet"}, timeout=20)
    assert ok.status_code == 200 and ok.json()


def test_the_gateway_reaches_it_with_its_token(gateway, fake_rasa):
    sender = httpx.post(f"{gateway}/api/chat/session", json={}).json()["sender"]
    resp = httpx.post(f"{gateway}/api/chat", json={"sender": sender, "message": "/greet"}, timeout=20)
    assert resp.status_code == 200
    assert QUESTIONS["age"]["text"] in [m["text"] for m in resp.json()["messages"]]
    assert fake_rasa.count(sender, "/greet") == 1


def test_pause_resume_and_restart(fake_rasa):
    sender = "test:pause"
    say(fake_rasa, sender, "/greet")
    say(fake_rasa, sender, "82")
    paused = httpx.post(f"{fake_rasa.url}/conversations/{sender}/tracker/events", json={"event": "pause"}).json()
    assert paused["paused"] is True
    assert say(fake_rasa, sender, "低保") == []  # a paused conversation gets no bot reply
    state = tracker(fake_rasa, sender)
    assert state["events"][-1]["event"] == "user" and state["events"][-1]["text"] == "低保"  # kept, not answered
    assert state["slots"]["economic_status"] is None
    resumed = httpx.post(f"{fake_rasa.url}/conversations/{sender}/tracker/events", json=[{"event": "resume"}])
    assert resumed.json()["paused"] is False
    assert say(fake_rasa, sender, "低保")  # answered again
    assert tracker(fake_rasa, sender)["slots"]["economic_status"] == "minimum_living"
    httpx.post(f"{fake_rasa.url}/conversations/{sender}/tracker/events", json={"event": "pause"})
    restarted = say(fake_rasa, sender, "/restart")  # restart goes through a pause, as in Rasa
    assert MESSAGES["restart"] in restarted[0]["text"]
    state = tracker(fake_rasa, sender)
    assert state["paused"] is False and state["slots"]["age"] is None and state["slots"]["economic_status"] is None
    assert not [e for e in state["events"] if e["event"] == "user"]  # the events after the restart


def test_back_undoes_the_last_answer(fake_rasa):
    sender = "test:back"
    say(fake_rasa, sender, "/greet")
    say(fake_rasa, sender, "82")
    say(fake_rasa, sender, inform({"economic_status": "minimum_living"}))
    assert say(fake_rasa, sender, "/back") == []  # Rasa's action_back says nothing
    slots = tracker(fake_rasa, sender)["slots"]
    assert slots["age"] == 82 and slots["economic_status"] is None and slots["requested_slot"] == "economic_status"


def test_forget_replaces_the_events(fake_rasa):
    sender = "test:forget"
    say(fake_rasa, sender, "82")
    resp = httpx.put(f"{fake_rasa.url}/conversations/{sender}/tracker/events", json=[])
    assert resp.status_code == 200 and resp.json()["events"] == [] and fake_rasa.forgotten[-1] == sender
    assert tracker(fake_rasa, sender)["slots"]["age"] is None


@pytest.mark.parametrize("body", [{"event": "no-such-event"}, [], "pause", 5])
def test_bad_events_are_refused(fake_rasa, body):
    resp = httpx.post(f"{fake_rasa.url}/conversations/test:bad/tracker/events", json=body)
    assert resp.status_code == 400 and resp.json()["reason"] == "BadRequest"


def test_a_too_long_message_never_reaches_it(fake_rasa):
    resp = httpx.post(f"{fake_rasa.url}/webhooks/rest/webhook", json={"sender": "test:long", "message": "长" * 501})
    assert resp.status_code == 200 and "太长" in resp.json()[0]["text"]
    assert fake_rasa.count("test:long") == 0
