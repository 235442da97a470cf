"""Test-wide values for the channel tests."""
from __future__ import annotations

import tempfile

from bot.settings import Settings

from .wechat_sim import new_aes_key

TOKEN = "czyl_test_token"
APPID = "wx0123456789abcdef"
SECRET = "test-app-secret"
AES_KEY = new_aes_key()
DATA_DIR = tempfile.mkdtemp(prefix="czyl-gateway-test-")  # the gateway's secret and TTS cache


def gateway_settings(rasa_url: str, **overrides) -> Settings:
    values = dict(wechat_token=TOKEN, wechat_appid=APPID, wechat_secret=SECRET, rasa_url=rasa_url, data_dir=DATA_DIR,
                  rate_ip_per_minute=1e6, rate_sender_per_minute=1e6)  # tests send fast; tests/security checks the limits
    values.update(overrides)
    return Settings(**values)
