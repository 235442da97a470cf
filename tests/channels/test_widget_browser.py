"""The widget and the full-page chat in a real headless Chromium; screenshots go to docs/screenshots."""
from __future__ import annotations

import io
import wave
from urllib.parse import urlparse

import pytest

from .browser_helpers import (INIT_SCRIPT, contrast, message_count, px, screen_until_result,
                              screenshot_result, sender_of, style, type_message, wait_idle)
from .servers import DirServer

pytestmark = pytest.mark.browser

PHONE = {"width": 430, "height": 932}


@pytest.fixture
def context(browser, gateway):
    # bypass_csp: Playwright's waiting helpers evaluate strings, which the page's CSP forbids
    # (test_page_works_under_its_content_security_policy checks the page with the CSP on).
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1, bypass_csp=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=gateway)
    ctx.add_init_script(INIT_SCRIPT)
    ctx.requests = []
    ctx.on("request", lambda r: ctx.requests.append(r.url))
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, gateway):
    p = context.new_page()
    p.goto(gateway + "/")
    wait_idle(p)
    p.wait_for_selector(".msg.bot")
    return p


def origins(urls) -> set[str]:
    return {f"{u.scheme}://{u.netloc}" for u in map(urlparse, urls) if u.scheme in ("http", "https")}


def test_full_screening_by_clicks_and_typing(page, context, gateway, rasa_url, screenshots):
    steps = screen_until_result(page, rasa_url)
    assert any(s.startswith("typed") for s in steps) and any(s.startswith("clicked") for s in steps)

    card = page.locator(".card")
    screenshot_result(page, str(screenshots / "chat-result.png"))
    assert card.locator("h2").inner_text() == "查询结果"
    assert card.locator("ul.eligible li").count() >= 1
    assert not card.locator("li").first.inner_text().startswith("第 ")  # names from /api/services
    summary = card.locator(".summary-text").text_content()
    assert summary.strip()

    card.locator("button.copy").click()
    page.wait_for_function("() => document.querySelector('.card .copied').textContent.length > 0")
    assert card.locator(".copied").inner_text().startswith("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == summary

    card.locator("button.print").click()
    assert page.evaluate("window.__printed") == 1
    assert card.locator(".summary-text").is_visible()  # printing shows the whole record

    page.locator(".msg.result .speak").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and summary.splitlines()[0] in spoken[-1]

    assert origins(context.requests) == {gateway}, "everything is served by the gateway, no CDN"


def test_conversation_survives_a_reload_and_restart_starts_over(page, fake_rasa):
    type_message(page, "88")
    before = page.locator(".bubble").all_inner_texts()
    sender = sender_of(page)
    assert sender.startswith("web:") and sender.count(":") == 2  # issued by the gateway

    page.reload()
    page.wait_for_selector(".msg.bot")
    assert page.locator(".bubble").all_inner_texts() == before
    assert sender_of(page) == sender
    assert page.locator(".choice").count() >= 1  # the pending question's buttons are back

    page.locator("#restart").click()  # asks first
    assert page.locator("#confirm").is_visible() and "重新开始" in page.locator("#confirm").inner_text()
    page.locator("#confirm-no").click()
    assert page.locator("#confirm").is_hidden() and sender_of(page) == sender and "88" in page.locator("#log").inner_text()
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


def test_large_type_high_contrast_and_elder_mode(page, screenshots):
    type_message(page, "82")
    checks = {"bot": page.locator(".msg.bot .bubble").last, "user": page.locator(".msg.user .bubble").last,
              "choice": page.locator(".choice").first, "input": page.locator("#input"),
              "send": page.locator("#send"), "title": page.locator("h1"), "speak": page.locator(".speak").first}
    for name, el in checks.items():
        assert px(el, "font-size") >= 20, name
    for name in ("bot", "user", "choice", "send"):
        el = checks[name]
        bg = el.evaluate("(e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;"
                         " if (!c.endsWith(', 0)') && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; }")
        assert contrast(style(el, "color"), bg) >= 7, name  # WCAG AAA
    assert checks["choice"].bounding_box()["height"] >= 48
    page.screenshot(path=str(screenshots / "chat-normal.png"))

    page.locator("#bigmode").click()
    assert page.locator("#bigmode").get_attribute("aria-pressed") == "true"
    assert px(page.locator(".msg.bot .bubble").last, "font-size") >= 26
    choice = page.locator(".choice").first
    assert choice.bounding_box()["height"] >= 70 and choice.bounding_box()["width"] >= 300
    page.screenshot(path=str(screenshots / "chat-elder-mode.png"))
    page.reload()
    page.wait_for_selector(".msg.bot")
    assert "big" in page.locator("body").get_attribute("class")  # the choice is kept


def test_read_aloud_button_on_every_bot_message(page):
    bots = page.locator(".msg.bot")
    assert bots.count() >= 1 and page.locator(".msg.bot .speak").count() == bots.count()
    page.locator(".msg.bot .speak").first.click()
    assert page.evaluate("window.__spoken")[-1].strip() == bots.first.locator(".bubble").inner_text().strip()


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


def test_embedded_widget_on_another_site(browser, gateway, tmp_path, screenshots):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某某县民政局</title>'
        '<style>body{font:14px sans-serif;margin:32px;color:#333} h1{font-size:22px}</style></head><body>'
        "<h1>某某县民政局 · 便民服务</h1><p>这是县里的网站，页面本身的字很小。右下角的按钮打开“养老服务查询”。</p>"
        f'<script src="{gateway}/widget.js"></script></body></html>', encoding="utf-8")
    host = DirServer(str(tmp_path)).start()
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN", bypass_csp=True)
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
        frame.locator(".msg.bot").first.wait_for()  # the welcome, which asks the age
        frame.locator("#input").wait_for()
        inner = p.frame(url=lambda u: u.startswith(gateway))
        wait_idle(inner)
        n = message_count(inner)
        frame.locator("#input").fill("82")
        frame.locator("#send").click()
        wait_idle(inner, n + 1)
        assert px(frame.locator(".bubble").first, "font-size") >= 20
        p.screenshot(path=str(screenshots / "widget-embedded.png"))

        frame.locator("#close").click()
        p.wait_for_function("() => document.getElementById('czyl-widget-frame').style.display === 'none'")
        assert launcher.inner_text() != "关闭"
        launcher.click()
        assert p.locator("#czyl-widget-frame").is_visible()
        assert "82" in frame.locator("#log").inner_text()  # same conversation after closing
    finally:
        ctx.close()
        host.stop()
    assert origins(requests) == {host.url, gateway}


def test_the_bot_being_down_shows_a_kind_message(context, gateway, scripted_rasa):
    scripted_rasa.down = True
    p = context.new_page()
    p.goto(gateway + "/")
    p.wait_for_selector(".msg.note")
    text = p.locator(".msg.note").inner_text()
    assert "系统暂时连接不上" in text and "Error" not in text and "503" not in text
    assert p.locator("#send").is_enabled()


def test_page_works_under_its_content_security_policy(browser, gateway):
    ctx = browser.new_context(viewport=PHONE)
    errors: list[str] = []
    try:
        p = ctx.new_page()
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(gateway + "/")
        p.locator(".msg.bot").first.wait_for()
        p.locator("#input").fill("82")
        p.locator("#input").press("Enter")
        p.locator(".msg.user").first.wait_for()
        p.locator(".msg.bot .choice").first.wait_for()  # the reply's buttons: the page works under its CSP
        p.locator("#bigmode").click()
        assert "big" in p.locator("body").get_attribute("class")
    finally:
        ctx.close()
    assert not errors, errors
