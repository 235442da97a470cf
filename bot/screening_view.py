"""Read-only views of a conversation for the operator console and the kiosk.

Everything here is derived from the conversation core (Rasa tracker, bot messages) and
policy_kb (fact labels, the shared evaluation engine): no rules or replies of its own.
"""
from __future__ import annotations

import logging
from typing import Any

from bot.core import BotMessage
from policy_kb.facts import Fact, ProfileError, facts

log = logging.getLogger(__name__)

# ---- tracker → messages -------------------------------------------------------------

def _bot_event_message(event: dict[str, Any]) -> BotMessage:
    data = event.get("data") or {}
    return BotMessage.from_rasa({"text": event.get("text"), "buttons": data.get("buttons"), "custom": data.get("custom")})


def last_turn(tracker: dict[str, Any]) -> list[BotMessage]:
    """The bot's messages since the user last spoke."""
    out: list[BotMessage] = []
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            out.append(_bot_event_message(event))
    return list(reversed(out))


def transcript(tracker: dict[str, Any], limit: int = 60) -> list[dict[str, str]]:
    """[{"who": "bot"|"user", "text"}]; a button payload is shown by its button's title."""
    lines: list[dict[str, str]] = []
    titles: dict[str, str] = {}
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind == "bot":
            msg = _bot_event_message(event)
            titles = {b["payload"]: b["title"] for b in msg.buttons} or titles
            if msg.text:
                lines.append({"who": "bot", "text": msg.text})
        elif kind == "user":
            text = event.get("text") or ""
            if text.startswith("/"):
                text = titles.get(text) or ("（修改资料）" if text.startswith("/inform") else "（按钮）")
            lines.append({"who": "user", "text": text})
    return lines[-limit:]


def latest_result(tracker: dict[str, Any]) -> dict[str, Any] | None:
    """The last result message's custom payload in this conversation, if the result was told."""
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom")
            if isinstance(custom, dict) and custom.get("type") == "result":
                return custom
    return None


# ---- facts ------------------------------------------------------------------------------

def fact_schema() -> list[dict[str, Any]]:
    """The profile facts as the pages' forms need them, straight from policy_kb."""
    out = []
    for fact in facts().values():
        values = [{"value": v, "label": label} for v, label in fact.values.items()]
        if fact.type == "bool":
            values = [{"value": True, "label": "是"}, {"value": False, "label": "否"}]
        out.append({"name": fact.name, "label": fact.label, "type": fact.type,
                    "values": values, "min": fact.min, "max": fact.max})
    return out


def fact_label(name: str | None) -> str:
    if not name:
        return ""
    fact = facts().get(name)
    return fact.label if fact else {"special_circumstances": "特殊情况"}.get(name, name)


def profile_view(slots: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    known, unknown = [], []
    for name, fact in facts().items():
        value = slots.get(name)
        if value is None:
            unknown.append({"name": name, "label": fact.label})
        else:
            try:
                shown = fact.value_label(value)
            except (TypeError, ValueError):
                shown = str(value)
            known.append({"name": name, "label": fact.label, "value": value, "value_label": shown})
    return {"known": known, "unknown": unknown}


def parse_fact(name: str, raw: Any) -> Any:
    """A form value (often a string) as the fact's typed value; ProfileError if not allowed."""
    fact: Fact | None = facts().get(name)
    if fact is None:
        raise ProfileError(name, f"未知的事实 {name!r}", f"unknown fact {name!r}")
    value = raw
    if isinstance(raw, str):
        text = raw.strip()
        if fact.type == "int":
            value = int(text) if text.lstrip("-").isdigit() else text
        elif fact.type == "bool":
            value = {"true": True, "false": False, "是": True, "否": False}.get(text.lower(), text)
    return fact.check(value)


# ---- results ---------------------------------------------------------------------------

def evaluate_profile(profile: dict[str, Any]) -> dict[str, Any] | None:
    """policy_kb.evaluate(profile) (contract section 4) or None while it is not available."""
    try:
        from policy_kb import evaluate  # the same engine the bot uses
    except ImportError:
        return None
    try:
        result = evaluate(profile)
    except Exception as exc:  # never let the preview break the page
        log.warning("evaluate failed: %s", type(exc).__name__)
        return None
    return result if isinstance(result, dict) else None


def service_cards(ids: list[int], evaluation: dict[str, Any] | None) -> list[dict[str, Any]]:
    by_id = {s.get("id"): s for s in (evaluation or {}).get("services") or []}
    cards = []
    for sid in ids:
        s = by_id.get(sid) or {}
        cards.append({"id": sid, "name": s.get("name") or f"第{sid}项服务", "amount": s.get("amount") or "",
                      "department": s.get("department") or "", "why": s.get("why") or ""})
    return cards


def result_view(tracker: dict[str, Any], profile: dict[str, Any],
                evaluation: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The result card: the bot's last told result, detailed by the shared engine.

    ``stale`` is true when the profile changed since and the engine would now answer differently.
    """
    told = latest_result(tracker)
    if told is None:
        return None
    evaluation = evaluation or evaluate_profile(profile)
    eligible = [int(i) for i in told.get("eligible") or []]
    possible = [int(i) for i in told.get("possible") or []]
    stale = bool(evaluation) and (
        sorted(evaluation.get("eligible") or []) != sorted(eligible)
        or sorted(evaluation.get("possible") or []) != sorted(possible)
    )
    return {
        "eligible": service_cards(eligible, evaluation),
        "possible": service_cards(possible, evaluation),
        "summary": told.get("summary") or "",
        "stale": stale,
    }
