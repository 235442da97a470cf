"""The one structured result every channel renders: headline, money first, groups by office."""
from __future__ import annotations

from urllib.parse import parse_qsl

from actions.dialogue import result_view
from policy_kb import evaluate

ELDER = {"age": 83, "economic_status": "minimum_living", "self_care": "dependent", "living_situation": "alone",
         "chronic_conditions": ["hypertension", "diabetes"]}


def view(profile, declined=()):
    return result_view.build(evaluate(profile), profile, declined)


def test_headline_counts_what_the_cards_hold():
    v = view(ELDER)
    cards = [c for g in v["groups"] for c in g["services"]]
    assert sorted(c["id"] for c in cards) == sorted(v["eligible"])
    money = [c for c in cards if c["money"]]
    assert v["headline"].startswith(f"能领钱的{len(money)}项，每月至少{v['monthly_min']:g}元")
    assert f"还要确认{len(v['possible'])}项" in v["headline"]
    assert v["monthly_min"] == sum(c["monthly"] or 0 for c in money) > 0


def test_money_comes_first_and_each_office_once():
    v = view(ELDER)
    cards = [c for g in v["groups"] for c in g["services"]]
    pays = [any(c["money"] for c in g["services"]) for g in v["groups"]]
    assert pays[0] and pays == sorted(pays, reverse=True)  # offices that pay money come first
    assert all(g["services"][0]["money"] for g, p in zip(v["groups"], pays) if p)
    offices = [g["office"] for g in v["groups"]]
    assert len(offices) == len(set(offices))
    assert all(c["department"].startswith("长治市") or "公司" in c["department"] for c in cards)  # full names


def test_a_healthy_elder_of_sixty_five_is_told_no_money_without_a_zero():
    v = view({"age": 65, "economic_status": "none", "self_care": "independent"})
    assert "每月至少" not in v["headline"] and "0元" not in v["headline"]
    assert v["counts"]["money"] == 0 and v["counts"]["other"] == len(v["eligible"])


def test_share_fragment_carries_the_facts_and_nothing_else():
    v = view(ELDER)
    back = dict(parse_qsl(v["share"]))
    assert back == {"age": "83", "economic_status": "minimum_living", "self_care": "dependent",
                    "living_situation": "alone", "chronic_conditions": "hypertension,diabetes"}


def test_every_label_comes_from_the_catalogue_and_undecided_facts_are_named():
    v = view(ELDER, declined=["veteran_category"])
    assert all(v["labels"][k] for k in result_view.LABEL_KEYS)
    assert v["undecided"] and v["counts"]["undecided"] == 1
    assert len(v["spoken"]) <= 200  # about 40 s read aloud


def test_the_text_and_the_card_agree_on_what_pays_money():
    from actions.dialogue import replies

    profile = {**ELDER, "economic_status": "extreme_poverty"}
    result = evaluate(profile)
    text, _ = replies.result_messages(result, profile, [])
    money_line = next(line for line in text.splitlines() if line.startswith("能领钱的有"))
    v = result_view.build(result, profile)
    money = [c["name"] for g in v["groups"] for c in g["services"] if c["money"]]
    assert [n for n in (c["name"] for g in v["groups"] for c in g["services"]) if n in money_line] == money
