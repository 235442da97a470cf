"""Shared bits of the kiosk tests (a module name of its own: other test folders have a conftest too)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "czyl-screenshots")
SIZES = {"portrait": {"width": 1080, "height": 1920}, "landscape": {"width": 1920, "height": 1080}}


def screenshot(page, name: str) -> Path:
    """<SCREENSHOT_DIR>/<name>.png (make screenshots copies those listed in screenshots.txt)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1, 1)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
