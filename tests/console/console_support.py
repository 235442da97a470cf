"""Shared bits of the console and kiosk tests."""
from __future__ import annotations

import os
from pathlib import Path

OPERATOR_TOKEN = "test-operator-token"


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(pg, name: str) -> None:
    """Refresh docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.mouse.move(1, 899)  # no hover highlight in the picture
        pg.evaluate("window.scrollTo(0, 0); document.querySelector('main') && document.querySelector('main').scrollTo(0, 0)")
        pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
