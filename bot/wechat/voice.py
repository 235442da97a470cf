"""Voice messages without WeChat's `Recognition`: fetch, convert, recognise.

WeChat is removing the `Recognition` field. When it is empty or absent, the voice (its MediaId)
is fetched through the temporary-media API, converted to 16 kHz mono 16-bit WAV by ffmpeg (sox
when ffmpeg is missing) and handed to the pluggable recogniser the kiosk uses
(`bot.kiosk.speech.recognize`, settings SPEECH_RECOGNIZER / SPEECH_RECOGNIZER_MODULE). Its text
then goes to the conversation as if typed.

Limits: at most MAX_VOICE_BYTES fetched, CONVERT_SECONDS for a conversion, MAX_SECONDS of audio
kept, CONVERSIONS at a time. The recording lives only in memory and in a private temporary
folder that is removed whatever happens; neither the text nor the openid is ever logged.
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.kiosk import speech
from bot.settings import Settings
from bot.wechat.client import CustomerServiceClient, MediaTooLarge, WeChatAPIError

log = logging.getLogger(__name__)

MAX_VOICE_BYTES = 1_000_000  # a 60 s WeChat voice (AMR) is about 100 KB
MAX_SECONDS = 60  # WeChat voice messages are at most 60 s; longer audio is cut there
CONVERT_SECONDS = 10.0  # a conversion that takes longer is stopped
CONVERSIONS = 2  # ffmpeg processes at a time (the gateway shares its cores with Rasa)
SAMPLE_RATE = 16000
TEMP_PREFIX = "czyl-wxvoice-"


class VoiceNotConfigured(RuntimeError):
    """No recogniser (or no media API credentials): the user is asked kindly to type or tap."""


class VoiceNotHeard(RuntimeError):
    """Fetching, converting or recognising failed: the user is asked to say it again or type."""


def _ffmpeg() -> str | None:
    return shutil.which("ffmpeg")


def _sox() -> str | None:
    return shutil.which("sox")


def _command(source: Path, target: Path, fmt: str) -> list[str] | None:
    ffmpeg = _ffmpeg()
    if ffmpeg:
        return [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
                "-t", str(MAX_SECONDS), "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le",
                "-f", "wav", str(target)]
    sox = _sox()
    if sox and fmt == "amr":  # Debian's sox reads AMR-NB through libopencore-amrnb (type amr-nb)
        return [sox, "-q", "-t", "amr-nb", str(source), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
                "-e", "signed-integer", "-t", "wav", str(target), "trim", "0", str(MAX_SECONDS)]
    return None


def to_wav(audio: bytes, fmt: str = "amr", timeout: float = CONVERT_SECONDS) -> bytes:
    """Any voice WeChat sends (AMR; speex decodes too when ffmpeg can) → 16 kHz mono 16-bit WAV.

    Blocking (run it in a worker thread). VoiceNotHeard when it cannot be converted in time.
    """
    fmt = fmt if fmt in ("amr", "speex") else "amr"
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder:
        source, target = Path(folder) / f"in.{fmt}", Path(folder) / "out.wav"
        source.write_bytes(audio)
        command = _command(source, target, fmt)
        if command is None:
            log.error("wechat voice: neither ffmpeg nor sox (with AMR) is installed")
            raise VoiceNotHeard("no converter")
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:  # subprocess.run has killed it
            log.warning("wechat voice: conversion took longer than %.0f s", timeout)
            raise VoiceNotHeard("conversion timeout") from None
        if done.returncode != 0 or not target.exists():
            log.warning("wechat voice: conversion failed (exit %s)", done.returncode)
            raise VoiceNotHeard("conversion failed")
        wav = target.read_bytes()
    if len(wav) <= 44 or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise VoiceNotHeard("no audio")
    return wav


class VoiceListener:
    """One voice message (its MediaId and Format) → the words said, or a VoiceNot… exception."""

    def __init__(self, settings: Settings, media: CustomerServiceClient | None):
        self.settings, self.media = settings, media
        self._slots = asyncio.Semaphore(CONVERSIONS)

    def configured(self) -> bool:
        """A recogniser is set up and the media API can be reached (WECHAT_APPID/SECRET)."""
        s = self.settings
        return self.media is not None and speech.active(s.speech_recognizer, s.speech_recognizer_module) is not None

    async def hear(self, media_id: str, fmt: str = "amr") -> str:
        if not self.configured():
            raise VoiceNotConfigured("no recogniser or no media API")
        try:
            audio, _ = await self.media.download_media(media_id, MAX_VOICE_BYTES)
        except MediaTooLarge:
            log.warning("wechat voice: file over %d bytes refused", MAX_VOICE_BYTES)
            raise VoiceNotHeard("too large") from None
        except (WeChatAPIError, OSError, ValueError) as exc:
            log.warning("wechat voice: download failed: %s", type(exc).__name__)
            raise VoiceNotHeard("download failed") from None
        except Exception as exc:  # noqa: BLE001 — httpx errors and the like: kind answer, no trace
            log.warning("wechat voice: download failed: %s", type(exc).__name__)
            raise VoiceNotHeard("download failed") from None
        async with self._slots:
            wav = await asyncio.to_thread(to_wav, audio, (fmt or "amr").strip().lower())
        del audio
        s = self.settings
        try:
            heard = await asyncio.to_thread(speech.recognize, wav, "audio/wav", s.speech_recognizer,
                                            s.speech_recognizer_module)
        except speech.RecognitionError:
            raise VoiceNotHeard("not recognised") from None
        return heard.text
