"""One turn of the screening conversation: understand, update the profile, answer, ask or conclude.

Pure function of (slots, message) → (messages, slot changes), so it is tested without Rasa.
The questions come from the engine's next_facts: the dialogue asks only what can still change
the result, and stops as soon as nothing can.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from actions.understanding import extract, parse_age
from policy_kb import decide, evaluate, load_kb
from policy_kb.facts import FACT_NAMES, ProfileError, facts

from . import replies
from .questions import DONT_KNOW, Question, question_for, questions

SIDE_INTENTS = {"ask_service_info", "ask_why", "ask_missing", "ask_definition", "human_handoff",
                "ask_capabilities", "out_of_scope", "greet", "goodbye", "thank"}
SPECIAL = questions()["special_circumstances"].facts
SKIP = {"title": "跳过这个问题", "payload": "/skip"}
HUMAN = {"title": "找人工", "payload": "/human_handoff"}
WELCOME = ("您好！我是长治市养老服务查询助手。告诉我老人的情况，我帮您查能享受哪些养老服务、"
           "能领多少钱、该找哪个部门。\n可以一次说几件事，比如：“我妈八十三了，吃低保，瘫在床上。”")


@dataclass
class Incoming:
    text: str
    intent: str | None = None
    confidence: float = 1.0
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    messages: list[dict[str, Any]] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.messages.append({"text": text, "buttons": buttons or []})


def _coerce(name: str, value: Any) -> Any:
    """An entity value (from a button payload or DIET) as the contract value, or None."""
    fact = facts().get(name)
    if fact is None:
        return None
    if fact.type == "int" and isinstance(value, str):
        if name == "age":
            value = parse_age(value, dt.date.today())[0] if not value.strip().isdigit() else int(value)
        elif value.strip().isdigit():
            value = int(value)
    if fact.type == "bool" and isinstance(value, str):
        value = {"true": True, "false": False}.get(value.lower(), value)
    if fact.type == "list" and isinstance(value, str):
        value = [value]
    try:
        return fact.check(value)
    except ProfileError:
        return None


def _profile(slots: Mapping[str, Any]) -> dict[str, Any]:
    return {f: slots[f] for f in FACT_NAMES if slots.get(f) is not None}


def _entity_values(msg: Incoming, name: str) -> list[Any]:
    return [e.get("value") for e in msg.entities if e.get("entity") == name]


def _negated(text: str, fragment: str) -> bool:
    i = text.find(fragment)
    return i > 0 and any(ch in text[max(0, i - 2):i] for ch in "不没无非")


class Turn:
    def __init__(self, slots: Mapping[str, Any], msg: Incoming, today: dt.date | None = None):
        self.slots = dict(slots)
        self.msg = msg
        self.today = today or dt.date.today()
        self.profile = _profile(slots)
        self.requested: str | None = slots.get("requested_slot")
        self.declined: list[str] = list(slots.get("declined_facts") or [])
        self.out = Outcome()
        self.changed: dict[str, Any] = {}
        self.corrected: dict[str, Any] = {}
        self.approximate: dict[str, str] = {}

    # ---- understanding -------------------------------------------------------------------
    def _requested_facts(self) -> tuple[str, ...]:
        if not self.requested:
            return ()
        if self.requested == "special_circumstances":
            return SPECIAL
        q = questions().get(self.slots.get("asked_group") or "")  # a grouped question asks all its facts
        return q.facts if q and self.requested in q.facts else (self.requested,)

    def understand(self) -> tuple[dict[str, Any], bool, bool]:
        """(facts, said 不知道, special 'none of these')."""
        msg, new = self.msg, {}
        dont_know = msg.intent in ("dont_know", "skip")
        special_none = False
        if msg.text.startswith("/"):
            for e in msg.entities:
                name, value = e.get("entity"), e.get("value")
                if name == "special_circumstances":
                    special_none = special_none or value == "none"
                    continue
                v = _coerce(name, value)
                if v is not None:
                    new[name] = v
            return new, dont_know, special_none
        if msg.intent == "ask_definition":
            return {}, False, False  # 什么是低保边缘: asking what a word means is not saying it applies
        hypothetical = msg.intent in ("ask_service_info", "ask_why", "ask_missing")
        ext = extract(msg.text, requested=self.requested, today=self.today)
        if ext.correction and not ext.facts and self.requested:
            # 说错了，是七十九: a correction is about an earlier answer, not the pending question.
            ext = extract(msg.text, requested=None, today=self.today)
        if hypothetical and ext.relation is None:
            # 65岁坐公交免费吗: an age in a general question is not the elder's age.
            return {}, False, False
        new.update(ext.facts)
        self.approximate = dict(ext.approximate)
        if ext.unknown or (dont_know and not new):
            dont_know = True
        special_none = ext.special_none
        if ext.correction:
            self.corrected = dict(new)
        # DIET entities are a second opinion for facts the rules did not find.
        for name in FACT_NAMES:
            if name in new or name in ("age",) and ext.facts.get("age") is not None:
                continue
            for e in msg.entities:
                if e.get("entity") != name:
                    continue
                raw = msg.text[e.get("start", 0):e.get("end", 0)] if "start" in e else str(e.get("value"))
                if raw and _negated(msg.text, raw):
                    continue
                v = _coerce(name, e.get("value") if name != "age" else raw)
                if v is not None:
                    new[name] = v
                    break
        return new, dont_know, special_none

    # ---- profile updates -----------------------------------------------------------------
    def apply(self, new: dict[str, Any], dont_know: bool, special_none: bool) -> None:
        if self.requested == "special_circumstances":
            # The group's buttons fill the other rare facts with "no"; never over a fact already known
            # (a 复员军人 who taps 都没有 for the rest stays a 复员军人).
            for f in SPECIAL:
                if f in self.profile and new.get(f) in (False, "none") and self.profile[f] not in (False, "none"):
                    del new[f]
            defaults = {"special_family_planning": False, "maintenance_dispute": False, "homeless": False}
            if special_none or any(f in new for f in SPECIAL):
                # Naming one of the listed situations (or none) answers "which of these": the others do not apply.
                if special_none or not self.msg.text.startswith("/"):
                    defaults["veteran_category"] = "none"
                for f, v in defaults.items():
                    if f not in self.profile:
                        new.setdefault(f, v)
        for name, value in new.items():
            old = self.profile.get(name)
            if old != value:
                self.changed[name] = value
                if old is not None:
                    self.corrected[name] = value
            self.profile[name] = value
            if name in self.declined:
                self.declined.remove(name)
        if dont_know and self.requested and not new:
            for f in self._requested_facts() or (self.requested,):
                if f not in self.declined and f in facts():
                    self.declined.append(f)

    # ---- speaking ------------------------------------------------------------------------
    def ack(self) -> None:
        if not self.changed or self.msg.text.startswith("/"):
            if self.corrected and self.changed:
                self.out.say("好的，已经改过来了。")
            return
        fs = facts()
        said = "，".join(f"{fs[k].label.split('（')[0]}：{fs[k].value_label(v)}" for k in fs if k in self.changed
                        for v in (self.changed[k],))
        self.out.say(("好的，已经改成：" if self.corrected else "记下了：") + said + "。")

    def next_question(self, result: Mapping[str, Any]) -> Question | None:
        unknown = set(FACT_NAMES) - set(self.profile)
        for name in result["next_facts"]:
            if name in self.declined:
                continue
            return question_for(name, unknown - set(self.declined))
        return None

    def ask(self, q: Question, prefix: str = "") -> None:
        unknown = set(FACT_NAMES) - set(self.profile)
        buttons = q.button_dicts()
        self.out.say(prefix + q.text, buttons)
        self.out.slots["requested_slot"] = q.slot_name(unknown)
        self.out.slots["asked_group"] = q.key

    def tell_result(self, result: Mapping[str, Any], again: bool) -> None:
        text, summary = replies.result_messages(result, self.profile, self.declined)
        self.out.say(("按新的情况重新算了一遍。\n" if again else "") + text)
        self.out.messages.append({"text": "", "buttons": [], "custom": {
            "type": "result", "eligible": list(result["eligible"]), "possible": list(result["possible"]),
            "profile": dict(self.profile), "summary": summary}})
        self.out.slots.update({"eligible_services": list(result["eligible"]),
                               "possible_services": list(result["possible"]),
                               "result_told": True, "requested_slot": None, "asked_group": None})

    def approximate_matters(self, phrase: str) -> bool:
        age = self.profile.get("age")
        if age is None:
            return False
        span = range(age - 2, age + 2) if any(w in phrase for w in ("快", "不到", "将近", "差不多")) else range(age, age + 9)
        base = decide(self.profile)
        return any(decide({**self.profile, "age": a}) != base for a in span if 0 <= a <= 130)

    def side_answer(self, result: Mapping[str, Any]) -> bool:
        """Answer a side question or small talk; True when the turn should not continue the screening."""
        intent, text = self.msg.intent, self.msg.text
        service_ids = replies.find_services(text, _entity_values(self.msg, "service"))
        term = replies.find_term(text, _entity_values(self.msg, "term"))
        if intent == "ask_definition" or (intent not in SIDE_INTENTS and not self.changed and term and "什么" in text):
            if term:
                self.out.say(replies.define(term))
            elif service_ids:
                self.out.say(replies.service_info(service_ids[0], self.profile))
            else:
                self.out.say("这个词我还解释不了。您可以换个说法，或者问问村（社区）工作人员。")
            return False
        if intent == "ask_service_info" or (service_ids and not self.changed and intent in ("inform", "nlu_fallback", None)):
            if service_ids:
                asked_age = None
                if "age" not in self.profile:
                    asked_age = parse_age(text, self.today)[0]
                for sid in service_ids[:2]:
                    self.out.say(replies.service_info(sid, self.profile, asked_age))
                self.out.slots["last_service"] = service_ids[0]
            else:
                self.out.say("您想问哪一项服务？点一下就行，也可以直接说名字。", [
                    {"title": load_kb().service(i).name, "payload": f'/ask_service_info{{"service":"{i}"}}'} for i in (8, 11, 9, 7, 10, 16)])
            return False
        if intent == "ask_why":
            ids = service_ids or ([self.slots["last_service"]] if self.slots.get("last_service") and "为什么" not in text[:3] else [])
            self.out.say(replies.why(ids, self.profile, result))
            return False
        if intent == "ask_missing":
            self.out.say(replies.missing(result))
            return False
        if intent == "human_handoff":
            self.out.say(replies.handoff(result if self.profile else None))
            return False
        if intent == "ask_capabilities":
            self.out.say("我能根据《长治市基本养老服务清单》的26项服务，帮老人和家属查能享受哪些服务、能领多少钱、找哪个部门办。我只问必要的情况，不问姓名和身份证号。")
            return False
        if intent == "out_of_scope":
            self.out.say("这个我帮不上忙。我只能帮您查长治市的养老服务，比如高龄津贴、护理补贴、免费乘公交。")
            return False
        if intent == "greet" and not self.changed:
            self.out.say(WELCOME)
            return False
        if intent in ("goodbye", "thank") and not self.changed:
            self.out.say("不客气！祝老人身体健康。有需要随时再来问我。" if intent == "thank" else "好的，再见！祝老人身体健康。")
            return True
        return False

    def run(self) -> Outcome:
        new, dont_know, special_none = self.understand()
        confirming = self.slots.get("asked_group") == "age_confirm" and not new
        if confirming and (self.msg.intent in ("affirm", "dont_know", "skip") or dont_know):
            dont_know = False  # keep the approximate age as it is
            self.corrected = {"age": self.profile.get("age")}
        self.apply(new, dont_know, special_none)
        self.ack()
        result = evaluate(self.profile, validated=True)
        understood = bool(new) or dont_know or special_none or bool(self.corrected)
        stop = self.side_answer(result)
        side = bool(self.out.messages) and not understood
        told = bool(self.slots.get("result_told"))

        starting = self.msg.intent == "start_screening" and not understood
        if not understood and not side and not starting and self.msg.intent not in SIDE_INTENTS:
            return self.misunderstood(result)
        self.out.slots["miss_count"] = 0.0
        if dont_know and not new:
            self.out.say("没关系，这个先放一放。")
        for name in self.changed:
            self.out.slots[name] = self.profile[name]
        self.out.slots["declined_facts"] = list(self.declined)
        if stop:
            return self.out

        phrase = self.approximate.get("age")
        if phrase and "age" in self.changed and self.approximate_matters(phrase):
            self.out.say(f"您说“{phrase}”，我先按{self.profile['age']}周岁算。老人具体多少周岁？这关系到能不能享受，不清楚就点“就按这个算”。",
                         [{"title": "就按这个算", "payload": "/affirm"}, {"title": "不清楚", "payload": "/dont_know"}])
            self.out.slots["requested_slot"] = "age"
            self.out.slots["asked_group"] = "age_confirm"
            return self.out

        q = self.next_question(result)
        if q is None:
            if not told or self.changed or not side:
                if not (told and side):
                    self.tell_result(result, again=told and bool(self.changed))
            return self.out
        if told and self.changed:
            self.out.slots["result_told"] = False
        prefix = "我们接着说：" if side and self.profile else ""
        if starting:
            prefix = "好的，我来帮您查。" + ("" if self.profile else "可以一次说几件事，也可以一个一个回答。\n")
        self.ask(q, prefix)
        return self.out

    def misunderstood(self, result: Mapping[str, Any]) -> Outcome:
        misses = int(self.slots.get("miss_count") or 0) + 1
        self.out.slots["miss_count"] = float(misses)
        q = self.next_question(result) if not self.slots.get("result_told") else None
        if q is None:
            self.out.say("不好意思，我没太明白。您可以问我某项服务，比如“高龄津贴怎么申请”，或者说“重新开始”帮别的老人查。",
                         [HUMAN, {"title": "重新开始", "payload": "/restart"}])
            return self.out
        if misses < 2:
            self.out.say("不好意思，我没听明白。" + q.text + ("可以点下面的按钮。" if q.buttons else "可以换个说法。"), q.button_dicts())
        else:
            buttons = [b for b in q.button_dicts() if b["payload"] != DONT_KNOW["payload"]] + [SKIP, HUMAN]
            self.out.say("还是没听明白，真对不起。可以点按钮回答，也可以先跳过这个问题，或者找人工问问。\n" + q.text, buttons)
        unknown = set(FACT_NAMES) - set(self.profile)
        self.out.slots["requested_slot"] = q.slot_name(unknown)
        self.out.slots["asked_group"] = q.key
        return self.out



def handle(slots: Mapping[str, Any], msg: Incoming, today: dt.date | None = None) -> Outcome:
    return Turn(slots, msg, today).run()
