"""The kiosk in a real headless Chromium at both its sizes (1080×1920 portrait, 1920×1080 landscape)
on the real dialogue: a screening by buttons and keypad alone ends with the headline and the money
cards in view without scrolling; no bot text asks to speak; the keypad number is echoed and
confirmed; 上一步 changes the last answer; the idle warning is spoken; every control is ≥ 60 px.

The TTS requests are intercepted (answered with a short silent WAV, and logged): what the page
asks the voice to say is what is checked here; the real voice is measured in test_spoken_result.py."""
from __future__ import annotations

import io
import json
import wave
from urllib.parse import parse_qs, urlparse

import pytest
from kiosk_support import SIZES, screenshot
from playwright.sync_api import expect
from speaking import SPEAK

pytestmark = pytest.mark.browser

PREFER = ("是", "低保", "不能自理，要人伺候", "一级", "一个人住（独居）", "城乡居民养老保险，交够15年", "都没有",
          "都没有了")  # the answers that bring the most money cards


def silent_wav(seconds: float = 0.15) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * int(16000 * seconds))
    return buf.getvalue()


class Voice:
    """Every /api/tts request of the page, answered with a short silent WAV."""

    def __init__(self, page):
        self.texts: list[str] = []
        audio = silent_wav()

        def answer(route):
            self.texts.append(parse_qs(urlparse(route.request.url).query)["text"][0])
            route.fulfill(status=200, body=audio, headers={"Content-Type": "audio/wav"})

        page.route("**/api/tts?*", answer)


def visits(page) -> list[str]:
    """The kiosk visits (sender ids) the page starts, as they start."""
    senders: list[str] = []

    def seen(response):
        if urlparse(response.url).path == "/kiosk/api/session" and response.ok:
            senders.append(response.json()["sender"])

    page.on("response", seen)
    return senders


def next_turn(page, action):
    before = page.evaluate("window.kioskTurns")
    action()
    page.wait_for_function("n => window.kioskTurns > n && !document.body.classList.contains('busy')", arg=before)


def visible_bot_texts(page) -> list[str]:
    return page.locator("[data-testid=bot-message]:visible, [data-testid=choice]:visible").all_inner_texts()


def small_controls(page) -> list[tuple[str, float, float]]:
    """Visible buttons under 60 px in either direction."""
    return page.evaluate("""() => [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null)
        .map(b => [b.innerText.trim(), b.getBoundingClientRect().width, b.getBoundingClientRect().height])
        .filter(([, w, h]) => w < 60 || h < 60)""")


def small_text(page) -> list[tuple[str, float]]:
    """Visible text set under 18 px."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null
        && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => [e.innerText.slice(0, 20), parseFloat(getComputedStyle(e).fontSize)]).filter(([, s]) => s < 18)""")


def in_view(page, locator) -> bool:
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= vw \
        and box["y"] + box["height"] <= vh


AGE_WORDS = {"85": "八十五", "62": "六十二"}
NO_MONEY = ("以上都不是", "能自理", "没有残疾证", "和子女等家人一起住", "单位退休的职工养老金", "都没有", "都没有了",
            "不是")  # the answers that bring no money


def screen_by_touch(page, size, seen, shots=True, age="85", prefer=PREFER):
    """Start and answer every question by buttons and the keypad until the result."""
    next_turn(page, lambda: page.get_by_test_id("start").click())
    if shots:
        screenshot(page, f"kiosk-question-{size}")
    for _ in range(30):
        seen.extend(visible_bot_texts(page))
        assert small_controls(page) == []
        if page.locator("body[data-state=result]").count():
            return
        if page.get_by_test_id("keypad").is_visible():
            for key in age:
                page.get_by_test_id(f"key-{key}").click()
            expect(page.get_by_test_id("keypad-value")).to_have_text(age)
            next_turn(page, lambda: page.get_by_test_id("key-确定").click())
            expect(page.get_by_test_id("bot-message").last).to_have_text(f"您输入的是 {AGE_WORDS[age]} 岁，对吗？")
            expect(page.get_by_test_id("choice")).to_have_text(["是", "不是"])
            expect(page.get_by_test_id("keypad")).to_be_hidden()
            if shots:
                screenshot(page, f"kiosk-keypad-echo-{size}")
            seen.extend(visible_bot_texts(page))
            next_turn(page, lambda: page.get_by_test_id("choice").filter(has_text="是").first.click())
            continue
        titles = page.get_by_test_id("choice").all_inner_texts()
        pick = titles.index(next((t for t in prefer if t in titles), titles[0]))
        next_turn(page, page.get_by_test_id("choice").nth(pick).click)
    raise AssertionError("no result")


@pytest.mark.parametrize("size", list(SIZES))
def test_screening_by_touch_ends_with_headline_and_money_cards_in_view(size, start_kiosk, open_kiosk, dialogue_rasa):
    url = start_kiosk(kiosk_print="on" if size == "landscape" else "off")
    page = open_kiosk(url, size, "window.__printed = 0; window.print = () => { window.__printed += 1; };")
    voice = Voice(page)
    senders = visits(page)
    seen: list[str] = []
    screen_by_touch(page, size, seen)
    assert [t for t in seen if SPEAK.search(t)] == []  # nothing asked the visitor to speak

    headline = page.get_by_test_id("result-headline")
    expect(headline).to_contain_text("能领钱的")
    money = page.get_by_test_id("money-card")
    assert money.count() >= 3
    assert in_view(page, headline) and all(in_view(page, money.nth(i)) for i in range(money.count()))
    assert page.evaluate("document.querySelector('main').scrollTop + window.scrollY") == 0
    # the other services are folded into one line per office, opened on tap
    groups = page.get_by_test_id("other-group")
    assert groups.count() >= 1 and page.locator("[data-testid=card]:visible").count() == 0
    assert small_controls(page) == [] and small_text(page) == []
    screenshot(page, f"kiosk-result-{size}")

    # what was read aloud: the spoken summary, not the long text
    payload = page.evaluate("JSON.stringify(window.kioskSpoken)")
    told = json.loads(payload)
    qr_url = page.evaluate("document.querySelector('[data-testid=result-qr]').dataset.url")
    assert told and "能领钱的" in "".join(t["text"] for t in told)
    assert all(len(t) <= 300 for t in voice.texts)
    assert not any("清单第" in t for t in voice.texts)

    # take home: the QR code's address is this kiosk's /result page with the facts in the fragment
    qr = page.get_by_test_id("result-qr")
    expect(qr).to_be_visible()
    assert in_view(page, qr) or size == "portrait"
    conv = dialogue_rasa.conversations[senders[-1]]
    assert qr_url.startswith(url + "/result#")
    assert page.evaluate("document.querySelector('[data-testid=result-qr]').naturalWidth") > 100
    facts = dict(kv.split("=") for kv in qr_url.split("#", 1)[1].split("&"))
    assert qr_url.split("#", 1)[1] == conv_share(conv)
    assert facts["age"] == "85" and facts["economic_status"] == conv.slots["economic_status"] == "minimum_living"

    # each card can be read on tap, and opened for its details
    first = money.first
    name = first.locator(".card-name").inner_text()
    n = len(voice.texts)
    first.get_by_test_id("read-card").click()
    page.wait_for_function("n => window.kioskSpoken.length > n", arg=len(told))
    page.wait_for_timeout(300)
    assert any(name in t for t in voice.texts[n:])
    first.get_by_test_id("card-details").click()
    expect(first.locator(".details")).to_be_visible()
    expect(first.locator(".details")).to_contain_text("《长治市基本养老服务清单》第")
    groups.first.click()
    expect(page.locator("[data-testid=card]:visible").first).to_be_visible()
    screenshot(page, f"kiosk-details-{size}")

    # printing only where a printer is set up (KIOSK_PRINT)
    if size == "landscape":
        page.get_by_test_id("print").click()
        assert page.evaluate("window.__printed") == 1
        page.emulate_media(media="print")
        expect(page.locator(".bar")).to_be_hidden()
        expect(headline).to_be_visible()
        page.emulate_media(media="screen")
    else:
        assert page.get_by_test_id("print").count() == 0


def conv_share(conv) -> str:
    """The share fragment of the result the conversation was last told."""
    told = [(e["data"].get("custom") or {}) for e in conv.events if e.get("event") == "bot"]
    return [c for c in told if c.get("type") == "result"][-1]["share"]


@pytest.mark.parametrize("size", list(SIZES))
def test_back_changes_the_last_answer(size, kiosk_url, open_kiosk, dialogue_rasa):
    page = open_kiosk(kiosk_url, size)
    Voice(page)
    senders = visits(page)
    next_turn(page, lambda: page.get_by_test_id("start").click())
    expect(page.get_by_test_id("back")).to_be_hidden()  # nothing answered yet
    for key in "85":
        page.get_by_test_id(f"key-{key}").click()
    next_turn(page, lambda: page.get_by_test_id("key-确定").click())
    next_turn(page, lambda: page.get_by_test_id("choice").filter(has_text="是").first.click())
    expect(page.get_by_test_id("choice").filter(has_text="低保").first).to_be_visible()
    next_turn(page, lambda: page.get_by_test_id("choice").get_by_text("低保", exact=True).click())
    question = page.get_by_test_id("bot-message").last.inner_text()
    back = page.get_by_test_id("back")
    expect(back).to_be_visible()
    box = back.bounding_box()
    assert box["height"] >= 60 and box["width"] >= 60
    next_turn(page, back.click)
    expect(page.get_by_test_id("bot-message").last).to_contain_text("回到上一步")
    expect(page.get_by_test_id("choice").get_by_text("低保", exact=True)).to_be_visible()
    sender = senders[-1]
    assert dialogue_rasa.tracker(sender)["slots"]["economic_status"] is None
    screenshot(page, f"kiosk-back-{size}")
    next_turn(page, lambda: page.get_by_test_id("choice").get_by_text("以上都不是", exact=True).click())
    assert dialogue_rasa.tracker(sender)["slots"]["economic_status"] == "none"
    expect(page.get_by_test_id("bot-message").last).to_have_text(question)  # the question after it, again


def test_idle_warning_is_spoken(start_kiosk, open_kiosk):
    url = start_kiosk(kiosk_idle_seconds=6)  # the warning comes 2 s before the screen is cleared
    page = open_kiosk(url, "portrait")
    voice = Voice(page)
    next_turn(page, lambda: page.get_by_test_id("start").click())
    warning = page.get_by_test_id("idle-warning")
    expect(warning).to_be_visible(timeout=15000)
    said = page.locator("#idle-ask").get_attribute("data-voice")
    page.wait_for_function("t => window.kioskSpoken.some(s => s.text === t)", arg=said)
    assert said in voice.texts and "继续使用" in said
    assert small_controls(page) == []
    screenshot(page, "kiosk-idle-warning")
    # the warning's own voice does not keep the visit alive: the screen clears
    expect(page.locator("body")).to_have_attribute("data-state", "start", timeout=10000)


def test_kiosk_works_under_its_content_security_policy(kiosk_url, open_kiosk):
    """With the page's own CSP on: the QR generator loads from the gateway, a QR image (data: URL)
    may be shown, and nothing is refused."""
    refused = []
    page = open_kiosk(kiosk_url, "landscape", csp=True)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    Voice(page)
    page.reload()
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("keypad")).to_be_visible()
    assert page.evaluate("typeof window.qrcode") == "function"
    size = page.evaluate("""() => new Promise((ok) => { const q = window.qrcode(0, 'M');
        q.addData(location.origin + '/result#age=85'); q.make(); const img = new Image();
        img.onload = () => ok(img.naturalWidth); img.onerror = () => ok(0);
        img.src = q.createDataURL(6, 3); document.body.append(img); })""")
    assert size > 100 and refused == []


def test_a_result_without_money_shows_its_services(kiosk_url, open_kiosk):
    page = open_kiosk(kiosk_url, "landscape")
    Voice(page)
    seen: list[str] = []
    screen_by_touch(page, "landscape", seen, shots=False, age="62", prefer=NO_MONEY)
    assert [t for t in seen if SPEAK.search(t)] == []
    headline = page.get_by_test_id("result-headline")
    assert page.get_by_test_id("money-card").count() == 0 and in_view(page, headline)
    cards = page.locator("[data-testid=card]:visible")
    assert cards.count() >= 1 and in_view(page, cards.first)
    assert page.evaluate("document.querySelector('main').scrollTop") == 0
    screenshot(page, "kiosk-result-no-money-landscape")
