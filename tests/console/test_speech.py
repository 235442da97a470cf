"""bot.kiosk.speech: the pluggable recogniser interface, tested with a fake recogniser."""
import httpx
import pytest

from bot.kiosk import speech


class FakeRecognizer:
    name = "fake"

    def __init__(self, text="我是低保户", fail=False):
        self.text, self.fail, self.calls = text, fail, []

    def transcribe(self, audio, content_type, language="zh-CN"):
        self.calls.append((len(audio), content_type, language))
        if self.fail:
            raise RuntimeError("model exploded")
        return speech.Transcript(self.text, 0.9)


@pytest.fixture
def fake_recognizer():
    rec = FakeRecognizer()
    speech.register("fake", lambda: rec)
    yield rec
    speech.unregister("fake")


@pytest.fixture
def gateway_url(start_gateway, fake_recognizer):
    """The gateway with SPEECH_RECOGNIZER=fake."""
    return start_gateway(speech_recognizer="fake")


def test_interface_and_registry(fake_recognizer):
    assert isinstance(fake_recognizer, speech.Recognizer)
    assert "fake" in speech.available()
    assert speech.active("fake") is fake_recognizer
    out = speech.recognize(b"RIFF....", "audio/webm", "fake")
    assert out == speech.Transcript("我是低保户", 0.9)
    assert fake_recognizer.calls == [(8, "audio/webm", "zh-CN")]


def test_no_recognizer_configured():
    assert speech.active(None) is None and speech.active("") is None
    with pytest.raises(speech.RecognitionError):
        speech.recognize(b"abc", "audio/webm", None)
    assert speech.active("not-registered") is None


def test_recognizer_failures_are_contained(fake_recognizer):
    with pytest.raises(speech.RecognitionError):
        speech.recognize(b"", "audio/webm", "fake")
    with pytest.raises(speech.RecognitionError):
        speech.recognize(b"x" * (speech.MAX_AUDIO_BYTES + 1), "audio/webm", "fake")
    fake_recognizer.fail = True
    with pytest.raises(speech.RecognitionError):
        speech.recognize(b"abc", "audio/webm", "fake")
    fake_recognizer.fail, fake_recognizer.text = False, "   "
    with pytest.raises(speech.RecognitionError):
        speech.recognize(b"abc", "audio/webm", "fake")


def test_kiosk_config_shows_microphone_only_with_recognizer(gateway_url, start_gateway):
    assert httpx.get(f"{gateway_url}/kiosk/api/config").json()["speech"] is True
    assert httpx.get(f"{start_gateway()}/kiosk/api/config").json()["speech"] is False


def test_listen_endpoint_sends_what_was_heard(gateway_url, fake_recognizer, fake_only):
    session = httpx.post(f"{gateway_url}/kiosk/api/session").json()
    sender = session["sender"]
    r = httpx.post(f"{gateway_url}/kiosk/api/listen", params={"sender": sender}, content=b"\x1aE\xdf\xa3fake-webm",
                   headers={"Content-Type": "audio/webm;codecs=opus"})
    assert r.status_code == 200, r.text
    assert r.json()["heard"] == "我是低保户"
    assert fake_only.received[sender][-1] == "我是低保户"
    assert fake_recognizer.calls[-1][1] == "audio/webm;codecs=opus"


def test_listen_failure_is_kind(gateway_url, fake_recognizer):
    sender = httpx.post(f"{gateway_url}/kiosk/api/session").json()["sender"]
    fake_recognizer.fail = True
    r = httpx.post(f"{gateway_url}/kiosk/api/listen", params={"sender": sender}, content=b"abc")
    assert r.status_code == 422 and "再说一遍" in r.json()["detail"]
    r = httpx.post(f"{gateway_url}/kiosk/api/listen", params={"sender": "op:123"}, content=b"abc")
    assert r.status_code == 404
    big = httpx.post(f"{gateway_url}/kiosk/api/listen", params={"sender": sender},
                     content=b"x" * (speech.MAX_AUDIO_BYTES + 1))
    assert big.status_code == 413 and "太多" in big.json()["detail"]
