"""Offline text-to-speech with espeak-ng (Mandarin voice ``cmn-latn-pinyin``).

``GET /api/tts?text=...`` answers ``audio/wav``. The text (at most 300 characters) is first made
voice-friendly (bot.kiosk.voice_text) and handed to espeak-ng on stdin with an argument list (no
shell). Results are cached on disk under an HMAC of voice, speed and text keyed by the
gateway's secret, so file names tell nothing about what was said; the cache is bounded in
bytes (TTS_CACHE_BYTES) and in age (TTS_CACHE_MAX_AGE). Answers are ``Cache-Control: private``.
When espeak-ng is missing the endpoint answers 503 and the kiosk falls back to the browser's
own speech synthesis.

Settings: TTS_VOICE, TTS_SPEED, TTS_CACHE_DIR (default <DATA_DIR>/tts), TTS_CACHE_BYTES,
TTS_CACHE_MAX_AGE, ESPEAK_NG (path to the binary).
"""
from __future__ import annotations

import asyncio
import audioop
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from pathlib import Path

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, JSONResponse, Response

from bot.deps import get_secret, get_settings
from bot.errors import GatewayError
from bot.kiosk.voice_text import to_voice
from bot.sessions import Secret
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 300  # what a caller may send
MAX_VOICE_CHARS = 600  # what espeak-ng is asked to say (numbers spelled out grow the text)
TIMEOUT_S = 20.0
_SLOTS = threading.BoundedSemaphore(2)  # at most two espeak-ng processes at once
_PRUNE = threading.Lock()


class TTSUnavailable(RuntimeError):
    """espeak-ng is missing or failed."""


def espeak_binary(settings: Settings) -> str | None:
    return shutil.which(settings.espeak_ng or "espeak-ng")


def audio_stats(data: bytes) -> tuple[float, float]:
    """(duration in seconds, RMS as a fraction of full scale) of a PCM wav."""
    with wave.open(io.BytesIO(data)) as w:
        frames = w.readframes(w.getnframes())
        width, rate = w.getsampwidth(), w.getframerate()
        duration = w.getnframes() / float(rate) if rate else 0.0
    if not frames:
        return duration, 0.0
    return duration, audioop.rms(frames, width) / float(1 << (8 * width - 1))


def prune(folder: Path, max_bytes: int, max_age: float, keep: Path | None = None) -> None:
    """Drop cached sentences older than ``max_age`` seconds, then the oldest until under ``max_bytes``
    (``keep``, the one just made, is about to be sent: it goes next time)."""
    with _PRUNE:
        now = time.time()
        files = []
        for p in folder.glob("*.wav"):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            if now - st.st_mtime > max_age:
                p.unlink(missing_ok=True)
            else:
                files.append((st.st_mtime, st.st_size, p))
        files.sort()
        total = sum(size for _, size, _ in files)
        for _, size, p in files:
            if total <= max_bytes:
                break
            if p == keep:
                continue
            p.unlink(missing_ok=True)
            total -= size


def _run_espeak(binary: str, settings: Settings, text: str, out: str) -> None:
    """Run espeak-ng with an argument list, text on stdin; raise TTSUnavailable unless a real wav came out."""
    with _SLOTS:
        try:
            proc = subprocess.run(
                [binary, "-v", settings.tts_voice, "-s", str(settings.tts_speed), "-b", "1", "-w", out, "--stdin"],
                input=text.encode("utf-8"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=TIMEOUT_S, check=False,
            )
            duration = audio_stats(Path(out).read_bytes())[0]
        except (OSError, subprocess.TimeoutExpired, wave.Error, EOFError) as exc:
            raise TTSUnavailable(type(exc).__name__) from exc
    if proc.returncode != 0 or duration <= 0:
        raise TTSUnavailable(f"espeak-ng failed ({proc.returncode})")


async def synthesize(text: str, settings: Settings, secret: Secret) -> Path:
    """The cached wav for ``text`` (already voice-friendly), made on demand."""
    binary = espeak_binary(settings)
    if not binary:
        raise TTSUnavailable("espeak-ng not installed")
    key = secret.mac(f"tts|{settings.tts_voice}|{settings.tts_speed}|{text}")
    folder = settings.tts_cache_path
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = folder / f"{key}.wav"
    if final.exists() and time.time() - final.stat().st_mtime <= settings.tts_cache_max_age:
        return final
    fd, tmp = tempfile.mkstemp(suffix=".part", dir=folder)
    os.close(fd)
    try:
        await asyncio.to_thread(_run_espeak, binary, settings, text, tmp)
        os.replace(tmp, final)
    finally:
        Path(tmp).unlink(missing_ok=True)
    await asyncio.to_thread(prune, folder, settings.tts_cache_bytes, settings.tts_cache_max_age, final)
    return final


router = APIRouter()


@router.get("/api/tts", response_class=FileResponse, tags=["kiosk"],
            responses={200: {"content": {"audio/wav": {}}}, 422: {}, 503: {}})
async def tts(text: str = Query(..., description=f"要朗读的文字（最多 {MAX_INPUT_CHARS} 个字）"),
              settings: Settings = Depends(get_settings), secret: Secret = Depends(get_secret)):
    """Speak ``text`` (made voice-friendly first) as a wav file."""
    if len(text) > MAX_INPUT_CHARS:
        raise GatewayError(422, "text_too_long", f"要朗读的文字太长了，最多 {MAX_INPUT_CHARS} 个字。",
                           f"at most {MAX_INPUT_CHARS} characters")
    spoken = to_voice(text)[:MAX_VOICE_CHARS]
    if not spoken:
        return JSONResponse({"detail": "没有可朗读的文字"}, status_code=422)
    try:
        path = await synthesize(spoken, settings, secret)
    except TTSUnavailable as exc:
        log.warning("tts unavailable: %s", exc)  # never the text: it may hold personal details
        return JSONResponse({"detail": "语音合成暂不可用，请使用浏览器朗读", "fallback": "browser"}, status_code=503)
    try:
        audio = path.read_bytes()  # read now: the cache may drop the file before the response is sent
    except FileNotFoundError:
        return JSONResponse({"detail": "语音合成暂不可用，请使用浏览器朗读", "fallback": "browser"}, status_code=503)
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "private, max-age=3600"})
