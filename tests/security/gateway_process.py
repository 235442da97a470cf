"""The gateway as a real process: `python -m uvicorn bot.app:app` on a free 127.0.0.1 port.

Settings come from the environment (as `make run` gives them); its log (access log included)
goes to a file the tests read afterwards.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class GatewayProcess:
    def __init__(self, tmp: Path, rasa_url: str, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"gateway-{self.port}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("OPERATOR_TOKEN", "WECHAT_TOKEN", "WECHAT_AES_KEY")},
            "ENV_FILE": str(tmp / "no.env"), "DATA_DIR": str(tmp / "data"), "RASA_URL": rasa_url,
            "PYTHONWARNINGS": "default", **env,
        }
        self.proc: subprocess.Popen | None = None

    def start(self) -> GatewayProcess:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bot.app:app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gateway exited:\n" + self.log())
            try:
                if httpx.get(f"{self.url}/api/services/8", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gateway did not start:\n" + self.log())

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()
