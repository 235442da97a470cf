"""The website channel over HTTP: pages, assets served locally, the chat API."""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.web import KIND_UNAVAILABLE

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"


def chat(gateway: str, sender: str, message: str) -> httpx.Response:
    return httpx.post(f"{gateway}/api/chat", json={"sender": sender, "message": message}, timeout=15)


def session(gateway: str) -> str:
    resp = httpx.post(f"{gateway}/api/chat/session", json={}, timeout=15)
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    return resp.json()["sender"]


def test_full_page_chat(gateway):
    resp = httpx.get(f"{gateway}/")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    assert 'lang="zh-CN"' in resp.text and "widget/chat.js" in resp.text and "重新开始" in resp.text
    csp = resp.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors *" in csp


def test_widget_script_and_assets(gateway):
    js = httpx.get(f"{gateway}/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    for asset in ("chat.js", "chat.css", "demo.html"):
        assert httpx.get(f"{gateway}/widget/{asset}").status_code == 200
    assert any(getattr(r, "path", "") == "/api/tts" for r in create_app(Settings()).routes)
    assert httpx.get(f"{gateway}/widget/config.json").json() == {"tts_url": "/api/tts"}


def test_nothing_is_loaded_from_elsewhere():
    """No CDN at run time: the widget's files name no other host."""
    for path in (p for p in STATIC.rglob("*") if p.is_file() and p.name != "README"):
        text = path.read_text(encoding="utf-8")
        if "vendor" in path.parts:  # a vendored library names its home page in comments only
            text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
        urls = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s\"')]*", text, flags=re.I)
        urls = [u for u in urls if "网关地址" not in u and not u.startswith("http://www.w3.org/")]  # namespaces
        assert not urls, f"{path.name} loads {urls}"


def test_chat_api_returns_the_bots_messages(gateway):
    sender = session(gateway)
    assert re.fullmatch(r"web:[0-9a-f]{24}:[0-9a-f]{32}", sender)  # ':' as it is: Rasa does not decode %3A
    resp = chat(gateway, sender, "82")  # the age told: the next question comes with its buttons
    assert resp.status_code == 200
    messages = resp.json()["messages"]
    assert messages and all(set(m) == {"text", "buttons", "custom"} for m in messages)
    assert any(m["buttons"] for m in messages)
    assert session(gateway) != sender


@pytest.mark.parametrize("body", [b"[]", b"5", b"not json"])
def test_session_wants_an_empty_object(gateway, body):
    resp = httpx.post(f"{gateway}/api/chat/session", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["message_zh"]


def _forged(gateway: str) -> list[str]:
    real = session(gateway)
    channel, rand, mac = real.split(":")
    return ["web:0123456789abcdef", "web:abc/../../version", "", "web:" + "a" * 100,
            f"web:{rand}:{'0' * 32}", f"web:{'1' * 24}:{mac}", f"op:{rand}:{mac}", f"kiosk:{rand}:{mac}",
            f"wx:o{rand}", real.upper(), real + "0"]


def test_chat_api_refuses_ids_it_did_not_issue(gateway, fake_rasa):
    before = len(fake_rasa.received)
    for sender in _forged(gateway):
        resp = chat(gateway, sender, "我82岁")
        assert resp.status_code == 403, sender
        assert resp.json()["message_zh"] == "这次对话已经失效了，请点“重新开始”。"
        assert httpx.post(f"{gateway}/api/chat/forget", json={"sender": sender}).status_code == 403
    assert len(fake_rasa.received) == before  # none reached the conversation core


def test_chat_api_refuses_other_channels_ids(gateway):
    """Ids issued for the kiosk or an operator call do not reach /api/chat; WeChat's neither."""
    kiosk = httpx.post(f"{gateway}/kiosk/api/session").json()["sender"]
    assert kiosk.startswith("kiosk:")
    for sender in (kiosk, "wx:o" + "a" * 27):
        assert chat(gateway, sender, "hi").status_code == 403


@pytest.mark.parametrize("message, status", [("", 422), ("   ", 422), ("长" * 501, 413)])
def test_chat_api_refuses_bad_messages(gateway, fake_rasa, message, status):
    sender = session(gateway)
    resp = chat(gateway, sender, message)
    assert resp.status_code == status and resp.json()["message_zh"]
    assert fake_rasa.count(sender) == 0


def test_restart_and_forget_wipe_the_conversation(gateway, fake_rasa):
    sender = session(gateway)
    chat(gateway, sender, "/greet")
    chat(gateway, sender, "/start_screening")
    chat(gateway, sender, "82")
    assert chat(gateway, sender, "/restart").status_code == 200
    assert fake_rasa.forgotten.count(sender) == 1  # wiped, then restarted
    resp = httpx.post(f"{gateway}/api/chat/forget", json={"sender": sender})
    assert resp.status_code == 200 and resp.json() == {"ok": True}
    assert fake_rasa.forgotten.count(sender) == 2
    slots = httpx.get(f"{fake_rasa.url}/conversations/{sender}/tracker").json()["slots"]
    assert slots.get("age") is None


def test_chat_api_when_the_bot_is_down(gateway, scripted_rasa):
    sender = session(gateway)
    scripted_rasa.down = True
    resp = chat(gateway, sender, "你好")
    assert resp.status_code == 503
    assert resp.json()["message_zh"] == KIND_UNAVAILABLE and "Traceback" not in resp.text
