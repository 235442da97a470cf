"""Operator console API: token protection, calls, one-click answers, fact edits, summary."""
import time

import httpx
import pytest
from console_support import OPERATOR_TOKEN, app_for
from fakes.screening import settled_profile
from fastapi.testclient import TestClient

from bot import operator as operator_console

AUTH = {"X-Operator-Token": OPERATOR_TOKEN}


def post(gateway_url, path, json=None, headers=AUTH):
    return httpx.post(f"{gateway_url}{path}", json=json, headers=headers, timeout=20)


def test_disabled_without_token(start_gateway):
    gateway_url = start_gateway(operator_token=None)
    page = httpx.get(f"{gateway_url}/operator")
    assert page.status_code == 503 and "OPERATOR_TOKEN" in page.text and "未启用" in page.text
    r = post(gateway_url, "/operator/api/calls")
    assert r.status_code == 503 and "OPERATOR_TOKEN" in r.json()["detail"]


def test_a_short_token_leaves_the_console_off_and_says_why(start_gateway, caplog):
    weak = "optok123-but-short"  # 18 characters
    with caplog.at_level("WARNING", logger="bot.app"):
        gateway_url = start_gateway(operator_token=weak)
    page = httpx.get(f"{gateway_url}/operator")
    assert page.status_code == 503 and "太短" in page.text and "24" in page.text
    assert post(gateway_url, "/operator/api/calls", headers={"X-Operator-Token": weak}).status_code == 503
    said = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
    assert any("OPERATOR_TOKEN has 18 characters" in m and "24" in m for m in said), said
    assert not any(weak in m for m in said)


def test_wrong_tokens_back_off(start_gateway):
    """1000 wrong tokens in a row: after 5 the address must wait (429, kind words), even with the right token."""
    gateway_url = start_gateway(operator_max_failures=5)
    statuses = []
    with httpx.Client(timeout=10) as client:
        started = time.monotonic()
        for i in range(1000):
            r = client.get(f"{gateway_url}/operator/api/facts", headers={"X-Operator-Token": f"guess-{i:06d}-xxxxxxxxxxxxxxxx"})
            statuses.append(r.status_code)
        elapsed = time.monotonic() - started
        right = client.get(f"{gateway_url}/operator/api/facts", headers=AUTH)
    # each wait doubles (2 s, 4 s, 8 s …): on a slow machine a wait may run out during the 1000 tries and
    # let one more wrong token through -- never more than the waits that fit in the time taken
    waits, spent = 0, 2.0
    while spent <= elapsed + 0.5:
        waits, spent = waits + 1, spent + 2.0 ** (waits + 2)
    assert statuses.count(401) <= 5 + max(1, waits) and statuses.count(429) >= 990, (statuses.count(401), elapsed)
    assert right.status_code == 429 and right.json()["detail"] == "请求太频繁了，请稍等一会儿再试。"
    assert int(right.headers["retry-after"]) >= 1


@pytest.mark.parametrize("headers", [{}, {"X-Operator-Token": "wrong"}, {"Authorization": "Bearer wrong"}])
def test_wrong_or_missing_token(gateway_url, headers):
    assert post(gateway_url, "/operator/api/calls", headers=headers).status_code == 401
    assert httpx.get(f"{gateway_url}/operator/api/facts", headers=headers).status_code == 401


def test_bearer_token_and_page(gateway_url):
    assert httpx.get(f"{gateway_url}/operator/api/facts", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}).status_code == 200
    page = httpx.get(f"{gateway_url}/operator")
    assert page.status_code == 200 and "热线操作台" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert httpx.get(f"{gateway_url}/operator/static/console.js").status_code == 200
    assert httpx.get(f"{gateway_url}/operator/static/..%2Fapp.py").status_code == 404


def test_fact_schema_comes_from_policy_kb(gateway_url):
    from policy_kb.facts import facts
    schema = httpx.get(f"{gateway_url}/operator/api/facts", headers=AUTH).json()["facts"]
    assert [f["name"] for f in schema] == list(facts())
    eco = next(f for f in schema if f["name"] == "economic_status")
    assert {"value": "minimum_living", "label": facts()["economic_status"].values["minimum_living"]} in eco["values"]


def test_call_flow_with_one_click_answers(gateway_url):
    state = post(gateway_url, "/operator/api/calls").json()
    sender = state["sender"]
    assert sender.startswith("op:")
    assert state["question"]["messages"] and state["question"]["asking"]
    for _ in range(25):
        if state["result"]:
            break
        buttons = [b for m in state["question"]["messages"] for b in m["buttons"] if b["payload"].startswith("/inform")]
        if buttons:
            state = post(gateway_url, f"/operator/api/calls/{sender}/say", {"text": buttons[-1]["payload"]}).json()
        else:
            state = post(gateway_url, f"/operator/api/calls/{sender}/say", {"text": "不知道"}).json()
    assert state["result"] is not None
    assert state["profile"]["known"]
    assert "可以享受" in state["summary"] and sender in state["summary"]
    again = httpx.get(f"{gateway_url}/operator/api/calls/{sender}", headers=AUTH).json()
    assert again["result"] == state["result"] and again["profile"] == state["profile"]
    assert any(t["who"] == "user" for t in again["transcript"])


def test_two_calls_are_separate(gateway_url):
    a = post(gateway_url, "/operator/api/calls").json()["sender"]
    b = post(gateway_url, "/operator/api/calls").json()["sender"]
    assert a != b
    post(gateway_url, f"/operator/api/calls/{a}/facts", {"facts": {"age": 83}})
    known_b = httpx.get(f"{gateway_url}/operator/api/calls/{b}", headers=AUTH).json()["profile"]["known"]
    assert all(f["name"] != "age" for f in known_b)


def test_edit_fact_changes_result(gateway_url, fake_only):
    sender = post(gateway_url, "/operator/api/calls").json()["sender"]
    settled = settled_profile({"age": 70, "economic_status": "none", "self_care": "independent"}, {"age": 85})
    for fact, value in settled.items():  # every fact the dialogue asks about: it then tells the result
        state = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {fact: value}}).json()
    before = [c["id"] for c in state["result"]["eligible"]]
    state = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": "85"}}).json()
    after = [c["id"] for c in state["result"]["eligible"]]
    assert 8 not in before and 8 in after
    assert {"name": "age", "label": "年龄（周岁）", "value": 85, "value_label": "85周岁"} in state["profile"]["known"]
    assert fake_only.received[sender][-1] == '/inform{"age":85}'


@pytest.mark.parametrize("facts", [{"age": 200}, {"age": "八十"}, {"economic_status": "rich"}, {"nonsense": 1}, {}])
def test_bad_fact_values_are_refused_kindly(gateway_url, facts):
    sender = post(gateway_url, "/operator/api/calls").json()["sender"]
    r = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": facts})
    assert r.status_code == 422 and r.json()["detail"]


def test_unknown_sender_is_refused(gateway_url):
    web = httpx.post(f"{gateway_url}/api/chat/session", json={}).json()["sender"]
    kiosk = httpx.post(f"{gateway_url}/kiosk/api/session").json()["sender"]
    mine = post(gateway_url, "/operator/api/calls").json()["sender"]
    forged = [web.replace("web:", "op:", 1), mine[:-1] + ("0" if mine[-1] != "0" else "1"), "op:" + "0" * 24 + ":" + "0" * 32]
    for sender in ["kiosk:0123456789abcdef", "wx:someone", "op:xyz", web, kiosk, *forged]:
        assert post(gateway_url, f"/operator/api/calls/{sender}/say", {"text": "hi"}).status_code == 404
        assert httpx.get(f"{gateway_url}/operator/api/calls/{sender}", headers=AUTH).status_code == 404


def test_operator_calls_need_the_token_even_with_the_id(gateway_url):
    sender = post(gateway_url, "/operator/api/calls").json()["sender"]
    assert httpx.get(f"{gateway_url}/operator/api/calls/{sender}").status_code == 401
    assert post(gateway_url, f"/operator/api/calls/{sender}/say", {"text": "hi"}, headers={}).status_code == 401
    # and the website's chat API does not take an operator call's id
    assert httpx.post(f"{gateway_url}/api/chat", json={"sender": sender, "message": "hi"}).status_code == 403


def test_end_call_wipes_the_conversation(gateway_url, rasa_url):
    sender = post(gateway_url, "/operator/api/calls").json()["sender"]
    post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 83}})
    state = post(gateway_url, f"/operator/api/calls/{sender}/end").json()
    assert state["profile"]["known"] == [] and state["transcript"] == []
    events = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=10).json().get("events") or []
    assert not [e for e in events if e.get("event") in ("user", "bot")]


def test_core_down_gives_kind_message():
    with TestClient(app_for("http://127.0.0.1:9")) as client:
        r = client.post("/operator/api/calls", headers=AUTH)
    assert r.status_code == 503 and "稍后再试" in r.json()["detail"] and "Traceback" not in r.text


def test_call_summary_text():
    from datetime import datetime
    profile = {"known": [{"label": "年龄（周岁）", "value_label": "82周岁"}], "unknown": [{"label": "居住情况"}]}
    result = {"eligible": [{"id": 8, "name": "高龄津贴", "amount": "每月不低于70元"}], "possible": [], "summary": "可以领高龄津贴。"}
    text = operator_console.call_summary("op:abc", profile, result, datetime(2024, 5, 1, 9, 30))
    assert text.splitlines() == [
        "【养老服务资格咨询】2024-05-01 09:30  会话编号 op:abc", "老人情况：", "  年龄（周岁）：82周岁",
        "尚不清楚：居住情况", "可以享受：8. 高龄津贴（每月不低于70元）", "助手说明：可以领高龄津贴。"]


def test_token_from_env_file(tmp_path, fake_rasa):
    """OPERATOR_TOKEN from `.env`; a real environment variable wins over it."""
    from bot.app import create_app
    from bot.settings import Settings

    env = tmp_path / ".env"
    env.write_text("OPERATOR_TOKEN=from-the-env-file-0123456789\n", encoding="utf-8")
    base = {"DATA_DIR": str(tmp_path), "RASA_URL": fake_rasa.url}
    with TestClient(create_app(Settings.from_env(base, env_file=env))) as client:
        assert client.get("/operator").status_code == 200
        assert client.get("/operator/api/facts", headers={"X-Operator-Token": "from-the-env-file-0123456789"}).status_code == 200
        assert client.get("/operator/api/facts", headers=AUTH).status_code == 401
    settings = Settings.from_env({**base, "OPERATOR_TOKEN": OPERATOR_TOKEN}, env_file=env)
    assert settings.operator_token == OPERATOR_TOKEN
    with TestClient(create_app(Settings.from_env(base, env_file=tmp_path / "missing.env"))) as client:
        assert client.get("/operator").status_code == 503


def test_routes_in_the_gateway_app(fake_rasa):
    """bot.app includes the console and kiosk routers and shares its core with them; CSP frames them to 'self'."""
    app = app_for(fake_rasa.url)
    with TestClient(app) as client:
        for path in ("/operator", "/kiosk"):
            page = client.get(path)
            assert page.status_code == 200 and "frame-ancestors 'self'" in page.headers["content-security-policy"]
            assert page.headers["x-frame-options"] == "SAMEORIGIN"
        assert client.get("/kiosk/api/config").status_code == 200
        r = client.post("/operator/api/calls", headers=AUTH)
        assert r.status_code == 200 and r.json()["question"]["messages"]
        assert client.post("/kiosk/api/session").json()["sender"].startswith("kiosk:")
        paths = {route.path for route in app.routes}
        assert {"/operator", "/kiosk", "/api/tts", "/operator/api/calls"} <= paths


def test_a_refused_edit_changes_nothing_and_says_why(gateway_url):
    sender = post(gateway_url, "/operator/api/calls").json()["sender"]
    post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 70}})
    r = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 200}})
    assert r.status_code == 422
    body = r.json()
    assert body["fact"] == "age" and "0 到 130" in body["detail"] and "200" in body["detail"] and "没有保存" in body["detail"]
    assert "age）" not in body["detail"]  # the console's words, not the engine's field names
    known = httpx.get(f"{gateway_url}/operator/api/calls/{sender}", headers=AUTH).json()["profile"]["known"]
    assert [f["value"] for f in known if f["name"] == "age"] == [70]
    r = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"economic_status": "rich"}})
    assert r.status_code == 422 and r.json()["detail"] == "家庭经济状况请从列表里选，没有保存。"


def test_an_edit_says_what_changed_in_the_result(gateway_url):
    from policy_kb import evaluate

    sender = post(gateway_url, "/operator/api/calls").json()["sender"]
    state = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 70}}).json()
    names = {s["id"]: s["name"] for s in evaluate({"age": 85})["services"]}
    before, after = set(evaluate({"age": 70})["eligible"]), set(evaluate({"age": 85})["eligible"])
    state = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 85}}).json()
    assert state["change"] == "新增：" + "、".join(names[i] for i in sorted(after - before))
    state = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 70}}).json()
    assert state["change"] == "不再符合：" + "、".join(names[i] for i in sorted(after - before))
    state = post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 71}}).json()
    assert state["change"] == "改动后，能享受的服务没有变化。"
    said = post(gateway_url, f"/operator/api/calls/{sender}/say", {"text": "不知道"}).json()
    assert "change" not in said


def test_the_read_aloud_box_holds_only_the_next_thing_to_read(gateway_url):
    state = post(gateway_url, "/operator/api/calls").json()
    texts = [m["text"] for m in state["question"]["messages"] if m["text"]]
    assert state["read"] == {"kind": "question", "lines": texts[-1:]} and len(texts[-1]) < 200


def test_next_to_read_when_the_result_comes():
    """The headline and the first money card's spoken line, from the real result payload."""
    from actions.dialogue import result_view
    from policy_kb import evaluate

    profile = {"age": 85, "economic_status": "minimum_living", "self_care": "dependent"}
    payload = result_view.build(evaluate(profile), profile)
    messages = [{"text": "根据您说的情况……" * 40, "buttons": [], "custom": None},
                {"text": "", "buttons": [], "custom": payload},
                {"text": "还想了解别的吗？", "buttons": [], "custom": None}]
    read = operator_console._next_to_read(messages)
    money = next(c for g in payload["groups"] for c in g["services"] if c["money"])
    assert read == {"kind": "result", "lines": [payload["headline"], money["spoken"]]}
    assert payload["headline"].startswith("能领钱的")
