"""Shared fixtures for the policy_kb tests."""
from __future__ import annotations

import pytest

from policy_kb.kb import load_kb


@pytest.fixture(scope="session")
def kb():
    return load_kb()
