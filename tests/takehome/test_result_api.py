"""POST /api/result: the facts of a take-home link in, the chat's own result out, nothing kept."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from actions.dialogue import result_view
from actions.dialogue.turn import Incoming, handle
from policy_kb import evaluate, list_services
from policy_kb.facts import facts

STATIC = Path(__file__).resolve().parents[2] / "bot" / "takehome" / "static"
CJK = re.compile(r"[\u4e00-\u9fff]")

PROFILES = [
    {"age": 83, "economic_status": "minimum_living", "self_care": "dependent"},
    {"age": 65, "economic_status": "none", "self_care": "independent"},
    {"age": 91, "economic_status": "extreme_poverty", "support_mode": "home", "living_situation": "alone",
     "disability_grade": 2, "disability_type": "visual", "chronic_conditions": ["diabetes", "hypertension"],
     "special_family_planning": True, "homeless": False, "district": "沁源县"},
    {"age": 70, "veteran_category": "disabled_veteran", "has_capable_supporter": False,
     "receives_pension_subsidy": True, "employee_pension_retired": False, "resident_pension_15y": True},
]


def fragment_facts(share: str) -> dict[str, str]:
    """What the page sends: the fragment's pairs, as strings (the browser does this in result.js)."""
    return dict(parse_qsl(share, keep_blank_values=True))


def post(client, facts_, query: str = ""):
    return client.post("/api/result" + query, json={"facts": facts_})


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: f"age{p['age']}")
def test_a_link_gives_what_the_engine_and_the_chat_builder_give(client, profile):
    expected = result_view.build(evaluate(profile), profile)
    r = post(client, fragment_facts(expected["share"]))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["eligible"] == expected["eligible"] and got["possible"] == expected["possible"]
    assert got["headline"] == expected["headline"]
    for key in ("groups", "possible_services", "counts", "monthly_min", "labels", "share", "list", "spoken"):
        assert got[key] == expected[key], key
    assert got["share"] == expected["share"]  # the same link comes back: 修改答案 and the QR use it
    assert got["date"] == dt.date.today().isoformat()
    assert r.headers["cache-control"] == "no-store"


def test_typed_values_give_the_same_answer_as_strings(client):
    profile = PROFILES[2]
    as_strings = post(client, fragment_facts(result_view.share_fragment(profile))).json()
    typed = post(client, profile).json()
    assert as_strings["eligible"] == typed["eligible"] and as_strings["headline"] == typed["headline"]
    assert typed["profile"]["chronic_conditions"] == ["diabetes", "hypertension"]


def test_the_facts_come_back_in_plain_chinese(client):
    got = post(client, {"age": "83", "economic_status": "minimum_living", "self_care": "dependent",
                        "homeless": "false", "chronic_conditions": "hypertension"}).json()
    shown = {f["name"]: (f["label"], f["value_label"]) for f in got["facts"]}
    assert shown["age"] == ("年龄（周岁）", "83周岁")
    assert shown["economic_status"] == ("家庭经济状况", "低保")
    assert shown["self_care"][1] == "失能（生活不能自理）"
    assert shown["homeless"][1] == "否" and shown["chronic_conditions"][1] == "高血压"
    assert [f["name"] for f in got["facts"]] == [n for n in facts() if n in shown]  # the facts' own order


def _chat_result(first: str) -> dict:
    """Screen in the real dialogue code (as the Rasa action runs it): tell the facts, then 不知道
    to every further question, until the result message comes."""
    slots: dict = {}
    text = first
    for _ in range(25):
        m = re.match(r"^/(\w+)(\{.*\})?$", text)
        entities = [{"entity": k, "value": v} for k, v in json.loads(m.group(2) or "{}").items()]
        out = handle(slots, Incoming(text=text, intent=m.group(1), entities=entities))
        slots.update(out.slots)
        for message in out.messages:
            if (message.get("custom") or {}).get("type") == "result":
                return message["custom"]
        buttons = [b["payload"] for message in out.messages for b in message.get("buttons") or []]
        text = next((p for p in buttons if p.startswith("/dont_know")), None) or next(
            p for p in buttons if p.startswith("/inform") and '"none"' in p)
    raise AssertionError("the chat told no result")


@pytest.mark.parametrize("first", [
    '/inform{"age": 83, "economic_status": "minimum_living", "self_care": "dependent"}',
    '/inform{"age": 88, "economic_status": "none", "self_care": "partial", "living_situation": "empty_nest"}',
])
def test_the_take_home_page_tells_what_the_chat_told(client, first):
    told = _chat_result(first)
    got = post(client, fragment_facts(told["share"])).json()
    assert got["eligible"] == told["eligible"] and got["possible"] == told["possible"]
    assert got["headline"] == told["headline"]
    assert got["groups"] == told["groups"] and got["possible_services"] == told["possible_services"]
    assert got["monthly_min"] == told["monthly_min"] and got["labels"] == told["labels"]


@pytest.mark.parametrize("facts_, fact, words", [
    ({"age": "200"}, "age", "年龄"),
    ({"age": "八十"}, "age", "年龄"),
    ({"economic_status": "rich"}, "economic_status", "家庭经济状况"),
    ({"homeless": "maybe"}, "homeless", "流浪"),
    ({"chronic_conditions": "diabetes,flu"}, "chronic_conditions", "慢性病"),
    ({"district": "北京"}, "district", "所在县区"),
    ({"name": "张三"}, "name", "不认识"),
    ({"age": "8" * 300}, "age", "太长"),
])
def test_a_bad_fact_is_a_400_in_chinese_naming_it(client, facts_, fact, words):
    r = post(client, facts_)
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_profile" and body["fact"] == fact
    assert words in body["message_zh"] and CJK.search(body["message_zh"])
    assert body["message_en"].startswith(("invalid", "unknown", "the value")) and fact in body["message_en"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize("body", [b"not json", b'["age"]', b'{"facts": ["age"]}', b'{"age": 83}'])
def test_a_body_of_the_wrong_shape_is_a_400_in_chinese(client, body):
    r = client.post("/api/result", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400 and CJK.search(r.json()["message_zh"])


@pytest.mark.parametrize("size", [5_000, 70_000])  # over the page's 4 KB, and over the gateway's 64 KB
def test_an_oversize_body_is_refused_with_413(client, size):
    body = json.dumps({"facts": {"age": "83", "district": "潞州区" + " " * size}})
    r = client.post("/api/result", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "太多" in r.json()["message_zh"]


def test_a_date_answers_with_the_list_in_force_that_day(client):
    ok = post(client, {"age": "83"}, "?date=2025-06-01")
    assert ok.status_code == 200 and ok.json()["date"] == "2025-06-01"
    assert ok.json()["list"]["number"]
    before = post(client, {"age": "83"}, "?date=2020-01-01")
    assert before.status_code == 400 and before.json()["error"] == "no_list_in_force"
    bad = post(client, {"age": "83"}, "?date=yesterday")
    assert bad.status_code == 400 and "日期" in bad.json()["message_zh"]


def test_nothing_about_the_facts_is_logged_or_kept(client, data_dir, caplog):
    before = sorted(p.name for p in data_dir.rglob("*"))
    distinctive = {"age": "97", "economic_status": "near_minimum", "district": "沁源县",
                   "chronic_conditions": "severe_mental_disorder", "disability_type": "hearing",
                   "disability_grade": "3"}
    with caplog.at_level(logging.DEBUG):
        assert post(client, distinctive).status_code == 200
        assert post(client, {**distinctive, "veteran_category": "sailor"}).status_code == 400
        assert post(client, {**distinctive, "age": "1970"}).status_code == 400
        cut = b'{"facts": {"district": "\xe6\xb2'  # a body cut off inside a character
        client.post("/api/result", content=cut, headers={"content-type": "application/json"})
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for value in ("97", "1970", "near_minimum", "沁源", "severe_mental", "hearing", "sailor"):
        assert value not in logged, value
    assert sorted(p.name for p in data_dir.rglob("*")) == before  # nothing written for a result


def test_the_page_is_served_without_facts_and_hard_codes_no_service_or_group(client):
    page = client.get("/result")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    for asset in ("/result/result.js", "/result/result.css", "/widget/vendor/qrcode.js"):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/result/../app.py").status_code == 404
    sources = page.text + "".join((STATIC / n).read_text(encoding="utf-8") for n in ("result.js", "result.css"))
    names = [s["name"] for s in list_services()]
    labels = result_view.build(evaluate({"age": 83}), {"age": 83})["labels"]
    for word in names + [labels[k] for k in ("money", "other", "possible", "edit", "print", "disclaimer")]:
        assert word not in sources, word  # they come from the result payload
    assert not re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", sources, flags=re.I)  # nothing from elsewhere
