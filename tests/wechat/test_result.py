"""The structured result on WeChat: short (≤ 600 characters) with money lines and the take-home
link, details on 回复1 — through the gateway, on the real dialogue's messages."""
from __future__ import annotations

import re

from bot.wechat import catalogue as C
from bot.wechat.result import DETAILS_PAYLOAD

from .conftest import PUBLIC

ELDER = "我妈八十三了，吃低保，瘫在床上，一个人住"


def content(wx, resp) -> str:
    fields = wx.reply(resp)
    assert fields is not None and fields["MsgType"] == "text", "expected a passive text reply"
    return fields["Content"]


def screen_to_result(wx, openid: str, dialogue_rasa) -> tuple[str, dict]:
    """Subscribe, say who the elder is, then answer every further question with its last option
    (不清楚) by number, as a user would; returns the reply carrying the result and its payload."""
    sender = f"wx:{openid}"
    content(wx, wx.post(wx.event(openid, "subscribe")))
    reply = content(wx, wx.post(wx.text(openid, ELDER)))
    for _ in range(15):
        if sender in dialogue_rasa.results:
            return reply, dialogue_rasa.results[sender]
        numbers = re.findall(r"^(\d+) ", reply, re.M)
        assert numbers, f"no numbered options in: {reply[:120]}"
        reply = content(wx, wx.post(wx.text(openid, numbers[-1])))
    raise AssertionError("no result after 15 answers")


def money_cards(result: dict) -> list[dict]:
    return [c for g in result["groups"] for c in g["services"] if c["money"]]


def test_the_result_is_short_with_headline_money_lines_counts_and_the_link(make_wx, openid, dialogue_rasa):
    wx = make_wx(public_base_url=PUBLIC + "/")
    reply, result = screen_to_result(wx, openid, dialogue_rasa)
    labels = result["labels"]
    short = reply[reply.index(result["headline"]):]
    assert len(short) <= 600 and len(reply.encode()) < 2048
    assert short.startswith(result["headline"])
    money = money_cards(result)
    assert money, "this elder gets money"
    for card in money:  # name + first amount line, labels and names from the payload
        assert f"· {card['name']}，{card['amounts'][0]}" in short
    assert f"{labels['other']}{result['counts']['other']}项" in short
    assert f"{labels['possible']}{result['counts']['possible']}项" in short
    assert f"{labels['print']}：{PUBLIC}/result#{result['share']}" in short
    assert short.rstrip().endswith("回复1" + labels["details"])
    assert "清单第" not in reply and "想知道哪一项为什么" not in reply  # the long fallback text is not sent
    assert "老人有没有" not in short  # the short result is not mixed with a question


def test_reply_1_sends_the_details_office_by_office_in_pages(make_wx, openid, dialogue_rasa):
    wx = make_wx(public_base_url=PUBLIC)
    _, result = screen_to_result(wx, openid, dialogue_rasa)
    sender = f"wx:{openid}"
    before = dialogue_rasa.count(sender)
    pages = [content(wx, wx.post(wx.text(openid, "1")))]
    while "回复“继续”" in pages[-1] and len(pages) < 20:
        pages.append(content(wx, wx.post(wx.text(openid, "继续"))))
    assert len(pages) > 1, "the details do not fit one page"
    assert all(len(p) <= 600 for p in pages)
    assert "回复“继续”" not in pages[-1]
    details = "\n".join(pages)
    for group in result["groups"]:
        assert f"【{group['office']}】" in details
        for card in group["services"]:
            assert f"· {card['name']}：{'；'.join(card['amounts'])}" in details
    assert f"【{result['labels']['possible']}】" in details
    assert all(c["name"] in details for c in result["possible_services"])
    assert result["labels"]["disclaimer"] in pages[-1]
    assert dialogue_rasa.count(sender) == before  # neither 1, 继续 nor the internal payload reached the bot
    assert dialogue_rasa.count(sender, DETAILS_PAYLOAD) == 0


def test_details_by_words_and_by_voice(make_wx, openid, dialogue_rasa):
    wx = make_wx(public_base_url=PUBLIC)
    _, result = screen_to_result(wx, openid, dialogue_rasa)
    office = f"【{result['groups'][0]['office']}】"
    assert office in content(wx, wx.post(wx.text(openid, "看详细")))
    assert office in content(wx, wx.post(wx.voice(openid, "详细。")))  # WeChat's Recognition


def test_without_public_base_url_no_link_is_invented(make_wx, openid, dialogue_rasa):
    wx = make_wx(public_base_url=None)
    reply, result = screen_to_result(wx, openid, dialogue_rasa)
    assert "/result" not in reply and "http" not in reply and result["share"] not in reply
    assert C.LINK_MISSING.format(label=result["labels"]["print"]) in reply
    assert reply.rstrip().endswith("回复1" + result["labels"]["details"])


def test_a_bad_public_base_url_is_not_used(make_wx, openid, dialogue_rasa):
    wx = make_wx(public_base_url="javascript:alert(1)")
    reply, _ = screen_to_result(wx, openid, dialogue_rasa)
    assert "javascript" not in reply and "/result" not in reply


def test_unsubscribe_forgets_the_details(make_wx, openid, dialogue_rasa):
    wx = make_wx(public_base_url=PUBLIC)
    screen_to_result(wx, openid, dialogue_rasa)
    assert wx.post(wx.event(openid, "unsubscribe")).text == "success"
    sender = f"wx:{openid}"
    before = dialogue_rasa.count(sender)
    reply = content(wx, wx.post(wx.text(openid, "看详细")))
    assert "【" not in reply  # nothing of the old result is left; the words go to the bot as typed
    assert dialogue_rasa.count(sender, "看详细") == 1 and dialogue_rasa.count(sender) == before + 1
