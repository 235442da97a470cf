"""Fixtures for the kiosk tests: the real dialogue behind a stand-in Rasa (dialogue_rasa.py), the
whole gateway (bot.app.create_app) served by uvicorn, and a real headless Chromium at the kiosk's
two screen sizes. Screenshots go to a temporary folder (SCREENSHOT_DIR, default
<tmp>/czyl-screenshots); only `make screenshots` copies them into docs/."""
from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dialogue_rasa import DialogueRasa  # noqa: E402
from kiosk_support import SIZES  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]
DATA_DIR = Path(tempfile.mkdtemp(prefix="czyl-kiosk-test-"))
UNLIMITED = {"rate_ip_per_minute": 1e6, "rate_sender_per_minute": 1e6}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A gateway app served by uvicorn on a free 127.0.0.1 port, in a thread."""

    def __init__(self, app):
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started and time.time() < deadline:
            time.sleep(0.05)
        assert self.server.started, "gateway did not start"

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def make_app(rasa_url: str, **overrides):
    from bot.app import create_app
    from bot.core import ConversationCore
    from bot.settings import Settings

    settings = Settings(**{"rasa_url": rasa_url, "data_dir": str(DATA_DIR), **UNLIMITED, **overrides})
    return create_app(settings, ConversationCore(rasa_url=rasa_url))


@pytest.fixture(scope="session")
def dialogue_rasa():
    rasa = DialogueRasa().start()
    yield rasa
    rasa.stop()


@pytest.fixture(scope="session")
def kiosk_url(dialogue_rasa):
    served = Served(make_app(dialogue_rasa.url))
    yield served.url
    served.stop()


@pytest.fixture
def start_kiosk(dialogue_rasa):
    """A gateway with other settings for one test: ``url = start_kiosk(kiosk_print="on")``."""
    started = []

    def start(**overrides) -> str:
        started.append(Served(make_app(dialogue_rasa.url, **overrides)))
        return started[-1].url

    yield start
    for served in started:
        served.stop()


def _need(tool: str, found: bool) -> None:
    if found:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{tool} is required under CI but missing")
    pytest.skip(f"{tool} not installed")


@pytest.fixture(scope="session")
def espeak():
    _need("espeak-ng", bool(shutil.which("espeak-ng")))


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's sync API allows one instance at a time (tests/channels,
    tests/console and tests/takehome have their own)."""
    _need("chromium", Path(CHROMIUM).exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def open_kiosk(browser):
    """A fresh browser context at one of the kiosk's sizes: ``page = open_kiosk(url, "portrait")``."""
    contexts = []

    def open_(url: str, size: str = "portrait", init_script: str | None = None, csp: bool = False):
        # bypass_csp by default: Playwright's waiting helpers evaluate strings, which the page's CSP forbids
        ctx = browser.new_context(viewport=SIZES[size], locale="zh-CN", bypass_csp=not csp)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(20000)
        if init_script:
            page.add_init_script(init_script)
        page.goto(url + "/kiosk")
        return page

    yield open_
    for ctx in contexts:
        ctx.close()
