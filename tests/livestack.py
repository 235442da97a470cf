"""Start the real servers the way `make run` does (bot/serving.py under supervisor: action
server(s) and Rasa on loopback, Rasa's API behind a token, the SQL tracker store, the web
gateway, the retention job) on free ports: used by the test session, the serving tests and the
benchmarks.

`Stack.rasa_url` is a small loopback proxy *for test code* that adds the token to each call, so
tests that read trackers need not know it; Rasa itself (`Stack.rasa_direct_url`, the URL the
gateway uses) refuses every call without `Stack.rasa_token`.
"""
from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode, urlsplit, parse_qsl

import httpx

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


@dataclass
class Proc:
    name: str
    pid: int


@dataclass
class Stack:
    rasa_url: str  # the token-adding proxy for test code
    actions_url: str
    gateway_url: str
    procs: dict = None  # name -> Proc (pid), for memory figures and fault tests
    rasa_direct_url: str = ""
    rasa_token: str = ""
    run_dir: Path = None
    conf: Path = None
    data_dir: Path = None
    rasa_urls: list = field(default_factory=list)  # every replica, direct
    actions_urls: list = field(default_factory=list)

    def ctl(self, *args: str) -> str:
        """supervisorctl on this stack (e.g. `status`, `pid rasa-0`)."""
        return subprocess.run([str(Path(sys.executable).parent / "supervisorctl"), "-c", str(self.conf), *args],
                              capture_output=True, text=True, timeout=30).stdout

    def pid(self, name: str) -> int:
        out = self.ctl("pid", name).strip()
        return int(out) if out.isdigit() else 0

    def refresh_pids(self) -> None:
        for name in list(self.procs):
            self.procs[name] = Proc(name, self.pid(name))

    def logs(self) -> dict[str, str]:
        return {p.name: p.read_text(errors="replace") for p in sorted((self.run_dir / "logs").glob("*.log*"))}


def _free_port(count: int = 1) -> int:
    """A port p with p … p+count-1 free (replica i uses p + i)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + count > 65535:
            continue
        try:
            for p in range(port, port + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError("no free ports")


def _model_path() -> Path:
    if os.environ.get("RASA_MODEL"):  # developers: try a model trained from other data
        return Path(os.environ["RASA_MODEL"])
    digest = subprocess.run([str(ROOT / "scripts" / "model_hash.sh")], capture_output=True, text=True, check=True).stdout.strip()
    return ROOT / "models" / f"model-{digest}.tar.gz"


def wait_up(url: str, timeout: float, supervisor: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if supervisor is not None and supervisor.poll() is not None:
            raise RuntimeError(f"supervisor exited early; see {log}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url.split('?')[0]} did not come up in {timeout}s; see {log}")


class _TokenProxy:
    """Forwards to Rasa with `token=` added: the tests' key to Rasa, loopback only."""

    def __init__(self, target: str, token: str):
        target_parts = urlsplit(target)
        host, port = target_parts.hostname, target_parts.port

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                parts = urlsplit(self.path)
                query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
                path = parts.path + "?" + urlencode(query + [("token", token)])
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                conn = http.client.HTTPConnection(host, port, timeout=120)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                    conn.request(self.command, path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    self.send_response(resp.status)
                    for k, v in resp.getheaders():
                        if k.lower() not in ("content-length", "connection", "transfer-encoding", "keep-alive"):
                            self.send_header(k, v)
                except OSError:
                    data = b'{"error": "rasa unreachable"}'
                    self.send_response(502)
                finally:
                    conn.close()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def stop_supervisor(supervisor: subprocess.Popen, stack: Stack | None) -> None:
    """Stop supervisor and make sure every child is gone."""
    pids = []
    if stack is not None:
        try:
            stack.refresh_pids()
            pids = [p.pid for p in stack.procs.values() if p.pid]
        except (subprocess.SubprocessError, OSError):
            pass
    if supervisor.poll() is None:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=40)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait(timeout=10)
    for pid in pids:  # children supervisor could not stop
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@contextmanager
def running_stack(replicas: int = 1, tracker_store_url: str | None = None, gateway: bool = True,
                  name: str = "stack", extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    model = _model_path()
    if not model.exists():
        raise RuntimeError(f"no trained model for the current data ({model.name}): run `make model` (make test does it)")
    run_dir = ARTIFACTS / f"{name}-{os.getpid()}"
    for old in ARTIFACTS.glob(f"{name}-*"):  # earlier runs' files (logs, SQLite store), theirs only if stopped
        pid = old.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and Path(f"/proc/{pid}").exists()) or old == run_dir:
            shutil.rmtree(old, ignore_errors=True)
    run_dir.mkdir(parents=True)
    token = secrets.token_hex(24)
    ports = {"rasa": _free_port(replicas), "actions": _free_port(replicas), "gateway": _free_port()}
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               SQLALCHEMY_SILENCE_UBER_WARNING="1", RASA_TOKEN=token, RUN_DIR=str(run_dir),
               DATA_DIR=str(run_dir / "data"), RASA_PORT=str(ports["rasa"]), ACTIONS_PORT=str(ports["actions"]),
               GATEWAY_PORT=str(ports["gateway"]), GATEWAY_HOST="127.0.0.1", RASA_MODEL=str(model),
               ENV_FILE=str(run_dir / "no.env"))
    env.pop("TRACKER_STORE_URL", None)
    if tracker_store_url:
        env["TRACKER_STORE_URL"] = tracker_store_url
    env.update(extra_env or {})
    cmd = [sys.executable, "-m", "bot.serving", "run", "--replicas", str(replicas)] + ([] if gateway else ["--no-gateway"])
    out = run_dir / "serving.out"
    supervisor = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out.open("w"), stderr=subprocess.STDOUT,
                                  start_new_session=True)
    rasa_urls = [f"http://127.0.0.1:{ports['rasa'] + i}" for i in range(replicas)]
    actions_urls = [f"http://127.0.0.1:{ports['actions'] + i}" for i in range(replicas)]
    proxy = None
    stack = None
    try:
        for i, url in enumerate(actions_urls):
            wait_up(f"{url}/health", 120, supervisor, out)
        for i, url in enumerate(rasa_urls):
            wait_up(f"{url}/status?token={token}", 600, supervisor, run_dir / "logs" / f"rasa-{i}.log")
        gateway_url = f"http://127.0.0.1:{ports['gateway']}"
        if gateway:
            wait_up(f"{gateway_url}/docs", 60, supervisor, run_dir / "logs" / "gateway.log")
        for url in rasa_urls:  # the first parse loads the model's graph; do it before any timed or browser test
            httpx.post(f"{url}/model/parse", params={"token": token}, json={"text": "你好"}, timeout=60)
        proxy = _TokenProxy(rasa_urls[0], token)
        names = [f"{kind}-{i}" for i in range(replicas) for kind in ("actions", "rasa")] + (["gateway"] if gateway else [])
        stack = Stack(proxy.url, actions_urls[0], gateway_url, {n: Proc(n, 0) for n in names}, rasa_urls[0], token,
                      run_dir, run_dir / "supervisord.conf", run_dir / "data", rasa_urls, actions_urls)
        stack.refresh_pids()
        # in-process gateways of other tests reach this Rasa through `rasa_url` (the proxy): the
        # token is not put in this process's environment, where the scripted fake Rasas would get it
        yield stack
    finally:
        if proxy is not None:
            proxy.close()
        stop_supervisor(supervisor, stack)


PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def temp_postgres_db(prefix: str = "elder_care_test") -> Iterator[str]:
    """A fresh PostgreSQL database (dropped afterwards); yields its SQLAlchemy URL.
    Connects as PG_ADMIN_URL (default: user postgres on 127.0.0.1:5432, as on this machine)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    admin = make_url(PG_ADMIN_URL)
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"

    def connect():
        conn = psycopg2.connect(host=admin.host, port=admin.port or 5432, user=admin.username,
                                password=admin.password, dbname=admin.database or "postgres", connect_timeout=5)
        conn.autocommit = True
        return conn

    conn = connect()
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    try:
        yield str(admin.set(database=name))
    finally:
        conn = connect()
        with conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.close()
