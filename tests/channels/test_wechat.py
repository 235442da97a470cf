"""The 公众号 endpoint over HTTP, signed and encrypted as WeChat does it."""
from __future__ import annotations

import time

import httpx
import pytest

from bot.web import KIND_UNAVAILABLE
from bot.wechat import ONLY_TEXT, VOICE_NOT_AVAILABLE

from . import fake_rasa
from .support import AES_KEY, TOKEN, gateway_settings
from .wechat_sim import WeChatSim, cdata, sha1_signature

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""
EXTERNAL_DTD = """<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">
<xml><MsgType>text</MsgType></xml>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]><xml/>"""


def content(wx: WeChatSim, resp: httpx.Response) -> str:
    fields = wx.reply(resp)
    assert fields is not None, "expected a passive reply"
    assert fields["MsgType"] == "text"
    return fields["Content"]


# ---- URL verification ---------------------------------------------------------------------------
def test_url_verification_echoes_when_signed(gateway):
    q = WeChatSim(gateway, TOKEN).signed_query()
    resp = httpx.get(f"{gateway}/wechat", params={**q, "echostr": "4912873645"})
    assert resp.status_code == 200 and resp.text == "4912873645"


def test_url_verification_refuses_a_forged_signature(gateway):
    q = WeChatSim(gateway, "not-the-token").signed_query()
    resp = httpx.get(f"{gateway}/wechat", params={**q, "echostr": "x"})
    assert resp.status_code == 403 and "x" not in resp.text
    assert httpx.get(f"{gateway}/wechat").status_code == 403  # no parameters at all


def test_url_verification_in_safe_mode(safe_gateway):
    q = WeChatSim(safe_gateway, TOKEN).signed_query()
    assert httpx.get(f"{safe_gateway}/wechat", params={**q, "echostr": "abc"}).text == "abc"


def test_no_token_no_wechat(start_gateway, rasa_url, openid):
    url = start_gateway(gateway_settings(rasa_url, wechat_token=None))
    wx = WeChatSim(url, TOKEN)
    assert httpx.get(f"{url}/wechat", params={**wx.signed_query(), "echostr": "1"}).status_code == 404
    assert wx.post(wx.text(openid, "你好")).status_code == 404


# ---- messages (plaintext mode) --------------------------------------------------------------------
def test_text_message_gets_the_bots_answer(wx, openid):
    resp = wx.post(wx.text(openid, "你好"))
    assert resp.headers["content-type"].startswith("application/xml")
    fields = wx.reply(resp)
    assert fields["ToUserName"] == openid and fields["FromUserName"] == wx.account
    assert fields["MsgType"] == "text" and fields["Content"].strip()


def test_the_core_sees_the_prefixed_openid(wx, openid, scripted_rasa):
    wx.post(wx.text(openid, "你好"))
    assert scripted_rasa.count(f"wx:{openid}", "你好") == 1


def test_subscribe_greets_with_numbered_options(wx, openid):
    text = content(wx, wx.post(wx.event(openid, "subscribe")))
    assert fake_rasa.question("age").text in text  # the welcome asks the age: typed, no options
    text = content(wx, wx.post(wx.text(openid, "82")))
    assert "回复数字" in text and "\n1 " in text


def test_unsubscribe_and_other_events_get_success(wx, openid, fake_rasa):
    content(wx, wx.post(wx.text(openid, "你好")))
    assert wx.post(wx.event(openid, "unsubscribe")).text == "success"
    assert f"wx:{openid}" in fake_rasa.forgotten  # the conversation is wiped when the user leaves
    assert wx.post(wx.event(openid, "VIEW", "http://example.invalid")).text == "success"


def test_a_full_screening_by_numbers(wx, openid, scripted_rasa):
    sender = f"wx:{openid}"
    greeting = content(wx, wx.post(wx.event(openid, "subscribe")))
    assert fake_rasa.question("age").text in greeting
    economic = content(wx, wx.post(wx.text(openid, "82")))
    assert fake_rasa.numbered("economic_status") in economic
    self_care = content(wx, wx.post(wx.text(openid, "２")))  # full-width digit
    assert scripted_rasa.count(sender, fake_rasa.inform({"economic_status": "minimum_living"})) == 1
    assert fake_rasa.numbered("self_care") in self_care  # 3: 不能自理
    text = content(wx, wx.post(wx.text(openid, "三")))  # Chinese numeral
    assert scripted_rasa.count(sender, fake_rasa.inform({"self_care": "dependent"})) == 1
    for _ in range(30):  # the dialogue's further questions: the last option (不清楚) by its number
        if scripted_rasa.conversations[sender].slots["result_told"]:
            break
        options = [line for line in text.split("\n") if line[:1].isdigit()]
        text = content(wx, wx.post(wx.text(openid, options[-1].split(" ")[0] if options else "不知道")))
    slots = scripted_rasa.conversations[sender].slots
    assert slots["result_told"], text
    result = next(  # the result's own message: its services in order, money first
e["data"]["custom"] for e in reversed(scripted_rasa.tracker(sender)["events"])
                  if e["event"] == "bot" and (e["data"] or {}).get("custom"))
    assert result["groups"][0]["services"][0]["name"] in text


def test_a_number_without_buttons_is_sent_as_typed(wx, openid, scripted_rasa):
    content(wx, wx.post(wx.text(openid, "你好")))
    content(wx, wx.post(wx.text(openid, "1")))  # → /start_screening; the age question has no buttons
    content(wx, wx.post(wx.text(openid, "7")))
    assert scripted_rasa.count(f"wx:{openid}", "7") == 1


def test_out_of_range_number_and_titles(wx, openid, scripted_rasa):
    sender = f"wx:{openid}"
    content(wx, wx.post(wx.text(openid, "80")))
    content(wx, wx.post(wx.text(openid, "低保")))  # the exact title of the button works too
    assert scripted_rasa.count(sender, fake_rasa.inform({"economic_status": "minimum_living"})) == 1
    content(wx, wx.post(wx.text(openid, "9")))  # only 4 options: sent as typed
    assert scripted_rasa.count(sender, "9") == 1


def test_voice_uses_the_recognition(wx, openid, scripted_rasa):
    content(wx, wx.post(wx.text(openid, "你好")))
    content(wx, wx.post(wx.text(openid, "1")))
    text = content(wx, wx.post(wx.voice(openid, "八十二岁。")))
    assert scripted_rasa.count(f"wx:{openid}", "八十二岁。") == 1
    assert "请问" in text or "老人" in text


def test_voice_without_recognition_and_no_recogniser_asks_kindly_to_type(wx, openid, fake_rasa, wechat_api):
    before, fetched = len(fake_rasa.received), len(wechat_api.media_requests)
    for recognition in ("", None):  # empty, and the field left out as WeChat now does
        assert content(wx, wx.post(wx.voice(openid, recognition))) == VOICE_NOT_AVAILABLE
    assert all(s != f"wx:{openid}" for s, _ in fake_rasa.received[before:])
    assert len(wechat_api.media_requests) == fetched  # nothing fetched, nothing kept


def test_other_message_types_get_a_hint(wx, openid):
    assert content(wx, wx.post(wx.image(openid))) == ONLY_TEXT


def test_bot_unavailable_is_a_kind_message(wx, openid, scripted_rasa):
    scripted_rasa.down = True
    assert content(wx, wx.post(wx.text(openid, "你好"))) == KIND_UNAVAILABLE


# ---- retries, replays, slow answers -------------------------------------------------------------
def test_retries_reach_the_bot_once(wx, openid, scripted_rasa):
    msg_id = wx.next_msg_id()
    xml = wx.text(openid, "你好", msg_id=msg_id)
    first = content(wx, wx.post(xml))
    for _ in range(3):  # WeChat's retries: same MsgId, fresh signature each time
        assert content(wx, wx.post(xml)) == first
    assert scripted_rasa.count(f"wx:{openid}", "你好") == 1


def test_slow_answers_go_through_the_customer_service_api(start_gateway, rasa_url, wechat_api, openid,
                                                          scripted_rasa):
    url = start_gateway(gateway_settings(rasa_url, wechat_api_base=wechat_api.url, wechat_reply_deadline=0.5))
    wx = WeChatSim(url, TOKEN)
    scripted_rasa.delay = 1.5
    xml = wx.text(openid, "82", msg_id=wx.next_msg_id())
    started = time.monotonic()
    assert wx.post(xml).text == "success"
    assert time.monotonic() - started < 1.2  # answered before WeChat's 5 s (here: the 0.5 s deadline)
    assert wx.post(xml).text == "success"  # a retry while the bot is still thinking
    deadline = time.monotonic() + 10
    while not wechat_api.texts_to(openid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wx.post(xml).text == "success"  # a late retry: the answer already went out
    time.sleep(0.3)
    texts = wechat_api.texts_to(openid)
    assert len(texts) == 1 and fake_rasa.numbered("economic_status") in texts[0]
    assert scripted_rasa.count(f"wx:{openid}", "82") == 1


def test_customer_service_token_is_refreshed_once_expired(start_gateway, rasa_url, wechat_api, openid,
                                                          scripted_rasa):
    url = start_gateway(gateway_settings(rasa_url, wechat_api_base=wechat_api.url, wechat_reply_deadline=0.2))
    wx = WeChatSim(url, TOKEN)
    scripted_rasa.delay = 0.6
    wechat_api.expire_next_send = True
    assert wx.post(wx.text(openid, "你好")).text == "success"
    deadline = time.monotonic() + 10
    while not wechat_api.texts_to(openid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(wechat_api.texts_to(openid)) == 1


def test_slow_answer_without_customer_service_says_busy(start_gateway, rasa_url, openid, scripted_rasa):
    url = start_gateway(gateway_settings(rasa_url, wechat_appid=None, wechat_secret=None,
                                         wechat_reply_deadline=0.3))
    wx = WeChatSim(url, TOKEN)
    scripted_rasa.delay = 0.8
    assert "稍等" in content(wx, wx.post(wx.text(openid, "你好")))


def test_replayed_signature_with_another_message_is_refused(wx, openid, fake_rasa):
    q, body = wx.build(wx.text(openid, "你好"))
    assert wx.post_raw(q, body).status_code == 200
    forged = wx.text(openid, "我要改成别的话")
    assert wx.post_raw(q, forged).status_code == 403
    assert fake_rasa.count(f"wx:{openid}", "我要改成别的话") == 0


def test_stale_timestamp_is_refused(wx, openid, fake_rasa):
    old = str(int(time.time()) - 3600)
    assert wx.post(wx.text(openid, "旧消息"), timestamp=old).status_code == 403
    assert wx.post(wx.text(openid, "旧消息"), timestamp="yesterday").status_code == 403
    assert fake_rasa.count(f"wx:{openid}", "旧消息") == 0


# ---- forged and malformed bodies -----------------------------------------------------------------
def test_forged_signature_is_refused(gateway, openid, fake_rasa):
    forger = WeChatSim(gateway, "guessed-token")
    assert forger.post(forger.text(openid, "伪造")).status_code == 403
    assert fake_rasa.count(f"wx:{openid}", "伪造") == 0


@pytest.mark.parametrize("body", [
    BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY,
    "<xml><MsgType>text</MsgType>", "not xml at all", "", "<html><body/></html>",
    "<xml><ToUserName>gh</ToUserName></xml>",  # no MsgType
    "<xml><MsgType>text</MsgType><FromUserName>../../etc</FromUserName><Content>x</Content></xml>",
    "<xml>" + "<A>x</A>" * 20000 + "</xml>",  # too large
], ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity", "unclosed", "text", "empty",
        "html", "no-msgtype", "bad-openid", "huge"])
def test_malformed_or_hostile_xml_is_refused(wx, openid, body):
    q = wx.signed_query()
    resp = wx.post_raw(q, body)
    assert resp.status_code == (413 if len(body) > 64 * 1024 else 400) and "Traceback" not in resp.text
    assert content(wx, wx.post(wx.image(openid))) == ONLY_TEXT  # still serving


# ---- safe (AES) mode ------------------------------------------------------------------------------
def test_encrypted_message_gets_an_encrypted_answer(wx_safe, openid, fake_rasa):
    resp = wx_safe.post(wx_safe.text(openid, "你好"))
    assert "<Encrypt>" in resp.text and "你好" not in resp.text
    fields = wx_safe.reply(resp)  # checks MsgSignature and that it is for our AppID
    assert fields["ToUserName"] == openid and fields["Content"]


def test_encrypted_screening_by_numbers(wx_safe, openid, scripted_rasa):
    assert fake_rasa.question("age").text in content(wx_safe, wx_safe.post(wx_safe.event(openid, "subscribe")))
    said = content(wx_safe, wx_safe.post(wx_safe.voice(openid, "我妈今年85岁")))
    assert fake_rasa.numbered("economic_status") in said
    content(wx_safe, wx_safe.post(wx_safe.text(openid, "2")))
    assert scripted_rasa.count(f"wx:{openid}", fake_rasa.inform({"economic_status": "minimum_living"})) == 1


def test_safe_mode_refuses_plaintext(safe_gateway, openid):
    plain = WeChatSim(safe_gateway, TOKEN)
    assert plain.post(plain.text(openid, "你好")).status_code == 403


def test_wrong_message_signature_is_refused(wx_safe, openid, fake_rasa):
    q, body = wx_safe.build(wx_safe.text(openid, "伪造的加密"))
    q["msg_signature"] = sha1_signature("x", q["timestamp"], q["nonce"])
    assert wx_safe.post_raw(q, body).status_code == 403
    assert fake_rasa.count(f"wx:{openid}", "伪造的加密") == 0


def test_message_encrypted_for_another_account_is_refused(safe_gateway, openid):
    other = WeChatSim(safe_gateway, TOKEN, aes_key=AES_KEY, appid="wxffffffffffffffff")
    assert other.post(other.text(openid, "你好")).status_code == 403


def test_garbage_ciphertext_is_refused(wx_safe):
    q = wx_safe.signed_query()
    junk = "bm90IHJlYWxseSBhIGNpcGhlcnRleHQ="
    q.update(encrypt_type="aes", msg_signature=sha1_signature(TOKEN, q["timestamp"], q["nonce"], junk))
    resp = wx_safe.post_raw(q, f"<xml><ToUserName>{cdata('gh')}</ToUserName><Encrypt>{cdata(junk)}</Encrypt></xml>")
    assert resp.status_code == 400


@pytest.mark.parametrize("inner", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><MsgType>text"])
def test_hostile_xml_inside_the_encryption_is_refused(wx_safe, inner):
    assert wx_safe.post(inner).status_code == 400


def test_hostile_envelope_is_refused(wx_safe):
    q = wx_safe.signed_query()
    q.update(encrypt_type="aes", msg_signature="0" * 40)
    assert wx_safe.post_raw(q, BILLION_LAUGHS).status_code == 400


def test_unusable_aes_key_is_reported_not_crashed(start_gateway, rasa_url, openid):
    url = start_gateway(gateway_settings(rasa_url, wechat_aes_key="too-short"))
    wx = WeChatSim(url, TOKEN)
    assert wx.post(wx.text(openid, "你好"), encrypt_type="aes").status_code == 503


def test_compatible_mode_body_with_both_fields(wx_safe, openid):
    """兼容模式: the body carries plaintext fields and <Encrypt>; only the encrypted one counts."""
    q, _ = wx_safe.build(wx_safe.text(openid, "你好"))
    inner = wx_safe.text(openid, "你好")
    encrypted = wx_safe.encrypt(inner)
    q["msg_signature"] = sha1_signature(TOKEN, q["timestamp"], q["nonce"], encrypted)
    body = inner.replace("</xml>", f"<Encrypt>{cdata(encrypted)}</Encrypt></xml>")
    assert wx_safe.reply(wx_safe.post_raw(q, body))["Content"]


def test_long_answers_without_customer_service_page_on_continue(start_gateway, rasa_url, openid, scripted_rasa,
                                                              monkeypatch):
    url = start_gateway(gateway_settings(rasa_url, wechat_appid=None, wechat_secret=None))
    wx = WeChatSim(url, TOKEN)
    long_question = "老人家里" + "这是一段很长的说明。" * 100  # about 3 KB, over WeChat's limit
    fake_rasa.lengthen_question(monkeypatch, "economic_status", long_question)
    first = content(wx, wx.post(wx.text(openid, "82")))
    assert len(first.encode()) < 2048 and "回复“继续”" in first
    second = content(wx, wx.post(wx.text(openid, "继续")))
    third = content(wx, wx.post(wx.text(openid, "继续")))
    assert "回复数字" in third and "继续" not in third.split("\n")[-1]
    assert scripted_rasa.count(f"wx:{openid}", "继续") == 0  # paging never reaches the bot
    assert second and len(second.encode()) < 2048


def test_long_answers_with_customer_service_send_the_rest(wx, openid, scripted_rasa, wechat_api, monkeypatch):
    fake_rasa.lengthen_question(monkeypatch, "economic_status", "老人家里" + "这是一段很长的说明。" * 100)
    first = content(wx, wx.post(wx.text(openid, "82")))
    assert len(first.encode()) < 2048 and "继续" not in first
    deadline = time.monotonic() + 10
    while "回复数字" not in "".join(wechat_api.texts_to(openid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    rest = "".join(wechat_api.texts_to(openid))
    assert "回复数字" in rest and all(len(t.encode()) < 2048 for t in wechat_api.texts_to(openid))


def test_a_very_long_message_gets_a_kind_answer_and_never_reaches_rasa(wx, openid, scripted_rasa):
    sender = f"wx:{openid}"
    for msg in (wx.text(openid, "我家老人" + "长" * 20000), wx.voice(openid, "八十二岁" * 200)):
        started = time.monotonic()
        text = content(wx, wx.post(msg))
        assert time.monotonic() - started < 1.0
        assert "太长" in text and "500" in text
    assert scripted_rasa.count(sender) == 0
    assert "太长" not in content(wx, wx.post(wx.text(openid, "长" * 500)))  # 500 is still allowed
    assert scripted_rasa.count(sender) == 1


def test_the_website_api_cannot_reach_a_wechat_conversation(wx, gateway, openid, scripted_rasa):
    content(wx, wx.post(wx.text(openid, "你好")))
    resp = httpx.post(f"{gateway}/api/chat", json={"sender": f"wx:{openid}", "message": "/restart"})
    assert resp.status_code == 403
    assert scripted_rasa.count(f"wx:{openid}", "/restart") == 0
