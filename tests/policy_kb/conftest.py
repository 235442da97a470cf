"""Shared fixtures for the policy_kb tests."""

from __future__ import annotations

import pytest

from policy_kb import sources
from policy_kb.kb import load_kb

SETTINGS = (sources.ENV_URL, sources.ENV_LISTS, sources.ENV_OVERLAYS, sources.ENV_ALLOW_EXAMPLES)


@pytest.fixture(scope="session")
def kb():
    return load_kb()


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch):
    """Every test starts from the default settings (no overlay, no database, the shipped lists)."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    sources.reset()
    yield
    sources.reset()
