"""Whole screenings with simulated elders and relatives, answering in words from the blind corpus.

    make simulate
    .venv/bin/python scripts/simulate.py [BLIND] [--cases DIR] [--random N] [--seed S] [--nlu rasa|none]
                                         [--json out.json] [--fails N]

Personas: every profile of the YAML cases (tests/policy_kb/cases/*.yaml, `base` merged in) that
states the age; the facts a case leaves open are filled with an ordinary elder's values
(FILL below: not poor, 能自理, no 残疾证, lives with family, no special status, has a capable
supporter, no pension, 潞州区; a 残疾证 holder's type is 肢体, a 特困 elder is 分散供养), so every persona is
complete; duplicates after filling are dropped. `--random N` adds N random complete profiles.

A screening: the first message is a blind statement (asked: null) whose facts all hold for the
persona, if one exists, else "帮我查一下老人能享受什么". Each question is then answered with a blind
utterance (seeded pick) with `asked` == the question key, kind answer, not ambiguous, whose labelled
facts (and prior facts) all hold for the persona and cover the asked fact (a grouped question —
pension, special_circumstances — any of its facts, all of the label agreeing with the persona's
values; `--group-buttons` answers these two by their buttons instead); one not used yet if possible.
If none exists the persona taps the matching button (or, without one, sends the button-style
payload of its values): a fallback. A confirmation prompt (confirm:<fact>) is answered 是 when
confirm_value is the persona's value, else 不是. At most 40 user turns (more: a failure).

Minimum needed: the number of questions the same bot asks the same persona, with the same first
message, when every question is answered by its button. A question asked = a turn whose reply sets
requested_slot (confirmations included).

Exit status 0 (it is a report), 2 on a bad input file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness_lib as H

from policy_kb import evaluate
from policy_kb.facts import ProfileError, validate_profile

START = "帮我查一下老人能享受什么"
MAX_TURNS = 40
FILL: dict[str, Any] = {
    "economic_status": "none", "self_care": "independent", "disability_grade": 0, "living_situation": "with_family",
    "special_family_planning": False, "veteran_category": "none", "has_capable_supporter": True,
    "receives_pension_subsidy": False, "employee_pension_retired": False, "resident_pension_15y": False,
    "maintenance_dispute": False, "homeless": False, "family_care_training": False, "chronic_conditions": [],
    "district": "潞州区",
}


def complete(profile: Mapping[str, Any]) -> dict[str, Any]:
    p = {**FILL, **{k: v for k, v in profile.items() if v is not None}}
    if p.get("disability_grade"):
        p.setdefault("disability_type", "physical")
    else:
        p.pop("disability_type", None)
    if p.get("economic_status") == "extreme_poverty":
        p.setdefault("support_mode", "home")
    else:
        p.pop("support_mode", None)
    return p


def case_personas(folder: str | Path) -> list[dict[str, Any]]:
    d = H.resolve(folder)
    files = sorted(d.glob("*.yaml")) if d.is_dir() else []
    if not files:
        raise H.InputError(f"找不到案例文件（*.yaml）：{d}")
    out, seen = [], set()
    for path in files:
        try:
            raw = H.yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except H.yaml.YAMLError:
            raise H.InputError(f"案例文件不是有效的 YAML：{path}") from None
        base = raw.get("base") or {}
        for i, case in enumerate(raw.get("cases") or []):
            profile = {**base, **(case.get("profile") or {})}
            if profile.get("age") is None:
                continue
            try:
                persona = validate_profile(complete(profile))
            except ProfileError:
                continue
            key = json.dumps(persona, sort_keys=True, ensure_ascii=False)
            if key not in seen:
                seen.add(key)
                out.append({"id": f"{path.stem}#{i}", "profile": persona})
    return out


def random_personas(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"personas:{seed}")
    fs = H.facts()
    out = []
    for i in range(n):
        p: dict[str, Any] = {"age": rng.choice([rng.randint(58, 79), rng.randint(80, 89), rng.randint(90, 102)])}
        p["economic_status"] = rng.choices(list(fs["economic_status"].values), [1, 2, 1, 1, 4])[0]
        p["self_care"] = rng.choices(["independent", "partial", "dependent"], [5, 2, 2])[0]
        p["disability_grade"] = rng.choices([0, 1, 2, 3, 4], [6, 1, 1, 1, 1])[0]
        if p["disability_grade"]:
            p["disability_type"] = rng.choice(list(fs["disability_type"].values))
        p["living_situation"] = rng.choice(list(fs["living_situation"].values))
        p["employee_pension_retired"] = rng.random() < 0.25
        p["resident_pension_15y"] = not p["employee_pension_retired"] and rng.random() < 0.5
        p["special_family_planning"] = rng.random() < 0.1
        p["veteran_category"] = rng.choices(list(fs["veteran_category"].values), [1] * 6 + [24])[0]
        p["has_capable_supporter"] = rng.random() < 0.7
        p["receives_pension_subsidy"] = p["veteran_category"] != "none" and rng.random() < 0.5
        p["maintenance_dispute"] = rng.random() < 0.05
        p["homeless"] = rng.random() < 0.03
        p["family_care_training"] = rng.random() < 0.2
        if p["economic_status"] == "extreme_poverty":
            p["support_mode"] = rng.choice(["home", "institution"])
        out.append({"id": f"random#{i}", "profile": validate_profile(complete(p))})
    return out


def first_messages(blind: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [u for u in blind if u["asked"] is None and u["kind"] in ("statement", "answer") and u["facts"]
            and not u["prior"] and not u["unknown"] and not u["ambiguous"]]


def answer_pool(blind: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    pool: dict[str, list[dict[str, Any]]] = {}
    for u in blind:
        if u["asked"] and u["kind"] == "answer" and u["facts"] and not u["unknown"] and not u["ambiguous"]:
            pool.setdefault(u["asked"], []).append(u)
    return pool


def button_for(buttons: list[dict[str, str]], asked: tuple[str, ...], persona: Mapping[str, Any]) -> str | None:
    """The button whose facts all hold for the persona and that covers most of the asked facts."""
    best, best_score = None, 0
    for b in buttons:
        values = {k: H.safe_norm(k, v) for k, v in H.payload_values(b.get("payload") or "").items()
                  if k in H.FACT_NAMES}
        score = sum(k in asked for k in values)
        if values and score > best_score and H.consistent(values, persona):
            best, best_score = b["payload"], score
    return best


def yes_no(buttons: list[dict[str, str]], yes: bool) -> str:
    title = "是" if yes else "不是"
    for b in buttons:
        if b.get("title") == title:
            return b["payload"]
    return title


class Screening:
    def __init__(self, persona: Mapping[str, Any], first: str, nlu: H.Nlu, today: dt.date, rng: random.Random,
                 pool: Mapping[str, list[dict[str, Any]]] | None, group_buttons: bool = False):
        self.persona, self.first, self.nlu, self.today, self.rng = dict(persona), first, nlu, today, rng
        self.pool = pool  # None: answer every question with its button
        self.group_buttons = group_buttons  # answer grouped questions by their button, not counted as fallback
        self.slots: dict[str, Any] = {}
        self.turns = self.questions = self.fallbacks = 0
        self.asked: Counter = Counter()
        self.fallback_keys: Counter = Counter()
        self.used: set[str] = set()
        self.transcript: list[list[str]] = []
        self.eligible: list[int] | None = None
        self.end = ""

    def reply_to(self, messages: list[dict[str, Any]]) -> str | None:
        buttons = H.buttons_of(messages)
        conf = H.confirm_of(self.slots)
        if conf:
            name, value = conf
            return yes_no(buttons, self.persona.get(name) == value)
        asked = H.asked_facts(self.slots)
        if not asked:
            return None
        key = self.slots.get("asked_group") or self.slots.get("requested_slot")
        if not any(f in self.persona for f in asked):
            return next((b["payload"] for b in buttons if b.get("payload") == "/dont_know"), "不清楚")
        if self.pool is not None and not (self.group_buttons and key in H.GROUPS):
            requested = self.slots.get("requested_slot")
            need = (requested,) if requested in asked and len(asked) == 1 else asked
            cands = [u for u in self.pool.get(key, []) if H.consistent(u["facts"], self.persona)
                     and H.consistent(u["prior"], self.persona) and any(f in u["facts"] for f in need)]
            if cands:
                fresh = [u for u in cands if u["id"] not in self.used] or cands
                u = self.rng.choice(fresh)
                self.used.add(u["id"])
                return u["text"]
            self.fallbacks += 1
            self.fallback_keys[key] += 1
        payload = button_for(buttons, asked, self.persona)
        if payload:
            return payload
        return H.inform_payload({f: self.persona[f] for f in asked if f in self.persona})

    def run(self) -> Screening:
        text: str | None = self.first
        while True:
            out, error = H.safe_turn(self.slots, self.nlu.parse(text), self.today)
            self.turns += 1
            if error:
                self.transcript.append([text, f"（出错：{error}）"])
                self.end = "error"
                return self
            self.slots.update(out.slots)
            self.transcript.append([text, H.reply_text(out.messages)])
            if out.slots.get("requested_slot"):
                self.questions += 1
                rs = out.slots["requested_slot"]
                self.asked[rs if rs.startswith("confirm:") else (out.slots.get("asked_group") or rs)] += 1
            if "eligible_services" in out.slots and out.slots["eligible_services"] is not None \
                    and not self.slots.get("requested_slot"):
                self.eligible = sorted(int(i) for i in out.slots["eligible_services"])
                self.end = "result"
                return self
            if self.turns >= MAX_TURNS:
                self.end = "capped"
                return self
            if self.slots.get("requested_slot"):
                text = self.reply_to(out.messages)
            else:
                # a general question is answered with an offer to check this elder: a family that came
                # to be screened takes it
                text = next((b["payload"] for b in H.buttons_of(out.messages)
                             if b.get("payload") == "/start_screening"), None)
            if text is None:
                self.end = "stuck"  # neither a question nor a result
                return self


def run_all(personas: list[dict[str, Any]], blind: list[dict[str, Any]], nlu: H.Nlu, today: dt.date,
            seed: int, group_buttons: bool = False) -> list[dict[str, Any]]:
    firsts, pool = first_messages(blind), answer_pool(blind)
    results = []
    for p in personas:
        rng = random.Random(f"{seed}:{p['id']}")
        persona = p["profile"]
        fits = [u for u in firsts if H.consistent(u["facts"], persona)]
        first = rng.choice(fits)["text"] if fits else START
        sim = Screening(persona, first, nlu, today, rng, pool, group_buttons).run()
        base = Screening(persona, first, nlu, today, random.Random(0), None).run()
        expected = sorted(evaluate(persona)["eligible"])
        heard = {f: H.safe_norm(f, v) for f, v in sim.slots.items() if f in H.FACT_NAMES and v is not None}
        results.append({
            "id": p["id"], "persona": persona, "first": first, "expected": expected, "eligible": sim.eligible,
            "exact": sim.end == "result" and sim.eligible == expected, "end": sim.end, "turns": sim.turns,
            "questions": sim.questions, "minimum": base.questions, "minimum_end": base.end,
            "repeats": {k: v for k, v in sim.asked.items() if v >= 3}, "fallbacks": sim.fallbacks,
            "fallback_keys": dict(sim.fallback_keys),
            "wrong_facts": {f: v for f, v in heard.items() if persona.get(f) != v},
            "declined": list(sim.slots.get("declined_facts") or []),
            "transcript": sim.transcript,
        })
    return results


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(results)
    q = sum(r["questions"] for r in results)
    m = sum(r["minimum"] for r in results)
    ratios = [r["questions"] / r["minimum"] for r in results if r["minimum"]]
    return {
        "screenings": n, "exact": sum(r["exact"] for r in results),
        "capped": sum(r["end"] == "capped" for r in results), "stuck": sum(r["end"] == "stuck" for r in results),
        "errors": sum(r["end"] == "error" for r in results),
        "questions": q, "minimum": m, "ratio_of_totals": round(q / m, 3) if m else None,
        "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "with_repeats": sum(bool(r["repeats"]) for r in results),
        "fallbacks": sum(r["fallbacks"] for r in results),
        "with_fallbacks": sum(bool(r["fallbacks"]) for r in results),
        "turns": sum(r["turns"] for r in results),
        "fallback_keys": dict(sum((Counter(r.get("fallback_keys") or {}) for r in results), Counter()).most_common()),
        "repeated_questions": dict(Counter(k for r in results for k in r["repeats"]).most_common()),
    }


def print_report(s: dict[str, Any]) -> None:
    n = s["screenings"]
    print(f"\n== 模拟筛查：{n} 位老人 ==")
    print(f"结果完全正确          {s['exact']:4d}  {H.pct(s['exact'], n)}")
    print(f"超过 {MAX_TURNS} 轮被截断      {s['capped']:4d}")
    print(f"卡住（不问也不给结果）{s['stuck']:4d}")
    if s["errors"]:
        print(f"出错（handle 抛出异常）{s['errors']:4d}")
    print(f"提问次数 / 最少需要   {s['questions']} / {s['minimum']}  = {s['ratio_of_totals']}（中位数比 {s['median_ratio']}）")
    print(f"同一问题问了3次及以上 {s['with_repeats']:4d} 次筛查  {H.pct(s['with_repeats'], n)}   {s['repeated_questions']}")
    print(f"没有合适语料改点按钮  {s['fallbacks']:4d} 次（{s['with_fallbacks']} 次筛查）  {s['fallback_keys']}")
    print(f"用户总轮数            {s['turns']:4d}（平均 {s['turns'] / n:.1f}）" if n else "")


def print_fails(results: list[dict[str, Any]], limit: int) -> None:
    bad = [r for r in results if not r["exact"] or r["repeats"]]
    print(f"\n== 前 {min(limit, len(bad))} 个失败（共 {len(bad)}） ==")
    for r in bad[:limit]:
        print(f"[{r['id']}] end={r['end']} 应得={r['expected']} 实得={r['eligible']} 重复={r['repeats']}"
              f" 听错={r['wrong_facts']} 未确定={r['declined']}")
        print(f"  老人：{r['persona']}")
        for said, reply in r["transcript"]:
            print(f"  > {said}\n    {reply[:120]!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("blind", nargs="?", default="tests/blind/corpus.yml")
    ap.add_argument("--cases", default="tests/policy_kb/cases", help="folder of the YAML cases (personas)")
    ap.add_argument("--random", type=int, default=0, metavar="N", help="add N random personas")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nlu", choices=("auto", "rasa", "none"), default="auto")
    ap.add_argument("--json", metavar="OUT")
    ap.add_argument("--fails", type=int, default=0, metavar="N")
    ap.add_argument("--group-buttons", action="store_true",
                    help="answer the grouped questions (pension, special_circumstances) by their buttons")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = ap.parse_args(argv)
    if not 0 <= args.random <= 10_000:
        print("错误：--random 应在 0 到 10000 之间", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        blind = H.load_blind(args.blind)
        personas = case_personas(args.cases) + random_personas(args.random, args.seed)
        nlu = H.Nlu(args.nlu)
    except H.InputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"NLU：{nlu.mode}" + (f"（{nlu.model.name}）" if nlu.model else "") + f"；种子 {args.seed}")
    results = run_all(personas, blind, nlu, args.today, args.seed, args.group_buttons)
    summary = summarise(results)
    summary["nlu"], summary["seed"] = nlu.mode, args.seed
    print_report(summary)
    if args.fails:
        print_fails(results, args.fails)
    nlu.save()
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["model_load_seconds"] = round(nlu.load_seconds, 1)
    print("\n" + H.timing(summary["seconds"], nlu))
    if args.json:
        Path(args.json).write_text(json.dumps({**summary, "screenings_detail": results}, ensure_ascii=False, indent=1,
                                              default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
