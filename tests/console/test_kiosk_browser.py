"""The kiosk in a real headless Chromium: buttons only, every bot message read aloud, idle timeout."""
import re
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from console_support import screenshot
from playwright.sync_api import expect

from bot.kiosk import speech, tts

pytestmark = pytest.mark.browser

PREFERRED = ["80到89岁", "低保", "完全不能自理"]  # the fake's buttons; any others: the first button
MIN_DURATION_S, MIN_RMS = 0.3, 0.01


FAST_AUDIO = """
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () { this.playbackRate = 16; return play.call(this); };
"""


@pytest.fixture(autouse=True)
def fast_audio(page):
    """Play the (real) audio at 16x so the tests do not wait for every sentence."""
    page.add_init_script(FAST_AUDIO)


class TTSLog:
    """Every /api/tts request the page made, and the kiosk session it started."""

    def __init__(self, page):
        self.texts, self.statuses, self.sender = [], [], None
        page.on("response", self.on_response)

    def on_response(self, response):
        url = urlparse(response.url)
        if url.path == "/api/tts":
            self.texts.append(parse_qs(url.query)["text"][0])
            self.statuses.append((response.status, response.headers.get("content-type")))
        elif url.path == "/kiosk/api/session" and response.ok:
            self.sender = response.json()["sender"]


def wait_spoken(page):
    """Every bot message on screen has had its audio loaded (or fully played)."""
    expect(page.locator("[data-testid=bot-message]").first).to_be_visible()
    expect(page.locator("[data-testid=bot-message]:not([data-audio=loaded]):not([data-audio=done])")).to_have_count(0)


def screen_by_buttons(page, spoken, max_steps=25):
    for _ in range(max_steps):
        wait_spoken(page)
        spoken.extend(page.locator("[data-testid=bot-message]").evaluate_all(
            "els => els.map(e => [e.dataset.voice, JSON.parse(e.dataset.parts)])"))
        if page.locator("body[data-state=result]").count():
            return
        choices = page.get_by_test_id("choice")
        titles = choices.all_inner_texts()
        before = page.locator("[data-testid=bot-message]").all_inner_texts()
        if page.get_by_test_id("keypad").is_visible():
            for key in ["8", "5", "确定"]:
                page.get_by_test_id(f"key-{key}").click()
        else:
            pick = next((t for t in PREFERRED if t in titles), None)
            (choices.filter(has_text=re.compile(f"^{pick}$")) if pick else choices.first).click()
        page.wait_for_function("""before => !document.body.classList.contains('busy') && JSON.stringify(
            [...document.querySelectorAll('[data-testid=bot-message]')].map(e => e.innerText)) !== JSON.stringify(before)""",
                               arg=before)
    raise AssertionError("no result after %d steps" % max_steps)


def known_facts(rasa_url, sender):
    from policy_kb.facts import FACT_NAMES
    slots = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=10).json().get("slots", {})
    return {k: slots[k] for k in FACT_NAMES if slots.get(k) is not None}


def test_kiosk_screening_by_buttons_with_audio_and_idle_timeout(page, start_gateway, rasa_url, espeak):
    gateway_url = start_gateway(kiosk_idle_seconds=8)
    log = TTSLog(page)
    page.goto(gateway_url + "/kiosk")
    expect(page.locator("body")).to_have_attribute("data-state", "start")
    screenshot(page, "kiosk-start")
    page.get_by_test_id("start").click()

    spoken = []
    wait_spoken(page)
    screenshot(page, "kiosk-question")
    screen_by_buttons(page, spoken)
    expect(page.get_by_test_id("kiosk-result")).to_be_visible()
    screenshot(page, "kiosk-result")
    assert log.sender and known_facts(rasa_url, log.sender)

    # every bot message was read aloud through the gateway's TTS, as voice-friendly text
    assert spoken and all(v and not re.search(r"[0-9%（）()]", v) for v, _ in spoken)
    wanted = [part for _, parts in spoken for part in parts]
    for _ in range(50):  # the last responses may still be on their way to the page's listener
        if all(part in log.texts for part in wanted):
            break
        page.wait_for_timeout(200)
    for voice, parts in spoken:  # each message went to /api/tts whole (long ones in parts)
        assert "".join(parts) == voice
        assert all(part in log.texts for part in parts), (parts, log.texts)
    assert log.statuses and all(s in ((200, "audio/wav"), (206, "audio/wav")) for s in log.statuses)
    for text in set(log.texts):  # the very audio the page played: cached on the gateway, fetched again
        r = httpx.get(f"{gateway_url}/api/tts", params={"text": text}, timeout=30)
        duration, rms = tts.audio_stats(r.content)
        assert duration > MIN_DURATION_S and rms > MIN_RMS, (text, duration, rms)

    # nobody touches the screen: warning, then a clean screen and a restarted conversation
    # (the countdown starts once the result has been read out, which takes a while on the real bot)
    expect(page.get_by_test_id("idle-warning")).to_be_visible(timeout=120000)
    expect(page.locator("body")).to_have_attribute("data-state", "start", timeout=15000)
    expect(page.get_by_test_id("messages")).to_be_empty()
    expect(page.get_by_test_id("choices")).to_be_empty()
    expect(page.get_by_test_id("kiosk-result")).to_be_hidden()
    assert page.locator("[data-testid=bot-message], [data-testid=money-card], [data-testid=card]").count() == 0
    for _ in range(50):
        if not known_facts(rasa_url, log.sender):
            break
        page.wait_for_timeout(100)
    assert known_facts(rasa_url, log.sender) == {}

    # the next visitor starts a fresh conversation
    page.get_by_test_id("start").click()
    wait_spoken(page)
    assert page.get_by_test_id("kiosk-result").is_hidden()


def test_kiosk_touch_keeps_session_alive(page, start_gateway):
    page.goto(start_gateway(kiosk_idle_seconds=4) + "/kiosk")
    page.get_by_test_id("start").click()
    wait_spoken(page)
    for _ in range(6):
        page.wait_for_timeout(1000)
        page.mouse.click(5, 400)  # a touch anywhere
    expect(page.locator("body")).to_have_attribute("data-state", "talk")


BROWSER_TTS_STUB = """
window.__utterances = [];
const fake = { speak(u) { window.__utterances.push(u.text); setTimeout(() => u.onend && u.onend(), 10); },
               cancel() {}, getVoices() { return []; } };
Object.defineProperty(window, 'speechSynthesis', { value: fake });
"""


def test_kiosk_browser_speech_synthesis_mode(page, start_gateway):
    url = start_gateway(kiosk_tts="browser")
    page.add_init_script(BROWSER_TTS_STUB)
    log = TTSLog(page)
    page.goto(url + "/kiosk")
    page.get_by_test_id("start").click()
    wait_spoken(page)
    voices = page.locator("[data-testid=bot-message]").evaluate_all("els => els.map(e => e.dataset.voice)")
    said = "".join(page.evaluate("window.__utterances"))
    assert all(v in said for v in voices)
    assert log.texts == []


def test_kiosk_falls_back_to_browser_voice_without_espeak(page, start_gateway):
    url = start_gateway(espeak_ng="/nonexistent/espeak-ng")
    page.add_init_script(BROWSER_TTS_STUB)
    page.goto(url + "/kiosk")
    page.get_by_test_id("start").click()
    wait_spoken(page)
    voices = page.locator("[data-testid=bot-message]").evaluate_all("els => els.map(e => e.dataset.voice)")
    assert page.evaluate("window.__utterances") and voices[-1] in "".join(page.evaluate("window.__utterances"))


def test_kiosk_keypad_when_no_buttons(page, fake_only, espeak):
    fake_only.age_buttons = False
    try:
        page.goto("/kiosk")
        page.get_by_test_id("start").click()
        expect(page.get_by_test_id("keypad")).to_be_visible()
        for key in ["9", "1", "删除", "2", "确定"]:
            page.get_by_test_id(f"key-{key}").click()
        expect(page.get_by_test_id("keypad")).to_be_hidden()
        expect(page.get_by_test_id("bot-message").last).to_have_text("您输入的是 九十二 岁，对吗？")
        page.get_by_test_id("choice").filter(has_text="是").first.click()
        expect(page.get_by_test_id("bot-message").last).not_to_contain_text("您输入的是")
        sender = next(s for s, msgs in fake_only.received.items() if s.startswith("kiosk:") and '/inform{"age":92}' in msgs)
        assert fake_only.conversations[sender].slots["age"] == 92
    finally:
        fake_only.age_buttons = True


class FakeRecognizer:
    name = "fake"

    def __init__(self):
        self.calls = []

    def transcribe(self, audio, content_type, language="zh-CN"):
        self.calls.append((len(audio), content_type))
        return speech.Transcript("八十五岁")


def test_kiosk_microphone_with_fake_recognizer(page, fake_only, start_gateway, espeak):
    rec = FakeRecognizer()
    speech.register("fake", lambda: rec)
    try:
        page.goto(start_gateway(speech_recognizer="fake") + "/kiosk")
        page.get_by_test_id("start").click()
        mic = page.get_by_test_id("mic")
        expect(mic).to_be_visible()
        mic.click()
        expect(mic).to_contain_text("正在听")
        page.wait_for_timeout(800)
        mic.click()
        expect(page.get_by_test_id("heard")).to_contain_text("八十五岁")
        assert rec.calls and rec.calls[0][0] > 0 and rec.calls[0][1].startswith("audio/")
    finally:
        speech.unregister("fake")
