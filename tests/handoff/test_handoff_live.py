"""On the real stack (Rasa + actions on the trained model): the dialogue's 找人工 answer becomes a
place in the queue, taking it pauses Rasa for real (a message sent straight to Rasa gets no
answer), and after the hand-back the bot answers again."""
from __future__ import annotations

import httpx
import pytest
from handoff_support import AUTH, Served, app_for

pytestmark = [pytest.mark.model, pytest.mark.server]


@pytest.fixture
def live_gateway(live_stack):
    served = Served(app_for(live_stack.rasa_url))
    yield served
    served.stop()


def chat(url, sender, text):
    r = httpx.post(f"{url}/api/chat", json={"sender": sender, "message": text}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["messages"]


def tracker(live_stack, sender):
    return httpx.get(f"{live_stack.rasa_url}/conversations/{sender}/tracker", timeout=30).json()


def test_pause_really_stops_the_bot_and_resume_brings_it_back(live_stack, live_gateway):
    url = live_gateway.url
    sender = httpx.post(f"{url}/api/chat/session", json={}).json()["sender"]
    assert any(m["text"] for m in chat(url, sender, "我妈今年82岁"))
    messages = chat(url, sender, "我要找人工")
    assert {"type": "handoff", "state": "queued"} in [m["custom"] for m in messages]
    assert messages[0]["text"].startswith("好的，已经帮您转人工客服了")
    [case] = httpx.get(f"{url}/operator/api/handoff", headers=AUTH).json()["cases"]
    detail = httpx.get(f"{url}/operator/api/handoff/{case['id']}", headers=AUTH).json()
    assert any(f["name"] == "age" and f["value"] == 82 for f in detail["profile"]["known"])

    assert httpx.post(f"{url}/operator/api/handoff/{case['id']}/take", headers=AUTH, timeout=30).status_code == 200
    assert tracker(live_stack, sender)["paused"] is True
    # straight to Rasa, past the gateway: the paused conversation gets no answer at all
    direct = httpx.post(f"{live_stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": "低保"},
                        timeout=60)
    assert direct.status_code == 200 and direct.json() == []
    assert [m["text"] for m in chat(url, sender, "她是低保户")] == ["已转给人工客服，请稍等"]

    assert httpx.post(f"{url}/operator/api/handoff/{case['id']}/resume", headers=AUTH, timeout=30).status_code == 200
    assert tracker(live_stack, sender)["paused"] is False
    again = [m["text"] for m in chat(url, sender, "她是低保户") if m["text"]]
    assert again and again != ["已转给人工客服，请稍等"]
    assert tracker(live_stack, sender)["slots"].get("economic_status") == "minimum_living"


def test_outside_the_hours_the_real_dialogue_gives_departments(live_stack):
    served = Served(app_for(live_stack.rasa_url, handoff_hours="00:00-00:01", handoff_days="1"))
    try:
        sender = httpx.post(f"{served.url}/api/chat/session", json={}).json()["sender"]
        messages = chat(served.url, sender, "我要找人工")
        text = messages[0]["text"]
        assert text.startswith("现在不是人工客服的上班时间。人工客服的时间是周一 00:00–00:01。")
        assert "长治市民政局" in text and not any(m["custom"] for m in messages)
    finally:
        served.stop()
