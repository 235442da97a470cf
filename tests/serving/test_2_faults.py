"""Faults with real processes under supervisor (the session's stack): the action server down or
killed, Rasa killed mid-conversation. The user is told in words, nothing they said is lost,
and the screening goes on."""
from __future__ import annotations

import os
import signal
import time

import httpx
import pytest

from serving_support import CJK, GatewayChat, RasaChat, wait_for

pytestmark = pytest.mark.model


def _actions_up(stack) -> bool:
    return httpx.get(f"{stack.actions_url}/health", timeout=2).status_code == 200


def _rasa_up(stack) -> bool:
    return httpx.get(f"{stack.rasa_direct_url}/status", params={"token": stack.rasa_token}, timeout=2).status_code == 200


def test_action_server_down_user_told_in_words_and_nothing_lost(live_stack):
    chat = GatewayChat(live_stack.gateway_url)
    assert chat.say("你好").status_code == 200
    assert chat.say("我妈八十三了").status_code == 200
    rasa = RasaChat(live_stack.rasa_direct_url, live_stack.rasa_token, chat.sender)
    assert rasa.slots()["age"] == 83
    asked = rasa.slots()["requested_slot"]
    live_stack.ctl("stop", "actions-0")
    try:
        r = chat.say("吃低保")
        assert r.status_code == 503
        assert len(CJK.findall(r.text)) >= 10  # a sentence in Chinese, not a blank widget
    finally:
        live_stack.ctl("start", "actions-0")
    wait_for(lambda: _actions_up(live_stack), 60)
    r = chat.say("不能自理")  # the next answer: the lost one is sent first, then this one
    assert r.status_code == 200 and r.json()["messages"]
    slots = rasa.slots()
    assert asked == "economic_status"
    assert slots["economic_status"] == "minimum_living"  # the message said while it was down
    assert slots["self_care"] == "dependent"
    assert slots["age"] == 83


def test_killed_action_server_is_restarted_and_the_screening_continues(live_stack):
    chat = RasaChat(live_stack.rasa_direct_url, live_stack.rasa_token)
    chat.say("我爸八十五岁")
    old_pid = live_stack.pid("actions-0")
    os.kill(old_pid, signal.SIGKILL)
    wait_for(lambda: live_stack.pid("actions-0") not in (0, old_pid) and _actions_up(live_stack), 60)
    assert chat.say("低保")  # answered again
    assert chat.slots()["economic_status"] == "minimum_living"


def test_killed_rasa_is_restarted_and_the_conversation_facts_are_intact(live_stack):
    chat = RasaChat(live_stack.rasa_direct_url, live_stack.rasa_token)
    chat.say("你好")
    chat.say("我妈八十三了")
    chat.say("吃低保")
    before = chat.slots()
    assert before["age"] == 83 and before["economic_status"] == "minimum_living"
    old_pid = live_stack.pid("rasa-0")
    os.kill(old_pid, signal.SIGKILL)
    started = time.time()
    wait_for(lambda: live_stack.pid("rasa-0") not in (0, old_pid) and _rasa_up(live_stack), 400, step=1)
    print(f"Rasa back after {time.time() - started:.0f} s")
    live_stack.refresh_pids()
    after = chat.slots()
    facts = ("age", "economic_status", "requested_slot")
    assert {k: after[k] for k in facts} == {k: before[k] for k in facts}
    reply = chat.say("不能自理")  # the screening continues where it was
    assert reply and chat.slots()["self_care"] == "dependent"
