"""Gateway security tests: real gateway processes (uvicorn) on the fake Rasa (tests/fakes/rasa.py: the
real dialogue behind Rasa's HTTP interface), reached through its token-checking door with RASA_TOKEN."""
from __future__ import annotations

import pytest
from channels.fake_rasa import FakeRasa

from .gateway_process import GatewayProcess


@pytest.fixture(scope="module")
def fake_rasa():
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture
def start_process(tmp_path, fake_rasa):
    """`gw = start_process(OPERATOR_TOKEN=...)`: a gateway process for one test."""
    started: list[GatewayProcess] = []

    def start(**env: str) -> GatewayProcess:
        env = {"RASA_TOKEN": fake_rasa.token, **env}
        started.append(GatewayProcess(tmp_path, fake_rasa.direct_url, **env).start())
        return started[-1]

    yield start
    for gw in started:
        gw.stop()
