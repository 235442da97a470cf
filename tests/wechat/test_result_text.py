"""bot.wechat.result: the short text and the detail pages, on payloads built by result_view.py."""
from __future__ import annotations

import copy

import pytest
from asyncrun import run as run_async

from actions.dialogue import result_view
from bot.core import BotMessage
from bot.settings import Settings
from bot.wechat import WeChatBridge
from bot.wechat import result as R
from policy_kb import evaluate

ELDER = {"age": 92, "economic_status": "minimum_living", "self_care": "dependent", "living_situation": "alone",
         "disability_grade": 1, "disability_type": "physical"}
BASE = "https://yanglao.example.org"


@pytest.fixture(scope="module")
def payload() -> dict:
    return result_view.build(evaluate(ELDER), ELDER)


def test_short_text_has_headline_money_link_and_offer(payload):
    text = R.short_text(payload, BASE)
    money = [c for g in payload["groups"] for c in g["services"] if c["money"]]
    assert len(text) <= 600 and text.splitlines()[0] == payload["headline"]
    assert all(f"· {c['name']}，{c['amounts'][0]}" in text for c in money)
    assert f"{BASE}/result#{payload['share']}" in text
    assert text.endswith("回复1看详细")


def test_labels_come_from_the_payload(payload):
    changed = copy.deepcopy(payload)
    changed["labels"].update(money="可领补贴", other="别的服务", possible="待核实", print="带回家的页面",
                             details="看全部")
    text = R.short_text(changed, BASE)
    assert "可领补贴：" in text and "别的服务" in text and "待核实" in text and "带回家的页面：" in text
    assert text.endswith("回复1看全部")
    for default in ("能领钱的：", "其他能享受的服务", "还要确认的", "打印 / 带回家"):
        assert default not in text


def test_many_money_services_still_fit_600_characters(payload):
    big = copy.deepcopy(payload)
    card = next(c for g in big["groups"] for c in g["services"] if c["money"])
    many = [dict(card, name=f"{card['name']}（第{i}类）", amounts=["每月不低于100元，按相关规定标准发放，动态调整" * 2])
            for i in range(40)]
    big["groups"] = [{"office": "长治市民政局", "department": "长治市民政局", "services": many}]
    text = R.short_text(big, BASE)
    assert len(text) <= 600 and len(text.encode()) <= R.MAX_BYTES
    shown = text.count("（第")
    assert 0 < shown < 40 and f"还有{40 - shown}项" in text
    assert f"{BASE}/result#" in text and text.endswith("回复1看详细")


def test_an_absurd_headline_keeps_the_link_and_the_offer(payload):
    odd = dict(payload, headline="很长" * 400)
    text = R.short_text(odd, BASE)
    assert len(text) <= 600 and f"{BASE}/result#" in text and text.endswith("回复1看详细")


@pytest.mark.parametrize("base", [None, "", "javascript:alert(1)", "yanglao.example.org", "ftp://x.org",
                                  "https://x.org/?a=1", "https://x.org/#frag", "https://exa mple.org",
                                  "https://" + "a" * 300 + ".org"])
def test_unusable_public_addresses_give_no_link(payload, base):
    assert R.public_link(base, payload["share"]) is None
    text = R.short_text(payload, base)
    assert "/result" not in text and "还没有设置" in text


def test_public_address_with_a_path_and_a_slash(payload):
    assert R.public_link("https://x.org/yanglao/", "age=80") == "https://x.org/yanglao/result#age=80"


def test_detail_pages_cover_every_card_in_order_within_the_limit(payload):
    sections = R.detail_sections(payload)
    pages = R.pages(sections, 300)
    assert len(pages) > 1 and all(len(p) <= 300 for p in pages)
    joined = "\n".join(pages)
    names = [c["name"] for g in payload["groups"] for c in g["services"]]
    positions = [joined.index(f"· {n}：") for n in names]
    assert positions == sorted(positions)
    assert all(f"【{g['office']}】" in joined for g in payload["groups"])


def test_a_line_longer_than_a_page_is_cut_not_lost():
    pages = R.pages([["标题"], ["长" * 1000]], 300)
    assert all(len(p) <= 300 for p in pages) and "".join(pages).count("长") == 1000


class FakeCore:
    def __init__(self, messages):
        self.messages, self.sent = messages, []

    async def send(self, sender, text):
        self.sent.append(text)
        return self.messages


def test_the_fallback_text_is_dropped_and_other_buttons_follow_option_1(payload):
    messages = [BotMessage(text="好的，记下了。"), BotMessage(text="很长的结果文字，清单第8项……"),
                BotMessage(custom=payload),
                BotMessage(text="还想做什么？", buttons=[{"title": "重新开始", "payload": "/restart"}])]
    core = FakeCore(messages)
    bridge = WeChatBridge(Settings(wechat_token="t", public_base_url=BASE), core)
    reply = run_async(bridge._turn("wx:o1", "不清楚"))
    assert "好的，记下了。" in reply and "清单第8项" not in reply and payload["headline"] in reply
    assert "请回复数字：\n1 看详细\n2 重新开始" in reply
    assert bridge.buttons.resolve("wx:o1", "2") == "/restart"
    details = run_async(bridge._turn("wx:o1", bridge.buttons.resolve("wx:o1", "1")))
    assert f"【{payload['groups'][0]['office']}】" in details and core.sent == ["不清楚"]


def test_an_older_result_payload_keeps_the_old_rendering():
    legacy = [BotMessage(text="老人可以申请 3 项服务。"), BotMessage(custom={"type": "result", "eligible": [8],
                                                                          "possible": [], "summary": "摘要"})]
    bridge = WeChatBridge(Settings(wechat_token="t"), FakeCore(legacy))
    assert run_async(bridge._turn("wx:o2", "不清楚")) == "老人可以申请 3 项服务。"
