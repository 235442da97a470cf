"""Shared bits of the console and kiosk tests."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

OPERATOR_TOKEN = "test-operator-token-0123456789"  # at least 24 characters, or the console stays off
DATA_DIR = Path(tempfile.mkdtemp(prefix="czyl-console-test-"))  # the gateway's secret and TTS cache
TTS_CACHE = DATA_DIR / "tts"
UNLIMITED = {"rate_ip_per_minute": 1e6, "rate_sender_per_minute": 1e6, "operator_max_failures": 10_000}  # tests send fast


def console_settings(rasa_url: str, **overrides):
    from bot.settings import Settings

    values = dict(rasa_url=rasa_url, operator_token=OPERATOR_TOKEN, data_dir=str(DATA_DIR), **UNLIMITED)
    values.update(overrides)
    return Settings(**values)


def app_for(rasa_url: str, **overrides):
    """The whole gateway (bot.app.create_app) with the console's test settings."""
    from bot.app import create_app
    from bot.core import ConversationCore

    # token None: RASA_TOKEN from the environment, as before; the fake Rasa's door gives its own
    return create_app(console_settings(rasa_url, **overrides),
                      ConversationCore(rasa_url=rasa_url, token=overrides.get("rasa_token")))


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(pg, name: str) -> None:
    """Refresh docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.mouse.move(1, 899)  # no hover highlight in the picture
        pg.evaluate("window.scrollTo(0, 0); document.querySelector('main') && document.querySelector('main').scrollTo(0, 0)")
        pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
