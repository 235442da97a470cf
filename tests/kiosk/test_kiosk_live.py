"""On the real stack (Rasa with the trained model, the action server, the gateway: tests/livestack.py):
the kiosk's abilities reach the dialogue through Rasa's REST channel (message metadata), the keypad
number is echoed and confirmed, and 上一步 (/correct) takes it back."""
from __future__ import annotations

import httpx
import pytest
from speaking import SPEAK

pytestmark = pytest.mark.model


def post(url, path, body=None):
    r = httpx.post(url + path, json=body or {}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def test_kiosk_on_the_real_stack(live_stack):
    url = live_stack.gateway_url
    turn = post(url, "/kiosk/api/session")
    sender = turn["sender"]
    texts = [m["text"] for m in turn["messages"]]
    assert "点下面的按钮回答，数字用键盘输入" in texts[0] and not [t for t in texts if SPEAK.search(t)]
    assert turn["asking"]["fact"] == "age"
    turn = post(url, "/kiosk/api/facts", {"sender": sender, "facts": {"age": 78}})
    assert turn["messages"][-1]["text"] == "您输入的是 七十八 岁，对吗？"
    turn = post(url, "/kiosk/api/message", {"sender": sender, "text": "/affirm"})
    assert turn["asking"]["fact"] == "economic_status"
    slots = httpx.get(f"{live_stack.rasa_url}/conversations/{sender}/tracker", timeout=30).json()["slots"]
    assert slots["age"] == 78
    turn = post(url, "/kiosk/api/back", {"sender": sender})
    assert "回到上一步" in turn["messages"][0]["text"] and turn["asking"]["fact"] == "age"
    slots = httpx.get(f"{live_stack.rasa_url}/conversations/{sender}/tracker", timeout=30).json()["slots"]
    assert slots["age"] is None
