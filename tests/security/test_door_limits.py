"""Limits at the door, against a real gateway process (uvicorn): body size while streaming,
text length before Rasa, rate limits, CORS and framing."""
from __future__ import annotations

import select
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

TOO_MANY = "请求太频繁了，请稍等一会儿再试。"
FLOOD = """
import http.client, json, signal, sys
port, sender = int(sys.argv[1]), sys.argv[2]
body = json.dumps({"sender": sender, "message": "长" * 100_000}, ensure_ascii=False).encode()
count = 0
def done(*_):
    print(count, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("POST", "/api/chat", body, {"Content-Type": "application/json"})
        c.getresponse().read()
        c.close()
    except OSError:
        pass
    count += 1
"""
MB = 1024 * 1024


class RssSampler(threading.Thread):
    def __init__(self, gw):
        super().__init__(daemon=True)
        self.gw, self.peak, self.running = gw, gw.rss_kb(), True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, self.gw.rss_kb())
            except (OSError, RuntimeError):
                return
            time.sleep(0.01)

    def stop(self) -> int:
        self.running = False
        self.join(timeout=2)
        return self.peak


def upload(port: int, path: str, total: int, chunked: bool = True, chunk: int = 64 * 1024):
    """Send `total` bytes as fast as the gateway takes them; stop when it answers.
    Returns (seconds until the answer began, bytes sent, the answer's bytes)."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {total}\r\n\r\n"
    sock.sendall(head.encode())
    sock.setblocking(False)
    piece = b"x" * chunk
    frame = (f"{chunk:x}\r\n".encode() + piece + b"\r\n") if chunked else piece
    pending, sent, answer, answered_at = b"", 0, b"", None
    started = time.monotonic()
    try:
        while time.monotonic() - started < 20:
            if not pending and sent < total:
                pending, sent = frame, sent + chunk
            elif not pending and chunked and sent >= total:
                pending = b"0\r\n\r\n"
                sent += 1
            readable, writable, _ = select.select([sock], [sock] if pending else [], [], 0.5)
            if readable:
                data = sock.recv(65536)
                if data:
                    answered_at = answered_at or time.monotonic()
                    answer += data
                break
            if writable:
                try:
                    n = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    break
                pending = pending[n:]
        sock.setblocking(True)
        sock.settimeout(2)
        try:
            while b"\r\n\r\n" not in answer or len(answer) < answer.index(b"\r\n\r\n") + 40:
                data = sock.recv(65536)
                if not data:
                    break
                answered_at = answered_at or time.monotonic()
                answer += data
        except (TimeoutError, ConnectionResetError):
            pass
    finally:
        sock.close()
    return (answered_at or time.monotonic()) - started, sent, answer


@pytest.mark.parametrize("path", ["/api/chat", "/api/eligibility", "/wechat", "/kiosk/api/message"])
def test_a_40_mb_chunked_body_is_refused_at_once_with_flat_memory(start_process, path, record_property):
    gw = start_process()
    for _ in range(3):  # warm up: the first requests load what they need
        httpx.post(f"{gw.url}/api/chat/session", json={})
    time.sleep(0.3)
    before = gw.rss_kb()
    sampler = RssSampler(gw)
    sampler.start()
    elapsed, sent, answer = upload(gw.port, path, 40 * MB)
    time.sleep(0.3)
    peak = sampler.stop()
    growth_mb = (peak - before) / 1024
    record_property("refused_after_s", round(elapsed, 3))
    record_property("rss_growth_mb", round(growth_mb, 1))
    print(f"{path}: refused after {elapsed * 1000:.0f} ms, {sent / MB:.1f} MB sent, RSS {before / 1024:.0f} MB "
          f"→ peak {peak / 1024:.0f} MB (+{growth_mb:.1f} MB)")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert "太多".encode() in answer
    assert elapsed < 1.0 and sent < 8 * MB
    assert growth_mb < 30
    assert httpx.get(f"{gw.url}/api/services/8").status_code == 200  # still serving


def test_a_declared_40_mb_body_is_refused_before_it_is_read(start_process):
    gw = start_process()
    elapsed, sent, answer = upload(gw.port, "/api/chat", 40 * MB, chunked=False)
    assert answer.startswith(b"HTTP/1.1 413") and elapsed < 1.0 and sent < 8 * MB


def test_long_texts_are_refused_fast_and_do_not_delay_a_chat(start_process, fake_rasa):
    gw = start_process(RATE_IP_PER_MINUTE="1000000", RATE_SENDER_PER_MINUTE="1000000")
    sender = httpx.post(f"{gw.url}/api/chat/session", json={}).json()["sender"]
    other = httpx.post(f"{gw.url}/api/chat/session", json={}).json()["sender"]

    def turn(s: str, text: str) -> float:
        started = time.monotonic()
        assert httpx.post(f"{gw.url}/api/chat", json={"sender": s, "message": text}, timeout=10).status_code == 200
        return time.monotonic() - started

    turn(other, "/greet")
    baseline = min(turn(other, "你好") for _ in range(5))
    refusals = []
    with httpx.Client(timeout=10) as client:
        for text in ("长" * 100_000, "a" * 100_000, "长" * 20_000, "a" * 501):
            started = time.monotonic()
            resp = client.post(f"{gw.url}/api/chat", json={"sender": sender, "message": text})
            refusals.append(time.monotonic() - started)
            assert resp.status_code == 413 and resp.json()["message_zh"]
    assert fake_rasa.count(sender) == 0
    assert max(refusals) < 0.05, refusals

    # a chat turn while another process keeps sending 100 000-character messages
    flood = subprocess.Popen([sys.executable, "-c", FLOOD, str(gw.port), sender], stdout=subprocess.PIPE)
    try:
        time.sleep(0.5)
        during = [turn(other, "你好") for _ in range(5)]
    finally:
        flood.terminate()
        sent = int((flood.communicate(timeout=10)[0] or b"0").split()[-1] or 0)
    assert sent > 5  # the flood did run
    print(f"refusals {max(refusals) * 1000:.1f} ms; chat turn {baseline * 1000:.0f} ms alone, "
          f"{max(during) * 1000:.0f} ms under the flood")
    assert max(during) - baseline < 0.2, (baseline, during)


def test_rate_limit_per_client_address(start_process):
    gw = start_process(RATE_IP_PER_MINUTE="60")  # burst 15, then one a second
    with httpx.Client() as client:
        answers = [client.post(f"{gw.url}/api/chat/session", json={}) for _ in range(30)]
    codes = [a.status_code for a in answers]
    assert codes[:15] == [200] * 15 and codes.count(429) >= 14, codes
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["message_zh"] == TOO_MANY and int(refused.headers["retry-after"]) >= 1
    assert httpx.get(f"{gw.url}/api/services/8").status_code == 200  # reading pages is not counted


def test_rate_limit_per_conversation(start_process, fake_rasa):
    gw = start_process(RATE_IP_PER_MINUTE="100000", RATE_SENDER_PER_MINUTE="6")  # burst 20
    a, b = (httpx.post(f"{gw.url}/api/chat/session", json={}).json()["sender"] for _ in range(2))
    with httpx.Client() as client:
        codes = [client.post(f"{gw.url}/api/chat", json={"sender": a, "message": "你好"}).status_code for _ in range(24)]
        other = client.post(f"{gw.url}/api/chat", json={"sender": b, "message": "你好"})
    assert codes[:20] == [200] * 20 and set(codes[20:]) == {429}, codes
    assert other.status_code == 200  # another conversation is not held up
    assert fake_rasa.count(a) == 20


def test_cors_and_framing_follow_widget_origins(start_process):
    gw = start_process(WIDGET_ORIGINS="https://www.changzhi.example https://town.example")
    page = httpx.get(f"{gw.url}/")
    assert "frame-ancestors 'self' https://www.changzhi.example https://town.example" in page.headers["content-security-policy"]
    pre = httpx.options(f"{gw.url}/api/chat/session", headers={
        "Origin": "https://town.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "https://town.example"
    assert "access-control-allow-credentials" not in pre.headers
    sid = httpx.post(f"{gw.url}/api/chat/session", json={}, headers={"Origin": "https://town.example"})
    assert sid.headers["access-control-allow-origin"] == "https://town.example"
    evil = httpx.post(f"{gw.url}/api/chat/session", json={}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil.headers
    evil_pre = httpx.options(f"{gw.url}/api/chat", headers={"Origin": "https://evil.example",
                                                             "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in evil_pre.headers
    for path in ("/kiosk",):
        assert "frame-ancestors 'self'" in httpx.get(f"{gw.url}{path}").headers["content-security-policy"]
