"""Which question to ask next, in what words, with which quick-reply buttons."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from policy_kb.facts import facts

from .messages import active_variants, resolve

DONT_KNOW = {"title": "不清楚", "payload": "/dont_know"}


@dataclass(frozen=True)
class Question:
    key: str  # a fact name, or a group: pension / special_circumstances
    facts: tuple[str, ...]
    text: str
    buttons: tuple[tuple[str, str], ...]  # (title, payload)
    retry: str = ""  # asked after a miss: shorter, with an example
    again: str = ""  # a multi-select group asked again after one item was told

    @property
    def yes_no(self) -> bool:
        return len(self.facts) == 1 and facts()[self.facts[0]].type == "bool"

    def answer_space(self) -> list[tuple[str, dict[str, Any]]]:
        """(words, values) a typed answer may match: the buttons' own labels, the parts of a
        label (一个人住（独居） -> 一个人住, 独居) and the fact's value labels."""
        out: list[tuple[str, dict[str, Any]]] = []
        for title, payload in self.buttons:
            if not payload.startswith("/inform"):
                continue
            values = json.loads(payload[len("/inform") :])
            out.append((title, values))
            for part in title.replace("（", "|").replace("）", "|").replace("，", "|").split("|"):
                if part and part != title and len(part) >= 2:
                    out.append((part, values))
        for name in self.facts:
            fact = facts()[name]
            for value, label in (fact.values or {}).items():
                out.append((label, {name: value}))
                for part in label.replace("（", "|").replace("）", "|").split("|"):
                    if part and part != label and len(part) >= 2:
                        out.append((part, {name: value}))
        return out

    def slot_name(self, unknown: set[str]) -> str:
        """requested_slot: the fact asked, or special_circumstances for the rare-facts group."""
        if self.key == "special_circumstances":
            return self.key
        for f in self.facts:
            if f in unknown:
                return f
        return self.facts[0]

    def button_dicts(self) -> list[dict[str, str]]:
        return [{"title": t, "payload": p} for t, p in self.buttons]


def inform(values: dict[str, Any]) -> str:
    return "/inform" + json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _default_buttons(fact_name: str) -> tuple[tuple[str, str], ...]:
    fact = facts()[fact_name]
    if fact.type == "bool":
        return (("是", inform({fact_name: True})), ("不是", inform({fact_name: False})))
    if fact.type in ("enum",) or (fact.type == "int" and fact.values):
        return tuple((label, inform({fact_name: value})) for value, label in fact.values.items())
    return ()


def questions() -> dict[str, Question]:
    """The questions in the words for the channel (``text@no_voice`` etc., see messages.py)."""
    return _questions(active_variants())


def _words(spec: dict[str, Any], field: str, active: tuple[str, ...]) -> str:
    return str(spec.get(resolve(field, spec, active)) or "")


@lru_cache(maxsize=8)
def _questions(active: tuple[str, ...]) -> dict[str, Question]:
    raw = yaml.safe_load((Path(__file__).with_name("questions.yaml")).read_text(encoding="utf-8"))
    out = {}
    for key, spec in raw.items():
        group = tuple(spec.get("facts") or (key,))
        if "buttons" in spec:
            buttons = tuple((title, inform(values)) for title, values in spec["buttons"])
        else:
            buttons = _default_buttons(key)
        if buttons:
            buttons = buttons + ((DONT_KNOW["title"], DONT_KNOW["payload"]),)
        text, retry, again = (_words(spec, f, active) for f in ("text", "retry", "again"))
        out[key] = Question(key, group, text, buttons, retry, again)
    return out


def question_for(fact_name: str, unknown: set[str], split: frozenset[str] = frozenset()) -> Question:
    """The question that asks about `fact_name`; rare facts are asked together while two or more
    are open, the two pension facts while both are. A group in `split` (missed once) is asked
    fact by fact instead, as plain yes/no questions."""
    qs = questions()
    group = qs["special_circumstances"]
    if fact_name in group.facts and sum(f in unknown for f in group.facts) >= 2 and group.key not in split:
        return group
    pension = qs["pension"]
    if fact_name in pension.facts and all(f in unknown for f in pension.facts) and pension.key not in split:
        return pension
    return qs[fact_name]


def group_of(key: str | None) -> Question | None:
    return questions().get(key or "")
