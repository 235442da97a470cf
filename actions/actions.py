"""The Rasa custom action: every user turn comes here (see data/rules.yml)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dialogue.flow import UNDO
from actions.dialogue.messages import msg, variants, variants_for
from actions.dialogue.questions import questions
from actions.dialogue.turn import Incoming, handle
from policy_kb.facts import FACT_NAMES

log = logging.getLogger(__name__)
_FACTS = frozenset(FACT_NAMES)
_ABILITIES = ("voice_in", "voice_out", "keypad")  # what a channel may say it can do, all booleans


def message_metadata(tracker: Tracker) -> dict[str, Any]:
    """The metadata the channel sent with the latest message (Rasa REST `metadata`), or {}."""
    found = (tracker.latest_message or {}).get("metadata")
    if not isinstance(found, dict):
        found = next((e.get("metadata") for e in reversed(tracker.events or []) if e.get("event") == "user"), None)
    return found if isinstance(found, dict) else {}


def _abilities(metadata: dict[str, Any]) -> dict[str, bool]:
    raw = metadata.get("abilities")
    raw = raw if isinstance(raw, dict) else {}
    return {k: raw[k] for k in _ABILITIES if isinstance(raw.get(k), bool)}


def answer_history(events: Iterable[dict[str, Any]]) -> list[list[str]]:
    """The facts each earlier user turn recorded (set, or said 不清楚 to), oldest first, as 上一步
    needs them: a turn taken back by 上一步 is dropped; a restart starts afresh. The latest user
    event (the message being answered now) is not counted."""
    events = list(events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    turns: list[list[str]] = []
    current: list[str] | None = None
    declined: list[str] = []
    for e in events[: max(last_user, 0)]:
        kind = e.get("event")
        if kind == "restart":
            turns, current, declined = [], None, []
        elif kind == "user":
            if (e.get("text") or "").strip() == UNDO:
                while turns and not turns[-1]:
                    turns.pop()
                if turns:
                    turns.pop()
                current = None  # what the undo itself unset is not an answer
            else:
                current = []
                turns.append(current)
        elif kind == "slot":
            name, value = e.get("name"), e.get("value")
            if name == "declined_facts":
                now = [f for f in value or [] if isinstance(f, str)]
                if current is not None:
                    current.extend(f for f in now if f not in declined and f not in current)
                declined = now
            elif current is not None and name in _FACTS and value is not None and name not in current:
                current.append(name)
    return [t for t in turns if t]


class ActionConverse(Action):
    def name(self) -> str:
        return "action_converse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        latest = tracker.latest_message or {}
        intent = latest.get("intent") or {}
        metadata = message_metadata(tracker)
        incoming = Incoming(
            text=latest.get("text") or "",
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            entities=list(latest.get("entities") or []),
            abilities=_abilities(metadata),
            entry=metadata.get("entry") if isinstance(metadata.get("entry"), str) else None,
            history=answer_history(tracker.events or []),
        )
        try:
            outcome = handle(tracker.current_slot_values(), incoming)
        except Exception:  # never a stack trace to a user; the tracker keeps what they said
            log.exception(
                "action_converse failed (intent=%s)", incoming.intent
            )  # no message text: it may hold personal data
            with variants(variants_for(incoming.abilities)):
                sorry = msg("sorry_error")
            dispatcher.utter_message(text=sorry, buttons=[{"title": msg("restart_button"), "payload": "/restart"}])
            return []
        for m in outcome.messages:
            if m.get("custom"):
                dispatcher.utter_message(json_message=m["custom"])
            else:
                dispatcher.utter_message(text=m["text"], buttons=m.get("buttons") or [])
        return [SlotSet(k, v) for k, v in outcome.slots.items()]


class ActionRestartConversation(Action):
    """Overrides Rasa's action_restart: forget everything, then open with the first question."""

    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        with variants(variants_for(_abilities(message_metadata(tracker)))):
            text = msg("restart") + "\n" + questions()["age"].text + "\n" + msg("restart_hint")
        dispatcher.utter_message(text=text)
        # Rasa drops events after Restarted in the same action, so no slot is set here; a bare age
        # in the next message is understood without requested_slot.
        return [Restarted()]
