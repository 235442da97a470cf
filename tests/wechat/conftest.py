"""WeChat tests against the real dialogue (DialogueRasa), the fake WeChat API and real AMR audio."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from channels.conftest import openid, start_gateway, wechat_api  # noqa: F401 — shared fixtures
from channels.support import TOKEN, gateway_settings
from channels.wechat_sim import WeChatSim

from bot.kiosk import speech

from . import recognizer
from .dialogue_rasa import DialogueRasa

PUBLIC = "https://yanglao.example.org"  # a test address; the setting is empty by default


@pytest.fixture(scope="session")
def dialogue_rasa():
    fake = DialogueRasa().start()
    yield fake
    fake.stop()


@pytest.fixture
def make_wx(start_gateway, dialogue_rasa, wechat_api):  # noqa: F811
    """`wx = make_wx(**settings)`: a gateway on the real dialogue and the fake WeChat API."""
    def make(**overrides) -> WeChatSim:
        settings = gateway_settings(dialogue_rasa.url, wechat_api_base=wechat_api.url, **overrides)
        return WeChatSim(start_gateway(settings), TOKEN)
    return make


@pytest.fixture
def test_recognizer():
    """The test recogniser, configured through the module setting (SPEECH_RECOGNIZER_MODULE)."""
    recognizer.install()
    yield recognizer.TestRecognizer
    speech.unregister(recognizer.NAME)


def _fail_or_skip(reason: str):
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def amr_voice(tmp_path_factory) -> bytes:
    """A real AMR-NB voice (espeak-ng says 我妈八十三了), made as the brief says when this ffmpeg can
    encode AMR (libopencore_amrnb), else with sox (Debian's sox writes AMR-NB via libopencore)."""
    espeak, ffmpeg, sox = shutil.which("espeak-ng"), shutil.which("ffmpeg"), shutil.which("sox")
    if not espeak:
        _fail_or_skip("espeak-ng is not installed (apt-get install espeak-ng)")
    folder: Path = tmp_path_factory.mktemp("amr")
    wav, amr = folder / "x.wav", folder / "x.amr"
    subprocess.run([espeak, "-v", "cmn-latn-pinyin", "-w", str(wav), "我妈八十三了"], check=True, timeout=30)
    if ffmpeg:
        subprocess.run([ffmpeg, "-nostdin", "-loglevel", "quiet", "-y", "-i", str(wav), "-ar", "8000", "-ac", "1",
                        "-c:a", "libopencore_amrnb", str(amr)], check=False, timeout=30)
    if (not amr.exists() or amr.stat().st_size == 0) and sox:
        subprocess.run([sox, str(wav), "-r", "8000", "-c", "1", "-t", "amr-nb", "-C", "7", str(amr)],
                       check=False, timeout=30)
    if not amr.exists() or amr.stat().st_size == 0:
        _fail_or_skip("neither ffmpeg (libopencore_amrnb) nor sox (amr-nb) can write AMR here")
    data = amr.read_bytes()
    assert data.startswith(b"#!AMR\n"), "not an AMR-NB file"
    return data
