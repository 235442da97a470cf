"""Operator console API: token protection, calls, one-click answers, fact edits, summary."""
import httpx
import pytest
from console_support import OPERATOR_TOKEN
from fastapi.testclient import TestClient

from bot import operator_console

AUTH = {"X-Operator-Token": OPERATOR_TOKEN}


def post(gateway_url, path, json=None, headers=AUTH):
    return httpx.post(f"{gateway_url}{path}", json=json, headers=headers, timeout=20)


def test_disabled_without_token(gateway_url, monkeypatch):
    monkeypatch.delenv("OPERATOR_TOKEN")
    page = httpx.get(f"{gateway_url}/operator")
    assert page.status_code == 503 and "OPERATOR_TOKEN" in page.text and "未启用" in page.text
    r = post(gateway_url, "/operator/api/calls")
    assert r.status_code == 503 and "OPERATOR_TOKEN" in r.json()["detail"]


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
    for fact, value in [("age", 70), ("economic_status", "none"), ("self_care", "independent")]:
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
    for sender in ["kiosk:0123456789abcdef", "wx:someone", "op:xyz"]:
        assert post(gateway_url, f"/operator/api/calls/{sender}/say", {"text": "hi"}).status_code == 404


def test_end_call_restarts_conversation(gateway_url):
    sender = post(gateway_url, "/operator/api/calls").json()["sender"]
    post(gateway_url, f"/operator/api/calls/{sender}/facts", {"facts": {"age": 83}})
    state = post(gateway_url, f"/operator/api/calls/{sender}/end").json()
    assert state["profile"]["known"] == []


def test_core_down_gives_kind_message(monkeypatch):
    from fastapi import FastAPI

    from bot.core import ConversationCore

    app = FastAPI()
    app.include_router(operator_console.router)
    app.state.core = ConversationCore(rasa_url="http://127.0.0.1:9", timeout=2)
    with TestClient(app) as client:
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


def test_token_from_gateway_settings(monkeypatch):
    """With no OPERATOR_TOKEN in the environment, the gateway's settings (e.g. from .env) are used."""
    from types import SimpleNamespace

    from fastapi import FastAPI

    monkeypatch.delenv("OPERATOR_TOKEN")
    app = FastAPI()
    app.include_router(operator_console.router)
    app.state.settings = SimpleNamespace(operator_token="from-settings")
    with TestClient(app) as client:
        assert client.get("/operator").status_code == 200
        assert client.get("/operator/api/facts", headers={"X-Operator-Token": "from-settings"}).status_code == 200
        assert client.get("/operator/api/facts", headers=AUTH).status_code == 401
    app.state.settings = SimpleNamespace(operator_token=None)
    with TestClient(app) as client:
        assert client.get("/operator").status_code == 503


def test_routes_in_the_gateway_app(fake_rasa, monkeypatch):
    """bot.app includes the console and kiosk routers and shares its core with them."""
    monkeypatch.delenv("OPERATOR_TOKEN")  # the app's settings carry the token
    app_module = pytest.importorskip("bot.app")
    from bot.core import ConversationCore
    from bot.settings import Settings

    app = app_module.create_app(Settings(operator_token="gw-token", rasa_url=fake_rasa.url),
                                ConversationCore(rasa_url=fake_rasa.url))
    with TestClient(app) as client:
        assert client.get("/operator").status_code == 200
        assert client.get("/kiosk").status_code == 200
        assert client.get("/kiosk/api/config").status_code == 200
        r = client.post("/operator/api/calls", headers={"X-Operator-Token": "gw-token"})
        assert r.status_code == 200 and r.json()["question"]["messages"]
        assert client.post("/kiosk/api/session").json()["sender"].startswith("kiosk:")
        paths = {route.path for route in app.routes}
        assert {"/operator", "/kiosk", "/api/tts", "/operator/api/calls"} <= paths
