"""Answers to what people ask instead of (or beside) answering: general questions answered from
the engine for the conditions they name, service facts, words, why / why not, small talk."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from policy_kb import evaluate, load_kb
from policy_kb.conditions import explain
from policy_kb.facts import facts

from . import replies
from .messages import msg

_MONEY_RX = re.compile(r"\d+(?:\.\d+)?元")


def describe(conditions: Mapping[str, Any]) -> str:
    """三级残疾、特困 … in plain words, from the fact labels."""
    fs = facts()
    parts = []
    for name, value in conditions.items():
        if name == "age":
            parts.append(f"{value}周岁")
        elif fs[name].type == "bool":
            parts.append(fs[name].label.split("（")[0] if value else "不是" + fs[name].label.split("（")[0])
        else:
            parts.append(fs[name].value_label(value).split("（")[0])
    return "、".join(parts)


def general_answer(
    conditions: Mapping[str, Any], profile: Mapping[str, Any], topics: Sequence[int] = ()
) -> tuple[str, list[dict[str, str]]]:
    """A general question with conditions (三级残疾有没有补助, 九十岁老人高龄津贴多少): the services
    that apply or could apply to an elder with just those conditions (plus what is known of this
    elder), money first, with amount, department and item; then an offer to check the elder.
    `topics`: services the message's needs point to (find_topics), told first, even when they do not
    use the conditions, and also when they do not apply (with the condition that is not met)."""
    kb = load_kb()
    trial = {**profile, **conditions}
    result = evaluate(trial)
    named = set(conditions)
    only_age = named == {"age"}
    chosen = []
    for s in result["services"]:
        topical = s["id"] in topics
        if s["status"] == "ineligible" and not topical:
            continue
        service = replies.service(s["id"])
        uses = service.condition.fact_names()
        if not topical and only_age and s["status"] != "eligible":
            continue
        if not topical and (topics or not only_age) and not (uses & (named - {"age"})):
            continue
        chosen.append(s)
    order = {sid: i for i, sid in enumerate(topics)}
    chosen.sort(
        key=lambda s: (
            order.get(s["id"], len(order)),
            s["status"] != "eligible",
            not _MONEY_RX.search(s.get("amount") or ""),
            s["id"],
        )
    )
    chosen = chosen[:8]
    who = describe(conditions)
    lines = [msg("general_head", list=kb.list_title, who=who) if who else msg("related_head", list=kb.list_title)]
    eligible = [s for s in chosen if s["status"] == "eligible"]
    possible = [s for s in chosen if s["status"] == "possible"]
    unmet = [s for s in chosen if s["status"] == "ineligible"]
    if eligible:
        lines.append(msg("general_eligible"))
        for s in eligible:
            lines.append(_line(s, profile))
    if possible:
        lines.append(msg("general_possible"))
        for s in possible:
            need = "、".join(facts()[f].label for f in s.get("missing") or [])
            lines.append(_line(s, profile) + (f"；还要确认：{need}" if need else ""))
    if unmet:
        lines.append(msg("general_unmet"))
        for s in unmet:
            failed = explain(replies.service(s["id"]).condition, trial)[1]
            why = "；".join(dict.fromkeys(leaf.label for leaf in failed))
            lines.append(_line(s, profile) + (f"；要求：{why}" if why else ""))
    if not chosen:
        lines.append(msg("general_none"))
    if only_age and not topics:
        rest = sum(1 for s in result["services"] if s["status"] == "possible")
        if rest:
            lines.append(msg("general_more", n=rest))
    lines.append(msg("general_offer"))
    return "\n".join(lines), [{"title": msg("general_offer_button"), "payload": "/start_screening"}]


def _line(s: Mapping[str, Any], profile: Mapping[str, Any]) -> str:
    load_kb()
    service = replies.service(s["id"])
    amount = f"：{s['amount']}" if s.get("amount") else ""
    where = replies.office(service, profile.get("district"), s.get("office"))
    return f"· {s['name']}{amount}（清单第{s['id']}项，找{where}）"


def so_far(result: Mapping[str, Any], profile: Mapping[str, Any], top: int = 4) -> str:
    """A question that also told facts (我妈九十了，有啥补贴): what already applies, money first."""
    eligible = [s for s in result["services"] if s["status"] == "eligible"]
    eligible.sort(key=lambda s: (not _MONEY_RX.search(s.get("amount") or ""), s["id"]))
    possible = sum(1 for s in result["services"] if s["status"] == "possible")
    lines = [msg("so_far_head") if eligible else msg("so_far_none")]
    lines += [_line(s, profile) for s in eligible[:top]]
    if len(eligible) > top:
        lines.append(msg("so_far_more", n=len(eligible) - top))
    if possible:
        lines.append(msg("so_far_possible", n=possible))
    return "\n".join(lines)
