"""Fixtures of the hand-off tests: the pausing fake Rasa, a gateway with hand-off open, the fake
WeChat API. The live stack's tests carry the `model` mark (tests/conftest.py)."""
from __future__ import annotations

import pytest
from handoff_support import PausingRasa, Served, app_for  # tests/handoff is on sys.path (no __init__.py)


@pytest.fixture(scope="session")
def pausing_rasa():
    fake = PausingRasa()
    yield fake
    fake.stop()


@pytest.fixture
def start_gateway(pausing_rasa):
    """``url = start_gateway(**settings)``: a served gateway on the pausing fake (or ``rasa_url=``)."""
    started = []

    def start(rasa_url: str | None = None, **overrides) -> Served:
        started.append(Served(app_for(rasa_url or pausing_rasa.url, **overrides)))
        return started[-1]

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def gateway(start_gateway) -> Served:
    return start_gateway()


@pytest.fixture
def wechat_api():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from channels.fake_wechat_api import FakeWeChatAPI

    api = FakeWeChatAPI("wxappid0123", "wxsecret0123").start()
    yield api
    api.stop()


@pytest.fixture(scope="module")  # one Playwright at a time: tests/console and tests/channels have theirs
def browser():
    import os
    from pathlib import Path

    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(chromium).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required under CI but missing")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                                               "--disable-background-networking", "--disable-sync"])
        yield b
        b.close()
