"""Small pieces of the channels: numbered choices, long texts, settings, the app's routes."""
from __future__ import annotations

import asyncio
import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core import BotMessage
from bot.settings import Settings
from bot.wechat.dedup import MessageDeduplicator, ReplayGuard
from bot.wechat.options import LastButtons, MorePages, parse_choice, render, split_text
from asyncrun import run as run_async


@pytest.mark.parametrize("text, number", [
    ("1", 1), ("１", 1), ("一", 1), ("①", 1), (" 2。", 2), ("第二个", 2), ("选3", 3), ("两", 2), ("十", 10),
    ("十二", 12), ("二十", 20), ("壹", 1), ("12", 12),
])
def test_numbers_are_understood(text, number):
    assert parse_choice(text) == number


@pytest.mark.parametrize("text", ["", "低保", "80岁", "123", "一二", "号", "1 2", "one"])
def test_other_texts_are_not_numbers(text):
    assert parse_choice(text) is None


def test_buttons_become_numbered_options_and_are_remembered():
    buttons = [{"title": "低保", "payload": "/inform{\"economic_status\":\"minimum_living\"}"},
               {"title": "低保边缘", "payload": "/inform{\"economic_status\":\"near_minimum\"}"}]
    text, shown = render([BotMessage("家里是低保户吗？", buttons)])
    assert text == "家里是低保户吗？\n\n请回复数字：\n1 低保\n2 低保边缘"
    memory = LastButtons()
    memory.remember("wx:a", shown)
    assert memory.resolve("wx:a", "２") == buttons[1]["payload"]
    assert memory.resolve("wx:a", "低保") == buttons[0]["payload"]
    assert memory.resolve("wx:a", "3") == "3"
    assert memory.resolve("wx:b", "1") == "1"  # per openid
    memory.remember("wx:a", [])  # a turn without buttons forgets them
    assert memory.resolve("wx:a", "1") == "1"


def test_result_summary_only_when_the_turn_has_no_text():
    custom = {"type": "result", "eligible": [8], "possible": [], "summary": "可以申请：高龄津贴"}
    assert render([BotMessage("能享受1项服务：高龄津贴"), BotMessage(custom=custom)])[0] == "能享受1项服务：高龄津贴"
    assert render([BotMessage(custom=custom)])[0] == "可以申请：高龄津贴"
    assert render([BotMessage("a]]>b")])[0] == "a]] >b"  # cannot close the reply's CDATA


def test_long_answers_page_with_continue():
    pages = MorePages()
    first = pages.first("wx:a", ["一", "二", "三"])
    assert first.startswith("一") and "继续" in first
    assert pages.next("wx:a", "好的") is None
    assert pages.next("wx:b", "继续") is None
    assert pages.next("wx:a", "继续").startswith("二")
    assert pages.next("wx:a", "继续。") == "三"
    assert pages.next("wx:a", "继续") is None


def test_long_texts_are_split_under_the_limit():
    text = "\n".join(["高龄津贴每月不低于七十元。" * 10] * 12) + "\n" + "长" * 3000
    pieces = split_text(text)
    assert len(pieces) > 1 and all(len(p.encode()) <= 1700 for p in pieces)
    assert "".join(p.replace("\n", "") for p in pieces) == text.replace("\n", "")


def test_env_file_and_environment(tmp_path):
    env = tmp_path / ".env"
    env.write_text('# comment\nWECHAT_TOKEN=from-file\nexport WECHAT_APPID="wx123"\nOPERATOR_TOKEN=op # note\n'
                   "RASA_URL=http://rasa:5005/\n", encoding="utf-8")
    s = Settings.from_env({"WECHAT_TOKEN": "from-env"}, env_file=env)
    assert (s.wechat_token, s.wechat_appid, s.operator_token, s.rasa_url) == ("from-env", "wx123", "op", "http://rasa:5005")
    assert s.wechat_enabled and not s.wechat_safe_mode and not s.wechat_customer_service
    assert Settings.from_env({}, env_file=tmp_path / "missing").wechat_token is None


def test_aes_key_is_checked():
    assert Settings(wechat_aes_key="x" * 43).wechat_config_error()  # no AppID
    assert Settings(wechat_aes_key="short", wechat_appid="wx1").wechat_config_error()
    assert Settings(wechat_aes_key="a" * 43, wechat_appid="wx1").wechat_config_error() is None


def test_every_channel_is_in_the_app():
    """No optional routers any more: the gateway always serves every channel."""
    paths = {getattr(r, "path", "") for r in create_app(Settings()).routes}
    assert {"/", "/api/chat", "/api/chat/session", "/api/chat/forget", "/wechat", "/operator", "/kiosk",
            "/api/tts"} <= paths
    with TestClient(create_app(Settings())) as client:  # unset OPERATOR_TOKEN: the console says so
        assert client.get("/operator").status_code == 503


def test_numbers_in_settings(tmp_path):
    env = tmp_path / ".env"
    env.write_text("MAX_BODY_BYTES=1000\nRATE_IP_PER_MINUTE=lots\nTTS_CACHE_MAX_AGE=60.5\nKIOSK_IDLE_SECONDS=999999\n",
                   encoding="utf-8")
    s = Settings.from_env({"DATA_DIR": str(tmp_path)}, env_file=env)
    assert s.max_body_bytes == 1000 and s.rate_ip_per_minute == Settings.rate_ip_per_minute
    assert s.tts_cache_max_age == 60.5 and s.kiosk_idle_seconds == 3600
    assert s.tts_cache_path == tmp_path / "tts"
    assert Settings.from_env({"WIDGET_ORIGINS": "https://a.example, https://b.example/"}, env_file=env
                             ).widget_origin_list == ("https://a.example", "https://b.example")


def test_deduplicator_runs_once_and_hands_over_late_answers():
    async def scenario():
        calls, later = [], []

        async def produce():
            calls.append(1)
            await asyncio.sleep(0.2)
            return "answer"

        async def deliver(text):
            later.append(text)

        dedup = MessageDeduplicator()
        first = await dedup.answer("k", produce, 0.05, deliver)
        second = await dedup.answer("k", produce, 0.05, deliver)
        await asyncio.sleep(0.3)
        third = await dedup.answer("k", produce, 0.05, deliver)
        fast = await dedup.answer("f", lambda: asyncio.sleep(0, result="quick"), 1.0, deliver)
        return calls, later, first, second, third, fast

    calls, later, first, second, third, fast = run_async(scenario())
    assert calls == [1] and later == ["answer"]
    assert first == second == third == ("later", None) and fast == ("ready", "quick")


def test_replay_guard():
    guard = ReplayGuard()
    assert guard.check("t:n:s", "id:1") and guard.check("t:n:s", "id:1")  # WeChat's own retry
    assert not guard.check("t:n:s", "id:2")  # same signature, other message


def test_access_log_lines_drop_query_strings_and_ids():
    import logging

    from bot.guard import RedactIds

    def line(path: str) -> str:
        record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                                   ("1.2.3.4:5", "POST", path, "1.1", 200), None)
        RedactIds().filter(record)
        return record.getMessage()

    assert "oXYZ" not in line("/wechat?signature=abc&openid=oXYZ") and "/wechat?…" in line("/wechat?openid=oXYZ")
    for path in ("/operator/api/calls/op:0123abcd:feed/say", "/operator/api/calls/op%3A0123abcd%3Afeed/end",
                 "/kiosk/api/listen?sender=kiosk:0123abcd"):
        assert "0123abcd" not in line(path) and "feed" not in line(path), line(path)
