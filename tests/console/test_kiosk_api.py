"""Kiosk API: visits, button answers, the number keypad, ending a visit, config."""
import httpx
import pytest


BAD_SENDERS = ["op:0123456789ab", "kiosk:short", "kiosk:0123456789abcdef", "kiosk:" + "0" * 24 + ":" + "0" * 32,
               "", None, 12]


def post(gateway_url, path, json=None):
    return httpx.post(f"{gateway_url}{path}", json=json, timeout=20)


def test_page_and_static(gateway_url):
    page = httpx.get(f"{gateway_url}/kiosk")
    assert page.status_code == 200 and "养老服务查询" in page.text
    assert httpx.get(f"{gateway_url}/kiosk/static/kiosk.js").status_code == 200
    assert httpx.get(f"{gateway_url}/kiosk/static/secret.py").status_code == 404


def test_config_from_env_file_and_environment(tmp_path, rasa_url):
    """The kiosk's settings come from `.env` (the README says so); a real variable wins."""
    from fastapi.testclient import TestClient

    from bot.app import create_app
    from bot.settings import Settings

    env = tmp_path / ".env"
    env.write_text("KIOSK_IDLE_SECONDS=45\nKIOSK_TTS=browser\n", encoding="utf-8")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)}, env_file=env)
    with TestClient(create_app(settings)) as client:
        cfg = client.get("/kiosk/api/config").json()
    assert cfg["idle_seconds"] == 45 and cfg["tts"] == "browser" and 1 <= cfg["warn_seconds"] <= 15
    settings = Settings.from_env({"KIOSK_TTS": "off", "DATA_DIR": str(tmp_path)}, env_file=env)
    assert settings.kiosk_tts_mode == "off" and settings.kiosk_idle_seconds == 45
    env.write_text("KIOSK_IDLE_SECONDS=lots\nKIOSK_TTS=loud\n", encoding="utf-8")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)}, env_file=env)
    with TestClient(create_app(settings)) as client:
        cfg = client.get("/kiosk/api/config").json()
    assert cfg["idle_seconds"] == 90 and cfg["tts"] == "server"


def keyed(gateway_url, sender, facts):
    """A number typed on the keypad; the real bot echoes it (您输入的是 …，对吗？) and it is confirmed."""
    turn = post(gateway_url, "/kiosk/api/facts", {"sender": sender, "facts": facts}).json()
    if any(b["payload"] == "/affirm" for m in turn["messages"] for b in m["buttons"]):
        assert "您输入的是" in turn["messages"][-1]["text"]
        turn = post(gateway_url, "/kiosk/api/message", {"sender": sender, "text": "/affirm"}).json()
    return turn


def test_visit_by_buttons_until_result(gateway_url):
    turn = post(gateway_url, "/kiosk/api/session").json()
    sender = turn["sender"]
    assert sender.startswith("kiosk:")
    for _ in range(25):
        if turn["result"]:
            break
        for m in turn["messages"]:
            assert not any(c.isdigit() for c in m["voice"]), m["voice"]
        buttons = [b for m in turn["messages"] for b in m["buttons"] if b["payload"].startswith("/inform")]
        if buttons:
            turn = post(gateway_url, "/kiosk/api/message", {"sender": sender, "text": buttons[0]["payload"]}).json()
        else:
            assert turn["asking"] and turn["asking"]["type"] == "int"
            turn = keyed(gateway_url, sender, {turn["asking"]["fact"]: 70})
    assert turn["result"] is not None
    assert any((m["custom"] or {}).get("type") == "result" for m in turn["messages"])


def test_keypad_sets_number_fact(gateway_url, fake_only):
    fake_only.age_buttons = False
    try:
        turn = post(gateway_url, "/kiosk/api/session").json()
        assert turn["asking"]["fact"] == "age" and not [b for m in turn["messages"] for b in m["buttons"] if "age" in b["payload"]]
        turn = post(gateway_url, "/kiosk/api/facts", {"sender": turn["sender"], "facts": {"age": "85"}}).json()
        assert fake_only.received[turn["sender"]][-1] == '/inform{"age":85}'
        assert "您输入的是 八十五 岁" in turn["messages"][-1]["text"] and turn["asking"] is None  # echoed first
        turn = post(gateway_url, "/kiosk/api/message", {"sender": turn["sender"], "text": "/affirm"}).json()
        assert turn["asking"]["fact"] == "economic_status"
        bad = post(gateway_url, "/kiosk/api/facts", {"sender": turn["sender"], "facts": {"age": 999}})
        assert bad.status_code == 422 and "数字" in bad.json()["detail"]
    finally:
        fake_only.age_buttons = True


@pytest.mark.parametrize("sender", BAD_SENDERS)
def test_foreign_or_bad_senders_are_refused(gateway_url, sender):
    for path in ("/kiosk/api/message", "/kiosk/api/back", "/kiosk/api/end"):
        r = post(gateway_url, path, {"sender": sender, "text": "/restart"})
        assert r.status_code == 404 and "开始" in r.json()["detail"]


def test_bad_bodies(gateway_url):
    sender = post(gateway_url, "/kiosk/api/session").json()["sender"]
    assert httpx.post(f"{gateway_url}/kiosk/api/message", content=b"not json").status_code == 422
    assert httpx.post(f"{gateway_url}/kiosk/api/message", content=b"[1,2]").status_code == 422
    assert post(gateway_url, "/kiosk/api/message", {"sender": sender, "text": "  "}).status_code == 422


def known_facts(rasa_url, sender):
    """The facts the conversation holds, straight from the Rasa tracker."""
    from policy_kb.facts import FACT_NAMES
    slots = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=10).json().get("slots", {})
    return {k: slots[k] for k in FACT_NAMES if slots.get(k) is not None}


def test_foreign_channels_ids_are_refused(gateway_url):
    """An id the gateway issued for another channel (website, operator) does not reach a kiosk visit."""
    web = httpx.post(f"{gateway_url}/api/chat/session", json={}).json()["sender"]
    for path in ("/kiosk/api/message", "/kiosk/api/end"):
        assert post(gateway_url, path, {"sender": web, "text": "hi"}).status_code == 404
    forged = web.replace("web:", "kiosk:", 1)
    assert post(gateway_url, "/kiosk/api/message", {"sender": forged, "text": "hi"}).status_code == 404


def test_too_long_text_is_refused_before_rasa(gateway_url, fake_only):
    sender = post(gateway_url, "/kiosk/api/session").json()["sender"]
    r = post(gateway_url, "/kiosk/api/message", {"sender": sender, "text": "长" * 501})
    assert r.status_code == 413 and "500" in r.json()["detail"]
    assert all(len(m) <= 500 for m in fake_only.received[sender])


def test_end_wipes_the_conversation(gateway_url, rasa_url):
    sender = post(gateway_url, "/kiosk/api/session").json()["sender"]
    keyed(gateway_url, sender, {"age": 82})
    assert known_facts(rasa_url, sender).get("age") == 82
    # the page uses navigator.sendBeacon when it closes, which posts text/plain
    r = httpx.post(f"{gateway_url}/kiosk/api/end", content=f'{{"sender": "{sender}"}}'.encode(),
                   headers={"Content-Type": "text/plain;charset=UTF-8"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert known_facts(rasa_url, sender) == {}
    events = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=10).json().get("events") or []
    assert not [e for e in events if e.get("event") == "user"]  # wiped, not a restart appended
