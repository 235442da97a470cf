"""In a real Chromium: a widget user asks for a person, an operator takes the chat in the console,
their message appears in the widget, the user's reply reaches the operator, then the bot resumes.

The widget is the real chat page with its own hook: chat.js loads /widget/handoff.js and calls
ElderChatHandoff.start() when a message with custom.type "handoff" arrives, and shows each text
as a message from 人工客服 (.msg.operator).
"""
from __future__ import annotations

import re

import pytest
from browser_checks import CONTRAST
from handoff_support import NEXT, OPERATOR_TOKEN, SHOTS
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

def send(page, text):
    page.locator("#input").fill(text)
    page.locator("#send").click()


def handoff_message_arrived(page):
    return page.evaluate("""() => {
      const s = JSON.parse(localStorage.getItem('czyl.chat.v1') || 'null');
      return !!s && s.messages.some(m => m.custom && m.custom.type === 'handoff' && m.custom.state === 'queued');
    }""")


def test_operator_takes_a_widget_chat_then_the_bot_resumes(browser, gateway):
    SHOTS.mkdir(parents=True, exist_ok=True)
    user_ctx = browser.new_context(base_url=gateway.url, viewport={"width": 390, "height": 844}, locale="zh-CN",
                                   bypass_csp=True)
    op_ctx = browser.new_context(base_url=gateway.url, viewport={"width": 1440, "height": 1000}, locale="zh-CN",
                                 bypass_csp=True)
    try:
        user = user_ctx.new_page()
        user.set_default_timeout(15000)
        user.goto("/")
        send(user, "老人82岁")
        expect(user.locator("#log")).to_contain_text(NEXT)
        send(user, "我要找人工")
        expect(user.locator("#log")).to_contain_text("已经帮您转人工客服")
        assert handoff_message_arrived(user)
        polls = []
        user.on("request", lambda r: polls.append(r.url) if "/api/chat/events" in r.url else None)
        operator_said = user.locator(".msg.operator")

        operator = op_ctx.new_page()
        operator.set_default_timeout(15000)
        operator.goto("/operator")
        operator.get_by_test_id("token").fill(OPERATOR_TOKEN)
        operator.get_by_test_id("login").click()
        case = operator.get_by_test_id("handoff-case")
        expect(case).to_have_count(1)
        expect(case).to_contain_text("网页用户 · 等待中")
        expect(operator.get_by_test_id("handoff-hours")).to_contain_text("每天 00:00–24:00")
        operator.screenshot(path=str(SHOTS / "handoff-queue.png"))

        operator.get_by_test_id("handoff-take").click()
        chat = operator.get_by_test_id("handoff-chat")
        expect(chat).to_be_visible()
        expect(operator.get_by_test_id("handoff-profile")).to_contain_text("82周岁")  # the profile so far
        expect(operator.get_by_test_id("handoff-transcript")).to_contain_text("用户：我要找人工")
        expect(operator.get_by_test_id("handoff-state")).to_contain_text("已接手")
        expect(operator_said.first).to_contain_text("人工客服已接入")

        operator.get_by_test_id("handoff-text").fill("您好，我是热线的小王。老人82岁、低保的情况我看到了。")
        operator.get_by_test_id("handoff-send").click()
        expect(operator_said.last).to_contain_text("您好，我是热线的小王。老人82岁、低保的情况我看到了。")

        # the user answers in the same chat: the bot stays silent, the operator reads it
        send(user, "谢谢，她能领高龄津贴吗")
        expect(user.locator("#log")).to_contain_text("已转给人工客服，请稍等")
        expect(operator.get_by_test_id("handoff-messages")).to_contain_text("用户：谢谢，她能领高龄津贴吗")
        operator.screenshot(path=str(SHOTS / "handoff-taken.png"))
        low = [m for m in operator.evaluate(CONTRAST) if m["ratio"] < 4.5]
        assert not low, low[:5]
        for name in ("handoff-send", "handoff-resume", "handoff-close"):
            box = operator.get_by_test_id(name).bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, (name, box)
        user.screenshot(path=str(SHOTS / "handoff-widget.png"))

        # hand back: the widget is told and stops polling; the bot answers the next message
        operator.get_by_test_id("handoff-resume").click()
        expect(operator.get_by_test_id("handoff-state")).to_contain_text("已交回助手")
        expect(operator.get_by_test_id("handoff-send")).to_be_disabled()
        expect(operator_said.last).to_contain_text("交回给助手")
        user.wait_for_timeout(500)
        polled = len(polls)
        user.wait_for_timeout(4500)
        assert len(polls) == polled  # polling stopped once handed back
        send(user, "老人85岁")
        expect(user.locator(".msg").last).to_contain_text(NEXT)  # the bot's own answer, after the user's
        expect(user.locator(".msg").nth(-2)).to_contain_text("老人85岁")
        assert operator_said.count() == 3  # taken, the operator's words, handed back: each once
        expect(operator.get_by_test_id("handoff-case")).to_have_count(0)
    finally:
        user_ctx.close()
        op_ctx.close()


def test_handoff_js_stops_for_a_chat_without_handoff(browser, gateway):
    """start() on a chat nobody queued asks a few times, then stops; a refused id stops at once."""
    ctx = browser.new_context(base_url=gateway.url, bypass_csp=True)
    try:
        page = ctx.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url) if "/api/chat/events" in r.url else None)
        page.goto("/")
        page.add_script_tag(url="/widget/handoff.js")
        page.evaluate("ElderChatHandoff.start('web:' + '0'.repeat(24) + ':' + '0'.repeat(32), () => {})")
        page.wait_for_timeout(3000)
        assert len(requests) == 1 and re.search(r"after=0$", requests[0])
    finally:
        ctx.close()
