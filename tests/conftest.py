"""Shared fixtures. `live_stack` starts the real servers once per test session:
action server, Rasa (REST channel + API) on the trained model, and the web gateway."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from livestack import Stack, running_stack  # noqa: E402


@pytest.fixture(scope="session")
def live_stack() -> Stack:
    try:
        with running_stack() as stack:
            yield stack
    except RuntimeError as exc:
        pytest.fail(str(exc))


# Markers applied by what a test uses, so that `make test-fast` (-m "not model and not browser and
# not server") keeps only the tests that need no trained model, browser or server.
MODEL_FIXTURES = frozenset({"live_stack"})
BROWSER_FIXTURES = frozenset({"browser", "page"})
SERVER_FIXTURES = frozenset({
    "live_stack", "fake_rasa", "rasa_url", "scripted_rasa", "wechat_api", "start_gateway", "gateway",
    "safe_gateway", "gateway_url", "wx", "wx_safe",
})


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        marks = {m.name for m in item.iter_markers()}
        if used & MODEL_FIXTURES or "model" in marks:
            item.add_marker(pytest.mark.model)
            item.add_marker(pytest.mark.server)
        if used & BROWSER_FIXTURES or "browser" in marks:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.server)
        if used & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
