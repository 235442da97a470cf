"""1 and 2 Rasa replicas side by side in one run: 50 concurrent conversations, turns/s and p95.

    make bench-scale                      # BENCH_SECONDS=20 per phase by default

One stack as `make run-scaled REPLICAS=2` runs it (PostgreSQL tracker store in a temporary
database, Redis lock store, supervisor). Phase 1 routes every conversation to replica 0 only;
phase 2 spreads them over both (bot.replicas). Each conversation is a scripted screening
(tests/serving/serving_support.script), started again with a new sender when it ends. Memory:
RSS of each replica's Rasa and action server. The machine's other load is reported as the
load average, since it is shared.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "serving")]
from livestack import running_stack, temp_postgres_db  # noqa: E402
from serving_support import script  # noqa: E402

CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS") or 50)
SECONDS = float(os.environ.get("BENCH_SECONDS") or 20)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


async def load(urls: list[str], token: str, seconds: float, phase: str, warmup: float = 3.0) -> tuple[float, list[float], int]:
    from bot.core import ConversationCore, CoreUnavailable

    core = ConversationCore(rasa_urls=urls, token=token, timeout=120)
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    turns = 0

    async def worker():
        nonlocal turns, errors
        while time.perf_counter() < stop_at:
            n = next(counter)
            sender = f"bench-{phase}-{os.getpid()}-{n}"  # a new conversation each time
            for text in script(n):
                if time.perf_counter() >= stop_at:
                    return
                t0 = time.perf_counter()
                try:
                    await core.send(sender, text)
                except CoreUnavailable:
                    errors += 1
                    continue
                t1 = time.perf_counter()
                if t0 >= measure_from:
                    latencies.append((t1 - t0) * 1000)
                    turns += 1

    await asyncio.gather(*(worker() for _ in range(CONVERSATIONS)))
    await core.aclose()
    return turns / seconds, latencies, errors


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, load average before start {os.getloadavg()[0]:.1f}")
    with temp_postgres_db("elder_care_bench") as url, running_stack(replicas=2, tracker_store_url=url, gateway=False,
                                                                    name="bench") as stack:
        rows = []
        for phase, (label, urls) in enumerate((("1 replica", stack.rasa_urls[:1]), ("2 replicas", stack.rasa_urls))):
            load_before = os.getloadavg()[0]
            rate, lat, errors = asyncio.run(load(urls, stack.rasa_token, SECONDS, f"p{phase}"))
            rows.append((label, rate, lat, errors, load_before))
        print(f"\n{CONVERSATIONS} concurrent conversations, {SECONDS:.0f} s measured per phase (after 3 s warm-up)")
        print(f"{'':12} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'load avg':>9}")
        for label, rate, lat, errors, load_before in rows:
            print(f"{label:12} {rate:8.1f} {statistics.median(lat) if lat else float('nan'):8.0f} "
                  f"{pct(lat, 95):8.0f} {errors:7d} {load_before:9.1f}")
        if rows[0][1]:
            print(f"ratio 2/1 replicas: {rows[1][1] / rows[0][1]:.2f}x turns/s")
        stack.refresh_pids()
        for i in range(2):
            rasa, actions = rss_mb(stack.procs[f"rasa-{i}"].pid), rss_mb(stack.procs[f"actions-{i}"].pid)
            print(f"memory replica {i}: Rasa {rasa:.0f} MB + action server {actions:.0f} MB RSS")


if __name__ == "__main__":
    main()
