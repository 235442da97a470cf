"""`python -m policy_kb` (contract section 4), run as a subprocess the way other tools call it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policy_kb import cli, evaluate
from policy_kb.facts import facts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "policy_kb" / "data" / "changzhi-2024" / "overlays" / "example-luzhou.yaml"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "policy_kb", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip("\n").split("\n")
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_evaluate_one_profile():
    profile = {"age": 83, "economic_status": "minimum_living"}
    proc = run("evaluate", stdin=json.dumps(profile))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert isinstance(out, dict)
    assert out == json.loads(json.dumps(evaluate(profile), ensure_ascii=False))
    assert 8 in out["eligible"] and 9 in out["eligible"]
    eight = next(s for s in out["services"] if s["id"] == 8)
    assert {"id", "name", "status", "department", "amount", "why"} <= set(eight)
    assert eight["name"] == "高龄津贴" and eight["department"] == "市民政局" and "70元" in eight["amount"]
    assert "高龄津贴" in proc.stdout  # UTF-8, not \\u escapes


def test_evaluate_a_list_gives_a_list_in_order():
    profiles = [{"age": 59}, {"age": 90, "self_care": "dependent"}, {}]
    proc = run("evaluate", stdin=json.dumps(profiles))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert isinstance(out, list) and len(out) == 3
    for profile, result in zip(profiles, out, strict=False):
        assert result["eligible"] == evaluate(profile)["eligible"]
        assert result["possible"] == evaluate(profile)["possible"]
    assert run("evaluate", stdin="[]").stdout.strip() == "[]"


def test_bad_json():
    line = one_line_error(run("evaluate", stdin='{"age": 83,'))
    assert "JSON" in line


@pytest.mark.parametrize(
    "payload, fact, allowed",
    [
        ({"income": 100}, "income", "economic_status"),  # unknown fact: the allowed facts are listed
        ({"age": 131}, "age", "0–130"),  # out of range
        ({"age": -1}, "age", "0–130"),
        ({"age": "八十"}, "age", "0–130"),  # wrong type
        ({"age": 80.5}, "age", "0–130"),
        ({"age": True}, "age", "0–130"),
        ({"economic_status": "rich"}, "economic_status", "minimum_living"),
        ({"economic_status": 1}, "economic_status", "extreme_poverty"),
        ({"homeless": "yes"}, "homeless", "true"),
        ({"disability_grade": 5}, "disability_grade", "0–4"),
        ({"chronic_conditions": "diabetes"}, "chronic_conditions", "hypertension"),
        ({"chronic_conditions": ["flu"]}, "chronic_conditions", "severe_mental_disorder"),
        ({"district": "太原市"}, "district", "潞州区"),
    ],
)
def test_bad_profile_names_the_fact_and_the_allowed_values(payload, fact, allowed, monkeypatch, capsys):
    code, out, err = _main(monkeypatch, capsys, ["evaluate"], json.dumps(payload, ensure_ascii=False))
    assert code != 0 and out == "" and len(err.strip("\n").split("\n")) == 1
    assert fact in err and allowed in err


@pytest.mark.parametrize(
    "payload, fact, allowed",
    [
        ({"income": 100}, "income", "economic_status"),  # unknown fact
        ({"age": 131}, "age", "0–130"),  # out of range
        ({"age": "八十"}, "age", "0–130"),  # wrong type
        ({"economic_status": "rich"}, "economic_status", "minimum_living"),
    ],
)
def test_bad_profile_through_a_subprocess(payload, fact, allowed):
    line = one_line_error(run("evaluate", stdin=json.dumps(payload, ensure_ascii=False)))
    assert fact in line and allowed in line


def test_bad_profile_in_a_list_says_which_one():
    line = one_line_error(run("evaluate", stdin=json.dumps([{"age": 70}, {"age": 200}])))
    assert "第2个" in line and "#2" in line and "age" in line


@pytest.mark.parametrize("payload", ["83", '"age"', "null", "[1]"])
def test_a_profile_must_be_an_object(payload, monkeypatch, capsys):
    code, out, err = _main(monkeypatch, capsys, ["evaluate"], payload)
    assert code != 0 and out == "" and "JSON" in err and "对象" in err


def test_a_profile_must_be_an_object_through_a_subprocess():
    line = one_line_error(run("evaluate", stdin="83"))
    assert "JSON" in line and "对象" in line


def test_services_lists_the_26_items_with_full_department_names():
    proc = run("services")
    assert proc.returncode == 0
    lines = proc.stdout.strip().split("\n")
    assert len(lines) == 26
    for i, line in enumerate(lines, 1):
        assert line.split()[0] == str(i)
    assert "高龄津贴" in lines[7] and "长治市民政局" in lines[7]
    assert "国网长治供电公司" in lines[22]


def test_explain_8():
    proc = run("explain", "8")
    assert proc.returncode == 0
    out = proc.stdout
    for part in (
        "第8项 高龄津贴",
        "每月不低于70元",
        "每月不低于150元",
        "每月不低于300元",
        "年满80周岁",
        "长治市民政局",
        "《长治市基本养老服务清单》第8项",
        "长政办发〔2024〕28号",
    ):
        assert part in out, part


def test_explain_unknown_item():
    line = one_line_error(run("explain", "27"))
    assert "27" in line and "1–26" in line


def test_check_overlay_and_load_db(tmp_path):
    proc = run("check-overlay", str(EXAMPLE))
    assert proc.returncode == 0 and "通过" in proc.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("remove: []", "remove: [16]"), encoding="utf-8")
    proc = run("check-overlay", str(bad))
    assert proc.returncode == 1 and "第16项" in proc.stderr and "探访服务" in proc.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("district: 北京市\ntitle: x\n", encoding="utf-8")
    line = one_line_error(run("check-overlay", str(broken)))
    assert "district" in line and "潞州区" in line
    db = tmp_path / "kb.db"
    proc = run("load-db", f"sqlite:///{db}")
    assert proc.returncode == 0 and "stored 26 services" in proc.stdout and db.exists()


# In-process runs of the same commands (counted by coverage).


def _main(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_in_process(monkeypatch, capsys, tmp_path):
    code, out, _ = _main(monkeypatch, capsys, ["evaluate"], json.dumps([{"age": 85}]))
    assert code == 0 and json.loads(out)[0]["eligible"] == evaluate({"age": 85})["eligible"]
    code, _, err = _main(monkeypatch, capsys, ["evaluate"], "{")
    assert code == 2 and "JSON" in err
    code, _, err = _main(monkeypatch, capsys, ["evaluate"], '[{"age": "x"}]')
    assert code == 2 and "age" in err
    code, out, _ = _main(monkeypatch, capsys, ["services"])
    assert code == 0 and len(out.strip().split("\n")) == 26
    code, out, _ = _main(monkeypatch, capsys, ["explain", "3"])
    assert code == 0 and "怎么办" not in out and "司法救助" in out
    code, out, _ = _main(monkeypatch, capsys, ["explain", "5"])
    assert code == 0 and "怎么办" in out
    code, _, err = _main(monkeypatch, capsys, ["explain", "0"])
    assert code == 2
    code, out, _ = _main(monkeypatch, capsys, ["check-overlay", str(EXAMPLE)])
    assert code == 0 and "潞州区" in out
    code, _, err = _main(monkeypatch, capsys, ["check-overlay", str(tmp_path / "missing.yaml")])
    assert code == 2 and "missing.yaml" in err
    monkeypatch.setenv("POLICY_KB_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    code, out, _ = _main(monkeypatch, capsys, ["load-db"])
    assert code == 0 and "env.db" in out and (tmp_path / "env.db").exists()


def test_every_fact_error_message_lists_its_allowed_values():
    for name, fact in facts().items():
        bad = {"int": "x", "bool": "x", "list": 1, "enum": 1}[fact.type]
        with pytest.raises(ValueError) as info:
            evaluate({name: bad})
        message = str(info.value)
        assert "\n" not in message and name in message and fact.allowed() in message and fact.allowed("en") in message
