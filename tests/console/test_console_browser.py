"""The operator console in a real headless Chromium: one-click screening, editing a fact, copying the summary."""
import re

import pytest
from browser_checks import CONTRAST
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
    expect(age_row).to_have_class(re.compile(r"(^|\s)known(\s|$)"))
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


# ---- issue 10: refusals in place, drop-downs by keyboard, the read-aloud box, ×, labels, contrast ----

KNOWN = re.compile(r"(^|\s)known(\s|$)")  # not "unknown"


def fact_requests(page):
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/facts") and r.method == "POST" else None)
    return sent


def test_an_invalid_age_stays_red_with_the_old_value_back(page):
    login(page)
    page.get_by_test_id("new-call").click()
    call = panel(page)
    age = call.get_by_test_id("fact-age")
    row = call.locator(".row[data-fact=age]")
    age.fill("70")
    call.get_by_test_id("save-age").click()
    expect(row).to_have_class(KNOWN)
    age.fill("200")
    call.get_by_test_id("save-age").click()
    expect(row).to_have_class(re.compile("invalid"))
    expect(call.get_by_test_id("error-age")).to_contain_text("0 到 130")
    expect(age).to_have_value("70")  # the old value back
    expect(age).to_have_attribute("aria-invalid", "true")
    expect(row.locator(".badge")).to_have_text("未保存")  # never shown as saved
    assert "已知" not in row.inner_text()
    red = row.evaluate("r => getComputedStyle(r.querySelector('input')).borderTopColor")
    assert red == "rgb(176, 0, 32)", red
    described = age.get_attribute("aria-describedby")
    assert page.locator(f"#{described}").inner_text().startswith("年龄")
    age.fill("85")
    call.get_by_test_id("save-age").click()
    expect(row).not_to_have_class(re.compile(r"\binvalid\b"))
    expect(row.locator(".badge")).to_have_text("已知")
    expect(call.get_by_test_id("error-age")).to_be_empty()


def test_arrow_keys_on_a_drop_down_send_nothing_until_chosen(page):
    login(page)
    page.get_by_test_id("new-call").click()
    call = panel(page)
    sent = fact_requests(page)
    select = call.get_by_test_id("fact-economic_status")
    select.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert sent == []
    chosen = select.input_value()
    assert chosen  # the keys did move the choice
    expect(call.locator(".row[data-fact=economic_status]")).to_have_class(re.compile("pending"))
    page.keyboard.press("Enter")
    expect(call.locator(".row[data-fact=economic_status]")).to_have_class(KNOWN)
    assert sent == [{"facts": {"economic_status": chosen}}]
    # by mouse (the list opened and a value picked): one correction at once
    call.get_by_test_id("fact-self_care").select_option("dependent")
    expect(call.locator(".row[data-fact=self_care]")).to_have_class(KNOWN)
    assert sent[1:] == [{"facts": {"self_care": "dependent"}}]
    # keys then leaving the field: committed once, on leaving
    select = call.get_by_test_id("fact-living_situation")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert len(sent) == 2
    page.keyboard.press("Tab")
    expect(call.locator(".row[data-fact=living_situation]")).to_have_class(KNOWN)
    assert len(sent) == 3 and list(sent[2]["facts"]) == ["living_situation"]


def test_the_read_aloud_box_and_what_an_edit_changed(page):
    login(page)
    page.get_by_test_id("new-call").click()
    call = panel(page)
    box = call.get_by_test_id("question")
    expect(box.locator("p")).to_have_count(1)
    answer_until_result(page)
    expect(box).to_have_attribute("data-kind", "result")
    assert len(box.inner_text()) < 200  # not the whole result
    age = call.get_by_test_id("fact-age")
    age.fill("85" if age.input_value() != "85" else "62")
    call.get_by_test_id("save-age").click()
    expect(call.get_by_test_id("result-change")).to_have_text(re.compile(r"^(新增：|不再符合：|改动后)"))


def test_the_end_call_button_is_a_real_button(page):
    login(page)
    page.get_by_test_id("new-call").click()
    close = page.get_by_test_id("close-call")
    assert close.evaluate("b => b.tagName") == "BUTTON" and close.get_attribute("aria-label").startswith("结束通话")
    box = close.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    page.get_by_test_id("tab").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.testid") == "close-call"
    page.once("dialog", lambda d: d.accept())
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("tab")).to_have_count(0)


def test_every_field_has_a_label(page):
    login(page)
    page.get_by_test_id("new-call").click()
    expect(panel(page).get_by_test_id("question")).not_to_be_empty()
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, [role=group]')]
      .filter(e => e.type !== 'hidden')
      .filter(e => !((e.labels && e.labels.length) || e.getAttribute('aria-labelledby') && document.getElementById(e.getAttribute('aria-labelledby'))))
      .map(e => e.outerHTML.slice(0, 80))""")
    assert unlabelled == []
    schema_count = page.evaluate("document.querySelectorAll('section.call.active .profile .row').length")
    labels = page.evaluate("[...document.querySelectorAll('section.call.active .profile .row > label')].filter(l => l.control || l.id).length")
    assert labels == schema_count > 15


def test_text_contrast_and_the_unknown_badge(page):
    login(page)
    page.get_by_test_id("new-call").click()
    answer_once(page)
    expect(panel(page).locator(".row.known")).to_have_count(1)
    measured = page.evaluate(CONTRAST)
    low = [m for m in measured if m["ratio"] < 4.5]
    assert not low, low[:10]
    badges = [m for m in measured if m["text"].startswith("未知")]
    assert badges and all(m["size"] >= 14 and m["ratio"] >= 4.5 for m in badges), badges[:3]
