"""Numerals and ages (parse_chinese_number, parse_age)."""
import datetime

import pytest

from actions.understanding import parse_age, parse_chinese_number

TODAY = datetime.date(2025, 6, 1)


@pytest.mark.parametrize(
    "text, value",
    [
        ("78", 78),
        ("７８", 78),
        ("七十八", 78),
        ("八十有五", 85),
        ("八十五", 85),
        ("九十整", 90),
        ("一百零二", 102),
        ("一百〇二", 102),
        ("一百", 100),
        ("百", 100),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("廿三", 23),
        ("卅", 30),
        ("一九四六", 1946),
        ("四六", 46),
        ("一百二", 120),
        ("两千五", 2500),
        ("一万二千", 12000),
        ("捌拾叁", 83),
        (" 83 ", 83),
        ("零", 0),
    ],
)
def test_parse_chinese_number(text, value):
    assert parse_chinese_number(text) == value


@pytest.mark.parametrize("text", ["", None, "七八十", "十十", "abc", "八十三岁", "😀", "1.5", "百千"])
def test_parse_chinese_number_not_a_number(text):
    assert parse_chinese_number(text) is None


# (text, requested, age, approximate phrase or None)
AGES = [
    ("78", None, 78, None),
    ("７８", None, 78, None),
    ("七十八", None, 78, None),
    ("俺娘八十有五", None, 85, None),
    ("八十五岁", None, 85, None),
    ("九十整", None, 90, None),
    ("一百零二岁了", None, 102, None),
    ("83了", None, 83, None),
    ("今年八十三", None, 83, None),
    ("83周岁", None, 83, None),
    ("虚岁84", None, 83, None),  # 周岁 = 虚岁 - 1
    ("84虚岁", None, 83, None),
    ("八十三岁了哦", None, 83, None),
    ("她83", None, 83, None),
    ("我爸都八十七了", None, 87, None),
    ("我今年七十", None, 70, None),
    ("老人家今年整整九十岁", None, 90, None),
    ("活了九十岁了", None, 90, None),
    ("一百岁", None, 100, None),
    # birth years: age = 2025 - year (month unknown)
    ("1946年生", None, 79, None),
    ("一九四六年出生", None, 79, None),
    ("46年的", None, 79, None),
    ("四六年生人", None, 79, None),
    ("生于1940年", None, 85, None),
    ("我爸1942年的，退休工人", None, 83, None),
    ("1944年12月出生", None, 80, None),  # birthday in December still to come
    ("1944年3月出生", None, 81, None),
    ("1946", "age", 79, None),
    # approximate
    ("快八十了", None, 79, "快八十了"),
    ("八十多", None, 81, "八十多"),
    ("八十多岁", None, 81, "八十多岁"),
    ("八十来岁", None, 81, "八十来岁"),
    ("八十出头", None, 81, "八十出头"),
    ("将近九十", None, 89, "将近九十"),
    ("八十好几了", None, 85, "八十好几了"),
    ("差不多七十五", None, 75, "差不多七十五"),
    ("八十七八了", None, 87, "八十七八了"),
    ("七十岁左右", None, 70, "七十岁左右"),
    # answers to the age question
    ("83", "age", 83, None),
    ("八十三", "age", 83, None),
    ("5", "age", 5, None),
    ("是85", None, 85, None),
]


@pytest.mark.parametrize("text, requested, age, phrase", AGES)
def test_parse_age(text, requested, age, phrase):
    assert parse_age(text, TODAY, requested) == (age, phrase)


NOT_AGES = [
    "都七老八十了",
    "残疾二级",
    "交了15年",
    "交了20年的保险",
    "100块",
    "一个月1000元",
    "每月补助100",
    "电话13812345678",
    "我有3个孩子",
    "瘫了十几年了",
    "住了30多年了",
    "80岁以上能领吗",
    "2型糖尿病",
    "七八十岁",
    "血压160",
    "高压120",
    "老三",
    "83年的",  # born 1983: not an elder, and "83年" is no age
    "1998年退休",
    "今年是2024年",
    "二级残疾证",
    "第一个",
    "一个人住",
    "15",  # not asked, not an elder's age
]


@pytest.mark.parametrize("text", NOT_AGES)
def test_not_an_age(text):
    assert parse_age(text, TODAY) == (None, None)


def test_parse_age_defaults_to_today():
    year = datetime.date.today().year
    assert parse_age("1950年出生")[0] == year - 1950


def test_plausibility_depends_on_asking():
    assert parse_age("30岁", TODAY) == (None, None)
    assert parse_age("30岁", TODAY, "age") == (30, None)
    assert parse_age("150岁", TODAY, "age") == (None, None)
