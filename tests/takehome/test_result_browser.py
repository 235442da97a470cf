"""The take-home page in a real headless Chromium, as a family member opens the link or scans the QR.

Each test opens the page in a fresh browser context (no storage, no conversation: the gateway here
has no Rasa at all), so what shows comes from the link alone.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from actions.dialogue import result_view
from policy_kb import evaluate

from .conftest import SHOT_NAMES
from .qr_decode import decode_matrix, decode_svg, matrix_from_svg

pytestmark = pytest.mark.browser
_RGB = re.compile(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)")


def _luminance(css: str) -> float:
    channels = [float(x) / 255 for x in _RGB.match(css).groups()]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two computed colours."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)

PHONE = {"width": 390, "height": 844}
ELDER = {"age": 83, "economic_status": "minimum_living", "self_care": "dependent"}
LINK = "/result#age=83&economic_status=minimum_living&self_care=dependent"
STUBS = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


@pytest.fixture
def context(browser):
    # bypass_csp: Playwright's wait_for_function evaluates strings, which the page's CSP forbids
    # (test_the_page_works_under_its_own_content_security_policy runs with it on).
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1, bypass_csp=True)
    ctx.add_init_script(STUBS)
    ctx.requests = []
    ctx.on("request", lambda r: ctx.requests.append(r))
    yield ctx
    ctx.close()


def open_result(ctx, url: str):
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector("#result:not([hidden]), #problem:not([hidden])", timeout=15000)
    return page


def expected(profile=ELDER):
    return result_view.build(evaluate(profile), profile)


def money_names(view) -> list[str]:
    return [c["name"] for g in view["groups"] for c in g["services"] if c["money"]]


def test_a_fresh_browser_shows_the_headline_and_the_money_cards_from_the_link(context, gateway):
    page = open_result(context, gateway + LINK)
    view = expected()
    headline = page.locator("#headline")
    assert headline.inner_text() == view["headline"]
    box = headline.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]  # in view on arrival
    cards = page.locator("#money .card")
    assert [cards.nth(i).locator("h4").inner_text() for i in range(cards.count())] == money_names(view)
    assert page.locator("#money h2").inner_text() == view["labels"]["money"]
    first = cards.first.inner_text()
    assert "每月不低于70元" in first and "长治市民政局" in first and "《长治市基本养老服务清单》第8项" in first
    # the facts it was computed from, in plain Chinese; the list and the day
    facts = page.locator("#facts").inner_text()
    assert "83周岁" in facts and "低保" in facts and "失能（生活不能自理）" in facts
    assert view["list"]["title"] in page.locator("h1").inner_text()
    assert view["list"]["number"] in page.locator("#list-number").inner_text()
    today = dt.date.today()
    assert f"{today.year}年{today.month}月{today.day}日" in page.locator("#date").inner_text()
    # one section per office for the rest, then what still needs checking, then the disclaimer
    offices = page.locator("#offices .office h3").all_inner_texts()
    assert offices == [g["office"] for g in view["groups"] if any(not c["money"] for c in g["services"])]
    shown = sorted(int(i) for i in page.locator("#result .card").evaluate_all("(cs) => cs.map(c => c.dataset.id)"))
    assert shown == sorted(view["eligible"] + view["possible"])
    possible = page.locator("#possible .card")
    assert possible.count() == len(view["possible"]) and view["labels"]["missing"] in possible.first.inner_text()
    assert page.locator("#disclaimer").inner_text() == view["labels"]["disclaimer"]


def test_no_request_carries_the_fragment_or_the_facts_in_its_address(context, gateway):
    page = open_result(context, gateway + LINK)
    assert page.locator("#headline").inner_text()
    assert context.requests, "the page made no request"
    for request in context.requests:
        parts = urlsplit(request.url)
        assert "#" not in request.url and not parts.fragment
        assert not any(v in request.url for v in ("83", "minimum_living", "dependent", "economic_status")), request.url
        assert not request.all_headers().get("referer")  # no-referrer: not even the path is passed on
    posts = [r for r in context.requests if r.method == "POST"]
    assert [urlsplit(r.url).path for r in posts] == ["/api/result"]
    assert urlsplit(posts[0].url).query == ""
    assert posts[0].post_data_json == {"facts": {"age": "83", "economic_status": "minimum_living",
                                                 "self_care": "dependent"}}  # in the body, nowhere else


def test_the_qr_code_is_this_page_s_own_address_and_decodes_to_it(context, gateway):
    page = open_result(context, gateway + LINK)
    href = page.evaluate("location.href")
    assert href == gateway + LINK
    qr = page.locator("#qr-code")
    assert qr.get_attribute("data-qr-text") == href
    box = qr.locator("svg").bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150
    assert decode_svg(qr.inner_html()) == href  # read back from the drawn modules, by our own decoder
    grid = matrix_from_svg(qr.inner_html())
    grid[len(grid) - 1][len(grid) - 3] ^= True  # one smudged data module: the check words no longer fit
    with pytest.raises(ValueError):
        decode_matrix(grid)
    assert "用手机扫码，可以随时再看" in page.locator("#qr figcaption").inner_text()


def test_the_qr_link_gives_the_same_result_in_another_fresh_browser(browser, context, gateway):
    page = open_result(context, gateway + "/result#age=91&economic_status=extreme_poverty&chronic_conditions="
                       "diabetes,hypertension&district=%E6%B2%81%E6%BA%90%E5%8E%BF&homeless=false")
    link = decode_svg(page.locator("#qr-code").inner_html())
    first = (page.locator("#headline").inner_text(), page.locator("#result .card").evaluate_all(
        "(cs) => cs.map(c => c.dataset.id)"))
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        again = open_result(other, link)
        second = (again.locator("#headline").inner_text(), again.locator("#result .card").evaluate_all(
            "(cs) => cs.map(c => c.dataset.id)"))
        assert second == first
        assert "沁源县" in again.locator("#facts").inner_text()
    finally:
        other.close()


def test_print_keeps_the_headline_and_cards_on_a4_and_hides_the_buttons(context, gateway, screenshots):
    page = open_result(context, gateway + LINK)
    page.locator("#print").click()
    assert page.evaluate("window.__printed") == 1
    assert page.locator("#edit").get_attribute("href") == "/#edit:" + expected()["share"]
    page.emulate_media(media="print")
    assert page.locator("#headline").is_visible() and page.locator("#money .card").first.is_visible()
    assert page.locator("#qr-code svg").is_visible()
    assert not page.locator("#print").is_visible() and not page.locator("#edit").is_visible()
    pages = page.evaluate("""() => [...document.styleSheets].flatMap(s => [...s.cssRules])
        .flatMap(r => r.cssRules ? [...r.cssRules] : [r]).filter(r => r instanceof CSSPageRule)
        .map(r => r.style.getPropertyValue('size'))""")
    assert "a4" in [p.lower() for p in pages]
    assert float(page.locator("h1").evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")) >= 26
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi: the first sheet
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / SHOT_NAMES[1]))
    assert len(page.pdf(format="A4")) > 10_000  # Chromium lays it out on A4 pages


def test_on_a_phone_every_text_is_at_least_18px_with_contrast_and_60px_buttons(context, gateway, screenshots):
    page = open_result(context, gateway + LINK)
    texts = page.evaluate("""() => {
      const bg = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
        if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
      const out = [];
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walk.nextNode()) {
        const node = walk.currentNode, e = node.parentElement;
        if (!node.textContent.trim() || !e.getClientRects().length || e.closest('script, svg')) continue;
        const s = getComputedStyle(e);
        out.push({text: node.textContent.trim().slice(0, 20), size: parseFloat(s.fontSize), color: s.color,
                  bg: bg(e)});
      }
      return out;
    }""")
    assert len(texts) > 50
    small = [t for t in texts if t["size"] < 18]
    assert not small, small[:5]
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    assert max(t["size"] for t in texts) >= 30  # the largest text (the headline) ≥ 30 px
    low = [t for t in texts if contrast(t["color"], t["bg"]) < 4.5]
    assert not low, low[:5]
    for button in (page.locator("#print"), page.locator("#edit")):
        b = button.bounding_box()
        assert b["height"] >= 60 and b["width"] >= 60
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / SHOT_NAMES[0]))  # what a phone shows on opening the link


@pytest.mark.parametrize("link, words", [
    ("/result#age=200&economic_status=minimum_living", "年龄"),
    ("/result#economic_status=rich", "家庭经济状况"),
    ("/result#age=8%E4", "不完整"),
    ("/result", "没有老人的情况"),
    ("/result#", "没有老人的情况"),
])
def test_a_bad_link_says_so_in_chinese_and_shows_no_result(context, gateway, link, words):
    page = open_result(context, gateway + link)
    problem = page.locator("#problem")
    assert problem.is_visible() and words in problem.inner_text()
    assert not page.locator("#result").is_visible()
    assert page.locator("#problem a").get_attribute("href") == "/"


def test_the_page_works_under_its_own_content_security_policy(browser, gateway):
    ctx = browser.new_context(viewport=PHONE)
    try:
        page = ctx.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(gateway + LINK)
        page.wait_for_selector("#qr-code svg", timeout=15000)
        assert page.locator("#headline").inner_text() == expected()["headline"]
        assert not problems, problems
    finally:
        ctx.close()


def test_changing_the_fragment_shows_the_new_facts(context, gateway):
    page = open_result(context, gateway + LINK)
    page.evaluate("location.hash = 'age=65&economic_status=none&self_care=independent'")
    other = expected({"age": 65, "economic_status": "none", "self_care": "independent"})
    page.wait_for_function("(h) => document.getElementById('headline').textContent === h", arg=other["headline"])
    assert not page.locator("#money").is_visible()
    assert page.locator("#qr-code").get_attribute("data-qr-text").endswith("#age=65&economic_status=none"
                                                                            "&self_care=independent")


def test_a_county_list_shows_its_name_and_the_local_office(context, gateway, monkeypatch):
    from pathlib import Path

    from policy_kb import sources

    example = Path(__file__).resolve().parents[2] / "policy_kb/data/changzhi-2024/overlays/example-luzhou.yaml"
    monkeypatch.setenv("POLICY_KB_OVERLAYS", str(example))
    monkeypatch.setenv("POLICY_KB_ALLOW_EXAMPLES", "1")
    sources.reset()
    try:
        profile = {**ELDER, "age": 92, "district": "潞州区"}
        view = expected(profile)
        page = open_result(context, gateway + "/result#" + view["share"])
        assert view["list"]["overlay"]["title"] in page.locator("#overlay").inner_text()
        assert page.locator("#headline").inner_text() == view["headline"]
        assert "每月不低于200元" in page.locator("#money").inner_text()  # the county's own amount
        offices = page.locator("#offices .office h3").all_inner_texts()
        assert offices == [g["office"] for g in view["groups"] if any(not c["money"] for c in g["services"])]
        assert any("潞州区民政局" in o for o in offices)  # the county names its own office
    finally:
        monkeypatch.delenv("POLICY_KB_OVERLAYS")
        sources.reset()
