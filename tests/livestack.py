"""Start the real servers (action server, Rasa on the trained model, web gateway) on free ports:
used by the test session and by the benchmark."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from contextlib import contextmanager
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


@dataclass
class Stack:
    rasa_url: str
    actions_url: str
    gateway_url: str
    procs: dict = None  # name -> Popen, for memory figures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _model_path() -> Path:
    if os.environ.get("RASA_MODEL"):  # developers: try a model trained from other data
        return Path(os.environ["RASA_MODEL"])
    digest = subprocess.run([str(ROOT / "scripts" / "model_hash.sh")], capture_output=True, text=True, check=True).stdout.strip()
    return ROOT / "models" / f"model-{digest}.tar.gz"


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited early; see {log}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout}s; see {log}")


@contextmanager
def running_stack() -> Iterator[Stack]:
    model = _model_path()
    if not model.exists():
        raise RuntimeError(f"no trained model for the current data ({model.name}): run `make model` (make test does it)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ports = {name: _free_port() for name in ("actions", "rasa", "gateway")}
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               RASA_URL=f"http://127.0.0.1:{ports['rasa']}")
    endpoints = ARTIFACTS / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{ports["actions"]}/webhook"\n')
    bin_dir = Path(sys.executable).parent
    commands = {
        "actions": [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(ports["actions"])],
        "rasa": [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "--model", str(model), "--port", str(ports["rasa"]),
                 "--endpoints", str(endpoints)],
        "gateway": [str(bin_dir / "uvicorn"), "bot.app:app", "--host", "127.0.0.1", "--port", str(ports["gateway"])],
    }
    procs = {}
    try:
        for name, cmd in commands.items():
            log = ARTIFACTS / f"{name}.log"
            procs[name] = (subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT), log)
        _wait(f"http://127.0.0.1:{ports['actions']}/health", *procs["actions"], timeout=60)
        _wait(f"http://127.0.0.1:{ports['rasa']}/status", *procs["rasa"], timeout=600)
        _wait(f"http://127.0.0.1:{ports['gateway']}/docs", *procs["gateway"], timeout=60)
        # the first parse loads the model's graph; do it before any timed or browser test
        httpx.post(f"http://127.0.0.1:{ports['rasa']}/model/parse", json={"text": "你好"}, timeout=60)
        yield Stack(f"http://127.0.0.1:{ports['rasa']}", f"http://127.0.0.1:{ports['actions']}",
                    f"http://127.0.0.1:{ports['gateway']}", {n: p for n, (p, _) in procs.items()})
    finally:
        for proc, _ in procs.values():
            proc.terminate()
        for proc, _ in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
