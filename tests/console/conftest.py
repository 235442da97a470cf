"""Fixtures for the operator console and kiosk tests.

``rasa_url`` is the Rasa server the pages talk to: the fake Rasa of tests/fakes/rasa.py, which runs
the real dialogue behind Rasa's HTTP interface with no NLU (``rasa_url`` is its door for test code;
the gateways get its token-checking door and token, as a deployed gateway),
and the real stack from the session fixture ``live_stack`` (its ``rasa_url``; those tests carry the
``model`` mark: deselect with ``-m "not model"`` or CONSOLE_LIVE=0; CONSOLE_RASA_URL=http://…:5005
uses an already running Rasa instead). ``gateway_url`` is the gateway (bot.app.create_app) with
the test settings of console_support on that Rasa, served by uvicorn.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from console_support import app_for
from fake_rasa import FakeRasa  # tests/console is on sys.path (rootdir conftest, no __init__.py)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
# the live stack's tests carry the `model` mark (like tests/channels); CONSOLE_LIVE=0 leaves them out
BACKENDS = ["fake"] + ([pytest.param("live", marks=pytest.mark.model)] if os.environ.get("CONSOLE_LIVE") != "0" else [])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def fake_rasa():
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def rasa_url(request, fake_rasa) -> str:
    if request.param == "fake":
        return fake_rasa.url
    if os.environ.get("CONSOLE_RASA_URL"):  # any running Rasa, e.g. the one `make run` started
        return os.environ["CONSOLE_RASA_URL"].rstrip("/")
    live = request.getfixturevalue("live_stack")
    return getattr(live, "rasa_url", None) or live["rasa_url"]


class Served:
    """A gateway app served by uvicorn on a free 127.0.0.1 port, in a thread."""

    def __init__(self, app):
        port = free_port()
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


def rasa_for_gateway(rasa_url: str, fake_rasa: FakeRasa) -> tuple[str, dict[str, str]]:
    """(url, settings) to reach Rasa from a gateway: on the fake, its token-checking door and token."""
    if rasa_url == fake_rasa.url:
        return fake_rasa.direct_url, {"rasa_token": fake_rasa.token}
    return rasa_url, {}


@pytest.fixture(scope="session")
def gateway_url(rasa_url, fake_rasa):
    url, token = rasa_for_gateway(rasa_url, fake_rasa)
    served = Served(app_for(url, **token))
    yield served.url
    served.stop()


@pytest.fixture
def start_gateway(rasa_url, fake_rasa):
    """A gateway with other settings for one test: ``url = start_gateway(kiosk_idle_seconds=8)``."""
    started = []
    url, token = rasa_for_gateway(rasa_url, fake_rasa)

    def start(**overrides) -> str:
        started.append(Served(app_for(url, **{**token, **overrides})))
        return started[-1].url

    yield start
    for served in started:
        served.stop()


def _need(tool: str, path: str | None) -> None:
    if path:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{tool} is required under CI but missing")
    pytest.skip(f"{tool} not installed")


@pytest.fixture(scope="session")
def espeak():
    _need("espeak-ng", shutil.which("espeak-ng"))


@pytest.fixture(scope="module")
def browser():
    # module-scoped: Playwright's sync API allows one instance at a time, and tests/channels,
    # tests/kiosk and tests/takehome have their own (a session-long one here broke theirs)
    _need("chromium", CHROMIUM if Path(CHROMIUM).exists() else None)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, gateway_url):
    # bypass_csp: Playwright's waiting helpers evaluate strings, which the pages' CSP forbids
    # (test_pages_work_under_their_content_security_policy checks them with the CSP on)
    context = browser.new_context(base_url=gateway_url, viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                  bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write", "microphone"], origin=gateway_url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def fake_only(rasa_url, fake_rasa):
    """The fake Rasa, for tests that check what it received or change it; skipped on the live stack."""
    if rasa_url != fake_rasa.url:
        pytest.skip("needs the scripted fake Rasa")
    return fake_rasa
