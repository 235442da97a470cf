"""Issued ids and clean logs, against real gateway processes (uvicorn, access log on)."""
from __future__ import annotations

import os
import re
import stat

import httpx
from channels.wechat_sim import WeChatSim

from .gateway_process import GatewayProcess

OPERATOR_TOKEN = "op-token-for-the-log-test-0123456789"
WX_TOKEN = "log_test_wechat_token"
TEXTS = ["我家老人今年八十七岁住在沁源县", "老人是低保户不能自理", "我母亲九十一岁独居在平顺县"]


def test_logs_hold_no_text_facts_ids_or_tokens(start_process, fake_rasa):
    gw = start_process(OPERATOR_TOKEN=OPERATOR_TOKEN, WECHAT_TOKEN=WX_TOKEN,
                       RATE_IP_PER_MINUTE="100000", RATE_SENDER_PER_MINUTE="100000")
    url, secrets_ = gw.url, [OPERATOR_TOKEN, WX_TOKEN, fake_rasa.token, *TEXTS]
    auth = {"X-Operator-Token": OPERATOR_TOKEN}
    # the website
    web = httpx.post(f"{url}/api/chat/session", json={}).json()["sender"]
    for text in ["/greet", "/start_screening", TEXTS[0], '/inform{"economic_status": "minimum_living"}']:
        assert httpx.post(f"{url}/api/chat", json={"sender": web, "message": text}).status_code == 200
    assert httpx.post(f"{url}/api/chat", json={"sender": web + "0", "message": TEXTS[1]}).status_code == 403
    assert httpx.post(f"{url}/api/chat", json={"sender": web, "message": TEXTS[1] * 60}).status_code == 413
    assert httpx.post(f"{url}/api/chat/forget", json={"sender": web}).status_code == 200
    # the kiosk
    kiosk = httpx.post(f"{url}/kiosk/api/session").json()["sender"]
    httpx.post(f"{url}/kiosk/api/facts", json={"sender": kiosk, "facts": {"age": 87}})
    httpx.post(f"{url}/kiosk/api/message", json={"sender": kiosk, "text": TEXTS[2]})
    httpx.post(f"{url}/kiosk/api/listen", params={"sender": kiosk}, content=b"abc")
    assert httpx.post(f"{url}/kiosk/api/end", json={"sender": kiosk}).json() == {"ok": True}
    # the operator console
    call = httpx.post(f"{url}/operator/api/calls", headers=auth).json()["sender"]
    httpx.post(f"{url}/operator/api/calls/{call}/say", json={"text": TEXTS[1]}, headers=auth)
    httpx.post(f"{url}/operator/api/calls/{call}/facts", json={"facts": {"self_care": "dependent"}}, headers=auth)
    httpx.get(f"{url}/operator/api/calls/{call}", headers=auth)
    httpx.post(f"{url}/operator/api/calls/{call}/end", headers=auth)
    httpx.get(f"{url}/operator/api/facts", headers={"X-Operator-Token": "wrong-" + OPERATOR_TOKEN})
    # WeChat
    openid = "oLOGTEST" + "q" * 20
    wx = WeChatSim(url, WX_TOKEN)
    wx.post(wx.event(openid, "subscribe"))
    wx.post(wx.text(openid, TEXTS[2]))
    wx.post(wx.text(openid, TEXTS[0] * 40))  # too long: answered kindly
    # the conversation core down: the kind message, and a log line without the id
    fake_rasa.down = True
    try:
        assert httpx.post(f"{url}/api/chat", json={"sender": web, "message": TEXTS[0]}).status_code == 503
        wx.post(wx.text(openid, TEXTS[1]))
        httpx.post(f"{url}/operator/api/calls/{call}/say", json={"text": TEXTS[2]}, headers=auth)
    finally:
        fake_rasa.down = False
    gw.stop()

    log = gw.log()
    ids = [web, kiosk, call, openid]
    forbidden = secrets_ + ids + [i.split(":")[1] for i in ids[:3]] + [i.split(":")[2] for i in ids[:3]]
    forbidden += ["minimum_living", "dependent", "沁源县", "平顺县"]
    leaks = [f for f in forbidden if f in log]
    assert not leaks, (leaks, log[-3000:])
    # the log is there and says what happened, ids redacted
    assert '"POST /api/chat HTTP/1.1" 200' in log and '"POST /api/chat HTTP/1.1" 403' in log
    assert re.search(r'"POST /operator/api/calls/op:…/say HTTP/1.1" 200', log), log[-3000:]
    assert '"POST /wechat?… HTTP/1.1" 200' in log
    assert "core unavailable for a web conversation" in log and "core unavailable for a wechat conversation" in log
    assert "Traceback" not in log


def test_secret_file_and_ids_across_restarts(tmp_path, fake_rasa):
    data = tmp_path / "data"
    first = GatewayProcess(tmp_path, fake_rasa.url, DATA_DIR=str(data)).start()
    try:
        sender = httpx.post(f"{first.url}/api/chat/session", json={}).json()["sender"]
    finally:
        first.stop()
    secret = data / "secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600 and len(secret.read_text().strip()) == 64
    again = GatewayProcess(tmp_path, fake_rasa.url, DATA_DIR=str(data)).start()
    other = GatewayProcess(tmp_path, fake_rasa.url, DATA_DIR=str(tmp_path / "elsewhere")).start()
    try:
        chat = {"sender": sender, "message": "/greet"}
        assert httpx.post(f"{again.url}/api/chat", json=chat).status_code == 200  # same secret: still valid
        assert httpx.post(f"{other.url}/api/chat", json=chat).status_code == 403  # another gateway's id
    finally:
        again.stop()
        other.stop()


def test_a_weak_operator_token_keeps_the_console_off_and_the_log_says_why(start_process):
    weak = "optok123"
    gw = start_process(OPERATOR_TOKEN=weak)
    page = httpx.get(f"{gw.url}/operator")
    assert page.status_code == 503 and "太短" in page.text
    assert httpx.get(f"{gw.url}/operator/api/facts", headers={"X-Operator-Token": weak}).status_code == 503
    gw.stop()
    log = gw.log()
    assert "operator console disabled: OPERATOR_TOKEN has 8 characters; at least 24 are needed" in log
    assert weak not in log
