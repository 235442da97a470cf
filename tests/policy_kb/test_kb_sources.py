"""Which list answers (policy_kb.sources): county overlays by district, the list in force on a
day, and the same answers from a database as from the YAML files — all set by settings."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kb_cases import load_cases
from sqlalchemy import text

from policy_kb import evaluate, sources
from policy_kb.kb import list_in_force, load_kb
from policy_kb.overlay import OverlayError, load_overlay
from policy_kb.store import make_engine, save_list, save_overlay

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "policy_kb" / "data" / "changzhi-2024" / "overlays" / "example-luzhou.yaml"
REVISED = Path(__file__).parent / "fixtures" / "revised-2027"  # TEST FIXTURE: a made-up revised list
KB = load_kb()
CASES = load_cases([s.id for s in KB.services])
PG_URL = os.environ.get("POLICY_KB_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def service(result: dict, sid: int) -> dict:
    return next(s for s in result["services"] if s["id"] == sid)


def configure(monkeypatch, **settings: str) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    sources.reset()


def with_example(monkeypatch) -> None:
    configure(monkeypatch, POLICY_KB_OVERLAYS=str(EXAMPLE), POLICY_KB_ALLOW_EXAMPLES="1")


def run(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **env}
    for name in ("POLICY_KB_URL", "POLICY_KB_LISTS", "POLICY_KB_OVERLAYS", "POLICY_KB_ALLOW_EXAMPLES"):
        if name not in env:
            full.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "policy_kb", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=full,
        timeout=120,
    )


# --- county overlays -------------------------------------------------------------------------------


def test_by_default_the_city_list_answers_even_in_a_district_with_an_example():
    result = evaluate({"age": 92, "district": "潞州区"})
    assert result["list"]["id"] == "changzhi-2024" and result["list"]["overlay"] is None
    assert result["list"]["title"] == "长治市基本养老服务清单"
    assert service(result, 8)["amount"] == "90至99周岁：每月不低于150元"
    assert all(s["office"] is None for s in result["services"])
    assert "district" not in evaluate({"age": 92})["next_facts"]


def test_an_example_overlay_is_skipped_unless_examples_are_allowed(monkeypatch):
    configure(monkeypatch, POLICY_KB_OVERLAYS=str(EXAMPLE))
    result = evaluate({"age": 92, "district": "潞州区"})
    assert result["list"]["overlay"] is None and "每月不低于150元" in service(result, 8)["amount"]


def test_a_configured_overlay_answers_for_its_district(monkeypatch):
    with_example(monkeypatch)
    result = evaluate({"age": 92, "district": "潞州区"})
    assert result["list"]["id"] == "changzhi-2024@潞州区"
    assert result["list"]["overlay"] == {
        "district": "潞州区",
        "example": True,
        "title": "【示例 EXAMPLE】潞州区基本养老服务清单差异文件（虚构示例，并非潞州区真实清单）",
    }
    assert service(result, 8)["amount"] == "90至99周岁：每月不低于200元"  # the county's amount
    five = service(result, 5)  # the list says 县级政府民政部门: the county names its office
    assert five["status"] == "eligible" and five["office"] == "潞州区民政局" and five["local_office"] is True
    assert "潞州区民政局" in five["how_to_apply"] and "县级政府民政部门" not in five["how_to_apply"]
    assert service(result, 8)["office"] is None  # the list names no county office for item 8
    # a widened group: 养老服务补贴 from 75 in the example county, from 80 in the city
    poor = {"age": 76, "economic_status": "low_income"}
    assert 9 in evaluate({**poor, "district": "潞州区"})["eligible"]
    assert 9 not in evaluate({**poor, "district": "上党区"})["eligible"]
    assert evaluate({**poor, "district": "上党区"})["list"]["id"] == "changzhi-2024"


def test_district_is_asked_only_when_a_configured_overlay_would_change_the_answer(monkeypatch):
    known = {
        "economic_status": "none",
        "self_care": "independent",
        "disability_grade": 0,
        "special_family_planning": False,
    }
    assert "district" not in evaluate({"age": 92, **known})["next_facts"]  # nothing configured
    with_example(monkeypatch)
    assert "district" in evaluate({"age": 92, **known})["next_facts"]  # 高龄津贴 differs
    assert "district" in evaluate({"age": 66, **known})["next_facts"]  # item 5 names the county office
    assert "district" not in evaluate({"age": 61, **known})["next_facts"]  # the county list says the same
    assert "district" not in evaluate({"age": 92, **known, "district": "上党区"})["next_facts"]


def test_a_malformed_or_lower_overlay_fails_when_configured(monkeypatch, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "district: 潞州区\ntitle: 测试\nchanges:\n  - {id: 8, amounts: [{value: 10, unit: 元, period: 月}]}\n",
        encoding="utf-8",
    )
    configure(monkeypatch, POLICY_KB_OVERLAYS=str(bad))
    with pytest.raises(OverlayError, match="低于市级清单"):
        evaluate({"age": 85})
    proc = run("evaluate", stdin='{"age": 85}', POLICY_KB_OVERLAYS=str(bad))
    assert proc.returncode != 0 and "低于市级清单" in proc.stderr and "Traceback" not in proc.stderr
    configure(monkeypatch, POLICY_KB_OVERLAYS=str(tmp_path / "missing.yaml"))
    with pytest.raises(OverlayError, match="不存在"):
        evaluate({"age": 85})


def test_the_command_line_uses_the_configured_overlay():
    proc = run(
        "evaluate",
        stdin=json.dumps({"age": 70, "district": "潞州区"}),
        POLICY_KB_OVERLAYS=str(EXAMPLE),
        POLICY_KB_ALLOW_EXAMPLES="1",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["list"]["overlay"]["district"] == "潞州区" and service(out, 5)["office"] == "潞州区民政局"


# --- dated lists ------------------------------------------------------------------------------------


def test_the_list_in_force_switches_on_the_revised_lists_effective_date(monkeypatch):
    configure(monkeypatch, POLICY_KB_LISTS=str(REVISED))
    before, on = dt.date(2026, 12, 31), dt.date(2027, 1, 1)
    assert list_in_force(before) is KB
    assert list_in_force(on).id == "test-fixture-revised-2027"
    old, new = evaluate({"age": 85}, on=before), evaluate({"age": 85}, on=on)
    assert old["list"]["id"] == "changzhi-2024" and service(old, 8)["amount"] == "80至89周岁：每月不低于70元"
    assert (
        new["list"]["id"] == "test-fixture-revised-2027" and service(new, 8)["amount"] == "80至89周岁：每月不低于100元"
    )
    assert new["list"]["effective_from"] == "2027-01-01"
    with pytest.raises(LookupError, match="没有正在实施"):
        evaluate({"age": 85}, on=dt.date(2024, 10, 15))


def test_without_a_date_the_answer_is_as_before():
    for profile in ({"age": 83, "economic_status": "minimum_living"}, {}, {"age": 70, "district": "沁县"}):
        assert evaluate(profile) == evaluate(profile, KB)
        assert evaluate(profile, on=dt.date.today()) == evaluate(profile)


def test_the_command_line_takes_a_date():
    env = {"POLICY_KB_LISTS": str(REVISED)}
    for day, amount in (("2026-12-31", "每月不低于70元"), ("2027-01-01", "每月不低于100元")):
        proc = run("evaluate", "--date", day, stdin='{"age": 85}', **env)
        assert proc.returncode == 0, proc.stderr
        assert amount in service(json.loads(proc.stdout), 8)["amount"]
    proc = run("evaluate", "--date", "2027-01-01", stdin='[{"age": 85}, {"age": 95}]', **env)
    assert [r["list"]["id"] for r in json.loads(proc.stdout)] == ["test-fixture-revised-2027"] * 2
    for day, words in (("2027-13-01", "YYYY-MM-DD"), ("明天", "YYYY-MM-DD"), ("2024-01-01", "没有正在实施")):
        proc = run("evaluate", "--date", day, stdin='{"age": 85}', **env)
        assert proc.returncode != 0 and proc.stdout == "" and words in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


# --- the database serves the same answers ---------------------------------------------------------


def _same_answers(monkeypatch, url: str) -> None:
    yaml_answers = [evaluate(c.profile) for c in CASES]
    configure(monkeypatch, POLICY_KB_URL=url)
    assert sources.catalog().source != "yaml"
    db_list = list_in_force()
    assert db_list is not KB and db_list.id == KB.id
    assert [evaluate(c.profile) for c in CASES] == yaml_answers


def test_golden_cases_give_the_same_answers_from_sqlite(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    engine = make_engine(url)
    save_list(engine, KB)
    engine.dispose()
    _same_answers(monkeypatch, url)


def test_an_empty_database_is_a_clear_error(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    configure(monkeypatch, POLICY_KB_URL=url)
    with pytest.raises(LookupError, match="load-db"):
        evaluate({"age": 85})
    proc = run("evaluate", stdin='{"age": 85}', POLICY_KB_URL=url)
    assert proc.returncode != 0 and "load-db" in proc.stderr and "Traceback" not in proc.stderr


def test_overlays_stored_in_the_database_answer_too(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    engine = make_engine(url)
    save_list(engine, KB)
    save_overlay(engine, load_overlay(EXAMPLE))  # stored as an example: applied only when allowed
    engine.dispose()
    configure(monkeypatch, POLICY_KB_URL=url)
    assert evaluate({"age": 92, "district": "潞州区"})["list"]["overlay"] is None  # examples not loaded from the db


def test_golden_cases_give_the_same_answers_from_postgresql(monkeypatch):
    import sqlalchemy

    probe = sqlalchemy.create_engine(PG_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        with probe.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required when CI=true: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    schema = f"kbsrc_{uuid.uuid4().hex[:10]}"
    with probe.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        engine = make_engine(url)
        save_list(engine, KB)
        engine.dispose()
        _same_answers(monkeypatch, url)
    finally:
        with probe.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        probe.dispose()


# --- the gateway's direct use of the engine --------------------------------------------------------


def test_the_eligibility_api_names_the_county_office_when_an_overlay_is_configured(monkeypatch):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bot.api import install_error_handlers, router

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    client = TestClient(app)
    profile = {"age": 70, "district": "潞州区"}
    city = client.post("/api/eligibility", json=profile).json()
    assert city["list"]["overlay"] is None and service(city, 5)["office"] is None
    with_example(monkeypatch)
    county = client.post("/api/eligibility", json=profile).json()
    assert county["list"]["overlay"]["district"] == "潞州区"
    assert service(county, 5)["office"] == "潞州区民政局" and "潞州区民政局" in service(county, 5)["how_to_apply"]


def test_the_command_line_refuses_an_input_over_its_limit(monkeypatch, capsys):
    import io

    from policy_kb import cli

    monkeypatch.setattr(cli, "MAX_INPUT_CHARS", 100)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps([{"age": 85}] * 20)))
    assert cli.main(["evaluate"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "输入太长" in out.err
