"""The Rasa custom action: every user turn comes here (see data/rules.yml)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dialogue.questions import questions
from actions.dialogue.turn import Incoming, handle

log = logging.getLogger(__name__)

SORRY = "不好意思，系统刚才出了点问题，您说的我都记着。请再说一遍，或者点“重新开始”。"


class ActionConverse(Action):
    def name(self) -> str:
        return "action_converse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        latest = tracker.latest_message or {}
        intent = latest.get("intent") or {}
        msg = Incoming(
            text=latest.get("text") or "",
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            entities=list(latest.get("entities") or []),
        )
        try:
            outcome = handle(tracker.current_slot_values(), msg)
        except Exception:  # never a stack trace to a user; the tracker keeps what they said
            log.exception(
                "action_converse failed (intent=%s)", msg.intent
            )  # no message text: it may hold personal data
            dispatcher.utter_message(text=SORRY, buttons=[{"title": "重新开始", "payload": "/restart"}])
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
        first = questions()["age"]
        dispatcher.utter_message(
            text="好的，之前说的都清空了，我们重新开始。\n"
            + first.text
            + "\n也可以一次说几件事，比如：“我妈八十三了，吃低保，瘫在床上。”"
        )
        # Rasa drops events after Restarted in the same action, so no slot is set here; a bare age
        # in the next message is understood without requested_slot.
        return [Restarted()]
