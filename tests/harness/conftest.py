"""The evidence tools' own tests: scripts/ importable, and a fake dialogue turn to drive them."""
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

FIXTURES = Path(__file__).parent / "fixtures"


def outcome(slots=None, *texts, buttons=None):
    msgs = [{"text": t, "buttons": []} for t in texts]
    if buttons and msgs:
        msgs[-1]["buttons"] = buttons
    return SimpleNamespace(messages=msgs, slots=dict(slots or {}))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
