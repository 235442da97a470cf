"""Voice messages without WeChat's `Recognition`: fetched from the (fake) media API, converted from
real AMR to 16 kHz mono WAV, recognised by the pluggable recogniser, answered as if typed."""
from __future__ import annotations

import glob
import logging
import os
import struct
import tempfile
import time
import uuid

import pytest

from bot.wechat import voice as V
from bot.wechat.catalogue import ASK_TO_TYPE, VOICE_NOT_AVAILABLE

from . import recognizer

SAID = "我妈八十三了，吃低保"


def content(wx, resp) -> str:
    fields = wx.reply(resp)
    assert fields is not None and fields["MsgType"] == "text", "expected a passive text reply"
    return fields["Content"]


def wav_format(wav: bytes) -> dict:
    """The RIFF/WAVE header's fmt chunk, read as a recogniser would."""
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    pos = 12
    while pos + 8 <= len(wav):
        chunk, size = wav[pos:pos + 4], struct.unpack("<I", wav[pos + 4:pos + 8])[0]
        if chunk == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", wav[pos + 8:pos + 24])
            return {"tag": tag, "channels": channels, "rate": rate, "bits": bits}
        pos += 8 + size + (size & 1)
    raise AssertionError("no fmt chunk")


def leftovers() -> list[str]:
    return glob.glob(os.path.join(tempfile.gettempdir(), V.TEMP_PREFIX + "*"))


@pytest.fixture
def media(wechat_api, amr_voice) -> str:
    """A fresh MediaId whose file on the fake WeChat API is the real AMR voice."""
    media_id = "wxvoice_" + uuid.uuid4().hex
    wechat_api.media[media_id] = (amr_voice, "audio/amr")
    return media_id


@pytest.fixture
def voice_wx(make_wx, test_recognizer):
    return make_wx(speech_recognizer=recognizer.NAME, speech_recognizer_module=recognizer.MODULE)


def test_voice_with_recognition_is_answered_as_text_and_nothing_is_fetched(voice_wx, openid, dialogue_rasa,
                                                                          wechat_api, test_recognizer):
    fetched = len(wechat_api.media_requests)
    reply = content(voice_wx, voice_wx.post(voice_wx.voice(openid, "老人今年八十三了")))
    assert "83周岁" in reply
    assert dialogue_rasa.count(f"wx:{openid}", "老人今年八十三了") == 1
    assert len(wechat_api.media_requests) == fetched and test_recognizer.calls == []


@pytest.mark.parametrize("recognition", [None, ""], ids=["field-absent", "field-empty"])
def test_voice_without_recognition_is_fetched_converted_recognised_and_answered(
        media, voice_wx, openid, dialogue_rasa, wechat_api, test_recognizer, recognition, caplog):
    caplog.set_level(logging.DEBUG)
    reply = content(voice_wx, voice_wx.post(voice_wx.voice(openid, recognition, media_id=media)))
    assert wechat_api.media_requests.count(media) == 1
    assert len(test_recognizer.calls) == 1
    wav, content_type, language = test_recognizer.calls[0]
    assert content_type == "audio/wav" and language == "zh-CN"
    assert wav_format(wav) == {"tag": 1, "channels": 1, "rate": 16000, "bits": 16}
    seconds = (len(wav) - 44) / (16000 * 2)
    assert 0.5 < seconds < 5  # espeak-ng's 我妈八十三了, about 1.5 s, really decoded
    assert dialogue_rasa.count(f"wx:{openid}", SAID) == 1  # the recognised text, as if typed
    assert "83周岁" in reply and "低保" in reply
    assert leftovers() == []  # the temporary folder is gone
    assert openid not in caplog.text and SAID not in caplog.text and media not in caplog.text


def test_without_a_recogniser_the_voice_is_not_fetched_and_the_reply_is_kind(media, make_wx, openid, dialogue_rasa,
                                                                            wechat_api):
    wx = make_wx(speech_recognizer=None)
    fetched = len(wechat_api.media_requests)
    assert content(wx, wx.post(wx.voice(openid, None, media_id=media))) == VOICE_NOT_AVAILABLE
    assert len(wechat_api.media_requests) == fetched
    assert dialogue_rasa.count(f"wx:{openid}") == 0


def test_without_media_credentials_the_reply_is_kind(media, make_wx, openid, dialogue_rasa, test_recognizer):
    wx = make_wx(wechat_appid=None, wechat_secret=None, speech_recognizer=recognizer.NAME,
                 speech_recognizer_module=recognizer.MODULE)
    assert content(wx, wx.post(wx.voice(openid, None, media_id=media))) == VOICE_NOT_AVAILABLE
    assert test_recognizer.calls == [] and dialogue_rasa.count(f"wx:{openid}") == 0


def test_recognised_words_pick_options_and_page_like_typed_ones(media, voice_wx, openid, dialogue_rasa,
                                                                test_recognizer):
    sender = f"wx:{openid}"
    content(voice_wx, voice_wx.post(voice_wx.text(openid, "我妈八十三了，吃低保，瘫在床上，一个人住")))
    test_recognizer.text = "一"  # option 1 of the question just asked (没有残疾证)
    content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id=media)))
    assert dialogue_rasa.count(sender, "一") == 0 and dialogue_rasa.slots[sender].get("disability_grade") == 0


def test_unknown_media_id_or_unusable_audio_asks_to_type(voice_wx, openid, dialogue_rasa, wechat_api,
                                                         test_recognizer):
    assert content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id="no_such_media"))) == ASK_TO_TYPE
    wechat_api.media["garbage"] = (b"this is not audio at all" * 10, "audio/amr")
    assert content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id="garbage"))) == ASK_TO_TYPE
    assert content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id="../../etc/x"))) == ASK_TO_TYPE
    assert test_recognizer.calls == [] and dialogue_rasa.count(f"wx:{openid}") == 0
    assert leftovers() == []


def test_too_large_voice_is_refused_before_conversion(voice_wx, openid, wechat_api, test_recognizer, monkeypatch):
    monkeypatch.setattr(V, "MAX_VOICE_BYTES", 1000)
    wechat_api.media["big"] = (b"#!AMR\n" + b"\x3c" * 5000, "audio/amr")
    assert content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id="big"))) == ASK_TO_TYPE
    assert test_recognizer.calls == []


def test_recogniser_failure_or_silence_asks_to_type(media, voice_wx, openid, dialogue_rasa, test_recognizer):
    test_recognizer.fail = True
    assert content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id=media))) == ASK_TO_TYPE
    test_recognizer.fail, test_recognizer.text = False, "  "
    assert content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id=media))) == ASK_TO_TYPE
    assert dialogue_rasa.count(f"wx:{openid}") == 0


def test_expired_token_on_media_get_is_refreshed_once(media, voice_wx, openid, wechat_api, test_recognizer):
    wechat_api.expire_next_media = True
    reply = content(voice_wx, voice_wx.post(voice_wx.voice(openid, None, media_id=media)))
    assert "83周岁" in reply and len(test_recognizer.calls) == 1


def test_a_slow_recogniser_answers_through_the_customer_service_api_once(media, make_wx, openid, dialogue_rasa,
                                                                         wechat_api, test_recognizer):
    """WeChat waits 5 s: a slow voice turn returns `success`, WeChat's retries fetch nothing again,
    and the answer follows once through the customer-service API (bot.wechat.dedup)."""
    wx = make_wx(speech_recognizer=recognizer.NAME, speech_recognizer_module=recognizer.MODULE,
                 wechat_reply_deadline=0.3)
    test_recognizer.delay = 1.0
    xml = wx.voice(openid, None, msg_id=wx.next_msg_id(), media_id=media)
    started = time.monotonic()
    assert wx.post(xml).text == "success"
    assert time.monotonic() - started < 1.0
    assert wx.post(xml).text == "success"  # WeChat's retry, same MsgId
    deadline = time.monotonic() + 10
    while not wechat_api.texts_to(openid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    texts = wechat_api.texts_to(openid)
    assert len(texts) == 1 and "83周岁" in texts[0]
    assert wechat_api.media_requests.count(media) == 1 and len(test_recognizer.calls) == 1
    assert dialogue_rasa.count(f"wx:{openid}", SAID) == 1


# ---- the conversion itself --------------------------------------------------------------------------
def test_amr_becomes_16k_mono_wav(amr_voice):
    wav = V.to_wav(amr_voice, "amr")
    assert wav_format(wav) == {"tag": 1, "channels": 1, "rate": 16000, "bits": 16}
    assert leftovers() == []


def test_sox_converts_when_ffmpeg_is_missing(amr_voice, monkeypatch):
    if not V._sox():
        pytest.skip("sox is not installed")
    monkeypatch.setattr(V, "_ffmpeg", lambda: None)
    assert wav_format(V.to_wav(amr_voice, "amr"))["rate"] == 16000


def test_a_conversion_that_hangs_is_stopped(monkeypatch):
    monkeypatch.setattr(V, "_command", lambda source, target, fmt: ["sleep", "30"])
    started = time.monotonic()
    with pytest.raises(V.VoiceNotHeard):
        V.to_wav(b"#!AMR\n", "amr", timeout=0.5)
    assert time.monotonic() - started < 5
    assert leftovers() == []


def test_no_converter_installed_is_a_clear_failure(monkeypatch):
    monkeypatch.setattr(V, "_ffmpeg", lambda: None)
    monkeypatch.setattr(V, "_sox", lambda: None)
    with pytest.raises(V.VoiceNotHeard):
        V.to_wav(b"#!AMR\n", "amr")
