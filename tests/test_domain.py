"""The Rasa domain, rules and questions stay in step with the knowledge base's facts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.dialogue.questions import question_for, questions
from policy_kb import load_kb
from policy_kb.engine import open_facts
from policy_kb.facts import FACT_NAMES

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def test_every_fact_is_a_slot_named_as_in_the_contract():
    for name in FACT_NAMES:
        assert name in DOMAIN["slots"], name
    for name in ("requested_slot", "eligible_services", "special_circumstances", "confirm_value"):
        assert name in DOMAIN["slots"]


def test_every_slot_the_actions_set_is_in_the_domain():
    # an undeclared slot in a SlotSet is dropped by Rasa: the dialogue would forget it silently
    set_by_actions = set()
    for path in (ROOT / "actions").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        set_by_actions |= set(re.findall(r'slots\[\s*["\'](\w+)["\']\s*\]\s*=(?!=)', text))
        set_by_actions |= set(re.findall(r'SlotSet\(\s*["\'](\w+)["\']', text))
        for body in re.findall(r"slots\.update\(\s*\{(.*?)\}\s*\)", text, flags=re.S):
            set_by_actions |= set(re.findall(r'["\'](\w+)["\']\s*:', body))
    assert {"requested_slot", "asked_group", "eligible_services", "miss_count"} <= set_by_actions
    assert set_by_actions <= set(DOMAIN["slots"]), set_by_actions - set(DOMAIN["slots"])


@pytest.mark.filterwarnings("ignore:Slot auto-fill")  # printed by every Domain.load
def test_requested_slot_holds_a_confirmation_and_confirm_value_any_value():
    # contract section 5: while the bot asks "您是说……，对吗？", requested_slot = confirm:<fact>
    # and confirm_value holds the value read (a number, a string, a list).
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
    for value in (83, "minimum_living", ["hypertension"], True):
        tracker.update(SlotSet("requested_slot", "confirm:age"))
        tracker.update(SlotSet("confirm_value", value))
        assert tracker.get_slot("requested_slot") == "confirm:age"
        assert tracker.get_slot("confirm_value") == value
    for name in ("confirm_value", "miss_facts", "suggested_facts"):
        spec = DOMAIN["slots"][name]
        assert spec["type"] == "any" and spec["influence_conversation"] is False, name
        assert spec["mappings"] == [{"type": "custom"}], name


def test_every_fact_the_engine_can_ask_has_a_question_with_buttons_when_closed():
    askable = set()
    for service in load_kb().services:
        askable |= open_facts(service.condition, {})
    for name in askable:
        q = question_for(name, set(FACT_NAMES))
        assert q.text.endswith(("？", "。")), name
        if name != "age":
            assert q.buttons, f"{name} is a closed question and needs quick replies"


def test_every_nlu_intent_is_in_the_domain_and_has_a_rule():
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    ruled = {step["intent"] for r in rules for step in r["steps"] if "intent" in step}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                assert block["intent"] in DOMAIN["intents"], (path.name, block["intent"])
                assert block["intent"] in ruled or block["intent"] == "restart"


def test_button_payloads_only_use_domain_entities():
    for q in questions().values():
        for _, payload in q.buttons:
            if payload.startswith("/inform"):
                for key in yaml.safe_load(payload[len("/inform"):]):
                    assert key in DOMAIN["entities"], key
