"""Profiles and payloads for tests that drive the real dialogue (through the fake Rasa or a live one)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import policy_kb
from policy_kb.facts import facts


def inform(values: Mapping[str, Any]) -> str:
    """A button payload as the dialogue writes it (actions/dialogue/questions.py: compact JSON)."""
    return "/inform" + json.dumps(dict(values), ensure_ascii=False, separators=(",", ":"))


def plain_answer(name: str) -> Any:
    """The 'nothing special' answer to a fact: no, none of these, grade 0, nothing chronic."""
    fact = facts()[name]
    values = list((fact.values or {}).keys())
    if fact.type == "bool":
        return False
    if fact.type == "list":
        return []
    if "none" in values:
        return "none"
    if fact.type == "int":
        return 0 if 0 in values or not values else values[0]
    return values[-1]


def settled_profile(base: Mapping[str, Any], *more: Mapping[str, Any]) -> dict[str, Any]:
    """`base` plus a plain answer to each fact the engine would still ask about (its next_facts),
    so that the dialogue tells the result; with `more`, also settled for each of those changes
    (e.g. {"age": 85}), so that editing them gives a result again instead of a new question."""
    profile = dict(base)
    for change in ({}, *more):
        while True:
            nxt = [f for f in policy_kb.evaluate({**profile, **change})["next_facts"] if f not in profile]
            if not nxt:
                break
            profile[nxt[0]] = plain_answer(nxt[0])
    return profile


def question(key: str):
    """The dialogue's question `key` as asked (actions/dialogue/questions.yaml): .text, .retry, .button_dicts()."""
    from actions.dialogue.questions import questions

    return questions()[key]


def lengthen_question(monkeypatch, key: str, text: str) -> None:
    """For one test, the real dialogue asks question `key` in these words (e.g. a text too long for
    WeChat); only where the dialogue runs in this process (the fake Rasa)."""
    import dataclasses

    from actions.dialogue.questions import questions

    monkeypatch.setitem(questions(), key, dataclasses.replace(questions()[key], text=text))
