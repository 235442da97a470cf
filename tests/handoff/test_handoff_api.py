"""Live hand-off over HTTP: 找人工 queues, an operator takes it (the bot pauses), talks, hands back
or closes; the refusals; the hours; WeChat through the customer-service API."""
from __future__ import annotations

import datetime as dt
import logging

import httpx
import pytest
from handoff_support import AUTH, DEPARTMENTS, NEXT, QUESTION

pytestmark = pytest.mark.server


def chat(url, sender, text):
    return httpx.post(f"{url}/api/chat", json={"sender": sender, "message": text}, timeout=20)


def new_sender(url):
    return httpx.post(f"{url}/api/chat/session", json={}, timeout=10).json()["sender"]


def queue(url):
    r = httpx.get(f"{url}/operator/api/handoff", headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def op(url, case, action="", json=None, method="POST"):
    path = f"{url}/operator/api/handoff/{case}" + (f"/{action}" if action else "")
    return httpx.request(method, path, json=json, headers=AUTH, timeout=20)


def events(url, sender, after=0):
    r = httpx.get(f"{url}/api/chat/events", params={"sender": sender, "after": after}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def ask_for_person(url, sender):
    messages = chat(url, sender, "我要找人工").json()["messages"]
    return messages


def test_handoff_from_queue_to_hand_back(gateway, pausing_rasa):
    url = gateway.url
    sender = new_sender(url)
    chat(url, sender, "老人82岁")
    messages = ask_for_person(url, sender)
    texts = [m["text"] for m in messages if m["text"]]
    assert texts[0].startswith("好的，已经帮您转人工客服了") and DEPARTMENTS not in texts
    assert {"type": "handoff", "state": "queued"} in [m["custom"] for m in messages]
    assert not any((m["custom"] or {}).get("type") == "handoff_request" for m in messages)
    assert texts[-1].endswith(QUESTION)  # the bot goes on meanwhile
    assert events(url, sender) == {"state": "queued", "events": []}

    waiting = queue(url)
    assert waiting["enabled"] and waiting["open"]
    [case] = [c for c in waiting["cases"] if c["state"] == "queued"]
    assert case["channel"] == "web" and sender not in str(waiting)  # operators never see the chat id
    detail = op(url, case["id"], method="GET").json()
    assert any(f["name"] == "age" and f["value"] == 82 for f in detail["profile"]["known"])  # never re-asked
    assert [t["text"] for t in detail["transcript"] if t["who"] == "user"] == ["老人82岁", "我要找人工"]

    # take: Rasa is paused, the user is told
    taken = op(url, case["id"], "take")
    assert taken.status_code == 200 and taken.json()["state"] == "taken"
    assert pausing_rasa.paused(sender)
    assert events(url, sender)["events"][-1]["state"] == "taken"
    assert op(url, case["id"], "take").status_code == 409  # not twice

    # the operator speaks; the user's page polls it
    hello = "您好，我是热线的小王，老人的情况我看到了。"
    assert op(url, case["id"], "send", {"text": hello}).status_code == 200
    feed = events(url, sender)
    assert [e["text"] for e in feed["events"] if e["who"] == "operator"] == [hello]
    last = feed["events"][-1]["id"]
    assert events(url, sender, after=last)["events"] == []

    # what the user writes now reaches the operator, not the bot
    before = len(pausing_rasa.received[sender])
    reply = chat(url, sender, "我妈是低保户，能领什么？").json()["messages"]
    assert [m["text"] for m in reply] == ["已转给人工客服，请稍等"]
    assert len(pausing_rasa.received[sender]) == before
    detail = op(url, case["id"], method="GET").json()
    assert [m["text"] for m in detail["messages"] if m["who"] == "user"] == ["我妈是低保户，能领什么？"]

    # hand back: Rasa resumes and the bot answers again
    back = op(url, case["id"], "resume")
    assert back.status_code == 200 and back.json()["state"] == "returned"
    assert not pausing_rasa.paused(sender)
    feed = events(url, sender, after=last)
    assert feed["state"] == "returned" and feed["events"][-1]["state"] == "returned"
    assert [m["text"] for m in chat(url, sender, "85岁").json()["messages"]] == [NEXT]
    assert not [c for c in queue(url)["cases"] if c["id"] == case["id"]]
    assert op(url, case["id"], "send", {"text": "还在吗"}).status_code == 409


def test_close_ends_the_handoff_and_the_bot_answers(gateway, pausing_rasa):
    url = gateway.url
    sender = new_sender(url)
    ask_for_person(url, sender)
    case = queue(url)["cases"][-1]["id"]
    op(url, case, "take")
    closed = op(url, case, "close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert events(url, sender)["events"][-1]["text"].startswith("人工客服已结束这次对话")
    assert not pausing_rasa.paused(sender)
    assert chat(url, sender, "90岁").json()["messages"][0]["text"] == NEXT


def test_asking_twice_keeps_one_place(gateway):
    url = gateway.url
    sender = new_sender(url)
    ask_for_person(url, sender)
    again = ask_for_person(url, sender)
    assert again[0]["text"].startswith("您已经在等人工客服了")
    assert len([c for c in queue(url)["cases"]]) == 1


def test_forgetting_the_chat_forgets_the_handoff(gateway):
    url = gateway.url
    sender = new_sender(url)
    ask_for_person(url, sender)
    case = queue(url)["cases"][-1]["id"]
    op(url, case, "take")
    chat(url, sender, "我的电话是13800000000")
    assert httpx.post(f"{url}/api/chat/forget", json={"sender": sender}).json() == {"ok": True}
    assert queue(url)["cases"] == []
    assert op(url, case, method="GET").status_code == 404
    assert events(url, sender) == {"state": "none", "events": []}
    import sqlalchemy as sa
    desk = gateway.app.state.handoff
    with desk.store.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from handoff_messages")).scalar() == 0


def test_refusals(gateway):
    url = gateway.url
    sender = new_sender(url)
    ask_for_person(url, sender)
    case = queue(url)["cases"][-1]["id"]
    # operator endpoints need the token
    for path, method in [("", "GET"), (f"/{case}", "GET"), (f"/{case}/take", "POST"), (f"/{case}/send", "POST"),
                         (f"/{case}/resume", "POST"), (f"/{case}/close", "POST")]:
        for headers in ({}, {"X-Operator-Token": "wrong-token-wrong-token-wrong"}):
            r = httpx.request(method, f"{url}/operator/api/handoff{path}", headers=headers, json={"text": "x"})
            assert r.status_code == 401, (path, r.status_code)
    # the user's feed takes only an id issued for the website
    kiosk = httpx.post(f"{url}/kiosk/api/session").json()["sender"]
    call = httpx.post(f"{url}/operator/api/calls", headers=AUTH).json()["sender"]
    forged = sender[:-1] + ("0" if sender[-1] != "0" else "1")
    for other in [kiosk, call, forged, "wx:someone", "web:" + "0" * 24 + ":" + "0" * 32, "x" * 300]:
        r = httpx.get(f"{url}/api/chat/events", params={"sender": other})
        assert r.status_code in (403, 422), (other[:10], r.status_code)
        assert "Traceback" not in r.text
    assert httpx.get(f"{url}/api/chat/events", params={"sender": sender, "after": -1}).status_code == 422
    # unknown case, not yet taken, too long, empty
    assert op(url, "0" * 24, "take").status_code == 404
    assert op(url, "../../etc", method="GET").status_code == 404
    r = op(url, case, "send", {"text": "您好"})
    assert r.status_code == 409 and r.json()["detail"] == "请先接手这个对话。"
    op(url, case, "take")
    assert op(url, case, "send", {"text": "字" * 501}).status_code == 413
    assert op(url, case, "send", {"text": "  "}).status_code == 422
    assert op(url, case, "send", {"nothing": 1}).status_code == 422


def test_kiosk_and_operator_calls_never_queue(gateway):
    url = gateway.url
    kiosk = httpx.post(f"{url}/kiosk/api/session").json()["sender"]
    r = httpx.post(f"{url}/kiosk/api/message", json={"sender": kiosk, "text": "我要找人工"}, timeout=20)
    assert r.status_code == 200 and DEPARTMENTS in str(r.json()) and "'queued'" not in str(r.json())
    call = httpx.post(f"{url}/operator/api/calls", headers=AUTH).json()["sender"]
    state = httpx.post(f"{url}/operator/api/calls/{call}/say", json={"text": "找人工"}, headers=AUTH).json()
    assert DEPARTMENTS in str(state["question"]["messages"])
    assert queue(url)["cases"] == []


def test_off_by_default_lists_departments(start_gateway):
    url = start_gateway(handoff_hours="").url
    sender = new_sender(url)
    messages = ask_for_person(url, sender)
    assert messages[0]["text"] == DEPARTMENTS and not any(m["custom"] for m in messages)
    assert queue(url) | {"cases": []} == {"enabled": False, "open": False, "hours": "", "max": 30, "cases": []}


def test_outside_the_hours_says_when_and_gives_departments(start_gateway):
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    later = (now + dt.timedelta(hours=2)).strftime("%H:%M")
    end = (now + dt.timedelta(hours=3)).strftime("%H:%M")
    if end <= later:  # near midnight: a span that surely excludes now
        later, end = "01:00", "01:01" if now.hour != 1 else ("03:00", "03:01")
    url = start_gateway(handoff_hours=f"{later}-{end}", handoff_days="1-7").url
    messages = ask_for_person(url, new_sender(url))
    text = messages[0]["text"]
    assert text == f"现在不是人工客服的上班时间。人工客服的时间是每天 {later}–{end}。" + DEPARTMENTS
    assert not any(m["custom"] for m in messages) and queue(url)["cases"] == []


def test_queue_is_limited(start_gateway):
    url = start_gateway(handoff_max_queue=2).url
    for _ in range(2):
        ask_for_person(url, new_sender(url))
    full = ask_for_person(url, new_sender(url))
    assert full[0]["text"] == "人工客服现在都在忙，请过一会儿再试。" + DEPARTMENTS
    assert len(queue(url)["cases"]) == 2


def test_no_message_text_in_logs(gateway, caplog):
    url = gateway.url
    with caplog.at_level(logging.DEBUG):
        sender = new_sender(url)
        ask_for_person(url, sender)
        case = queue(url)["cases"][-1]["id"]
        op(url, case, "take")
        op(url, case, "send", {"text": "秘密的话ABC"})
        chat(url, sender, "用户的秘密XYZ")
        op(url, case, "close")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "hand-off taken" in logged
    assert "秘密" not in logged and "XYZ" not in logged and sender.split(":")[1] not in logged


def test_wechat_user_gets_operator_messages_by_customer_service_api(start_gateway, wechat_api, pausing_rasa):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from channels.wechat_sim import WeChatSim

    served = start_gateway(wechat_token="wxtoken123", wechat_appid=wechat_api.appid,
                           wechat_secret=wechat_api.secret, wechat_api_base=wechat_api.url)
    wx = WeChatSim(served.url, "wxtoken123")
    reply = wx.reply(wx.post(wx.text("openid_abc", "我要找人工")))
    assert reply["Content"].startswith("好的，已经帮您转人工客服了")
    [case] = queue(served.url)["cases"]
    assert case["channel"] == "wx" and case["wechat_window_seconds"] > 47 * 3600
    assert op(served.url, case["id"], "take").status_code == 200
    assert pausing_rasa.paused("wx:openid_abc")
    assert op(served.url, case["id"], "send", {"text": "您好，我是热线人员。"}).status_code == 200
    wechat_api.wait_for(2)
    assert wechat_api.texts_to("openid_abc") == ["人工客服已接入，您有什么话可以直接在这里说。", "您好，我是热线人员。"]
    waiting = wx.reply(wx.post(wx.text("openid_abc", "好的，谢谢")))
    assert waiting["Content"] == "已转给人工客服，请稍等"
    detail = op(served.url, case["id"], method="GET").json()
    assert [m["text"] for m in detail["messages"] if m["who"] == "user"] == ["好的，谢谢"]
    # past WeChat's 48 hours the API would refuse: the console says so instead of trying
    served.app.state.handoff.cases["wx:openid_abc"].last_user -= 49 * 3600
    late = op(served.url, case["id"], "send", {"text": "还在吗？"})
    assert late.status_code == 409 and "48小时" in late.json()["detail"]
    assert len(wechat_api.sent) == 2
    assert op(served.url, case["id"], "resume").status_code == 200
    assert not pausing_rasa.paused("wx:openid_abc")


def test_wechat_without_customer_service_keeps_departments(start_gateway):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from channels.wechat_sim import WeChatSim

    served = start_gateway(wechat_token="wxtoken123")
    wx = WeChatSim(served.url, "wxtoken123")
    reply = wx.reply(wx.post(wx.text("openid_def", "我要找人工")))
    assert reply["Content"].startswith(DEPARTMENTS[:10]) and queue(served.url)["cases"] == []


def test_queue_survives_a_gateway_restart(start_gateway, tmp_path):
    first = start_gateway(data_dir=str(tmp_path))
    sender = new_sender(first.url)
    ask_for_person(first.url, sender)
    case = queue(first.url)["cases"][0]["id"]
    first.stop()
    second = start_gateway(data_dir=str(tmp_path))
    assert [c["id"] for c in queue(second.url)["cases"]] == [case]
    assert events(second.url, sender)["state"] == "queued"


def test_finished_and_idle_handoffs_are_deleted(tmp_path):
    import time

    from bot.handoff.store import Case, Store

    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    now = time.time()
    store.put_case(Case("a" * 24, "web:a", "web", "closed", now - 7200, now - 7200, now - 7200, finished=now - 7200))
    store.put_case(Case("b" * 24, "web:b", "web", "returned", now - 60, now - 60, now - 60, finished=now - 60))
    store.put_case(Case("c" * 24, "web:c", "web", "queued", now - 40 * 86400, now - 40 * 86400, now - 40 * 86400))
    store.put_case(Case("d" * 24, "web:d", "web", "taken", now - 100, now - 100, now - 100))
    for case_id in "abcd":
        store.add_message(case_id * 24, "user", "说过的话")
    assert store.prune(retention_days=30, now=now) == 2
    assert [c.sender for c in store.open_cases()] == ["web:d"]
    assert store.case_of("web:b") is not None  # ended a minute ago: its last notice can still be fetched
    assert store.count_messages("a" * 24) == 0 and store.count_messages("c" * 24) == 0
    assert (tmp_path / "h.db").stat().st_mode & 0o077 == 0


def test_a_second_handoff_of_the_same_chat_is_seen_by_the_page(gateway):
    """Ids only grow, even after the first hand-off's rows are deleted: a page polling with the
    last id it saw gets the second hand-off's messages."""
    url = gateway.url
    sender = new_sender(url)
    ask_for_person(url, sender)
    first = queue(url)["cases"][-1]["id"]
    op(url, first, "take")
    op(url, first, "send", {"text": "第一次"})
    op(url, first, "close")
    seen = events(url, sender)["events"][-1]["id"]
    ask_for_person(url, sender)  # the first case's rows go
    second = queue(url)["cases"][-1]["id"]
    assert second != first and op(url, first, method="GET").status_code == 404
    op(url, second, "take")
    op(url, second, "send", {"text": "第二次"})
    texts = [e["text"] for e in events(url, sender, after=seen)["events"]]
    assert texts == ["人工客服已接入，您有什么话可以直接在这里说。", "第二次"]
