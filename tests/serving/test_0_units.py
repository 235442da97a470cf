"""Pieces of the serving layer without processes: routing, log scrubbing, Rasa's message guard,
the supervisor config written for a run."""
from __future__ import annotations

import json
from collections import Counter

from bot.logfilters import scrub
from bot.rasa_server import MAX_TEXT_CHARS, message_refusal
from bot.replicas import ReplicaRing
from asyncrun import run as run_async

URLS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007"]


def test_each_sender_keeps_its_replica_and_load_is_spread():
    ring = ReplicaRing(URLS)
    senders = [f"web:{i}" for i in range(3000)]
    first = {s: ring.order(s)[0] for s in senders}
    assert first == {s: ReplicaRing(URLS).order(s)[0] for s in senders}  # stable across gateways
    shares = Counter(first.values())
    assert all(700 < n < 1300 for n in shares.values()), shares
    assert all(sorted(ring.order(s)) == sorted(URLS) for s in senders[:50])


def test_removing_a_replica_moves_only_its_own_senders():
    before = ReplicaRing(URLS)
    after = ReplicaRing(URLS[:2])
    for s in (f"wx:{i}" for i in range(2000)):
        if before.order(s)[0] != URLS[2]:
            assert after.order(s)[0] == before.order(s)[0]


def test_a_down_replica_is_skipped_then_probed_back():
    ring = ReplicaRing(URLS[:2], retry_after=0.0)
    sender = "kiosk:abc"
    home = ring.order(sender)[0]
    ring.retry_after = 60
    ring.mark_down(home)

    async def never_up(url):
        raise AssertionError("not probed before its wait is over")

    assert run_async(ring.candidates(sender, never_up)) == [u for u in ring.order(sender) if u != home]
    ring._down[home] = 0  # its wait is over

    async def up(url):
        return True

    assert run_async(ring.candidates(sender, up))[0] == home


def test_scrub_removes_text_ids_tokens_and_paths():
    line = ("Received user message '我妈八十三了' with intent inform for sender web:3f9a2c1d at "
            "/conversations/wx:oABC123/tracker?token=s3cret and \"吃低保\" 3f9a2c1d4e5f60718293a4b5")
    out = scrub(line)
    for secret in ("我妈", "八十三", "web:3f9a2c1d", "wx:oABC123", "s3cret", "吃低保", "3f9a2c1d4e5f60718293a4b5"):
        assert secret not in out
    assert "Received user message" in out


def test_rasa_guard_refuses_long_or_malformed_messages():
    ok = json.dumps({"sender": "web:1", "message": "我" * MAX_TEXT_CHARS}).encode()
    assert message_refusal(ok) is None
    status, reply = message_refusal(json.dumps({"sender": "web:1", "message": "我" * (MAX_TEXT_CHARS + 1)}).encode())
    assert status == 200 and "500" in reply
    for bad in (b"{not json", b"[1, 2]", json.dumps({"sender": "x" * 300, "message": "hi"}).encode(),
                json.dumps({"sender": "a", "message": {"text": "hi"}}).encode()):
        status, reply = message_refusal(bad)
        assert status == 400 and reply


def test_config_for_replicas_needs_a_shared_store_and_has_no_token(tmp_path, monkeypatch):
    import pytest
    from bot.serving import Layout, write_config
    from bot.settings import Settings

    monkeypatch.setenv("RASA_MODEL", str(tmp_path / "model.tar.gz"))
    with pytest.raises(SystemExit):
        write_config(Settings(), Layout(tmp_path, 2, 5005, 5055, 8000))
    settings = Settings(tracker_store_url="postgresql://u:pw@127.0.0.1:5432/db", rasa_token="tok-never-written")
    conf = write_config(settings, Layout(tmp_path, 2, 5005, 5055, 8000)).read_text()
    assert "[program:rasa-1]" in conf and "--port 5006" in conf and "RASA_URLS" in conf
    assert "tok-never-written" not in conf
    endpoints = (tmp_path / "endpoints-1.yml")
    assert oct(endpoints.stat().st_mode & 0o777) == "0o600"
    text = endpoints.read_text()
    assert "127.0.0.1:5056/webhook" in text and "redis" in text and "postgresql" in text


def test_the_lock_store_key_prefix_is_one_rasa_accepts():
    """Rasa takes only an alphanumeric key_prefix; any other it drops (a warning) for plain `lock:`."""
    from rasa.core.lock_store import RedisLockStore

    from bot.serving import lock_store_config

    config = lock_store_config("redis://127.0.0.1:6379/0")
    store = RedisLockStore(host=config["url"], port=config["port"], db=config["db"],
                           key_prefix=config["key_prefix"])  # connects only on a first command
    assert store.key_prefix == f"{config['key_prefix']}:lock:"
