"""One turn of the screening: read the message, record what is sure, confirm what is not,
answer what was asked, then ask the next useful question or tell the result.

Pure function of (slots, message) -> (messages, slot changes), tested without Rasa.
The questions come from the engine's next_facts: the dialogue asks only what can still change
the result, stops as soon as nothing can, and never asks the same question a third time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from actions.understanding.lexicon import get_lexicon
from actions.understanding.normalize import normalize, speech_clauses
from policy_kb import evaluate
from policy_kb.facts import FACT_NAMES, facts

from . import replies, result_view
from .messages import msg, variants, variants_for
from .profile import (
    Reading,
    is_question,
    mentioned_conditions,
    needs_confirming,
    question_conditions,
    read_payload,
    read_text,
    special_defaults,
)
from .questions import Question, group_of, inform, question_for, questions
from .side import general_answer, so_far

SIDE_INTENTS = {
    "ask_service_info",
    "ask_why",
    "ask_missing",
    "ask_definition",
    "human_handoff",
    "ask_capabilities",
    "out_of_scope",
    "greet",
    "goodbye",
    "thank",
}
SPECIAL = questions()["special_circumstances"].facts
# A question about a word that asks what it brings or how to get it, not only what it means.
_HOW_RX = re.compile(r"怎么|怎样|咋|如何|办理|申请|条件|待遇|补助|补贴|多少|找谁|哪里|哪儿|领到|能领")
CONFIRM = "confirm:"
APPROX_AGE = "age_approx"  # asked_group while the exact age is asked after 八十多
UNDO = "/correct"  # the payload alone, with no values: 上一步, take back the last answer (docs/contract-extensions.md)
KEYPAD = "keypad"  # Incoming.entry: the values were typed on a number keypad, so they are echoed and confirmed
# A long message that names a benefit (…高龄津贴发放…结果…) is about that benefit: answer it.
# 帮我查一下老人能享受什么: a request to screen, not a question to answer from the list
_START_RX = re.compile(r"帮(?:我|俺|忙)?(?:查|看)|查一下|查查|给(?:我|俺)查|看看.{0,8}(?:能享受|能领|有什么|有啥)")
_SMALL_TALK = ("greet", "goodbye", "thank", "ask_capabilities", "out_of_scope")
# side talk that leaves the waiting question unanswered (not a hand-off, not thanks or goodbye)
_MISS_WHILE_WAITING = ("ask_why", "ask_missing", "ask_capabilities", "out_of_scope", "greet")
_HUMAN_RX = re.compile(r"人工|真人|客服|工作人员|找人|打电话|电话")
_CONFIRMING = "~confirming"  # miss_facts marker: the question whose answer is being confirmed
_BENEFIT_RX = re.compile(r"补贴|津贴|补助|救助|援助|优待|供养|体检|培训|改造|减免|免费|养老金|保险|待遇|到账|发放")
# what a word means (什么是低保, 失能是啥意思), not what it brings (残疾证有什么政策)
_MEANING_RX = re.compile(
    r"什么是|是什么|啥是|是啥|啥叫|什么叫|叫什么|什么意思|啥意思|意思|怎么讲|区别|算不算|指的是|指什么|咋算|怎么算"
)
# 有什么政策, 能享受哪些: asks for everything the told facts bring, beside the service named
_WHAT_ALL_RX = re.compile(
    r"有(?:什么|啥|哪些)(?:政策|补助|补贴|待遇|福利|优惠|帮扶|救助)|(?:能|可以)享受(?:什么|啥|哪些)|哪些(?:政策|补助|补贴|待遇|福利)"
)
# 想给我爸申请个失能补贴 / 给五保老汉问问政策: a request about a service, answered like a question
_REQUEST_RX = re.compile(
    r"想(?:要|给[^，。,]{1,4})?(?:申请|办|领|问|了解|咨询|住进|住到|去住|进|去)|问问|咨询|了解一下|打听"
)


@dataclass
class Incoming:
    text: str
    intent: str | None = None
    confidence: float = 1.0
    entities: list[dict[str, Any]] = field(default_factory=list)
    # what the channel can do (Rasa message metadata "abilities", e.g. {"voice_in": false,
    # "keypad": true}): chooses the catalogue's wording (messages.py variants)
    abilities: dict[str, Any] = field(default_factory=dict)
    entry: str | None = None  # "keypad": typed on a number keypad (metadata "entry")
    # the facts each earlier answer recorded, oldest first (actions.py reads them from the
    # tracker's events): what 上一步 takes back
    history: list[list[str]] = field(default_factory=list)


@dataclass
class Outcome:
    messages: list[dict[str, Any]] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.messages.append({"text": text, "buttons": buttons or []})


def _buttons(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"title": t, "payload": p} for t, p in pairs]


def _entity_values(m: Incoming, name: str) -> list[Any]:
    return [e.get("value") for e in m.entities if e.get("entity") == name]


class Turn:
    def __init__(self, slots: Mapping[str, Any], message: Incoming, today: dt.date | None = None):
        self.slots = dict(slots)
        self.msg = message
        self.today = today or dt.date.today()
        self.profile = {f: slots[f] for f in FACT_NAMES if slots.get(f) is not None}
        self.requested: str | None = slots.get("requested_slot")
        self.asked: Question | None = None
        if self.requested and not self.requested.startswith(CONFIRM):
            self.asked = group_of(slots.get("asked_group")) or group_of(self.requested)
            if self.asked is not None and self.requested not in self.asked.facts and self.requested != self.asked.key:
                self.asked = group_of(self.requested)
        self.declined: list[str] = list(slots.get("declined_facts") or [])
        self.misses: dict[str, int] = dict(slots.get("miss_facts") or {})
        self.suggested: dict[str, Any] = dict(slots.get("suggested_facts") or {})
        self.out = Outcome()
        self.changed: dict[str, Any] = {}
        self.corrected: dict[str, Any] = {}
        self.to_confirm: dict[str, Any] = {}
        self.approx_age: tuple[str, int] | None = None  # (words said, lowest age they allow)

    # ---- reading -------------------------------------------------------------------------
    def read(self) -> Reading:
        m = self.msg
        if m.text.startswith("/"):
            return read_payload(m.text, m.entities)
        requested = None if (self.requested or "").startswith(CONFIRM) else self.requested
        text = speech_clauses(m.text)  # one breath, no marks: a comma where a new subject begins
        # the statistical entities' offsets are the message's: with commas put in they are not used
        r = read_text(text, m.intent, m.entities if text == m.text else [], requested, self.asked, self.today)
        if r.correction and not is_question(m.text, None):  # the words, not DIET's intent, say it asks
            self._read_correction(r)
            r.question = False
        if self.requested and (self.requested.startswith(CONFIRM) or self.slots.get("asked_group") == APPROX_AGE):
            r.yes = self._yes_no(m.text, m.intent)
        return r

    def _read_correction(self, r: Reading) -> None:
        """俺记错了，才交了十三年 / 刚才说能自理不对，穿衣裳得人帮: a correction is about an answer
        given before, so the words are read again as an answer to each fact already known; a new
        value for one of them is the correction (for several at once, each is confirmed)."""
        from actions.understanding import extract

        changed = {}
        for name, old in self.profile.items():
            if name in r.facts and r.facts[name] != old:
                continue
            value = extract(self.msg.text, requested=name, today=self.today).facts.get(name)
            if value is not None and value != old:
                changed[name] = value
        for name, value in changed.items():
            r.facts[name] = value
            if len(changed) > 1:
                r.unsure.add(name)
            else:
                r.unsure.discard(name)

    def _yes_no(self, text: str, intent: str | None) -> bool | None:
        from actions.understanding.answers import core_of_first_clause
        from actions.understanding.normalize import Clauses, normalize

        lex = get_lexicon()
        norm = normalize(text)
        core = core_of_first_clause(norm, Clauses(norm), lex)
        a = lex.answers
        if core in (a.get("deny") or ()) or core in ("不是的", "不对的", "错了"):
            return False
        if core in (a.get("affirm") or ()) or core in ("是的", "对的", "没错", "就按这个算"):
            return True
        if intent in ("affirm", "deny") and len(norm) <= 6:
            return intent == "affirm"
        return None

    # ---- recording -----------------------------------------------------------------------
    def record(self, name: str, value: Any) -> None:
        old = self.profile.get(name)
        if old != value:
            self.changed[name] = value
            if old is not None:
                self.corrected[name] = value
        self.profile[name] = value
        if name in self.declined:
            self.declined.remove(name)
        self.suggested.pop(name, None)

    def note_rounds(self, r: Reading) -> None:
        """The rare situations are asked as a group at most twice (first, then 还有吗); after that,
        any still open are asked one by one, so no question comes a third time."""
        key = "special_circumstances"
        if self.slots.get("asked_group") == key and any(f in self.profile for f in SPECIAL) and not r.special_none:
            self.misses[key + "~split"] = 1

    def apply(self, r: Reading) -> None:
        requested = self.requested or ""
        pending = requested[len(CONFIRM) :] if requested.startswith(CONFIRM) else None
        if pending:
            value = self.slots.get("confirm_value")
            asked_key = next((k[: -len(_CONFIRMING)] for k in self.misses if k.endswith(_CONFIRMING)), None)
            self.misses.pop(f"{asked_key}{_CONFIRMING}", None)
            if r.yes is True:
                if pending in facts() and value is not None:
                    self.record(pending, value)
            elif r.yes is False and not r.facts:
                self.out.say(msg("confirm_denied"))
                self.suggested.pop(pending, None)
                if asked_key in questions() and pending in questions()[asked_key].facts:
                    # the answer to the question was read wrongly: a miss, so it is not put a third time
                    self.misses[asked_key] = self.misses.get(asked_key, 0) + 1
                    if self.misses[asked_key] >= 2:
                        for f in questions()[asked_key].facts:
                            if f not in self.profile and f not in self.declined:
                                self.declined.append(f)
            # A new statement right after "您是说…对吗" answers it: taken as said.
            for name, v in r.facts.items():
                self.record(name, v)
            return
        facts_in = dict(r.facts)
        facts_in.update(special_defaults(r, self.profile))
        keyed = self.msg.entry == KEYPAD  # a mis-tap on a keypad is easy: every number is echoed first
        if "age" in facts_in and r.approximate.get("age") and not r.button:
            age = facts_in.pop("age")
            if self.profile.get("age") is None:
                self.approx_age = (r.approximate["age"], age)  # 八十多: asked for, not recorded
        held = get_lexicon().raw.get("certificate_held")
        type_kept = (self.asked is not None and "disability_type" in self.asked.facts) or bool(
            held and re.search(held, normalize(self.msg.text))
        )
        if (
            "disability_type" in facts_in
            and not (facts_in.get("disability_grade") or self.profile.get("disability_grade"))
            and not type_kept
        ):
            # 眼睛看不清，想办个残疾证: a kind of disability with no 残疾证 grade is no fact yet (the
            # contract keeps a type only with a grade); it is offered to confirm when the type is asked
            kind = facts_in.pop("disability_type")
            if self.profile.get("disability_grade") != 0 and facts_in.get("disability_grade") != 0:
                self.suggested.setdefault("disability_type", kind)
        for name, value in facts_in.items():
            if keyed or needs_confirming(name, value, self.profile.get(name), r, self.requested, self.asked):
                self.to_confirm[name] = value
            else:
                self.record(name, value)
        if r.dont_know and not r.facts and self.asked is not None:
            for f in self.asked.facts:
                if f not in self.profile and f not in self.declined:
                    self.declined.append(f)
        for f in sorted(r.unknown):  # 别的都没有，计划生育那个不知道: that one is not known
            if f not in self.profile and f not in r.facts and f not in self.declined:
                self.declined.append(f)

    # ---- speaking ------------------------------------------------------------------------
    def ack(self, r: Reading) -> None:
        if not self.changed:
            return
        if r.button or (self.requested or "").startswith(CONFIRM):
            if self.corrected:
                self.out.say(msg("changed_short"))
            return
        fs = facts()
        said = "，".join(
            f"{fs[k].label.split('（')[0]}：{fs[k].value_label(self.changed[k])}" for k in fs if k in self.changed
        )
        self.out.say(msg("changed" if self.corrected else "noted", facts=said))

    def confirm(self, name: str, value: Any, prefix: str = "") -> None:
        fact = facts()[name]
        old = self.profile.get(name)
        if self.msg.entry == KEYPAD and isinstance(value, int) and not isinstance(value, bool):
            text = msg("confirm_keyed_age" if name == "age" else "confirm_keyed", words=number_words(value))
        elif name == "age":
            text = (
                msg("confirm_age_change", old=old, value=value) if old is not None else msg("confirm_age", value=value)
            )
        elif fact.type == "bool":
            text = msg("confirm_true" if value else "confirm_false", label=fact.label.split("（")[0])
        else:
            text = msg("confirm_enum", label=fact.label.split("（")[0], value=fact.value_label(value))
        self.out.say(prefix + text, _buttons((msg("confirm_yes"), "/affirm"), (msg("confirm_no"), "/deny")))
        self.out.slots.update({"requested_slot": CONFIRM + name, "confirm_value": value, "asked_group": "confirm"})
        if self.asked is not None and name in self.asked.facts:
            self.misses[self.asked.key + _CONFIRMING] = 1  # which question this confirmation reads an answer to
            self.out.slots["miss_facts"] = dict(self.misses)

    def next_question(self, result: Mapping[str, Any]) -> Question | None:
        unknown = set(FACT_NAMES) - set(self.profile)
        split = frozenset(k.split("~")[0] for k, n in self.misses.items() if n >= 1)
        for name in result["next_facts"]:
            if name in self.declined:
                continue
            return question_for(name, unknown - set(self.declined), split)
        return None

    def ask(self, q: Question, prefix: str = "") -> None:
        unknown = set(FACT_NAMES) - set(self.profile)
        if q.key in self.suggested and q.key in facts() and q.key not in self.suggested_now:
            # 三级残疾有没有补助 → later 老人是三级残疾吗: what a question named is confirmed, not assumed.
            value = self.suggested[q.key]
            self.confirm(q.key, value, prefix + msg("confirm_suggested", value=_value_words(q.key, value)))
            return
        text, buttons = q.text, q.button_dicts()
        if q.key == "special_circumstances" and any(f in self.profile for f in SPECIAL) and q.again:
            text = q.again
            buttons = [b for b in buttons if not _told(b["payload"], self.profile)]
            buttons = [dict(b, title=b["title"] + "了") if b["payload"].endswith('"none"}') else b for b in buttons]
        self.out.say(prefix + text, buttons)
        self.out.slots["requested_slot"] = q.slot_name(unknown)
        self.out.slots["asked_group"] = q.key

    def tell_result(self, result: Mapping[str, Any], again: bool) -> None:
        text, summary = replies.result_messages(result, self.profile, self.declined)
        self.out.say((msg("again_result") if again else "") + text)
        self.out.messages.append(
            {
                "text": "",
                "buttons": [],
                "custom": {**result_view.build(result, self.profile, self.declined), "summary": summary},
            }
        )
        self.out.slots.update(
            {
                "eligible_services": list(result["eligible"]),
                "possible_services": list(result["possible"]),
                "result_told": True,
                "requested_slot": None,
                "asked_group": None,
            }
        )

    # ---- side talk -----------------------------------------------------------------------
    def side_answer(self, r: Reading, result: Mapping[str, Any]) -> bool:
        """Answer what was asked beside the screening; True when the conversation ends here."""
        intent, text = self.msg.intent, self.msg.text
        if intent in _SMALL_TALK and len(text) > 15 and not text.startswith("/"):
            intent = None  # a long story is not 再见 or 谢谢, whatever the statistical model says
        if intent in ("goodbye", "thank") and not _closing(text, intent):
            intent = None  # 到60岁了怎么领养老金 / 我真是没人管了: no word of a goodbye or a thank-you
        if intent in ("ask_capabilities", "out_of_scope") and self.requested and len(text) > 6:
            # 俺还能圪蹴下哩，啥都自己弄 while a question waits: an answer not understood (a miss,
            # asked in other words, set aside after two), not "what can you do" again and again
            intent = None
        if intent == "human_handoff" and (len(text) > 15 or self.changed) and not _HUMAN_RX.search(text):
            intent = None  # 一个人 (an answer, heard) is not "找个人"
        if intent in _MISS_WHILE_WAITING and self.requested and r.dont_know and not r.question:
            intent = None  # 还没想好 while a question waits: "I don't know" in words, not "what is missing"
        self.side_intent = intent
        if text.startswith("/") and intent not in SIDE_INTENTS:
            return False
        service_ids = replies.find_services(text, _entity_values(self.msg, "service"))
        term = replies.find_term(text, _entity_values(self.msg, "term"))
        if intent == "ask_definition" or (r.question and term and _MEANING_RX.search(text) and not service_ids):
            self.out.say(replies.define(term) if term else msg("question_unknown"))
            if (
                term
                and replies.term_services(term)
                and (_HOW_RX.search(text) or _BENEFIT_RX.search(text) or len(text) > 20)
            ):
                # 享受城乡低保应符合什么条件？如何办理？: the meaning, then what it brings and where to go
                self.out.say(replies.where_to_go(replies.term_services(term), self.profile.get("district")))
            self.answered = True
            return False
        # Needs that point to a service not named (一个人住怕出事 -> 探访服务): weaker than a name.
        # Never while a question waits: an answer that mentions a need (想学学咋伺候) is an answer or a
        # miss of that question, not a side answer that would ask it again and again.
        topic_ids = (
            []
            if service_ids or text.startswith("/") or self.requested or r.elder_choices
            else replies.find_topics(text)
        )
        story = bool(service_ids) and len(text) > 25 and bool(_BENEFIT_RX.search(text))
        story = story or (bool(service_ids) and not self.requested and bool(_REQUEST_RX.search(text)))
        # A first message that tells a long story (我叔无儿无女，申请了两年低保……) asks, in effect,
        # what can be done: it gets what its facts bring before the first question; so does a story
        # of a need the list meets (屋里没个扶手，上厕所老摔), with nothing of the elder told yet.
        first = not self.requested and not self.slots.get("result_told")
        story = story or (first and len(text) > 30 and bool(self.changed))
        story = story or (first and len(text) > 12 and bool(topic_ids) and not self.profile)
        # 为啥…: a "why" before anything is known; DIET's ask_why on words that do not ask is none
        general_why = intent == "ask_why" and not self.profile and not service_ids and is_question(text, None)
        # 第二次申请五保，一直没批复，是年龄不够吗: no condition asked, but a value spoken of (申请五保):
        # what the list gives with it, told as for a general question
        mentioned = (
            mentioned_conditions(text)
            if r.question
            and not (service_ids or r.conditions or self.changed or topic_ids or text.startswith("/"))
            and is_question(text, None)
            else {}
        )
        if (
            (r.question or story)
            and (intent not in ("ask_why", "ask_missing", "human_handoff", "greet", "goodbye", "thank") or general_why)
            and (
                service_ids
                or r.conditions
                or intent == "ask_service_info"
                or general_why
                or self.changed
                or topic_ids
                or mentioned
            )
        ):
            if service_ids:
                asked_age = r.conditions.get("age") if "age" not in self.profile else None
                trial = {**self.profile, **{k: v for k, v in r.conditions.items() if k != "age"}}
                for sid in service_ids[:2]:
                    self.out.say(replies.service_info(sid, trial, asked_age))
                self.out.slots["last_service"] = service_ids[0]
                told = {**dict(self.changed), **r.conditions}
                if told and _WHAT_ALL_RX.search(text):
                    # 低保户重度残疾瘫痪，去养老院有什么政策: the named service, then what the told facts bring
                    self.out.say(general_answer(told, self.profile)[0])
            elif r.conditions:
                answer, buttons = general_answer(r.conditions, self.profile, topic_ids)
                self.out.say(answer, [] if self.requested else buttons)
            elif self.changed and not self.slots.get("result_told"):
                if topic_ids:  # 我是五保户，住院陪护谁管: the needs' services first, with what the facts bring
                    self.out.say(general_answer(dict(self.changed), self.profile, topic_ids)[0])
                elif any(s["status"] == "eligible" for s in result["services"]):
                    self.out.say(so_far(result, self.profile))  # 我妈90了，能领啥: what applies already
                else:  # 我是五保户，住院能报销吗: what the told facts bring, with what is still needed
                    self.out.say(general_answer(dict(self.changed), self.profile)[0])
            elif topic_ids:
                answer, buttons = general_answer({}, self.profile, topic_ids)
                self.out.say(answer, [] if self.requested else buttons)
            elif mentioned:
                answer, buttons = general_answer(mentioned, self.profile)
                self.out.say(answer, [] if self.requested else buttons)
                for name, value in mentioned.items():
                    if name not in self.profile:
                        self.suggested.setdefault(name, value)
                        self.suggested_now.add(name)
            elif general_why:
                self.out.say(msg("question_unknown"))
            elif (
                not self.requested
                and not text.startswith("/")
                and (conds := question_conditions(text, self.today, every_clause=True))
            ):
                # 河南省农村80岁以上老人补贴: a query with no question words, all of it conditions
                answer, buttons = general_answer(conds, self.profile)
                self.out.say(answer, buttons)
                for name, value in conds.items():
                    if name not in self.profile:
                        self.suggested[name] = value
                        self.suggested_now.add(name)
                self.general = not self.profile
            elif self.asked is not None and not self.changed and not self.to_confirm:
                # Nothing to answer and nothing heard while a question waits: a miss like any other
                # (asked again in other words, set aside after two), not "which service?" forever.
                self.side_intent = None
                return False
            else:
                self.out.say(
                    msg("which_service"),
                    [
                        {"title": replies.service(i).name, "payload": f'/ask_service_info{{"service":"{i}"}}'}
                        for i in (8, 11, 9, 7, 10, 16)
                    ],
                )
            for name, value in r.conditions.items():
                if name not in self.profile:
                    self.suggested[name] = value
                    self.suggested_now.add(name)
            self.answered = True
            # a story (not a question) goes on to the screening; a general question waits for the offer
            self.general = not self.profile and not self.requested and bool(r.question)
            return False
        if intent == "ask_why":
            ids = service_ids or (
                [self.slots["last_service"]] if self.slots.get("last_service") and "为什么" not in text[:3] else []
            )
            status = {s["id"]: s["status"] for s in result["services"]}
            if ids and all(status.get(i) == "possible" for i in ids) and len(self.profile) < 2:
                for sid in ids[:2]:  # 为啥高龄津贴… before anything is known: what the list says of it
                    self.out.say(replies.service_info(sid, self.profile))
            elif not ids and self.profile and not any(s["status"] == "eligible" for s in result["services"]):
                # 我是五保户…能报销多少呢，什么原因: nothing certain yet, so what the told facts can bring,
                # with what each still needs -- not a bare "nothing yet"
                self.out.say(general_answer(dict(self.changed) or dict(self.profile), self.profile)[0])
            else:
                self.out.say(replies.why(ids, self.profile, result))
        elif intent == "ask_missing":
            self.out.say(replies.missing(result))
        elif intent == "human_handoff":
            self.out.say(replies.handoff(result if self.profile else None))
            # the gateway (bot/handoff) turns this into a place in the operators' queue when
            # hand-off is open for the channel, and drops it otherwise (the departments stay)
            self.out.messages.append({"text": "", "buttons": [], "custom": {"type": "handoff_request"}})
        elif intent == "ask_capabilities":
            self.out.say(msg("capabilities"))
        elif intent == "out_of_scope" and not self.changed:
            self.out.say(msg("out_of_scope"))
        elif intent == "greet" and not self.changed:
            self.out.say(msg("welcome"))
        elif intent in ("goodbye", "thank") and not self.changed:
            self.out.say(msg("thanks" if intent == "thank" else "bye"))
            self.answered = True
            return True
        elif not self.changed and not self.to_confirm and _emotional(text):
            self.out.say(msg("emotion"))
        elif (
            r.question
            and is_question(text, None)  # the words ask: DIET's "ask_why" alone on a story is no question
            and not self.changed
            and not self.to_confirm
            and not r.dont_know
            and not _START_RX.search(text)
        ):
            # A question the list does not answer: say so kindly instead of "没听明白" + a screening question.
            # While a question waits, it still counts as a miss of that question (never asked a third time).
            self.miss_waiting()
            self.out.say(
                msg("question_unknown"),
                []
                if self.requested
                else [
                    {"title": msg("general_offer_button"), "payload": "/start_screening"},
                    {"title": msg("human"), "payload": "/human_handoff"},
                ],
            )
        else:
            self.side_intent = None  # nothing was answered beside the screening: no side talk after all
            return False
        if intent in _MISS_WHILE_WAITING and not self.changed and not self.to_confirm:
            # 咋可能，俺家好好的 heard as "why": whatever was answered, the waiting question was not;
            # so it is asked in other words next, and set aside after two such turns
            self.miss_waiting()
        self.answered = True
        return False

    def miss_waiting(self) -> None:
        """A turn that did not answer the waiting question: a miss (after two, the fact is 未确定)."""
        if self.asked is None:
            return
        key = self.asked.key
        self.misses[key] = self.misses.get(key, 0) + 1
        if self.misses[key] >= 2:
            self.declined.extend(f for f in self.asked.facts if f not in self.profile and f not in self.declined)

    # ---- the turn ------------------------------------------------------------------------
    def run(self) -> Outcome:
        self.answered = False
        self.general = False  # a general question answered before any screening began
        self.suggested_now: set[str] = set()
        self.side_intent = self.msg.intent  # side_answer() may find it was no side talk after all
        if self.msg.text.strip() == UNDO:
            return self.undo()
        r = self.read()
        guess = self.suggested.get("age")
        if self.slots.get("asked_group") == APPROX_AGE and not r.facts and (r.yes is True or r.dont_know) and guess:
            # 就按这个算 / 记不清: the approximate age is taken as said (the lowest age it allows)
            r.dont_know = False
            r.facts["age"] = guess
            r.button = True
        self.note_rounds(r)
        self.apply(r)
        self.ack(r)
        result = evaluate(self.profile, validated=True)
        confirming = (self.requested or "").startswith(CONFIRM) and r.yes is not None
        restated = bool(r.facts) and not self.changed and all(self.profile.get(k) == v for k, v in r.facts.items())
        if restated and not r.button:
            self.out.say(msg("restated"))  # said again what was known: the question comes again
            if self.asked is not None and not any(f in r.facts for f in self.asked.facts):
                self.miss_waiting()  # ...in other words, and never a third time
        understood = (
            restated
            or bool(self.changed)
            or bool(self.to_confirm)
            or r.dont_know
            or r.special_none
            or r.veteran_chosen
            or bool(self.corrected)
            or confirming
            or self.approx_age is not None
            or bool(r.elder_choices)
        )
        stop = self.side_answer(r, result)
        starting = (
            (self.msg.intent == "start_screening" or bool(_START_RX.search(self.msg.text)))
            and not understood
            and (self.asked is None or self.msg.text.startswith("/"))  # an answer is no request to start
        )
        if not understood and not self.answered and not starting and self.side_intent not in SIDE_INTENTS:
            return self.misunderstood(result)
        if r.dont_know and not r.facts:
            self.out.say(msg("not_now"))
        if (
            self.to_confirm
            and self.asked is not None
            and not any(f in self.changed or f in self.to_confirm for f in self.asked.facts)
        ):
            # The answer told something else, to be confirmed: the question itself was missed once,
            # so after the confirmation it comes in other words, and is never put a third time.
            self.misses[self.asked.key] = self.misses.get(self.asked.key, 0) + 1
            if self.misses[self.asked.key] >= 2:
                for f in self.asked.facts:  # missed twice: set aside (未确定), as after two plain misses
                    if f not in self.profile and f not in self.declined:
                        self.declined.append(f)
        self.save()
        if stop:
            return self.out
        if r.elder_choices and not self.to_confirm and "age" not in self.profile:
            # 俺公公八十四俺婆婆八十一…: which one is asked about is the family's choice, one tap each
            self.out.say(
                msg("which_elder"),
                [
                    {"title": msg("which_elder_button", who=who, age=age), "payload": inform(facts)}
                    for who, age, facts in r.elder_choices
                ],
            )
            self.out.slots.update({"requested_slot": "age", "asked_group": "age"})
            return self.out
        if self.to_confirm:
            # the fact just asked is confirmed first (进老院吧，他一个人在家…: the support mode, then
            # the living situation when it is asked)
            waiting = [f for f in self.to_confirm if self.asked is not None and f in self.asked.facts]
            name = waiting[0] if waiting else next(iter(self.to_confirm))
            value = self.to_confirm[name]
            for other, v in self.to_confirm.items():
                if other != name:
                    self.suggested.setdefault(other, v)  # confirmed later, when that fact is asked
            self.out.slots["suggested_facts"] = dict(self.suggested)
            self.confirm(name, value)
            return self.out
        if self.approx_age is not None:
            # 八十多, 快八十: no age is recorded from a guess; the exact age is asked, and the
            # lowest age the words allow is one tap away for someone who does not know it
            phrase, age = self.approx_age
            self.suggested["age"] = age
            self.out.say(
                msg("approx_age", phrase=phrase, age=age),
                [
                    {"title": msg("approx_keep", age=age), "payload": inform({"age": age})},
                    {"title": msg("approx_unsure"), "payload": "/dont_know"},
                ],
            )
            self.out.slots.update(
                {"requested_slot": "age", "asked_group": APPROX_AGE, "suggested_facts": dict(self.suggested)}
            )
            return self.out
        if self.general and not understood:
            return self.out  # the answer ends with 帮我查老人的情况: the screening starts when asked for
        if r.veteran_chosen and "veteran_category" not in self.profile:
            self.ask(questions()["veteran_category"])
            return self.out
        return self.proceed(result, side=self.answered and not understood, starting=starting)

    def proceed(
        self, result: Mapping[str, Any], side: bool = False, starting: bool = False, prefix: str = ""
    ) -> Outcome:
        told = bool(self.slots.get("result_told"))
        q = self.next_question(result)
        if q is None:
            if not told or self.changed or not side:
                if not (told and side):
                    self.tell_result(result, again=told and bool(self.changed))
            return self.out
        if told and self.changed:
            self.out.slots["result_told"] = False
        if side and self.profile:
            prefix += msg("continue")
        if starting:
            prefix = msg("start") + ("" if self.profile else msg("start_hint"))
        self.ask(q, prefix)
        return self.out

    def undo(self) -> Outcome:
        """上一步: the last answer is taken back (its facts unknown again, 不清楚 forgotten) and its
        question asked again. While a reading waits for 是/不是, that reading is what is taken back."""
        requested = self.requested or ""
        if requested.startswith(CONFIRM):
            group = [requested[len(CONFIRM) :]]  # not recorded yet: nothing to unset
        else:
            group = list(self.msg.history[-1]) if self.msg.history else []
        group = [f for f in group if f in facts()]
        for name in group:
            self.profile.pop(name, None)
            self.suggested.pop(name, None)
            if name in self.declined:
                self.declined.remove(name)
            self.out.slots[name] = None
        self.save()
        self.out.slots.update({"requested_slot": None, "confirm_value": None, "result_told": False})
        result = evaluate(self.profile, validated=True)
        if not group:
            self.slots["result_told"] = False
            return self.proceed(result, prefix=msg("undo_none"))
        unknown = set(FACT_NAMES) - set(self.profile)
        self.ask(question_for(group[0], unknown), msg("undo_back"))
        return self.out

    def save(self) -> None:
        for name in self.changed:
            self.out.slots[name] = self.profile[name]
        self.out.slots["declined_facts"] = list(self.declined)
        self.out.slots["miss_facts"] = dict(self.misses)
        self.out.slots["suggested_facts"] = dict(self.suggested)
        self.out.slots["miss_count"] = 0.0
        if (self.requested or "").startswith(CONFIRM):
            self.out.slots.update({"requested_slot": None, "confirm_value": None})

    def misunderstood(self, result: Mapping[str, Any]) -> Outcome:
        q = self.next_question(result) if not self.slots.get("result_told") else None
        if q is None:
            self.out.say(
                msg("miss_no_question"), _buttons((msg("human"), "/human_handoff"), (msg("restart_button"), "/restart"))
            )
            self.out.slots["miss_count"] = float(int(self.slots.get("miss_count") or 0) + 1)
            return self.out
        if self.asked is None:
            # Nothing was asked yet (a first message, a letter, a complaint): no miss to count and
            # no "say a number" retry for a question never put; say what we do and ask plainly.
            self.save()
            self.ask(q, msg("miss_unasked"))
            return self.out
        asked = self.asked
        misses = self.misses.get(asked.key, 0) + 1
        self.misses[asked.key] = misses
        if misses >= 2:
            # Never the same question a third time: not known, listed in the result, move on.
            for f in asked.facts:
                if f not in self.profile and f not in self.declined:
                    self.declined.append(f)
            self.save()
            result = evaluate(self.profile, validated=True)
            return self.proceed(result, prefix=msg("miss_give_up") + "\n")
        self.save()
        self.out.slots["miss_count"] = float(misses)
        if len(asked.facts) > 1:
            q = self.next_question(result) or q  # a missed group is now asked fact by fact
        else:
            q = asked
        if q.key == asked.key:
            text = q.retry or q.text
            self.out.say(
                msg("miss_first") + text + (msg("miss_buttons") if q.buttons else msg("miss_words")), q.button_dicts()
            )
            unknown = set(FACT_NAMES) - set(self.profile)
            self.out.slots.update({"requested_slot": q.slot_name(unknown), "asked_group": q.key})
        else:
            self.ask(q, msg("miss_first") + "换个问法：")
        return self.out


def _told(payload: str, profile: Mapping[str, Any]) -> bool:
    """A rare-situation button whose situation is already known."""
    for name in SPECIAL:
        if f'"{name}"' in payload and name in profile:
            return True
    return '"veteran"' in payload and "veteran_category" in profile


def _value_words(name: str, value: Any) -> str:
    if name == "age":
        return f"{value}周岁"
    fact = facts()[name]
    if fact.type == "bool":
        return fact.label.split("（")[0]
    return fact.value_label(value).split("（")[0]


def _closing(text: str, intent: str) -> bool:
    """DIET's goodbye or thanks counts only with its words (我真是没人管了 is no thanks)."""
    words = (get_lexicon().raw.get("closing_words") or {}).get(intent) or ()
    return text.startswith("/") or any(str(w) in text for w in words)


def _emotional(text: str) -> bool:
    words = get_lexicon().raw.get("emotion") or ()
    return any(w in text for w in words)


def number_words(n: int) -> str:
    """An integer below 10000 in Chinese words, as a keypad entry is echoed: 78 → 七十八, 5 → 五, 105 → 一百零五."""
    if n < 0 or n >= 10000:
        return str(n)
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    out, zero = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        d = n // size % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += digits[d] + unit
    return out[1:] if out.startswith("一十") else out


def handle(slots: Mapping[str, Any], message: Incoming, today: dt.date | None = None) -> Outcome:
    with variants(variants_for(message.abilities)):  # the channel's wording for every sentence of this turn
        return Turn(slots, message, today).run()
