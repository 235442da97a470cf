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
