"""Helpers for driving the chat page in a real Chromium."""
from __future__ import annotations

import re

import httpx

# Stand-ins for what a headless browser lacks or must not do: speaking, printing dialogs.
# `window.__fakeVoices` (set before) chooses the voices the page sees; default one Chinese voice.
INIT_SCRIPT = """
(function () {
  window.__spoken = [];
  window.__printed = 0;
  window.print = function () { window.__printed += 1; };
  var voices = window.__fakeVoices || [{ lang: 'zh-CN', name: 'test voice' }];
  // `window.__holdSpeech = true`: an utterance goes on until cancelled (to see the "now reading" state)
  function Utterance(text) { this.text = text; this.lang = ''; this.rate = 1; this.voice = null; }
  var current = null;
  var synth = {
    speak: function (u) {
      window.__spoken.push(u.text);
      current = u;
      if (!window.__holdSpeech) setTimeout(function () { if (u.onend) u.onend(); }, 30);
    },
    cancel: function () { current = null; }, getVoices: function () { return voices; }
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = Utterance;
})();
"""

# The elder of the scripted screening: what to answer to each fact the bot asks about.
ANSWERS = {
    "age": ("type", "82"),
    "economic_status": ("button", "minimum_living", "低保"),
    "self_care": ("button", "dependent", "失能"),
}
UNSURE = ("/dont_know", "/deny", "/skip")
NONE_TITLES = ("都没有", "不清楚", "没有", "都不是")
START_TEXT = "我想帮家里老人查一查能享受哪些养老服务"


def wait_idle(page_or_frame, bubbles_before: int | None = None, timeout: float = 20000) -> None:
    """Wait until the page is not waiting for the bot (and, if given, new messages came)."""
    page_or_frame.wait_for_function(
        """(n) => {
          const s = document.getElementById('status');
          return s && s.hidden && (n === null || document.querySelectorAll('.msg').length > n);
        }""",
        arg=bubbles_before,
        timeout=timeout,
    )


def message_count(page_or_frame) -> int:
    return page_or_frame.locator(".msg").count()


def sender_of(page) -> str:
    return page.evaluate("JSON.parse(localStorage.getItem('czyl.chat.v1')).sender")


def requested_slot(rasa_url: str, sender: str) -> str | None:
    slots = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=10).json().get("slots", {})
    return slots.get("requested_slot")


def type_message(page, text: str) -> None:
    before = message_count(page)
    page.fill("#input", text)
    page.press("#input", "Enter")
    wait_idle(page, before + 1)


def click_choice(page, locator) -> None:
    before = message_count(page)
    locator.click()
    wait_idle(page, before + 1)


def answer_step(page, rasa_url: str) -> str:
    """Answer whatever the bot asks now, by a click or by typing; returns what was done."""
    slot = requested_slot(rasa_url, sender_of(page))
    choices = page.locator(".choice")  # only the latest message's buttons are shown
    if slot in ANSWERS:
        how, value, label = (ANSWERS[slot] + (None,))[:3]
        if how == "type":
            type_message(page, value)
            return f"typed {value}"
        match = page.locator(f".choice[data-payload*='\"{value}\"']")
        if match.count():
            click_choice(page, match.first)
            return f"clicked {label}"
        type_message(page, label)
        return f"typed {label}"
    for payload in ("/start_screening", "/dont_know"):
        match = page.locator(f".choice[data-payload^='{payload}']")
        if match.count():
            click_choice(page, match.first)
            return f"clicked {payload}"
    for title in NONE_TITLES:
        match = choices.filter(has_text=title)
        if match.count():
            click_choice(page, match.first)
            return f"clicked {title}"
    for payload in UNSURE[1:]:
        match = page.locator(f".choice[data-payload^='{payload}']")
        if match.count():
            click_choice(page, match.first)
            return f"clicked {payload}"
    if slot is None:
        type_message(page, START_TEXT)
        return "typed the start"
    type_message(page, "不知道")
    return "typed 不知道"


def screen_until_result(page, rasa_url: str, max_turns: int = 30, each_question=None) -> list[str]:
    """Answer until the result shows; `each_question(page)` is called whenever a question is shown."""
    steps: list[str] = []
    for _ in range(max_turns):
        if page.locator(".result-view, .card").count():
            return steps
        if each_question:
            each_question(page)
        steps.append(answer_step(page, rasa_url))
    raise AssertionError(f"no result after {max_turns} turns: {steps}")


def result_payload(page) -> dict:
    """The structured result the page received (as it keeps it in localStorage)."""
    return page.evaluate("""() => {
        const s = JSON.parse(localStorage.getItem('czyl.chat.v1'));
        const m = s.messages.filter(m => m.custom && m.custom.type === 'result').pop();
        return m && m.custom; }""")


def in_view(page, locator) -> bool:
    """The element's top and bottom are inside both the window and the scrolling log."""
    return locator.evaluate("""(e) => {
        const r = e.getBoundingClientRect(), log = document.getElementById('log').getBoundingClientRect();
        return r.height > 0 && r.top >= Math.max(0, log.top) - 1 && r.bottom <= Math.min(innerHeight, log.bottom) + 1;
    }""")


# Every visible control and every visible text, measured from computed boxes and styles (MIIT
# 适老化 elder version: targets ≥ 60 × 60 px, text ≥ 18 px with the largest ≥ 30 px, contrast ≥ 4.5:1).
_MEASURE = r"""() => {
  const visible = (e) => {
    const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    return r.width > 2 && r.height > 2 && cs.visibility !== 'hidden' && cs.display !== 'none' && e.offsetParent !== null
      && !e.closest('.sr-only');
  };
  const label = (e) => (e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + e.className) + ' ' +
    JSON.stringify((e.innerText || e.value || e.placeholder || '').trim().slice(0, 20));
  const controls = [];
  document.querySelectorAll('button, input, select, textarea, summary, a[href], [role=button]').forEach((e) => {
    if (!visible(e)) return;
    const r = e.getBoundingClientRect();
    controls.push({what: label(e), w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10});
  });
  const texts = [];
  const bgOf = (e) => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'transparent' && !/^rgba\(.*, 0\)$/.test(c)) return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e || !visible(e) || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(e.tagName)) continue;
    const cs = getComputedStyle(e);
    texts.push({what: label(e), size: parseFloat(cs.fontSize), color: cs.color, bg: bgOf(e)});
  }
  return {controls, texts};
}"""


def elder_violations(page, min_target: float = 60, min_text: float = 18, min_contrast: float = 4.5,
                     largest: float = 30) -> list[str]:
    found = page.evaluate(_MEASURE)
    bad = [f"{c['what']} is {c['w']}×{c['h']} px" for c in found["controls"]
           if c["w"] < min_target or c["h"] < min_target]
    bad += [f"{t['what']} text {t['size']} px" for t in found["texts"] if t["size"] < min_text]
    bad += [f"{t['what']} contrast {contrast(t['color'], t['bg']):.2f}" for t in found["texts"]
            if contrast(t["color"], t["bg"]) < min_contrast]
    if found["texts"] and max(t["size"] for t in found["texts"]) < largest:
        bad.append(f"largest text {max(t['size'] for t in found['texts'])} px < {largest}")
    return bad


_RGB = re.compile(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)")


def _luminance(css: str) -> float:
    r, g, b = (float(x) / 255 for x in _RGB.match(css).groups())
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def style(locator, prop: str) -> str:
    return locator.evaluate(f"(el) => getComputedStyle(el).getPropertyValue('{prop}')")


def px(locator, prop: str) -> float:
    return float(style(locator, prop).replace("px", ""))


def screenshot_result(page, path: str) -> None:
    """The whole result (headline, cards per office) in one tall picture."""
    view = page.locator(".msg.result").last
    size = page.viewport_size
    chrome = size["height"] - page.evaluate("document.getElementById('log').clientHeight")  # header, input
    height = view.evaluate("(e) => e.getBoundingClientRect().height")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height + chrome + 40))})
    view.evaluate("(e) => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=path)
    page.set_viewport_size(size)
