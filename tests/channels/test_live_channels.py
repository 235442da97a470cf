"""The widget and WeChat against the real stack (trained model, action server, Rasa)."""
from __future__ import annotations

import re
import time

import httpx
import pytest

from .browser_helpers import (INIT_SCRIPT, NONE_TITLES, START_TEXT, screen_until_result, screenshot_result,
                              sender_of)
from .support import TOKEN, gateway_settings
from .wechat_sim import WeChatSim

pytestmark = pytest.mark.model
PHONE = {"width": 430, "height": 932}


def test_widget_screening_with_the_real_bot(browser, live_stack, screenshots):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    ctx.add_init_script(INIT_SCRIPT)
    try:
        page = ctx.new_page()
        page.goto(live_stack.gateway_url + "/")
        page.wait_for_selector(".msg.bot")
        steps = screen_until_result(page, live_stack.rasa_url)
        view = page.locator(".result-view")  # the structured result (test_widget_browser checks it in detail)
        assert view.locator(".headline").inner_text().strip()
        slots = httpx.get(f"{live_stack.rasa_url}/conversations/{sender_of(page)}/tracker").json()["slots"]
        assert 8 in slots["eligible_services"], steps  # 82 years old: 高龄津贴
        cards = view.locator(".office:not(.possible):not(.undecided) .card")
        assert cards.count() == len(slots["eligible_services"])
        screenshot_result(page, str(screenshots / "live-result.png"))
    finally:
        ctx.close()


def _options(text: str) -> dict[str, str]:
    """'请回复数字：\\n1 低保\\n2 …' → {'低保': '1', …}"""
    if "请回复数字：" not in text:
        return {}
    return {m.group(2).strip(): m.group(1) for m in re.finditer(r"^(\d+) (.+)$", text.split("请回复数字：")[-1], re.M)}


def _answer(wx: WeChatSim, api, openid: str, xml: str) -> str:
    resp = wx.post(xml)
    fields = wx.reply(resp)
    if fields is not None:
        return fields["Content"]
    before = len(api.texts_to(openid))  # slow turn: the answer comes as a customer-service message
    deadline = time.monotonic() + 30
    while len(api.texts_to(openid)) <= before and time.monotonic() < deadline:
        time.sleep(0.1)
    return api.texts_to(openid)[-1]


def test_wechat_screening_with_the_real_bot(start_gateway, live_stack, wechat_api, openid):
    url = start_gateway(gateway_settings(live_stack.rasa_url, wechat_api_base=wechat_api.url))
    wx = WeChatSim(url, TOKEN)
    sender = f"wx:{openid}"
    text = _answer(wx, wechat_api, openid, wx.event(openid, "subscribe"))
    wanted = {"economic_status": "低保", "self_care": "不能自理"}
    for _ in range(30):
        slots = httpx.get(f"{live_stack.rasa_url}/conversations/{sender}/tracker").json()["slots"]
        if slots.get("eligible_services"):
            break
        slot, options = slots.get("requested_slot"), _options(text)
        if slot == "age":
            reply = "八十二"
        elif slot in wanted:
            reply = next(n for title, n in options.items() if wanted[slot] in title)
        elif slot is None:
            reply = START_TEXT
        else:
            reply = next((n for title, n in options.items() if any(t in title for t in NONE_TITLES)), "不知道")
        text = _answer(wx, wechat_api, openid, wx.text(openid, reply))
    assert 8 in slots["eligible_services"] and slots["economic_status"] == "minimum_living"
    assert slots["self_care"] == "dependent"
