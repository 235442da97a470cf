"""Offline text-to-speech with espeak-ng (Mandarin voice ``cmn-latn-pinyin``).

``GET /api/tts?text=...`` answers ``audio/wav``. The text is first made
voice-friendly (bot.voice_text), bounded in length, and handed to espeak-ng on
stdin with an argument list (no shell). Results are cached on disk by a hash of
voice, speed and text. When espeak-ng is missing the endpoint answers 503 and the
kiosk falls back to the browser's own speech synthesis.

Environment: TTS_VOICE (default cmn-latn-pinyin), TTS_SPEED (words/min, default 140),
TTS_CACHE_DIR (default <tmp>/changzhi-tts), ESPEAK_NG (path to the binary).
"""
from __future__ import annotations

import asyncio
import audioop
import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import wave
from pathlib import Path

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, JSONResponse

from bot.voice_text import to_voice

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 1000  # what a caller may send
MAX_VOICE_CHARS = 600  # what espeak-ng is asked to say
MAX_CACHE_FILES = 400
TIMEOUT_S = 20.0
_SLOTS = threading.BoundedSemaphore(2)  # at most two espeak-ng processes at once


class TTSUnavailable(RuntimeError):
    """espeak-ng is missing or failed."""


def voice() -> str:
    return os.environ.get("TTS_VOICE", "cmn-latn-pinyin")


def speed() -> int:
    try:
        return max(80, min(300, int(os.environ.get("TTS_SPEED", "140"))))
    except ValueError:
        return 140


def espeak_binary() -> str | None:
    return shutil.which(os.environ.get("ESPEAK_NG") or "espeak-ng")


def cache_dir() -> Path:
    path = Path(os.environ.get("TTS_CACHE_DIR") or Path(tempfile.gettempdir()) / "changzhi-tts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def audio_stats(data: bytes) -> tuple[float, float]:
    """(duration in seconds, RMS as a fraction of full scale) of a PCM wav."""
    with wave.open(io.BytesIO(data)) as w:
        frames = w.readframes(w.getnframes())
        width, rate = w.getsampwidth(), w.getframerate()
        duration = w.getnframes() / float(rate) if rate else 0.0
    if not frames:
        return duration, 0.0
    return duration, audioop.rms(frames, width) / float(1 << (8 * width - 1))


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    for old in files[: max(0, len(files) - MAX_CACHE_FILES)]:
        old.unlink(missing_ok=True)


def _run_espeak(binary: str, text: str, out: str) -> None:
    """Run espeak-ng with an argument list, text on stdin; raise TTSUnavailable unless a real wav came out."""
    with _SLOTS:
        try:
            proc = subprocess.run(
                [binary, "-v", voice(), "-s", str(speed()), "-b", "1", "-w", out, "--stdin"],
                input=text.encode("utf-8"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=TIMEOUT_S, check=False,
            )
            duration = audio_stats(Path(out).read_bytes())[0]
        except (OSError, subprocess.TimeoutExpired, wave.Error, EOFError) as exc:
            raise TTSUnavailable(type(exc).__name__) from exc
    if proc.returncode != 0 or duration <= 0:
        raise TTSUnavailable(f"espeak-ng failed ({proc.returncode})")


async def synthesize(text: str) -> Path:
    """The cached wav for ``text`` (already voice-friendly), made on demand."""
    binary = espeak_binary()
    if not binary:
        raise TTSUnavailable("espeak-ng not installed")
    key = hashlib.sha256(f"{voice()}|{speed()}|{text}".encode("utf-8")).hexdigest()[:32]
    folder = cache_dir()
    final = folder / f"{key}.wav"
    if final.exists():
        os.utime(final)
        return final
    fd, tmp = tempfile.mkstemp(suffix=".part", dir=folder)
    os.close(fd)
    try:
        await asyncio.to_thread(_run_espeak, binary, text, tmp)
        os.replace(tmp, final)
    finally:
        Path(tmp).unlink(missing_ok=True)
    _prune(folder)
    return final


router = APIRouter()


@router.get("/api/tts", response_class=FileResponse, tags=["kiosk"],
            responses={200: {"content": {"audio/wav": {}}}, 422: {}, 503: {}})
async def tts(text: str = Query(..., max_length=MAX_INPUT_CHARS, description="要朗读的文字")):
    """Speak ``text`` (made voice-friendly first) as a wav file."""
    spoken = to_voice(text)[:MAX_VOICE_CHARS]
    if not spoken:
        return JSONResponse({"detail": "没有可朗读的文字"}, status_code=422)
    try:
        path = await synthesize(spoken)
    except TTSUnavailable as exc:
        log.warning("tts unavailable: %s", exc)  # never the text: it may hold personal details
        return JSONResponse({"detail": "语音合成暂不可用，请使用浏览器朗读", "fallback": "browser"}, status_code=503)
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"})
