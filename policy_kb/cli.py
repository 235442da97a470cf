"""Command line (contract section 4):

python -m policy_kb evaluate < profile.json      one profile (object) or a list of them
python -m policy_kb evaluate --date 2025-01-01   ... with the list in force on that day
python -m policy_kb services                     the 26 services, one line each
python -m policy_kb explain 8                    one service in full, with its citation
python -m policy_kb check-overlay FILE           validate a county list overlay
python -m policy_kb load-db [URL]                store the list in a database (default SQLite)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import yaml

from .engine import evaluate
from .facts import DATA_DIR, ProfileError, validate_profile
from .kb import list_in_force, load_kb


def _fail(message: str) -> int:
    print(message.replace("\n", " "), file=sys.stderr)
    return 2


MAX_INPUT_CHARS = 400_000_000  # a JSON list of about 500,000 full profiles (ASCII-escaped)


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"日期 {text[:40]!r} 不对，应写成 YYYY-MM-DD，例如 2025-01-01 / --date must be YYYY-MM-DD"
        ) from None


def cmd_evaluate(args: argparse.Namespace) -> int:
    try:
        on = _day(getattr(args, "date", None))
        if on is not None:
            list_in_force(on)  # no list in force that day: say so before reading anything
    except (ValueError, LookupError) as exc:
        return _fail(str(exc))
    raw = sys.stdin.read(MAX_INPUT_CHARS + 1)
    if len(raw) > MAX_INPUT_CHARS:
        return _fail(
            f"输入太长（超过{MAX_INPUT_CHARS}个字符），请分批 / input too long (over {MAX_INPUT_CHARS} characters)"
        )
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return _fail(f"输入不是合法的 JSON：{exc.msg}（第{exc.lineno}行） / input is not valid JSON: {exc.msg}")
    try:
        if isinstance(data, list):
            # check every profile first: bad input writes nothing on stdout
            clean = []
            for i, profile in enumerate(data):
                try:
                    clean.append(validate_profile(profile))
                except ProfileError as exc:
                    raise ProfileError(
                        exc.fact, f"第{i + 1}个档案：{exc.message_zh}", f"profile #{i + 1}: {exc.message_en}"
                    ) from None
        else:
            out = evaluate(data, on=on)
    except ProfileError as exc:
        return _fail(str(exc))
    # json.dumps (the C encoder) per result, streamed: json.dump on a stream uses the pure-Python
    # encoder and held every result of a long list in memory. The bytes written are the same.
    write = sys.stdout.write
    if isinstance(data, list):
        write("[")
        for i, profile in enumerate(clean):
            if i:
                write(", ")
            write(json.dumps(evaluate(profile, validated=True, on=on), ensure_ascii=False))
        write("]\n")
    else:
        write(json.dumps(out, ensure_ascii=False))
        write("\n")
    return 0


def cmd_services(_: argparse.Namespace) -> int:
    for s in load_kb().services:
        print(f"{s.id:>2}  {s.name}  [{s.service_type}]  {s.department.full_name}  — {s.target_group}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    s = load_kb().service(args.id)
    if s is None:
        return _fail(f"没有第{args.id}项服务，清单共26项（1–26） / no service {args.id}; ids are 1–26")
    print(f"第{s.id}项 {s.name}（{s.service_type}）")
    print(f"对象：{s.target_group}")
    print(f"一句话：{s.summary}")
    print(f"内容：{s.content}")
    print(f"标准：{s.standard}")
    print("条件：" + "；".join(leaf.label for leaf in s.condition.leaves()))
    amounts = [a.wording() for a in s.amounts]
    if amounts:
        print("金额/待遇：" + "；".join(amounts))
    if s.how_to_apply:
        print(f"怎么办：{s.how_to_apply}")
    dept = s.department
    same = dept.full_name == dept.short_name
    print(f"牵头部门：{dept.full_name}" + ("" if same else f"（{dept.short_name}）"))
    print(f"依据：{s.citation.full()}")
    names = _aliases().get(s.id)
    if names:
        print("也叫：" + "、".join(names))
    return 0


def _aliases() -> dict[int, list[str]]:
    """What people call each service (aliases.yaml; one word may fit two items, e.g. 养老金)."""
    path = DATA_DIR / load_kb().id / "aliases.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {int(k): [str(w) for w in v] for k, v in (raw or {}).items()}


def cmd_check_overlay(args: argparse.Namespace) -> int:
    from .overlay import OverlayError, load_overlay, validate_overlay

    try:
        overlay = load_overlay(Path(args.file))
        problems = validate_overlay(load_kb(), overlay)
    except OverlayError as exc:
        return _fail(str(exc))
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    print(f"通过：{overlay.district} 的清单不低于市级清单 / OK: not lower than the city list")
    return 0


def cmd_load_db(args: argparse.Namespace) -> int:
    from .store import make_engine, save_list

    engine = make_engine(args.url)
    count = save_list(engine, load_kb())
    print(f"stored {count} services in {engine.url.render_as_string(hide_password=True)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m policy_kb", description="长治市基本养老服务清单 — eligibility engine"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("evaluate", help="read a profile (or a list) as JSON on stdin, write the result as JSON")
    p.add_argument("--date", default=None, help="use the list in force on this day (YYYY-MM-DD); default today")
    p.set_defaults(fn=cmd_evaluate)
    sub.add_parser("services", help="list the 26 services").set_defaults(fn=cmd_services)
    p = sub.add_parser("explain", help="explain one service")
    p.add_argument("id", type=int)
    p.set_defaults(fn=cmd_explain)
    p = sub.add_parser("check-overlay", help="validate a county list overlay (YAML)")
    p.add_argument("file")
    p.set_defaults(fn=cmd_check_overlay)
    p = sub.add_parser("load-db", help="store the list in a database")
    p.add_argument("url", nargs="?", default=None)
    p.set_defaults(fn=cmd_load_db)
    args = parser.parse_args(argv)
    from sqlalchemy.exc import SQLAlchemyError

    from .overlay import OverlayError

    try:
        return int(args.fn(args))
    except (OverlayError, LookupError) as exc:  # settings that point at a missing list or a bad overlay
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"读不了清单数据库（POLICY_KB_URL）：{type(exc).__name__} / cannot read the list database")
