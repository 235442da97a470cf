"""Test-wide values for the channel tests."""
from __future__ import annotations

from bot.settings import Settings

from .wechat_sim import new_aes_key

TOKEN = "czyl_test_token"
APPID = "wx0123456789abcdef"
SECRET = "test-app-secret"
AES_KEY = new_aes_key()


def gateway_settings(rasa_url: str, **overrides) -> Settings:
    values = dict(wechat_token=TOKEN, wechat_appid=APPID, wechat_secret=SECRET, rasa_url=rasa_url)
    values.update(overrides)
    return Settings(**values)
