"""Pluggable speech recognition for the kiosk. No model ships with the project.

A recogniser turns a short recording (the bytes the browser's MediaRecorder made,
with its content type) into text, which the kiosk then sends to the conversation
core like a typed message. To add one (e.g. a local Vosk or FunASR model):

    from bot.kiosk import speech

    class MyRecognizer:
        name = "mine"
        def transcribe(self, audio: bytes, content_type: str, language: str = "zh-CN") -> speech.Transcript:
            ...
    speech.register("mine", MyRecognizer)

and start the gateway with ``SPEECH_RECOGNIZER=mine`` (and import your module, e.g. via
``SPEECH_RECOGNIZER_MODULE=my_package.my_module``); the kiosk passes these settings in. With no recogniser configured the
kiosk hides its microphone button and works by buttons alone.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

log = logging.getLogger(__name__)

MAX_AUDIO_BYTES = 2_000_000  # about a minute of opus; kiosk recordings are a few seconds


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float | None = None  # 0..1 when the recogniser knows


class RecognitionError(RuntimeError):
    """The recogniser could not understand or failed; the kiosk asks to try again or use buttons."""


@runtime_checkable
class Recognizer(Protocol):
    name: str

    def transcribe(self, audio: bytes, content_type: str, language: str = "zh-CN") -> Transcript:
        """Recognise one utterance. May block (it runs in a worker thread)."""
        ...


_REGISTRY: dict[str, Callable[[], Recognizer]] = {}
_INSTANCES: dict[str, Recognizer] = {}


def register(name: str, factory: Callable[[], Recognizer]) -> None:
    """Make a recogniser available under ``name`` (a class or any zero-argument factory)."""
    _REGISTRY[name] = factory
    _INSTANCES.pop(name, None)


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)
    _INSTANCES.pop(name, None)


def available() -> list[str]:
    return sorted(_REGISTRY)


def active(name: str | None, module: str | None = None) -> Recognizer | None:
    """The recogniser named ``name`` (setting SPEECH_RECOGNIZER), or None (kiosk without microphone)."""
    name, module = (name or "").strip(), (module or "").strip()
    if not name or name == "none":
        return None
    if name not in _REGISTRY and module:
        try:
            importlib.import_module(module)  # the module registers itself
        except ImportError:
            log.warning("speech recogniser module could not be imported")
    if name not in _REGISTRY:
        log.warning("speech recogniser %r is not registered", name[:40])
        return None
    if name not in _INSTANCES:
        _INSTANCES[name] = _REGISTRY[name]()
    return _INSTANCES[name]


def recognize(audio: bytes, content_type: str, name: str | None, module: str | None = None,
              language: str = "zh-CN") -> Transcript:
    """Run the recogniser ``name``; RecognitionError for anything that goes wrong."""
    rec = active(name, module)
    if rec is None:
        raise RecognitionError("no speech recogniser configured")
    if not audio or len(audio) > MAX_AUDIO_BYTES:
        raise RecognitionError("recording empty or too long")
    try:
        result = rec.transcribe(audio, content_type, language)
    except RecognitionError:
        raise
    except Exception as exc:  # a plug-in's own failure never reaches the visitor as a trace
        log.warning("speech recogniser %s failed: %s", rec.name, type(exc).__name__)
        raise RecognitionError("recogniser failed") from exc
    text = (result.text or "").strip()
    if not text:
        raise RecognitionError("nothing recognised")
    return Transcript(text=text[:200], confidence=result.confidence)
