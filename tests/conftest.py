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
