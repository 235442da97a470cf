"""The result's spoken summary (`spoken`, read aloud on the kiosk when the result comes) lasts at most
40 s: measured on the audio the kiosk's own TTS makes (GET /api/tts: espeak-ng, cmn-latn-pinyin,
the default speed), for the profiles whose summaries are longest."""
from __future__ import annotations

import itertools

import httpx

from actions.dialogue import result_view
from bot.kiosk import tts
from bot.kiosk.voice_text import to_voice
from policy_kb import evaluate

MAX_SECONDS = 40.0


def profiles():
    """Profiles that pay the most kinds of money (each money service's conditions), in combination."""
    for age, eco, care, grade, pension, training, living in itertools.product(
        (62, 68, 85, 95, 101), ("minimum_living", "extreme_poverty", "near_minimum", "none"),
        ("dependent", "partial", "independent"), (0, 1, 3), ("employee", "resident", "neither"), (True, False),
        ("alone", "with_family"),
    ):
        p = {"age": age, "economic_status": eco, "self_care": care, "disability_grade": grade,
             "employee_pension_retired": pension == "employee", "resident_pension_15y": pension == "resident",
             "family_care_training": training, "living_situation": living}
        if grade:
            p["disability_type"] = "intellectual" if grade == 3 else "physical"
        if eco == "extreme_poverty":
            p["support_mode"] = "home"
        yield p


def test_spoken_summary_is_short_in_characters_for_every_profile():
    longest = max((result_view.build(evaluate(p), p)["spoken"] for p in profiles()), key=len)
    assert len(longest) <= result_view.SPOKEN_MAX_CHARS, longest


def test_spoken_summary_lasts_at_most_40_seconds_with_the_kiosk_voice(kiosk_url, espeak):
    built = {}
    for p in profiles():
        view = result_view.build(evaluate(p), p)
        built.setdefault(view["spoken"], view)
    ranked = sorted(built, key=lambda s: len(to_voice(s)), reverse=True)
    assert max(built[s]["counts"]["money"] for s in ranked) >= 4  # the money-heavy results are among them
    for spoken in ranked[:4] + [s for s in ranked if built[s]["counts"]["money"] == 0][:1]:
        r = httpx.get(f"{kiosk_url}/api/tts", params={"text": spoken}, timeout=60)
        assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
        duration, rms = tts.audio_stats(r.content)
        assert 3.0 < duration <= MAX_SECONDS and rms > 0.01, (spoken, duration)
