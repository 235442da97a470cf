"""`POST /api/chat/resume`: after a reload during a reply, the bot's last turn from the tracker."""
from __future__ import annotations

import tempfile

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core import CoreUnavailable
from bot.settings import Settings
from bot.web import last_bot_turn

BUTTONS = [{"title": "低保", "payload": '/inform{"economic_status":"minimum_living"}'}]
RESULT = {"type": "result", "headline": "能领钱的1项"}


def bot(text, buttons=None, custom=None):
    return {"event": "bot", "text": text,
            "data": {"elements": None, "quick_replies": None, "buttons": buttons, "attachment": None,
                     "image": None, "custom": custom}}


EVENTS = [
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "/greet"},
    bot("您好！\n可以一次说几件事。"), bot("老人今年多大岁数？"),
    {"event": "user", "text": "82"},
    {"event": "slot", "name": "age", "value": 82},
    bot("好的。\n\n老人家里是低保户吗？", BUTTONS),
    bot("第一段\n\n第二段"), bot(None, custom=RESULT),
    {"event": "action", "name": "action_listen"},
]


class FakeCore:
    def __init__(self, events=None, down=False):
        self.events, self.down, self.asked = events or [], down, []

    async def tracker(self, sender):
        self.asked.append(sender)
        if self.down:
            raise CoreUnavailable("down")
        return {"sender_id": sender, "events": self.events}

    async def aclose(self):
        pass


def test_the_last_turn_is_split_as_the_rest_channel_splits_it():
    user, turn = last_bot_turn({"events": EVENTS})
    assert user == "82"
    assert turn == [
        {"text": "好的。\n\n老人家里是低保户吗？", "buttons": BUTTONS, "custom": None},  # with buttons: one message
        {"text": "第一段", "buttons": [], "custom": None}, {"text": "第二段", "buttons": [], "custom": None},
        {"text": "", "buttons": [], "custom": RESULT},
    ]
    assert last_bot_turn({}) == (None, [])
    assert last_bot_turn({"events": [{"event": "user", "text": "你好"}]}) == ("你好", [])


@pytest.fixture
def client_for():
    def make(core):
        settings = Settings(data_dir=tempfile.mkdtemp(prefix="czyl-resume-"), rate_ip_per_minute=1e6)
        return TestClient(create_app(settings, core=core))
    return make


def sender(client):
    return client.post("/api/chat/session", json={}).json()["sender"]


def test_resume_gives_the_answer_to_the_message_that_was_sent(client_for):
    core = FakeCore(EVENTS)
    with client_for(core) as client:
        s = sender(client)
        got = client.post("/api/chat/resume", json={"sender": s, "message": "82"}).json()
        assert got["answered"] is True and got["messages"][-1]["custom"] == RESULT
        # the page sent something the bot never saw: not answered (the page offers 重试)
        assert client.post("/api/chat/resume", json={"sender": s, "message": "83"}).json()["answered"] is False
        assert client.post("/api/chat/resume", json={"sender": s}).json()["answered"] is None
        assert core.asked == [s, s, s]


def test_resume_refuses_ids_it_did_not_issue(client_for):
    core = FakeCore(EVENTS)
    with client_for(core) as client:
        for bad in ("web:000000000000000000000000:00000000000000000000000000000000", "kiosk:x", 7):
            resp = client.post("/api/chat/resume", json={"sender": bad})
            assert resp.status_code in (403, 422) and "82" not in resp.text
        assert core.asked == []
        resp = client.post("/api/chat/resume", json={"sender": "web:000000000000000000000000:" + "0" * 32})
        assert resp.status_code == 403 and resp.json()["message_zh"]


def test_resume_when_the_bot_is_down_is_a_kind_answer(client_for):
    with client_for(FakeCore(down=True)) as client:
        resp = client.post("/api/chat/resume", json={"sender": sender(client), "message": "82"})
        assert resp.status_code == 503 and "系统暂时连接不上" in resp.json()["message_zh"]
