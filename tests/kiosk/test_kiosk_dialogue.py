"""The kiosk and the real dialogue (actions/ behind a stand-in Rasa): the channel's abilities reach
the bot, no bot text asks to speak without a microphone, keypad numbers are echoed and confirmed,
上一步 takes the last answer back."""
from __future__ import annotations

import re

import httpx
import pytest
from speaking import SPEAK, asks_to_speak

from actions.actions import answer_history
from actions.dialogue.messages import catalogue, variants
from actions.dialogue.questions import questions

# reachable only from typed words, never from a button or the keypad
TYPED_ONLY = {"approx_age": "after a typed approximate age (快八十了)"}


def post(url, path, body=None):
    r = httpx.post(url + path, json=body or {}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def texts_seen(turn) -> list[str]:
    """Everything of a turn the kiosk shows or reads: messages, button titles, the result's own words."""
    out = [m["text"] for m in turn["messages"]] + [b["title"] for m in turn["messages"] for b in m["buttons"]]
    res = turn.get("result")
    if res:
        out += [res["headline"], res["spoken"], *res["labels"].values()]
        out += [c["spoken"] for g in res["groups"] for c in g["services"]]
    return out


def screen(url, pick, age=85, limit=30):
    """A whole visit by buttons and keypad; `pick(titles)` chooses the button. (turns, sender)"""
    turn = post(url, "/kiosk/api/session")
    sender, turns = turn["sender"], [turn]
    for _ in range(limit):
        if turn["result"]:
            return turns, sender
        buttons = [b for m in turn["messages"] for b in m["buttons"]]
        if turn["asking"] and turn["asking"]["type"] == "int" and not buttons:
            turn = post(url, "/kiosk/api/facts", {"sender": sender, "facts": {turn["asking"]["fact"]: age}})
        else:
            titles = [b["title"] for b in buttons]
            echoed = turn["messages"][-1]["text"].startswith("您输入的是")
            choice = buttons[titles.index("是" if echoed else pick(titles))]
            turn = post(url, "/kiosk/api/message", {"sender": sender, "text": choice["payload"]})
        turns.append(turn)
    raise AssertionError("no result")


def first(titles):
    return titles[0]


def last_real(titles):  # the last answer that is not 不清楚
    return [t for t in titles if t != "不清楚"][-1]


def money_first(titles):
    wanted = ("是", "低保", "不能自理，要人伺候", "一级", "一个人住（独居）", "城乡居民养老保险，交够15年", "都没有")
    for want in wanted:
        if want in titles:
            return want
    return titles[0]


def dont_know(titles):
    return "不清楚" if "不清楚" in titles else titles[0]


def test_the_speaking_check_itself():
    assert asks_to_speak("老人今年多大岁数？说周岁就行") == ["说"]
    assert asks_to_speak("可以一次说几件事") and asks_to_speak("直接问我") and asks_to_speak("不好意思，我没听明白。")
    assert asks_to_speak("告诉我老人的情况") and asks_to_speak("您可以讲一下")
    assert asks_to_speak("请看说明材料。也可以点某一项单独听。再听一遍。公益讲座") == []


@pytest.mark.parametrize("pick", [first, last_real, money_first, dont_know], ids=lambda f: f.__name__)
def test_no_bot_text_asks_to_speak_on_a_kiosk_without_microphone(kiosk_url, dialogue_rasa, pick):
    turns, sender = screen(kiosk_url, pick, age={first: 85, last_real: 62, money_first: 91, dont_know: 70}[pick])
    seen = [t for turn in turns for t in texts_seen(turn)]
    assert [t for t in seen if SPEAK.search(t)] == []
    assert "点下面的按钮回答，数字用键盘输入" in turns[0]["messages"][0]["text"]
    # the bot was told: no microphone, a keypad, a voice
    meta = [m for s, _, m in dialogue_rasa.received if s == sender]
    assert meta and all(m["abilities"] == {"voice_in": False, "voice_out": True, "keypad": True} for m in meta)
    # the result's plain-text twin is not shown: the structured result stands for it
    assert turns[-1]["result"]["headline"] and not any("清单第" in m["text"] for m in turns[-1]["messages"])


def test_with_a_microphone_the_bot_may_invite_speech(start_kiosk, dialogue_rasa):
    from bot.kiosk import speech

    class Rec:
        name = "fake"

        def transcribe(self, audio, content_type, language="zh-CN"):
            return speech.Transcript("八十五")

    speech.register("fake", Rec)
    try:
        url = start_kiosk(speech_recognizer="fake")
        turn = post(url, "/kiosk/api/session")
        assert dialogue_rasa.received[-1][2]["abilities"]["voice_in"] is True
        assert "可以一次说几件事" in turn["messages"][0]["text"]
    finally:
        speech.unregister("fake")


def test_every_catalogue_sentence_that_asks_to_speak_has_a_no_voice_variant():
    cat = catalogue()
    # the sentence a kiosk without microphone gets (its variant, else the plain one) still asks to speak
    missing = [k for k, v in cat.items() if "@" not in k and k not in TYPED_ONLY
               and SPEAK.search(cat.get(k + "@no_voice", v))]
    assert missing == []
    with variants(("no_voice",)):
        worded = [t for q in questions().values() for t in (q.text, q.retry, q.again) if SPEAK.search(t)]
    assert worded == []
    assert [k for k in cat if k.endswith("@no_voice") and SPEAK.search(cat[k])] == []


def test_keypad_number_is_echoed_in_words_and_confirmed(kiosk_url, dialogue_rasa):
    turn = post(kiosk_url, "/kiosk/api/session")
    sender = turn["sender"]
    assert turn["asking"]["fact"] == "age"
    turn = post(kiosk_url, "/kiosk/api/facts", {"sender": sender, "facts": {"age": "78"}})
    assert turn["messages"][-1]["text"] == "您输入的是 七十八 岁，对吗？"
    assert [b["title"] for b in turn["messages"][-1]["buttons"]] == ["是", "不是"]
    assert turn["asking"] is None  # no keypad while the echo waits for 是/不是
    assert dialogue_rasa.tracker(sender)["slots"]["age"] is None  # not recorded yet
    turn = post(kiosk_url, "/kiosk/api/message", {"sender": sender, "text": "/affirm"})
    assert dialogue_rasa.tracker(sender)["slots"]["age"] == 78
    assert turn["asking"]["fact"] == "economic_status"


def test_a_tiny_age_is_never_taken_silently(kiosk_url, dialogue_rasa):
    sender = post(kiosk_url, "/kiosk/api/session")["sender"]
    turn = post(kiosk_url, "/kiosk/api/facts", {"sender": sender, "facts": {"age": 5}})
    assert "您输入的是 五 岁，对吗？" in turn["messages"][-1]["text"]
    turn = post(kiosk_url, "/kiosk/api/message", {"sender": sender, "text": "/deny"})
    assert dialogue_rasa.tracker(sender)["slots"]["age"] is None
    assert turn["asking"]["fact"] == "age"  # asked again, keypad back


def test_back_changes_the_last_answer(kiosk_url, dialogue_rasa):
    sender = post(kiosk_url, "/kiosk/api/session")["sender"]
    post(kiosk_url, "/kiosk/api/facts", {"sender": sender, "facts": {"age": 85}})
    post(kiosk_url, "/kiosk/api/message", {"sender": sender, "text": "/affirm"})
    turn = post(kiosk_url, "/kiosk/api/message", {"sender": sender, "text": '/inform{"economic_status":"none"}'})
    asked = turn["asking"]["fact"]
    assert asked == "self_care"
    # 上一步: the economic status is taken back and asked again
    turn = post(kiosk_url, "/kiosk/api/back", {"sender": sender})
    slots = dialogue_rasa.tracker(sender)["slots"]
    assert slots["economic_status"] is None and slots["age"] == 85
    assert turn["asking"]["fact"] == "economic_status" and "上一步" in turn["messages"][0]["text"]
    low = '/inform{"economic_status":"minimum_living"}'
    turn = post(kiosk_url, "/kiosk/api/message", {"sender": sender, "text": low})
    assert dialogue_rasa.tracker(sender)["slots"]["economic_status"] == "minimum_living"
    # twice: the economic status again, then the age (confirmed on the keypad) goes too
    post(kiosk_url, "/kiosk/api/back", {"sender": sender})
    turn = post(kiosk_url, "/kiosk/api/back", {"sender": sender})
    slots = dialogue_rasa.tracker(sender)["slots"]
    assert slots["economic_status"] is None and slots["age"] is None and turn["asking"]["fact"] == "age"
    turn = post(kiosk_url, "/kiosk/api/back", {"sender": sender})
    assert "第一个问题" in turn["messages"][0]["text"] and turn["asking"]["fact"] == "age"


def test_back_during_the_echo_and_after_the_result(kiosk_url, dialogue_rasa):
    sender = post(kiosk_url, "/kiosk/api/session")["sender"]
    post(kiosk_url, "/kiosk/api/facts", {"sender": sender, "facts": {"age": 58}})
    turn = post(kiosk_url, "/kiosk/api/back", {"sender": sender})  # the echo is taken back: the keypad again
    assert turn["asking"]["fact"] == "age" and dialogue_rasa.tracker(sender)["slots"]["requested_slot"] == "age"
    turns, sender = screen(kiosk_url, first, age=85)
    told = turns[-1]["result"]
    turn = post(kiosk_url, "/kiosk/api/back", {"sender": sender})
    assert turn["result"] is None and turn["messages"][-1]["buttons"]  # the last question again
    last = re.sub(r"^好的，回到上一步，请重新回答：", "", turn["messages"][-1]["text"])
    assert last in [m["text"] for t in turns for m in t["messages"]]
    buttons = turn["messages"][-1]["buttons"]
    turn = post(kiosk_url, "/kiosk/api/message", {"sender": sender, "text": buttons[-2]["payload"]})
    assert turn["result"] is not None and turn["result"]["share"] != told["share"]


def test_answer_history_from_rasa_events():
    def user(text):
        return {"event": "user", "text": text}

    def slot(name, value):
        return {"event": "slot", "name": name, "value": value}

    events = [user("/greet"), slot("requested_slot", "age"),
              user('/inform{"age":85}'), slot("requested_slot", "confirm:age"),
              user("/affirm"), slot("age", 85),
              user("/dont_know"), slot("declined_facts", ["economic_status"]),
              user('/inform{"special_circumstances":"none"}'), slot("homeless", False),
              slot("veteran_category", "none"),
              user("/correct"), slot("homeless", None), slot("veteran_category", None),
              user('/inform{"self_care":"partial"}'), slot("self_care", "partial"),
              slot("declined_facts", ["economic_status"]),
              user("/correct")]
    assert answer_history(events) == [["age"], ["economic_status"], ["self_care"]]
    assert answer_history(events[:-1] + [{"event": "restart"}, user("/greet"), user("x")]) == []
