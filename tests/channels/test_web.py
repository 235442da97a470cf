"""The website channel over HTTP: pages, assets served locally, the chat API."""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.web import KIND_UNAVAILABLE

STATIC = Path(__file__).resolve().parents[2] / "bot" / "static" / "widget"


def chat(gateway: str, sender: str, message: str) -> httpx.Response:
    return httpx.post(f"{gateway}/api/chat", json={"sender": sender, "message": message}, timeout=15)


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
    has_tts = any(getattr(r, "path", "") == "/api/tts" for r in create_app(Settings()).routes)  # issue 5's
    assert httpx.get(f"{gateway}/widget/config.json").json() == {"tts_url": "/api/tts" if has_tts else None}


def test_nothing_is_loaded_from_elsewhere():
    """No CDN at run time: the widget's files name no other host."""
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        urls = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s\"')]*", text, flags=re.I)
        assert not [u for u in urls if "网关地址" not in u], f"{path.name} loads {urls}"


def test_chat_api_returns_the_bots_messages(gateway):
    resp = chat(gateway, "web:0123456789abcdef", "/greet")
    assert resp.status_code == 200
    messages = resp.json()["messages"]
    assert messages and all(set(m) == {"text", "buttons", "custom"} for m in messages)
    assert any(m["buttons"] for m in messages)


@pytest.mark.parametrize("sender, message", [
    ("web:abc/../../version", "hi"), ("", "hi"), ("web:" + "a" * 100, "hi"), ("web:ok", ""), ("web:ok", "长" * 501),
])
def test_chat_api_refuses_bad_input(gateway, sender, message):
    resp = chat(gateway, sender, message)
    assert resp.status_code == 400 and resp.json()["message_zh"]


def test_chat_api_when_the_bot_is_down(gateway, scripted_rasa):
    scripted_rasa.down = True
    resp = chat(gateway, "web:0123456789abcdef", "你好")
    assert resp.status_code == 503
    assert resp.json()["message_zh"] == KIND_UNAVAILABLE and "Traceback" not in resp.text
