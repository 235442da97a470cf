"""One public face, with real processes (the session's stack, started as `make run` starts it):
Rasa and the action server listen on loopback only, Rasa refuses calls without its token,
Rasa itself refuses long messages fast, forgotten conversations leave no rows, old ones expire."""
from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from serving_support import CJK, RasaChat, event_rows, new_sender
from asyncrun import run as run_async

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]


def listening_sockets(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket the process listens on (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            cols = line.split()
            local, state, inode = cols[1], cols[3], cols[9]
            if state != "0A" or inode not in inodes:  # 0A = LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            raw = bytes.fromhex(addr_hex)
            if family == socket.AF_INET:
                addr = socket.inet_ntop(family, raw[::-1])
            else:
                addr = socket.inet_ntop(family, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
            found.append((addr, int(port_hex, 16)))
    return found


def other_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback."""
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return [a for a in out if "." in a and not a.startswith("127.")]


def test_rasa_and_actions_listen_on_loopback_only(live_stack):
    for name in ("rasa-0", "actions-0"):
        sockets = listening_sockets(live_stack.procs[name].pid)
        assert sockets, f"{name} listens nowhere?"
        assert all(addr == "127.0.0.1" for addr, _ in sockets), (name, sockets)
    addresses = other_addresses()
    assert addresses, "this machine has no non-loopback address to try"
    for url in (live_stack.rasa_direct_url, live_stack.actions_url):
        port = int(url.rsplit(":", 1)[1])
        for addr in addresses:
            with socket.socket() as s:
                s.settimeout(2)
                assert s.connect_ex((addr, port)) != 0, f"{addr}:{port} accepts connections"


def test_rasa_refuses_calls_without_its_token(live_stack):
    rasa, token = live_stack.rasa_direct_url, live_stack.rasa_token
    sender = new_sender()
    calls = [("GET", "/status", None), ("GET", f"/conversations/{sender}/tracker", None),
             ("POST", f"/conversations/{sender}/tracker/events", {"event": "slot", "name": "age", "value": 200}),
             ("PUT", f"/conversations/{sender}/tracker/events", []),
             ("POST", "/webhooks/rest/webhook", {"sender": sender, "message": "我妈八十三了"}),
             ("DELETE", "/model", None), ("PUT", "/model", {"model_file": "/tmp/x.tar.gz"})]
    for method, path, body in calls:
        for params in ({}, {"token": "wrong" + token}):
            r = httpx.request(method, rasa + path, params=params, json=body, timeout=10)
            assert r.status_code == 401, (method, path, params, r.status_code)
    assert httpx.get(f"{rasa}/status", params={"token": token}, timeout=10).status_code == 200
    slots = httpx.get(f"{rasa}/conversations/{sender}/tracker", params={"token": token}, timeout=10).json()["slots"]
    assert slots.get("age") is None  # the refused event did not land
    # no wildcard CORS: an unknown origin gets no permission to read answers
    r = httpx.get(f"{rasa}/status", params={"token": token}, headers={"Origin": "https://evil.example"}, timeout=10)
    assert r.headers.get("access-control-allow-origin") in (None, "")


async def _turn_ms(client, url, token, sender, text) -> float:
    start = time.perf_counter()
    r = await client.post(f"{url}/webhooks/rest/webhook", params={"token": token},
                          json={"sender": sender, "message": text})
    assert r.status_code == 200 and r.json()
    return (time.perf_counter() - start) * 1000


def test_long_message_is_refused_fast_without_delaying_others(live_stack):
    url, token = live_stack.rasa_direct_url, live_stack.rasa_token
    long_text = "我妈八十三了吃低保，" * 10_000  # 100 000 characters
    assert len(long_text) == 100_000

    refused_senders = []

    async def refuse(client):
        refused_senders.append(new_sender())
        start = time.perf_counter()
        r = await client.post(f"{url}/webhooks/rest/webhook", params={"token": token},
                              json={"sender": refused_senders[-1], "message": long_text})
        return (time.perf_counter() - start) * 1000, r

    async def scenario():
        async with httpx.AsyncClient(timeout=60) as client:
            sender = new_sender()
            texts = ["你好", "八十三", "低保", "不能自理", "独居", "没有残疾证"]
            alone = [await _turn_ms(client, url, token, sender, t) for t in texts[:3]]
            idle = [await refuse(client) for _ in range(5)]  # Rasa otherwise idle

            async def flood():  # while the other conversation's turns run
                return [await refuse(client) for _ in range(10)]

            flood_task = asyncio.create_task(flood())
            together = [await _turn_ms(client, url, token, sender, t) for t in texts[3:]]
            return alone, together, idle, await flood_task

    alone, together, idle, flooded = run_async(scenario())
    for ms, r in idle + flooded:
        assert r.status_code == 200
        assert CJK.search(r.json()[0]["text"]) and "500" in r.json()[0]["text"]  # told why, in words
    assert event_rows(live_stack.data_dir / "rasa.db", refused_senders[0]) == 0  # nothing reached the dialogue
    assert statistics.median(ms for ms, _ in idle) < 50, [round(ms) for ms, _ in idle]
    # a turn of the other conversation is not delayed by more than 200 ms
    assert max(together) - statistics.median(alone) < 200, (alone, together)


def test_forget_deletes_the_stored_rows(live_stack):
    from bot.core import ConversationCore

    chat = RasaChat(live_stack.rasa_direct_url, live_stack.rasa_token)
    chat.say("我妈八十三了")
    db = live_stack.data_dir / "rasa.db"
    assert event_rows(db, chat.sender) > 0

    async def forget():
        core = ConversationCore(rasa_url=live_stack.rasa_direct_url, token=live_stack.rasa_token)
        try:
            await core.forget(chat.sender)
        finally:
            await core.aclose()

    run_async(forget())
    assert event_rows(db, chat.sender) == 0
    assert chat.slots().get("age") is None


def test_old_conversations_are_deleted_by_the_retention_job(live_stack):
    old, fresh = (RasaChat(live_stack.rasa_direct_url, live_stack.rasa_token) for _ in range(2))
    old.say("我爸九十岁")
    fresh.say("我妈八十三了")
    db = live_stack.data_dir / "rasa.db"
    with sqlite3.connect(db) as conn:  # make one conversation 31 days old
        conn.execute("update events set timestamp = timestamp - 31 * 86400 where sender_id = ?", (old.sender,))
    env = dict(os.environ, DATA_DIR=str(live_stack.data_dir), ENV_FILE=str(live_stack.run_dir / "no.env"),
               RETENTION_DAYS="30")
    env.pop("TRACKER_STORE_URL", None)
    run = subprocess.run([sys.executable, "-m", "bot.retention"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert event_rows(db, old.sender) == 0
    assert event_rows(db, fresh.sender) > 0
    assert "deleted" in run.stderr + run.stdout
