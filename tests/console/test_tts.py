"""GET /api/tts: real espeak-ng audio (duration and non-silence), cache, bounds, no shell."""
import os
from pathlib import Path

import httpx
import pytest

from bot import tts

MIN_DURATION_S = 0.3
MIN_RMS = 0.01  # fraction of full scale; espeak-ng speech is around 0.1


def get(gateway_url, text, **kw):
    return httpx.get(f"{gateway_url}/api/tts", params={"text": text}, timeout=30, **kw)


def test_tts_returns_real_audio(gateway_url, espeak):
    r = get(gateway_url, "请问老人今年多大岁数？每月不低于70元。")
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/wav"
    duration, rms = tts.audio_stats(r.content)
    assert duration > MIN_DURATION_S
    assert rms > MIN_RMS


def test_tts_speaks_voice_text_and_caches(gateway_url, espeak):
    # digits and the words for them are the same speech once made voice-friendly
    a = get(gateway_url, "每月不低于70元")
    b = get(gateway_url, "每月不低于七十元")
    assert a.status_code == b.status_code == 200
    assert a.content == b.content
    cached = list(Path(os.environ["TTS_CACHE_DIR"]).glob("*.wav"))
    assert cached and all(len(p.stem) == 32 for p in cached)


def test_tts_rejects_empty_and_too_long(gateway_url):
    assert get(gateway_url, "🎉 ★").status_code == 422
    assert get(gateway_url, "长" * (tts.MAX_INPUT_CHARS + 1)).status_code == 422
    assert httpx.get(f"{gateway_url}/api/tts").status_code == 422


def test_tts_no_shell_injection(gateway_url, espeak, tmp_path):
    marker = tmp_path / "pwned"
    for text in [f"$(touch {marker})", f"`touch {marker}`", f"; touch {marker}", f"-w {marker} 你好", "--help"]:
        r = get(gateway_url, text)
        assert r.status_code in (200, 422)
    assert not marker.exists()


def test_tts_unavailable_falls_back(gateway_url, monkeypatch):
    monkeypatch.setenv("ESPEAK_NG", "/nonexistent/espeak-ng")
    r = get(gateway_url, "这一句还没有缓存过的话")
    assert r.status_code == 503
    assert r.json()["fallback"] == "browser"
    assert "Traceback" not in r.text


def test_audio_stats_silence(tmp_path):
    import wave
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\0\0" * 16000)
    duration, rms = tts.audio_stats(path.read_bytes())
    assert duration == pytest.approx(1.0) and rms == 0
