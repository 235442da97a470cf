"""Whole screenings over the REST channel: turn latency, throughput and latency under load.

    make bench        (starts its own servers on free ports; prints figures, asserts nothing)

A screening = a typed first message with several facts, then quick-reply taps until the result.
"""
from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from livestack import ROOT, running_stack  # noqa: E402

FIRST = ["俺娘八十三了，吃低保，瘫在床上好几年了", "我爸今年七十六，一个人住", "我妈九十一岁，五保户",
         "我今年六十八了，身体还行", "帮我婆婆查查，她八十五了，低保边缘", "俺爹一九四四年生的，有残疾证二级"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def screening(client: httpx.AsyncClient, url: str, latencies: list[float], think: float = 0.0,
                    rng: random.Random | None = None, deadline: float = float("inf")) -> int:
    rng = rng or random.Random()
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    text, turns = rng.choice(FIRST), 0
    for _ in range(14):
        if time.perf_counter() > deadline:
            break
        t0 = time.perf_counter()
        r = await client.post(url, json={"sender": sender, "message": text})
        latencies.append((time.perf_counter() - t0) * 1000)
        turns += 1
        msgs = r.json()
        if any((m.get("custom") or {}).get("type") == "result" for m in msgs):
            break
        buttons = [b for m in msgs for b in m.get("buttons") or [] if b["payload"] != "/dont_know"]
        text = buttons[0]["payload"] if buttons else "不知道"
        if think:
            await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, deadline - time.perf_counter())))
    return turns


async def alone(url: str, n: int) -> list[float]:
    lat: list[float] = []
    async with httpx.AsyncClient(timeout=30) as c:
        for i in range(n):
            await screening(c, url, lat, rng=random.Random(i))
    return lat


async def back_to_back(url: str, users: int, seconds: float) -> tuple[float, list[float]]:
    lat: list[float] = []
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=users)

    async def user(i: int) -> int:
        turns, rng = 0, random.Random(1000 + i)
        async with httpx.AsyncClient(timeout=60, limits=limits) as c:
            while time.perf_counter() < stop:
                turns += await screening(c, url, lat, rng=rng, deadline=stop)
        return turns

    t0 = time.perf_counter()
    total = sum(await asyncio.gather(*(user(i) for i in range(users))))
    return total / (time.perf_counter() - t0), lat


async def open_load(url: str, rate: float, conversations: int, seconds: float) -> tuple[float, list[float]]:
    """About `rate` turns/s overall, spread over `conversations` users with exponential think time."""
    lat: list[float] = []
    think = conversations / rate  # each user sends one turn per `think` seconds on average
    stop = time.perf_counter() + seconds

    async def user(i: int) -> None:
        rng = random.Random(5000 + i)
        await asyncio.sleep(rng.uniform(0, think))
        async with httpx.AsyncClient(timeout=60) as c:
            while time.perf_counter() < stop:
                await screening(c, url, lat, think=think, rng=rng, deadline=stop)

    t0 = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(user(i) for i in range(conversations)), return_exceptions=True), seconds + 120)
    return len(lat) / (time.perf_counter() - t0), lat


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def main() -> None:
    with running_stack() as stack:
        # Rasa itself, with its token, as the gateway calls it (not the tests' token-adding proxy,
        # whose two-part writes cost a delayed ACK per turn)
        url = f"{stack.rasa_direct_url}/webhooks/rest/webhook?token={stack.rasa_token}"
        asyncio.run(alone(url, 3))  # warm-up
        lat = asyncio.run(alone(url, 20))
        print(f"one conversation at a time: {len(lat)} turns, p50 {statistics.median(lat):.0f} ms, p95 {pct(lat, 95):.0f} ms")
        tput, lat = asyncio.run(back_to_back(url, 20, 30))
        print(f"20 conversations back to back (30 s): {tput:.1f} turns/s, p50 {statistics.median(lat):.0f} ms, p95 {pct(lat, 95):.0f} ms")
        rate, lat = asyncio.run(open_load(url, 10, 100, 40))
        print(f"open load ~10 turns/s over 100 conversations (40 s): {rate:.1f} turns/s served, p50 {statistics.median(lat):.0f} ms, p95 {pct(lat, 95):.0f} ms")
        for name, proc in stack.procs.items():
            print(f"memory {name}: {rss_mb(proc.pid):.0f} MB RSS")
    secs = sorted(ROOT.glob("models/*.train-seconds"), key=lambda p: p.stat().st_mtime)
    if secs:
        print(f"training time (last model): {secs[-1].read_text().strip()} s")


if __name__ == "__main__":
    main()
