"""GET /api/tts: real espeak-ng audio (duration and non-silence), cache, bounds, no shell."""
import hashlib
import time

import httpx
import pytest
from console_support import TTS_CACHE

from bot.kiosk import tts

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
    cached = list(TTS_CACHE.glob("*.wav"))
    assert cached and all(len(p.stem) == 32 for p in cached)
    assert a.headers["cache-control"].startswith("private")


def test_tts_rejects_empty_and_too_long(gateway_url):
    assert get(gateway_url, "🎉 ★").status_code == 422
    too_long = get(gateway_url, "长" * (tts.MAX_INPUT_CHARS + 1))
    assert tts.MAX_INPUT_CHARS == 300 and too_long.status_code == 422 and "300" in too_long.json()["detail"]
    assert httpx.get(f"{gateway_url}/api/tts").status_code == 422


def test_tts_no_shell_injection(gateway_url, espeak, tmp_path):
    marker = tmp_path / "pwned"
    for text in [f"$(touch {marker})", f"`touch {marker}`", f"; touch {marker}", f"-w {marker} 你好", "--help"]:
        r = get(gateway_url, text)
        assert r.status_code in (200, 422)
    assert not marker.exists()


def test_tts_unavailable_falls_back(start_gateway):
    r = get(start_gateway(espeak_ng="/nonexistent/espeak-ng"), "这一句还没有缓存过的话")
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


def test_tts_cache_names_tell_nothing_and_stay_bounded(start_gateway, espeak, tmp_path):
    """File names are an HMAC under the gateway's secret (not a plain hash of the text); the cache
    keeps at most TTS_CACHE_BYTES, and nothing older than TTS_CACHE_MAX_AGE."""
    cache = tmp_path / "tts"
    url = start_gateway(tts_cache_dir=str(cache), tts_cache_bytes=400_000, data_dir=str(tmp_path))
    texts = [f"老人今年{n}岁，住在潞州区。" for n in ("六十一", "七十二", "八十三", "九十四", "六十五", "七十六")]
    for text in texts:
        assert get(url, text).status_code == 200
    names = {p.stem for p in cache.glob("*.wav")}
    for text in texts:
        plain = hashlib.sha256(f"cmn-latn-pinyin|140|{text}".encode()).hexdigest()[:32]
        assert plain not in names
    sizes = sorted(p.stat().st_size for p in cache.glob("*.wav"))
    assert sum(sizes) <= 400_000 + sizes[-1]  # the bound, give or take the sentence just made
    assert len(names) < len(texts)  # the oldest went
    old = next(cache.glob("*.wav"))
    stamp = time.time() - 2 * 24 * 3600
    import os
    os.utime(old, (stamp, stamp))
    assert get(url, "请问老人生活能自理吗？").status_code == 200
    assert not old.exists()
