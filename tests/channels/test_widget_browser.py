"""The widget and the full-page chat in a real headless Chromium.

Most tests run on the fake Rasa of tests/fakes/rasa.py (the real dialogue with no NLU: typed text
reaches it with no intent, button payloads are read exactly; fast, and it can be made slow or down);
the tests at the end run on the live stack (`live_stack`: trained model, action server, Rasa).
Screenshots go to a temporary folder (`SCREENSHOT_DIR`, default <tmp>/czyl-screenshots); only
`make screenshots` copies the chosen ones into docs/screenshots.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import time
import wave
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from .browser_helpers import (
    INIT_SCRIPT,
    click_choice,
    contrast,
    elder_violations,
    in_view,
    message_count,
    px,
    result_payload,
    screen_until_result,
    screenshot_result,
    sender_of,
    style,
    type_message,
    wait_idle,
)
from .fake_rasa import question as asked
from .fake_rasa import settled_profile
from .servers import DirServer

pytestmark = pytest.mark.browser

PHONE = {"width": 430, "height": 932}
SMALL_PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "czyl-screenshots")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Pictures for `make screenshots`: a temporary folder, never docs/ directly."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def new_context(browser, origin: str, viewport=PHONE):
    # bypass_csp: Playwright's waiting helpers evaluate strings, which the page's CSP forbids
    # (test_page_works_under_its_content_security_policy checks the page with the CSP on).
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1, bypass_csp=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    ctx.add_init_script(INIT_SCRIPT)
    ctx.requests = []
    ctx.on("request", lambda r: ctx.requests.append(r.url))
    return ctx


@pytest.fixture
def context(browser, gateway):
    ctx = new_context(browser, gateway)
    yield ctx
    ctx.close()


def open_chat(ctx, url: str):
    p = ctx.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.goto(url)
    wait_idle(p)
    p.wait_for_selector(".msg.bot")
    return p


@pytest.fixture
def page(context, gateway):
    return open_chat(context, gateway + "/")


def origins(urls) -> set[str]:
    return {f"{u.scheme}://{u.netloc}" for u in map(urlparse, urls) if u.scheme in ("http", "https")}


def press_retry(page) -> None:
    """重试: the failed message and its note go, the same message is sent again."""
    page.locator(".msg.note button.retry").click()
    page.wait_for_selector(".msg.note button.retry", state="detached")
    wait_idle(page)


def question(page):
    """The question now asked: the last bot bubble."""
    return page.locator(".msg.bot .bubble").last


# ---- on the scripted fake Rasa ----------------------------------------------------------------

def test_elder_mode_on_a_small_phone_keeps_each_question_in_view(context, gateway, rasa_url, screenshots):
    page = open_chat(context, gateway + "/")
    page.set_viewport_size(SMALL_PHONE)
    page.locator("#bigmode").click()
    assert page.locator("#bigmode").get_attribute("aria-pressed") == "true"
    assert page.locator("#bigmode").inner_text() != "长辈模式"  # the state is said in words, not only colour
    assert question(page).inner_text() == asked("age").text  # the welcome asks the first question
    seen: list[str] = []

    def check_question(p) -> None:
        q = question(p)
        seen.append(q.inner_text())
        assert in_view(p, q), q.inner_text()
        assert elder_violations(p) == [], q.inner_text()
        if p.locator(".choice").count():  # the buttons come below their question
            assert p.locator(".choice").first.bounding_box()["y"] >= q.bounding_box()["y"]
            if not shot:  # the first question with buttons (the economic one)
                p.mouse.move(0, 0)  # no hover colour in the picture
                p.screenshot(path=str(screenshots / "chat-elder-mode.png"))
                shot.append(True)

    shot: list[bool] = []
    steps = screen_until_result(page, rasa_url, each_question=check_question)
    assert "typed 82" in steps and any(s.startswith("clicked") for s in steps), steps
    assert len(seen) >= 3 and shot, steps
    assert page.locator(".msg.result").count() == 1
    assert elder_violations(page) == []
    page.reload()
    page.wait_for_selector(".msg.bot")
    assert "big" in page.locator("body").get_attribute("class")  # the choice is kept


def test_large_type_and_high_contrast_in_the_normal_view(page, screenshots):
    type_message(page, "82")  # the age, typed → the economic question, with buttons
    checks = {"bot": page.locator(".msg.bot .bubble").last, "user": page.locator(".msg.user .bubble").last,
              "choice": page.locator(".choice").first, "input": page.locator("#input"),
              "send": page.locator("#send"), "title": page.locator("h1"), "speak": page.locator(".speak").first}
    for name, el in checks.items():
        assert px(el, "font-size") >= 20, name
    for name in ("bot", "user", "choice", "send"):
        el = checks[name]
        bg = el.evaluate("(e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;"
                         " if (!/^rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; }"
                         " return 'rgb(255, 255, 255)'; }")
        assert contrast(style(el, "color"), bg) >= 7, name  # WCAG AAA
    assert checks["choice"].bounding_box()["height"] >= 48
    assert in_view(page, question(page))
    page.screenshot(path=str(screenshots / "chat-normal.png"))


def test_conversation_survives_a_reload_and_restart_asks_first(page, fake_rasa):
    type_message(page, "88")
    before = page.locator(".bubble").all_inner_texts()
    sender = sender_of(page)
    assert sender.startswith("web:") and sender.count(":") == 2  # issued by the gateway

    page.reload()
    page.wait_for_selector(".msg.bot")
    assert page.locator(".bubble").all_inner_texts() == before
    assert sender_of(page) == sender
    assert page.locator(".choice").count() >= 1  # the pending question's buttons are back

    # 重新开始 sits apart from 长辈模式: another region of the page, at least 24 px away
    big, restart = page.locator("#bigmode").bounding_box(), page.locator("#restart").bounding_box()
    gap_x = max(restart["x"] - (big["x"] + big["width"]), big["x"] - (restart["x"] + restart["width"]), 0)
    gap_y = max(restart["y"] - (big["y"] + big["height"]), big["y"] - (restart["y"] + restart["height"]), 0)
    assert max(gap_x, gap_y) >= 24
    assert page.locator("header #bigmode").count() and page.locator("footer #restart").count()

    page.locator("#restart").click()  # asks first, in the page (no browser pop-up)
    confirm = page.locator("#confirm")
    assert confirm.is_visible() and confirm.locator("p").inner_text() == "要清空重新开始吗？"
    assert confirm.locator("button").all_inner_texts() == ["是", "否"]
    assert sender_of(page) == sender and "88" in page.locator("#log").inner_text()  # nothing wiped yet
    page.locator("#confirm-no").click()
    assert confirm.is_hidden() and sender_of(page) == sender and "88" in page.locator("#log").inner_text()
    page.locator("#restart").click()
    page.locator("#confirm-yes").click()
    page.wait_for_function("s => { const v = JSON.parse(localStorage.getItem('czyl.chat.v1') || 'null');"
                           " return v && v.sender && v.sender !== s; }", arg=sender)
    wait_idle(page)
    page.wait_for_selector(".msg.bot")
    assert sender_of(page) != sender
    assert "88" not in page.locator("#log").inner_text()
    assert page.locator(".msg.user").count() == 0
    assert sender in fake_rasa.forgotten  # wiped on the server, not only a restart appended


def test_clear_record_wipes_the_device_and_the_server(page, fake_rasa):
    type_message(page, "86")
    sender = sender_of(page)
    page.locator("#clear").click()
    page.wait_for_selector("text=记录已清除")
    wait_idle(page)
    assert "86" not in page.locator("#log").inner_text()
    assert sender in fake_rasa.forgotten
    stored = page.evaluate("localStorage.getItem('czyl.chat.v1') || ''")
    assert "86" not in stored and sender not in stored


def test_stored_chat_expires_after_two_hours(page, fake_rasa):
    type_message(page, "84")
    sender = sender_of(page)
    page.evaluate("""() => { const s = JSON.parse(localStorage.getItem('czyl.chat.v1'));
        s.saved = Date.now() - 2 * 3600 * 1000 - 1000; localStorage.setItem('czyl.chat.v1', JSON.stringify(s)); }""")
    page.reload()
    page.wait_for_selector(".msg.bot")
    wait_idle(page)
    assert "84" not in page.locator("#log").inner_text() and page.locator(".msg.user").count() == 0
    assert sender_of(page) != sender
    for _ in range(50):
        if sender in fake_rasa.forgotten:
            break
        page.wait_for_timeout(100)
    assert sender in fake_rasa.forgotten


def test_read_aloud_shows_that_it_is_reading_not_only_by_colour(page):
    bots = page.locator(".msg.bot")
    assert bots.count() >= 1 and page.locator(".msg.bot .speak").count() == bots.count()
    speak = page.locator(".msg.bot .speak").first
    assert speak.get_attribute("aria-pressed") == "false" and speak.inner_text() == "朗读"
    page.evaluate("window.__holdSpeech = true")
    speak.click()
    assert page.evaluate("window.__spoken")[-1].strip() == bots.first.locator(".bubble").inner_text().strip()
    assert speak.get_attribute("aria-pressed") == "true"
    assert speak.inner_text() == "停止朗读" and speak.locator("svg rect").count() == 1  # words and icon change
    speak.click()  # stops
    assert speak.get_attribute("aria-pressed") == "false" and speak.inner_text() == "朗读"


def test_server_read_aloud_when_the_browser_has_no_chinese_voice(browser, gateway):
    ctx = browser.new_context(viewport=PHONE, bypass_csp=True)
    ctx.add_init_script("window.__fakeVoices = [];" + INIT_SCRIPT)
    asked: list[str] = []
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000), w.writeframes(b"\0\0" * 800)
    ctx.route("**/widget/config.json", lambda r: r.fulfill(json={"tts_url": "/api/tts"}))
    ctx.route("**/api/tts?**", lambda r: (asked.append(r.request.url), r.fulfill(body=buf.getvalue(),
                                                                                 content_type="audio/wav")))
    p = ctx.new_page()
    p.goto(gateway + "/")
    p.wait_for_selector(".msg.bot .speak")
    p.locator(".speak").first.click()
    p.wait_for_timeout(300)
    ctx.close()
    assert asked and "text=" in asked[0]


def real_result_turn(profile: dict, declined=()) -> list[dict]:
    """The bot's result turn as the dialogue builds it (text fallback + the structured payload)."""
    from actions.dialogue import result_view
    from policy_kb import evaluate

    custom = result_view.build(evaluate(profile), profile, declined)
    return [{"text": "按您说的情况，……（给只能显示文字的客户端看的长文字）", "buttons": [], "custom": None},
            {"text": "", "buttons": [], "custom": custom}]


def test_server_read_aloud_reads_a_long_summary_whole_in_parts(browser, gateway):
    ctx = browser.new_context(viewport=PHONE, bypass_csp=True)
    ctx.add_init_script("window.__fakeVoices = [];" + INIT_SCRIPT)
    asked: list[str] = []
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000), w.writeframes(b"\0\0" * 400)
    turn = real_result_turn({"age": 92, "economic_status": "minimum_living", "self_care": "dependent"})
    custom = turn[1]["custom"]
    custom["spoken"] = custom["spoken"] * 4  # longer than one /api/tts call takes (300 characters)
    ctx.route("**/widget/config.json", lambda r: r.fulfill(json={"tts_url": "/api/tts"}))
    ctx.route("**/api/tts?**", lambda r: (asked.append(parse_qs(urlparse(r.request.url).query)["text"][0]),
                                          r.fulfill(body=buf.getvalue(), content_type="audio/wav")))
    try:
        p = ctx.new_page()
        p.goto(gateway + "/")
        p.wait_for_selector(".msg.bot .speak")
        wait_idle(p)
        p.route("**/api/chat", lambda r: r.fulfill(json={"messages": turn}))
        type_message(p, "就这些")
        assert p.locator(".msg.bot .bubble").filter(has_text="给只能显示文字").count() == 0  # fallback hidden
        assert in_view(p, p.locator(".headline"))
        assert p.locator(".office:not(.possible):not(.undecided) > h3").all_inner_texts() == [
            g["office"] for g in custom["groups"]]
        p.locator(".result-view button.print").click()
        assert p.evaluate("window.__printed") == 1
        p.locator(".result-tools .speak").click()
        p.wait_for_function("() => document.querySelector('.result-tools .speak').getAttribute('aria-pressed')"
                            " === 'false'", timeout=20000)
    finally:
        ctx.close()
    assert len(asked) >= 2 and all(len(t) <= 300 for t in asked)
    assert "".join(asked) == custom["spoken"]


def test_retry_after_a_send_error_keeps_the_buttons_and_the_message(page, fake_rasa):
    type_message(page, "82")  # the welcome asks the age (typed) → the economic question, with buttons
    sender = sender_of(page)
    titles = page.locator(".choice").all_inner_texts()
    assert titles == [b["title"] for b in asked("economic_status").button_dicts()]
    failures = []

    def fail_once(route):
        if not failures:
            failures.append(route.request.post_data)
            kind = {"error": "core_unavailable", "message_zh": "抱歉，系统暂时连接不上。"}
            return route.fulfill(status=503, json=kind)
        return route.continue_()

    page.route("**/api/chat", fail_once)
    before = fake_rasa.count(sender)
    click_choice(page, page.locator(".choice").nth(1))
    note = page.locator(".msg.note").last
    assert "系统暂时连接不上" in note.inner_text()
    assert page.locator(".choice").all_inner_texts() == titles  # the buttons stay
    assert page.locator(".msg.user.failed").count() == 1  # what was sent stays, marked
    assert note.locator("button.retry").inner_text() == "重试"
    assert in_view(page, note.locator("button.retry"))
    assert page.evaluate("document.activeElement.classList.contains('retry')")
    press_retry(page)
    assert fake_rasa.count(sender) == before + 1  # the failed one never reached the bot; the retry did
    assert fake_rasa.received[-1][1] == json.loads(failures[0])["message"]
    assert page.locator(".msg.note").count() == 0 and page.locator(".msg.user.failed").count() == 0
    chosen = json.loads(failures[0])["message"]
    assert chosen == asked("economic_status").button_dicts()[1]["payload"]
    assert fake_rasa.conversations[sender].slots.get("economic_status") == json.loads(chosen[len("/inform"):])[
        "economic_status"]  # the retried answer was recorded


def test_typed_text_is_not_lost_after_a_send_error(page, fake_rasa):
    assert question(page).inner_text() == asked("age").text
    sender = sender_of(page)
    page.route("**/api/chat", lambda r: r.abort("connectionrefused"))
    type_message(page, "八十二岁")
    assert page.locator(".msg.user.failed .bubble").inner_text() == "八十二岁"
    page.unroute("**/api/chat")
    press_retry(page)
    assert fake_rasa.received[-1] == (sender, "八十二岁")
    assert fake_rasa.conversations[sender].slots.get("age") == 82  # understood once it arrived


def test_reload_while_the_message_never_arrived_offers_retry(page, fake_rasa):
    assert question(page).inner_text() == asked("age").text
    sender = sender_of(page)
    held = []
    # the first message is held: never answered, never forwarded; later ones go through
    page.route("**/api/chat", lambda r: r.continue_() if held else held.append(r))
    page.fill("#input", "83")
    page.press("#input", "Enter")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held
    page.reload()
    page.wait_for_selector(".msg.note button.retry", timeout=20000)  # asked the server, it never came
    assert "83" in page.locator(".msg.user.failed").inner_text()
    assert fake_rasa.count(sender, "83") == 0
    press_retry(page)
    assert fake_rasa.count(sender, "83") == 1
    assert page.locator(".choice").all_inner_texts() == [  # the next question
        b["title"] for b in asked("economic_status").button_dicts()]


def test_edit_link_starts_a_new_chat_with_the_facts_typed(page, fake_rasa):
    """The take-home page's edit link (/#edit:<share>): a new chat, the facts sent typed, the same result."""
    from actions.dialogue import result_view
    from policy_kb import evaluate

    profile = settled_profile({"age": 82, "economic_status": "minimum_living", "self_care": "dependent",
                               "homeless": False, "special_family_planning": True,
                               "chronic_conditions": ["hypertension"]})
    expected = result_view.build(evaluate(profile), profile)
    old = sender_of(page)
    page.goto(page.url.split("#")[0] + "#edit:" + expected["share"])
    page.wait_for_selector(".msg.result .headline")
    wait_idle(page)
    sender = sender_of(page)
    assert sender != old and old in fake_rasa.forgotten
    sent = [m for s, m in fake_rasa.received if s == sender]
    assert sent[0].startswith("/inform{")
    assert json.loads(sent[0][len("/inform"):]) == profile  # numbers, booleans, the list: typed
    assert page.locator(".msg.result .headline").inner_text() == expected["headline"]
    assert result_payload(page)["eligible"] == expected["eligible"]
    assert page.evaluate("location.hash") == ""


def test_live_hand_off_messages_show_as_from_a_person(page, context):
    context.route("**/widget/handoff.js", lambda r: r.fulfill(content_type="application/javascript", body="""
        window.ElderChatHandoff = { started: [], start: function (sender, onMessage) {
            this.started.push(sender);
            setTimeout(function () { onMessage({ text: '您好，我是接线员小王。' }); }, 50); },
          stop: function () {} };"""))
    page.route("**/api/chat", lambda r: r.fulfill(json={"messages": [
        {"text": "好的，正在为您转接人工。", "buttons": [], "custom": {"type": "handoff"}}]}))
    type_message(page, "找人工")
    page.wait_for_selector(".msg.operator")
    op = page.locator(".msg.operator")
    assert "人工客服" in op.inner_text() and "接线员小王" in op.inner_text()
    assert page.evaluate("window.ElderChatHandoff.started") == [sender_of(page)]


def test_chat_goes_on_without_the_hand_off_script(page):
    page.route("**/widget/handoff.js", lambda r: r.fulfill(status=404, body="not found"))
    page.route("**/api/chat", lambda r: r.fulfill(json={"messages": [
        {"text": "好的，正在为您转接人工。", "buttons": [{"title": "不用了", "payload": "/deny"}],
         "custom": {"type": "handoff"}}]}))
    type_message(page, "找人工")
    page.wait_for_timeout(300)
    assert not page.errors and page.locator(".choice").inner_text() == "不用了"
    assert page.locator("#send").is_enabled()


def test_embedded_widget_on_another_site(browser, gateway, tmp_path, screenshots):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某某县民政局</title>'
        '<style>body{font:14px sans-serif;margin:32px;color:#333} h1{font-size:22px}</style></head><body>'
        "<h1>某某县民政局 · 便民服务</h1><p>这是县里的网站，页面本身的字很小。右下角的按钮打开“养老服务查询”。</p>"
        f'<script src="{gateway}/widget.js"></script></body></html>', encoding="utf-8")
    host = DirServer(str(tmp_path)).start()
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    ctx.add_init_script(INIT_SCRIPT)
    requests: list[str] = []
    ctx.on("request", lambda r: requests.append(r.url))
    try:
        p = ctx.new_page()
        p.goto(host.url + "/index.html")
        launcher = p.locator("#czyl-widget-button")
        assert launcher.is_visible() and px(launcher, "font-size") >= 20
        assert not p.locator("#czyl-widget-frame").count()  # nothing loads before it is opened
        launcher.click()
        frame = p.frame_locator("#czyl-widget-frame")
        frame.locator(".msg.bot .bubble").filter(has_text=asked("age").text).wait_for()  # the welcome asks the age
        frame.locator("#input").wait_for()
        inner = p.frame(url=lambda u: u.startswith(gateway))
        wait_idle(inner)
        n = message_count(inner)
        frame.locator("#input").fill("82")
        frame.locator("#send").click()
        wait_idle(inner, n + 1)
        frame.locator(".choice").first.wait_for()  # the next question, with its buttons
        assert px(frame.locator(".bubble").first, "font-size") >= 20
        box = p.locator("#czyl-widget-frame").bounding_box()
        assert box["width"] < DESKTOP["width"] / 2  # a window in the corner on a desktop
        assert in_view(inner, inner.locator(".msg.bot .bubble").last)
        p.screenshot(path=str(screenshots / "widget-embedded.png"))
        frame.locator("#bigmode").click()  # 长辈模式 inside the widget's window too
        assert elder_violations(inner) == []
        assert in_view(inner, inner.locator(".msg.bot .bubble").last)
        frame.locator("#bigmode").click()

        frame.locator("#close").click()
        p.wait_for_function("() => document.getElementById('czyl-widget-frame').style.display === 'none'")
        assert launcher.inner_text() != "关闭"
        launcher.click()
        assert p.locator("#czyl-widget-frame").is_visible()
        assert "82" in frame.locator("#log").inner_text()  # same conversation after closing

        # Esc inside the chat closes it and gives focus back to the launcher
        frame.locator("#input").focus()
        p.keyboard.press("Escape")
        p.wait_for_function("() => document.getElementById('czyl-widget-frame').style.display === 'none'")
        assert p.evaluate("document.activeElement.id") == "czyl-widget-button"
        launcher.click()
        p.keyboard.press("Escape")  # also when the focus is still on the host page
        p.wait_for_function("() => document.getElementById('czyl-widget-frame').style.display === 'none'")
        assert p.evaluate("document.activeElement.id") == "czyl-widget-button"

        # under the threshold (a phone, or 200 % zoom on a 1280 × 800 laptop) it fills the window
        for size in ({"width": 640, "height": 400}, SMALL_PHONE):
            p.set_viewport_size(size)
            launcher.click()
            p.wait_for_function("() => document.getElementById('czyl-widget-frame').style.display === 'block'")
            box = p.locator("#czyl-widget-frame").bounding_box()
            assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, size["width"], size["height"]), size
            if size == SMALL_PHONE:
                p.screenshot(path=str(screenshots / "widget-full-screen.png"))
            p.keyboard.press("Escape")
            p.wait_for_function("() => document.getElementById('czyl-widget-frame').style.display === 'none'")
            assert launcher.is_visible()
    finally:
        ctx.close()
        host.stop()
    assert origins(requests) == {host.url, gateway}


def test_the_bot_being_down_shows_a_kind_message(context, gateway, scripted_rasa):
    scripted_rasa.down = True
    p = context.new_page()
    p.goto(gateway + "/")
    p.wait_for_selector(".msg.note")
    text = p.locator(".msg.note .bubble").inner_text()
    assert "系统暂时连接不上" in text and "Error" not in text and "503" not in text
    assert p.locator("#send").is_enabled()
    scripted_rasa.down = False
    press_retry(p)  # 重试 the greeting
    assert p.locator(".msg.note").count() == 0
    assert p.locator(".msg.bot .bubble").last.inner_text() == asked("age").text  # the welcome came, and its question


def test_page_works_under_its_content_security_policy(browser, gateway):
    ctx = browser.new_context(viewport=PHONE)
    errors: list[str] = []
    try:
        p = ctx.new_page()
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(gateway + "/")
        p.locator(".msg.bot .bubble").filter(has_text=asked("age").text).wait_for()
        p.fill("#input", "82")
        p.press("#input", "Enter")
        p.locator(".msg.user").first.wait_for()
        p.locator(".choice").first.wait_for()  # the bot answered with the next question's buttons
        p.locator("#bigmode").click()
        assert "big" in p.locator("body").get_attribute("class")
    finally:
        ctx.close()
    assert not errors, errors


# ---- on the live stack: the real dialogue and its real result payload ---------------------------

@pytest.fixture
def live_context(browser, live_stack):
    ctx = new_context(browser, live_stack.gateway_url, SMALL_PHONE)
    yield ctx
    ctx.close()


def test_result_in_elder_mode_on_a_small_phone(live_context, live_stack, screenshots):
    page = open_chat(live_context, live_stack.gateway_url + "/")
    replies: list[dict] = []
    page.on("response", lambda r: replies.append(r) if r.url.endswith("/api/chat") else None)
    page.locator("#bigmode").click()
    seen: list[str] = []

    def check_question(p) -> None:
        q = question(p)
        seen.append(q.inner_text())
        assert in_view(p, q), f"question out of view: {q.inner_text()}"
        assert elder_violations(p) == [], q.inner_text()

    steps = screen_until_result(page, live_stack.rasa_url, each_question=check_question)
    assert len(seen) >= 3, steps
    wait_idle(page)
    custom = result_payload(page)
    labels = custom["labels"]

    # the headline first, in view as it arrives (not the end of the result)
    headline = page.locator(".result-view .headline")
    assert headline.inner_text() == custom["headline"]
    assert in_view(page, headline)
    assert page.evaluate("document.activeElement.classList.contains('headline')")  # focus moved to it
    assert px(headline, "font-size") >= 30
    page.screenshot(path=str(screenshots / "chat-result.png"))
    assert elder_violations(page) == []

    # the long fallback text of that turn is not shown
    turn = replies[-1].json()["messages"]
    fallback = [m["text"] for m in turn if m["text"] and not m["buttons"] and not m["custom"]]
    assert fallback
    shown = page.evaluate("""() => { const all = [...document.querySelectorAll('#log .msg')];
        const last = all.map(m => m.classList.contains('user')).lastIndexOf(true);
        return all.slice(last + 1).flatMap(m => [...m.querySelectorAll('.bubble')].map(b => b.innerText)); }""")
    assert shown == []  # the turn shows the result alone

    # one section per office, in the payload's order, the cards as it orders them (money first)
    offices = page.locator(".result-view .office:not(.possible):not(.undecided)")
    assert offices.locator("> h3").all_inner_texts() == [g["office"] for g in custom["groups"]]
    ids = [int(i) for i in offices.locator(".card").evaluate_all("(cs) => cs.map(c => c.dataset.id)")]
    assert ids == [c["id"] for g in custom["groups"] for c in g["services"]]
    assert sorted(ids) == sorted(custom["eligible"])
    money = [c.get_attribute("class") for c in offices.locator(".card").all()]
    first_plain = next((i for i, c in enumerate(money) if "money" not in c), len(money))
    assert all("money" not in c for c in money[first_plain:]), "money-paying services first"
    card = offices.locator(".card").first
    first = custom["groups"][0]["services"][0]
    assert card.locator("h4").inner_text() == first["name"]
    assert first["amounts"][0] in card.inner_text()
    card.locator("summary").click()
    for key in ("why", "citation"):
        assert first[key] in card.inner_text()
    assert labels["why"] in card.inner_text() and labels["citation"] in card.inner_text()
    if custom["possible_services"]:
        pos = page.locator(".result-view .office.possible")
        assert pos.locator("> h3").inner_text() == labels["possible"]
        assert pos.locator(".card h4").all_inner_texts() == [c["name"] for c in custom["possible_services"]]
    if custom["undecided"]:
        und = page.locator(".result-view .office.undecided")
        assert und.locator("> h3").inner_text() == labels["undecided"]
        assert und.locator("li").all_inner_texts() == custom["undecided"]

    # 朗读结果 reads the whole spoken summary; each card reads its own
    read_all = page.locator(".result-tools .speak")
    assert read_all.inner_text() == labels["read_all"]
    page.evaluate("window.__holdSpeech = true")
    read_all.click()
    assert page.evaluate("window.__spoken")[-1] == custom["spoken"]
    assert read_all.get_attribute("aria-pressed") == "true" and read_all.inner_text() != labels["read_all"]
    read_one = card.locator(".speak")
    assert read_one.inner_text() == labels["read_one"]
    read_one.click()  # stops the other, reads this one
    assert page.evaluate("window.__spoken")[-1] == first["spoken"]
    assert read_all.get_attribute("aria-pressed") == "false" and read_one.get_attribute("aria-pressed") == "true"
    read_one.click()

    # 发给家人: the take-home link, copied (no Web Share here) or shared
    link = live_stack.gateway_url + "/result#" + custom["share"]
    share = page.locator(".result-view button.share")
    assert share.inner_text() == labels["share"]
    share.click()
    page.wait_for_selector(".result-view .shared a")
    assert page.locator(".result-view .shared").inner_text().startswith("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.locator(".result-view .shared a").get_attribute("href") == link
    page.evaluate("""() => Object.defineProperty(navigator, 'share', { configurable: true,
        value: (d) => { window.__shared = d; return Promise.resolve(); } })""")
    share.click()
    assert page.evaluate("window.__shared.url") == link
    screenshot_result(page, str(screenshots / "chat-result-all.png"))


def test_reload_during_a_reply_recovers(live_context, live_stack):
    page = open_chat(live_context, live_stack.gateway_url + "/")
    sender = sender_of(page)
    forwarded = []

    def deliver_but_drop_the_answer(route):
        body = route.request.post_data
        if forwarded or json.loads(body)["message"] != "八十二":
            return route.continue_()
        httpx.post(route.request.url, content=body, headers={"Content-Type": "application/json"}, timeout=60)
        forwarded.append(body)  # the bot answered; this page never hears it (reloaded meanwhile)

    page.route("**/api/chat", deliver_but_drop_the_answer)
    page.fill("#input", "八十二")
    page.press("#input", "Enter")
    deadline = time.monotonic() + 60
    while not forwarded and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert forwarded
    page.reload()
    wait_idle(page)
    page.wait_for_function("() => document.querySelectorAll('.msg.user').length === 1 && "
                           "!document.querySelector('.msg.user.failed') && document.querySelector('.choice')")
    slots = httpx.get(f"{live_stack.rasa_url}/conversations/{sender}/tracker").json()["slots"]
    assert slots["age"] == 82 and slots["requested_slot"] not in (None, "age")
    assert in_view(page, question(page)) and page.locator(".msg.note").count() == 0
    assert sender_of(page) == sender


def test_edit_link_round_trip_with_the_real_bot(live_context, live_stack):
    """The take-home link's facts, opened as /#edit:…, give the same result in a new conversation."""
    from actions.dialogue import result_view
    from policy_kb import evaluate

    profile = {"age": 91, "economic_status": "none", "self_care": "partial", "disability_grade": 0,
               "living_situation": "alone", "special_family_planning": False, "veteran_category": "none",
               "has_capable_supporter": True, "employee_pension_retired": True, "resident_pension_15y": False,
               "maintenance_dispute": False, "homeless": False, "family_care_training": False,
               "receives_pension_subsidy": False, "chronic_conditions": ["hypertension"], "district": "潞州区"}
    expected = result_view.build(evaluate(profile), profile)
    page = open_chat(live_context, live_stack.gateway_url + "/")
    old = sender_of(page)
    page.goto(live_stack.gateway_url + "/#edit:" + expected["share"])
    page.wait_for_selector(".result-view .headline", timeout=30000)
    assert page.locator(".result-view .headline").inner_text() == expected["headline"]
    assert sender_of(page) != old and page.evaluate("location.hash") == ""
    slots = httpx.get(f"{live_stack.rasa_url}/conversations/{sender_of(page)}/tracker").json()["slots"]
    assert {k: slots[k] for k in profile} == profile  # typed: numbers, booleans, the list
