"""Channel tests run through real interfaces: HTTP to a gateway served by uvicorn, a real browser.

The conversation comes from `rasa_url`: by default the fake Rasa of tests/fakes/rasa.py, which runs
the real dialogue (the action server's code) behind Rasa's HTTP interface, with no NLU (typed text
reaches the dialogue with no intent). `rasa_url` is the door for test code (the token added, as
tests/livestack.py's proxy); the session gateways speak to the fake's token-checking door with its
token, as a deployed gateway speaks to Rasa. To test against the real stack, make `rasa_url`
return the live Rasa URL (one line, marked below); the tests that need to make the bot slow or
unavailable then skip themselves.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings

from .fake_rasa import FakeRasa
from .fake_wechat_api import FakeWeChatAPI
from .servers import AppServer
from .support import AES_KEY, APPID, SECRET, TOKEN, gateway_settings
from .wechat_sim import WeChatSim

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", REPO / "docs" / "screenshots"))


@pytest.fixture(scope="session")
def fake_rasa():
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def rasa_url(fake_rasa) -> str:
    return fake_rasa.url  # live: `return live_stack.rasa_url` (and request `live_stack` instead)


def rasa_for_gateway(rasa_url: str, fake_rasa: FakeRasa) -> tuple[str, dict[str, str]]:
    """(url, settings) to reach Rasa from a gateway: on the fake, its token-checking door and token."""
    if rasa_url == fake_rasa.url:
        return fake_rasa.direct_url, {"rasa_token": fake_rasa.token}
    return rasa_url, {}


@pytest.fixture
def scripted_rasa(fake_rasa, rasa_url) -> FakeRasa:
    """The fake Rasa, for tests that make it slow or unavailable; skipped against a live stack."""
    if rasa_url != fake_rasa.url:
        pytest.skip("needs the scripted fake Rasa")
    yield fake_rasa
    fake_rasa.reset()


@pytest.fixture(scope="session")
def wechat_api():
    api = FakeWeChatAPI(APPID, SECRET).start()
    yield api
    api.stop()


@pytest.fixture
def start_gateway():
    """Start a gateway with given settings for one test: `url = start_gateway(settings)`."""
    started: list[AppServer] = []

    def start(settings: Settings, app=None) -> str:
        server = AppServer(app or create_app(settings)).start()
        started.append(server)
        return server.url

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def gateway(rasa_url, fake_rasa, wechat_api) -> str:
    """The gateway with WeChat in plaintext mode and the customer-service API on the fake."""
    url, token = rasa_for_gateway(rasa_url, fake_rasa)
    settings = gateway_settings(url, wechat_api_base=wechat_api.url, **token)
    server = AppServer(create_app(settings)).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def safe_gateway(rasa_url, fake_rasa, wechat_api) -> str:
    """The gateway with WeChat in safe (AES) mode."""
    url, token = rasa_for_gateway(rasa_url, fake_rasa)
    settings = gateway_settings(url, wechat_aes_key=AES_KEY, wechat_api_base=wechat_api.url, **token)
    server = AppServer(create_app(settings)).start()
    yield server.url
    server.stop()


@pytest.fixture
def wx(gateway) -> WeChatSim:
    return WeChatSim(gateway, TOKEN)


@pytest.fixture
def wx_safe(safe_gateway) -> WeChatSim:
    return WeChatSim(safe_gateway, TOKEN, aes_key=AES_KEY, appid=APPID)


@pytest.fixture
def openid() -> str:
    return "o" + uuid.uuid4().hex[:27]  # openids are 28 characters


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright. Missing: skipped locally, a failure under CI.

    Module-scoped: Playwright's sync API allows one instance at a time, and tests/console has its own.
    """
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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
