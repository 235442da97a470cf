"""The eligibility and services API over HTTP (contract sections 4–5)."""
from __future__ import annotations

import re

import httpx
import pytest

import policy_kb

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def post(gateway: str, body, **kw) -> httpx.Response:
    if isinstance(body, (bytes, str)):
        return httpx.post(f"{gateway}/api/eligibility", content=body, headers={"Content-Type": "application/json"})
    return httpx.post(f"{gateway}/api/eligibility", json=body, **kw)


def assert_bilingual_error(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["error"] and CHINESE.search(body["message_zh"]) and re.search(r"[a-z]", body["message_en"])
    assert "Traceback" not in resp.text
    return body


def test_openapi_page_lists_the_api(gateway):
    assert httpx.get(f"{gateway}/docs").status_code == 200
    paths = httpx.get(f"{gateway}/openapi.json").json()["paths"]
    assert {"/api/eligibility", "/api/services", "/api/services/{service_id}", "/api/chat"} <= set(paths)
    assert "examples" in paths["/api/eligibility"]["post"]["requestBody"]["content"]["application/json"]


def test_one_profile_gives_one_result_as_the_engine(gateway):
    profile = {"age": 85, "economic_status": "minimum_living", "self_care": "dependent"}
    resp = post(gateway, profile)
    assert resp.status_code == 200
    result = resp.json()
    assert isinstance(result, dict)
    assert {"eligible", "possible", "next_facts", "services"} <= set(result)
    assert 8 in result["eligible"]  # 高龄津贴 from 80 (contract §3)
    assert result == policy_kb.evaluate(profile)
    for s in result["services"]:
        assert {"id", "name", "status", "department"} <= set(s)


def test_a_list_gives_a_list_in_order(gateway):
    profiles = [{"age": 85}, {}, {"age": 62, "economic_status": "extreme_poverty"}]
    resp = post(gateway, profiles)
    assert resp.status_code == 200
    assert resp.json() == [policy_kb.evaluate(p) for p in profiles]
    assert post(gateway, []).json() == []


def test_unknown_facts_may_be_null(gateway):
    assert post(gateway, {"age": 70, "self_care": None}).json() == policy_kb.evaluate({"age": 70})


@pytest.mark.parametrize("profile, fact", [
    ({"age": 200}, "age"),
    ({"age": "八十"}, "age"),
    ({"economic_status": "rich"}, "economic_status"),
    ({"favourite_colour": "red"}, "favourite_colour"),
    ({"homeless": "yes"}, "homeless"),
])
def test_bad_profile_is_a_bilingual_400_naming_the_fact(gateway, profile, fact):
    body = assert_bilingual_error(post(gateway, profile), 400)
    assert body["error"] == "invalid_profile" and body["fact"] == fact
    assert fact in body["message_en"]


def test_bad_profile_in_a_list_names_its_position(gateway):
    body = assert_bilingual_error(post(gateway, [{"age": 80}, {"age": -1}]), 400)
    assert body["index"] == 1 and "第 2 个" in body["message_zh"] and "#2" in body["message_en"]


@pytest.mark.parametrize("raw", ["{not json", "", "5", '"age"', "[1, 2]", "\xff".encode("latin-1")])
def test_bodies_that_are_not_profiles(gateway, raw):
    assert_bilingual_error(post(gateway, raw), 400)


def test_too_many_profiles(gateway):
    assert_bilingual_error(post(gateway, [{}] * 1001), 413)


def test_services_list_has_citations_and_summaries(gateway):
    services = httpx.get(f"{gateway}/api/services").json()
    assert [s["id"] for s in services] == list(range(1, 27))
    for s in services:
        assert s["name"] and s["summary"] and s["citation"] and s["department"]
    assert services == policy_kb.list_services()


def test_one_service(gateway):
    resp = httpx.get(f"{gateway}/api/services/8")
    assert resp.status_code == 200 and resp.json() == policy_kb.get_service(8)
    assert httpx.get(f"{gateway}/api/services/15").json()["id"] == 15
    assert httpx.get(f"{gateway}/api/services/17").json()["id"] == 17


@pytest.mark.parametrize("sid", ["0", "27", "abc", "8.5", "-1"])
def test_unknown_service_is_a_bilingual_404(gateway, sid):
    assert assert_bilingual_error(httpx.get(f"{gateway}/api/services/{sid}"), 404)["error"] == "unknown_service"


def test_other_errors_are_bilingual_json(gateway):
    assert_bilingual_error(httpx.get(f"{gateway}/api/nothing-here"), 404)
    assert_bilingual_error(httpx.get(f"{gateway}/api/eligibility"), 405)
    assert_bilingual_error(httpx.post(f"{gateway}/api/chat", json={"sender": 5}), 422)


def test_a_date_picks_the_list_in_force_that_day(gateway, monkeypatch):
    from pathlib import Path

    from policy_kb import sources

    revised = Path(__file__).resolve().parents[1] / "policy_kb" / "fixtures" / "revised-2027"  # TEST FIXTURE
    monkeypatch.setenv("POLICY_KB_LISTS", str(revised))
    sources.reset()
    try:
        old = httpx.post(f"{gateway}/api/eligibility?date=2026-06-01", json={"age": 85}).json()
        new = httpx.post(f"{gateway}/api/eligibility?date=2027-02-01", json={"age": 85}).json()
        assert old["list"]["id"] == "changzhi-2024"
        assert new["list"]["id"] == "test-fixture-revised-2027"
        bad = httpx.post(f"{gateway}/api/eligibility?date=2027-13-45", json={"age": 85})
        assert_bilingual_error(bad, 400)
        early = httpx.post(f"{gateway}/api/eligibility?date=1990-01-01", json={"age": 85})
        assert_bilingual_error(early, 400)
    finally:
        monkeypatch.delenv("POLICY_KB_LISTS")
        sources.reset()
