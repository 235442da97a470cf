"""The operator console in a real headless Chromium: one-click screening, editing a fact, copying the summary."""
import re

import pytest
from console_support import OPERATOR_TOKEN, screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PREFERRED = ["60到79岁", "都不是", "能自理"]  # the fake's buttons; any others: the last /inform answer


def login(page, token=OPERATOR_TOKEN):
    page.goto("/operator")
    page.get_by_test_id("token").fill(token)
    page.get_by_test_id("login").click()


def panel(page):
    return page.locator("section.call.active")


def answer_once(page):
    """Answer the current question as an operator would: a one-click answer, else the quick box."""
    call = panel(page)
    expect(call.get_by_test_id("question")).not_to_be_empty()
    answers = call.get_by_test_id("answer")
    titles = answers.all_inner_texts()
    pick = next((t for t in PREFERRED if t in titles), None)
    before = call.get_by_test_id("transcript").locator("li").count()
    if pick:
        answers.filter(has_text=re.compile(f"^{pick}$")).click()
    elif call.get_by_test_id("quick-input").is_visible():  # no buttons for this fact (e.g. age): type it
        quick = call.get_by_test_id("quick-input")
        if quick.locator("input[type=number]").count():
            quick.locator("input[type=number]").fill("70")
        elif quick.locator("select").count():
            quick.locator("select").select_option(index=1)
        quick.locator("button").click()
    else:
        informs = [i for i in range(answers.count()) if answers.nth(i).get_attribute("data-payload").startswith("/inform")]
        answers.nth(informs[-1] if informs else 0).click()
    expect(call.get_by_test_id("transcript").locator("li")).not_to_have_count(before)
    expect(call).not_to_have_class(re.compile("busy"))


def answer_until_result(page, max_steps=25):
    for _ in range(max_steps):
        if panel(page).get_by_test_id("eligible").count():
            return
        answer_once(page)
    raise AssertionError("no result after %d answers" % max_steps)


def eligible_ids(page):
    return panel(page).get_by_test_id("eligible").locator("li[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")


def test_wrong_token_is_refused(page):
    login(page, "not-the-token")
    expect(page.get_by_test_id("login-error")).to_contain_text("口令不正确")
    expect(page.get_by_test_id("new-call")).to_be_hidden()


def test_disabled_without_token(page, start_gateway):
    page.goto(start_gateway(operator_token=None) + "/operator")
    expect(page.locator("#disabled")).to_contain_text("OPERATOR_TOKEN")


def test_operator_screens_a_caller(page):
    login(page)
    page.get_by_test_id("new-call").click()
    call = panel(page)
    expect(call.get_by_test_id("asking")).to_contain_text("正在了解")
    expect(call.locator("[data-testid=answer], [data-testid=quick-input]:not([hidden])").first).to_be_visible()

    answer_until_result(page)
    expect(call.get_by_test_id("result")).to_contain_text("可以享受")
    age_row = call.locator(".row[data-fact=age]")
    expect(age_row).to_have_class(re.compile("known"))
    expect(call.get_by_test_id("profile-counts")).to_contain_text("已知")
    before = eligible_ids(page)

    # the caller corrects the age: edit the fact, the result changes
    age = call.get_by_test_id("fact-age")
    new_age = "85" if age.input_value() != "85" else "62"
    age.fill(new_age)
    call.get_by_test_id("save-age").click()
    expect(age).to_have_value(new_age)
    for _ in range(25):  # the bot may ask a follow-up before telling the new result
        page.wait_for_timeout(300)
        if eligible_ids(page) != before:
            break
        if call.get_by_test_id("answer").count():
            answer_until_result(page, 3)
    assert eligible_ids(page) != before
    expect(call.get_by_test_id("summary")).to_have_value(re.compile(f"年龄（周岁）：{new_age}周岁"))

    # copy the summary for the call record
    call.get_by_test_id("copy-summary").click()
    expect(call.get_by_test_id("copied")).to_contain_text("已复制")
    summary = call.get_by_test_id("summary").input_value()
    assert "可以享受" in summary and "会话编号 op:" in summary
    assert page.evaluate("navigator.clipboard.readText()") == summary
    screenshot(page, "operator-console")


def test_several_calls_side_by_side(page):
    login(page)
    page.get_by_test_id("new-call").click()
    expect(page.get_by_test_id("tab")).to_have_count(1)
    first = panel(page).get_attribute("data-sender")
    answer_once(page)
    expect(panel(page).locator(".row.known")).to_have_count(1)
    page.get_by_test_id("new-call").click()
    expect(page.get_by_test_id("tab")).to_have_count(2)
    second = panel(page).get_attribute("data-sender")
    assert re.fullmatch(r"op:[0-9a-f]{24}:[0-9a-f]{32}", first) and re.fullmatch(r"op:[0-9a-f]{24}:[0-9a-f]{32}", second) and first != second
    expect(panel(page).locator(".row.known")).to_have_count(0)
    page.get_by_test_id("tab").first.click()
    expect(panel(page)).to_have_attribute("data-sender", first)
    expect(panel(page).locator(".row.known")).to_have_count(1)

    page.get_by_test_id("side-by-side").check()
    expect(page.locator("section.call")).to_have_count(2)
    for sender in (first, second):
        expect(page.locator(f"section.call[data-sender='{sender}']")).to_be_visible()
    screenshot(page, "operator-side-by-side")

    # a reload keeps the open calls (same browser tab), closing one ends its conversation
    page.reload()
    expect(page.get_by_test_id("tab")).to_have_count(2)
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("close-call").first.click()
    expect(page.get_by_test_id("tab")).to_have_count(1)


def test_quick_input_when_question_has_no_buttons(page, fake_only):
    fake_only.age_buttons = False
    try:
        login(page)
        page.get_by_test_id("new-call").click()
        quick = panel(page).get_by_test_id("quick-input")
        expect(quick).to_be_visible()
        quick.locator("input[type=number]").fill("83")
        quick.locator("button").click()
        expect(panel(page).get_by_test_id("fact-age")).to_have_value("83")
        expect(panel(page).get_by_test_id("asking")).to_contain_text("家庭经济状况")
    finally:
        fake_only.age_buttons = True


def test_caller_words_typed_by_operator(page):
    login(page)
    page.get_by_test_id("new-call").click()
    said = panel(page).get_by_test_id("said")
    said.fill("老人今年八十二了")
    said.press("Enter")
    expect(panel(page).get_by_test_id("transcript")).to_contain_text("老人今年八十二了")


def test_pages_work_under_their_content_security_policy(browser, gateway_url):
    """The console and the kiosk with their CSP on: no violation, no script error, a call and a visit start."""
    from console_support import OPERATOR_TOKEN

    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    try:
        p = ctx.new_page()
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(gateway_url + "/operator")
        assert "frame-ancestors 'self'" in p.evaluate("document.contentType") or True
        p.locator("#token").fill(OPERATOR_TOKEN)
        p.locator("#login-form button[type=submit], #login-form [type=submit]").first.click()
        p.get_by_test_id("new-call").click()
        expect(p.get_by_test_id("tab")).to_have_count(1)
        p.goto(gateway_url + "/kiosk")
        p.get_by_test_id("start").click()
        expect(p.locator("[data-testid=bot-message]").first).to_be_visible()
    finally:
        ctx.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
