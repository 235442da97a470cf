"""bot.kiosk.voice_text: numbers as Chinese words, no symbols, emoji, brackets or bullets."""
import re

import pytest

from bot.kiosk.voice_text import digit_words, int_words, to_voice


@pytest.mark.parametrize("n, words", [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (70, "七十"), (105, "一百零五"),
    (110, "一百一十"), (150, "一百五十"), (300, "三百"), (1005, "一千零五"), (10000, "一万"),
    (10001, "一万零一"), (110000, "十一万"), (100010000, "一亿零一万"), (-3, "负三"),
])
def test_int_words(n, words):
    assert int_words(n) == words


@pytest.mark.parametrize("text, spoken", [
    ("每月不低于70元", "每月不低于七十元"),
    ("每月不低于150元", "每月不低于一百五十元"),
    ("年满80–89周岁", "年满八十到八十九周岁"),
    ("长政办发〔2024〕28号", "长政办发二零二四年二十八号"),
    ("2024年5月1日起", "二零二四年五月一日起"),
    ("1.5万元/人/年", "一点五万元每人每年"),
    ("占比50%", "占比百分之五十"),
    ("特困供养人员（含原五保户）", "特困供养人员，含原五保户"),
    ("请问老人今年多大岁数？😊", "请问老人今年多大岁数？"),
    ("有2个问题", "有两个问题"),
    ("2型糖尿病", "二型糖尿病"),
    ("**低保**老人", "低保老人"),
    ("服务时间8:30-17:00", "服务时间八点三十分到十七点整"),
    ("热线12345", "热线幺二三四五"),
    ("低保/特困人员", "低保或特困人员"),
    ("１２岁", "十二岁"),
])
def test_to_voice_examples(text, spoken):
    assert to_voice(text) == spoken


def test_bullets_become_pauses():
    text = "🎉 您可以享受：\n1. 高龄津贴（每月不低于70元）\n2. 特困供养\n- 健康管理\n• 探访关爱"
    assert to_voice(text) == "您可以享受：一，高龄津贴，每月不低于七十元。二，特困供养。健康管理。探访关爱"


def test_digit_words():
    assert digit_words("0355") == "零三五五"


@pytest.mark.parametrize("text", [
    "【重要】每月≥300元★（100周岁以上）→ 详见《清单》第8项 [链接](http://example.org) #标签 *强调* |表格|",
    "✅ 您可以享受 3 项服务：①高龄津贴 ②护理补贴 ③健康管理 — 共计 1,200 元",
])
def test_no_digits_or_symbols_left(text):
    spoken = to_voice(text)
    assert not re.search(r"[0-9０-９%％()（）\[\]【】《》〔〕<>*#|★✅→—\-/]", spoken), spoken
    assert re.fullmatch(r"[\u4e00-\u9fff，。！？；：、 A-Za-z]+", spoken), spoken


def test_empty():
    assert to_voice("") == "" and to_voice("🎉✨") == ""
