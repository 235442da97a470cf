"""The take-home page needs only the gateway: no Rasa (its URL here goes nowhere), no conversation.

`client` is the gateway app in-process (FastAPI TestClient); `gateway` the same app served by
uvicorn (tests/channels/servers.py) for the browser; `browser` Debian's Chromium through Playwright.
Screenshots go to SCREENSHOT_DIR or a temporary folder (`make screenshots` copies them).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from channels.servers import AppServer
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
NO_RASA = "http://127.0.0.1:9"  # discard port: nothing answers; the page must not need it
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "czyl-screenshots")
SHOT_NAMES = ("takehome-phone.png", "takehome-print.png")  # what `make screenshots` copies


def settings(data_dir: str) -> Settings:
    return Settings(rasa_url=NO_RASA, data_dir=data_dir, rate_ip_per_minute=1e6, rate_sender_per_minute=1e6)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path


@pytest.fixture
def client(data_dir):
    with TestClient(create_app(settings(str(data_dir)))) as c:
        yield c


@pytest.fixture(scope="module")
def gateway():
    server = AppServer(create_app(settings(tempfile.mkdtemp(prefix="czyl-takehome-")))).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium. Missing: skipped locally, a failure under CI (as tests/channels)."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright (python) is not installed"
    if reason is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
