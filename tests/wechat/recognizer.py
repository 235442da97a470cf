"""A test recogniser, plugged in the way speech.py offers: SPEECH_RECOGNIZER=wechat-test and
SPEECH_RECOGNIZER_MODULE=wechat.recognizer (importing this module registers it).

It records what it was given and answers `TestRecognizer.text`; `delay` makes it slow,
`fail` makes it raise as a broken model would."""
from __future__ import annotations

import time

from bot.kiosk import speech

NAME = "wechat-test"
MODULE = __name__


class TestRecognizer:
    __test__ = False  # not a pytest test class
    name = NAME
    text = "我妈八十三了，吃低保"
    delay = 0.0
    fail = False
    calls: list[tuple[bytes, str, str]] = []

    def transcribe(self, audio: bytes, content_type: str, language: str = "zh-CN") -> speech.Transcript:
        type(self).calls.append((audio, content_type, language))
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the model fell over")
        return speech.Transcript(type(self).text, 0.8)


def install() -> None:
    TestRecognizer.text, TestRecognizer.delay, TestRecognizer.fail = "我妈八十三了，吃低保", 0.0, False
    TestRecognizer.calls = []
    speech.register(NAME, TestRecognizer)


install()
