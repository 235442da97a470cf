"""From one message to facts, each with how sure we are; and which of them may be recorded.

A wrong fact is worse than a missing one: a reading is recorded only when it is sure, and
otherwise confirmed first ("您是说……，对吗？"). Unsure: only the statistical model (DIET) saw it,
a sound-alike or fuzzy match, a changed fact that was not asked, a known age changed, a new age
under 60.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from actions.understanding import extract, parse_age
from actions.understanding.answer_space import EXACT, echo_answer, match_answer
from actions.understanding.extractor import SPECIAL_FACTS
from actions.understanding.lexicon import alternation, get_lexicon
from actions.understanding.normalize import normalize
from actions.understanding.phrases import CONDITION_RX, find_phrases
from actions.understanding.relation import focus_phrase, focus_relation, subject_end
from policy_kb.facts import FACT_NAMES, ProfileError, facts

from .questions import Question, questions

QUESTION_INTENTS = ("ask_service_info", "ask_why", "ask_missing")
# A message asks rather than tells: 有没有补助？ 能领多少？ 去哪办？
_QUESTION_RX = re.compile(
    r"(?<![不没])(.{1,2})[不没]\1(?![了过])|有[^，,。没]{1,8}没有[？?。！!]?$|是[^，,。不]{1,8}不是[？?。！!]?$|[^不没][不没][？?]?$|啥叫|什么叫|什么是|啥是|是啥|啥算|什么算|咋算|怎么算|是什么|(?<![好十早前这那头近一二三四五六七八九过了没到])(?<!没.)(?:几(?:级|岁|年)|(?<![妹弟兄们子女儿娃])几个(?![都也]))(?!十)|多大|多长|多久|多远|什么时候|啥时候|[?？]|吗|谁(?![也都])|哪里|哪儿|在哪|哪个|哪家|哪去|到哪|去哪|哪年|哪一年|哪天|哪月|从哪|哪有[^，,。]{0,12}(?:班|地方|地儿|办|报名|卖|培训)|为啥|为什么|为何|凭啥|[能可要会是有给管算][^，。,]{0,12}不$|多少|(?:是|对)吧[？?。！!]?$|有没有|能不能|可不可以|可以不|有什么|有啥|有哪些|哪些|(?<!学)(?<!教)(?<!知道)怎么(?!能是)|(?<!学)(?<!教)(?<!知道)咋(?!能是)|(?<!学)(?<!教)如何|是否|能否|行不行|给不给|能领|能享受|么[。！!]?$"
    # 这种能申请啥救助, 要啥材料 (not 啥补助也没有: only at the end); 是去民政局还是去乡里办;
    # 想学学怎么护理 / 不知道咋办: what is learnt or not known, not a question asked
    r"|(?<!没)(?<!那个)(?<!这个)(?:啥|什么)(?:材料|手续|救助|补助|补贴|政策|待遇|优待|好处|条件|证件|证明|东西)?[？?吗呢啊]?$"
    r"|是[^，,。]{1,12}还是[^，,。]{1,12}$"
    r"|[，,]还是(?!想|愿意)[^，,。]{1,12}[？?吗呢]?$|[，,]还是(?:想|愿意)[^，,。]{1,12}[？?吗呢]$"
    # 是满八十就给，还是要满九十: the choice asked in two clauses (…，还是想在家里 with no ？: "still")
)
# Question words removed to read the conditions a general question names (三级残疾有没有补助 -> 三级残疾补助).
_QUESTION_WORDS_RX = re.compile(
    r"多少钱|多少|有没有|能不能|可不可以|可以不|有什么|有啥|有哪些|哪些|怎么|咋|如何|是否|能否|行不行|给不给|吗|么|[?？]|能|可以|啥|什么"
)
_GENERIC_ELDER_RX = re.compile(
    r"的[^，,。的]{0,4}(?:老人|老年人|老人家|人)[，,。\s]*$"
    r"|^[^，,。我俺咱他她]{0,6}(?:老人|老年人)的(?:家属|家人|子女|儿女|照护人|护理人)"  # 失能老人的家属去学…
)
# A clause that sets a condition for the question (要是老人在武乡县，… / 没交够十五年的，… /
# 去敬老院集中供养的话，…): part of what is asked, nothing said of the elder.
_CONDITION_LEAD_RX = re.compile(rf"^[^，,。]{{0,4}}(?:{CONDITION_RX.pattern})")
_CONDITION_CLAUSE_RX = re.compile(rf"{_CONDITION_LEAD_RX.pattern}|(?:的话|的)[，,。\s]*$")
# 这算不算 / 这能算低收入不 / 算有能力不: asking whether what was just told counts; what was told is
# what they are unsure of, so it is confirmed, not recorded
_COUNTS_RX = re.compile(r"算不算|(?:这|那|也|能|可)算|算(?:是|有|作|做)?[^，,。]{0,6}(?:不|吗|么|没)[？?]?$")
_DEFINITION_CUE_RX = re.compile(r"什么|啥|意思|是指|指的|算不算|咋讲|怎么讲|[?？吗]")
_SELF_SUBJECT_RX = re.compile(r"(?:^|[，,。\s])(?:我|俺|咱|本人)")  # 俺吃低保能领啥; not 自己掏钱
# A clause of a question about a kind of elder, not this one (特困的老人想去养老院…要咋申请 / 低保户老人
# 去世了… / 独生子女死了的家庭…): part of what is asked, so its facts are conditions, not facts.
_KIND_CLAUSE_RX = re.compile(
    r"(?<!家)(?<!俺)(?<!我)(?:的|户)(?:老人|老年人)(?!家)|的家庭"
    r"|(?:留守|空巢|独居|失能|半失能|高龄|残疾|特困|孤寡|五保|低保)(?:老人|老年人)(?!家)"
)
_ONE_ELDER_RX = re.compile(r"(?:有|这|那|一)(?:一)?(?:个|位)")  # 村里有个五保老人八十六: one elder, not a kind


def _kind_clause(clause: str) -> bool:
    m = _KIND_CLAUSE_RX.search(clause)
    if m is None:
        return False
    return not _ONE_ELDER_RX.search(clause, 0, m.start()) and subject_end(clause, get_lexicon()) == 0


# Words that name a kind of elder, not this one (低保户家里的失能老人): facts in the question stay conditions.
_KIND_OF_ELDER_RX = re.compile(r"的(?:老人|老年人|老人家|人)|(?:老人|老年人)(?:要是|如果)")
_QUESTION_AGE_RX = re.compile(r"([一二三四五六七八九十百零两\d]{1,4})(?:周)?岁")
_AGE_FLOOR_RX = re.compile(r"(?:周)?岁(?:及)?(?:以上|往上|朝上|开外)")
_AGE_WORDS_RX = re.compile(r"岁|年纪|年龄|今年|周岁|出生|生的|生人")


@dataclass
class Reading:
    """What one message says. `facts`: name -> value; `unsure`: names to confirm first."""

    facts: dict[str, Any] = field(default_factory=dict)
    unsure: set[str] = field(default_factory=set)
    dont_know: bool = False
    unknown: set[str] = field(default_factory=set)  # facts said not to be known (计划生育那个不知道)
    special_none: bool = False
    veteran_chosen: bool = False  # the rare-situations button "烈士遗属、军人遗属或退役军人"
    correction: bool = False
    correction_named: bool = False  # a correction named its own yes/no fact: nothing waiting is answered
    button: bool = False
    question: bool = False  # the message asks something
    conditions: dict[str, Any] = field(default_factory=dict)  # named in a question: not facts
    approximate: dict[str, str] = field(default_factory=dict)
    relation: str | None = None
    # two elders named with ages, none pointed at: (words said, age, that elder's facts) for each
    elder_choices: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    yes: bool | None = None  # a plain yes / no (for a confirmation)


def coerce(name: str, value: Any) -> Any:
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


def is_question(text: str, intent: str | None) -> bool:
    return intent in QUESTION_INTENTS or bool(_QUESTION_RX.search(text or ""))


def question_conditions(text: str, today: dt.date, every_clause: bool = False) -> dict[str, Any]:
    """The conditions a general question names: 农村特困户每月补贴多少钱 -> 特困. Read only in the
    clauses that ask, or that name a kind of elder (农村80岁以上的老人，能领哪些补助); 我爸不是五保户
    beside the question is a statement, not a condition. `every_clause`: a query with no question
    words (80岁以上老人补贴) is all condition."""
    out: dict[str, Any] = {}
    for clause in re.split(r"[，,。；;！!:：]", text or ""):
        if not (
            every_clause or _kind_clause(clause) or _QUESTION_RX.search(clause) or _GENERIC_ELDER_RX.search(clause)
        ):
            continue
        plain = _AGE_FLOOR_RX.sub("岁", _QUESTION_WORDS_RX.sub("", clause))  # 八十岁以上 names 80
        plain = _wish_words_rx().sub("", plain)  # 怎么申请五保供养 names 五保 as a condition
        if not plain:
            continue
        ex = extract(plain, requested=None, today=today)
        m = _QUESTION_AGE_RX.search(clause)
        if m and "age" not in ex.facts:
            from actions.understanding import parse_chinese_number

            age = parse_chinese_number(m.group(1))
            if age is not None and 40 <= age <= 130:
                ex.facts["age"] = age  # 九十岁的老人能领什么: an age said of a kind of elder
        for name, value in ex.facts.items():
            if name == "age" and not _AGE_WORDS_RX.search(clause):
                continue
            if value in (False, "none", 0, []):
                continue  # 没有低保的能领啥: a question about the absence of something names nothing to check
            out.setdefault(name, value)
    return out


def mentioned_conditions(text: str) -> dict[str, Any]:
    """Values a question speaks of without stating them of the elder (第二次申请五保，一直没批复，
    是年龄不够吗 -> 特困; 想给俺娘办低保，得啥条件): what the list gives with them can be told, as for
    a general question, though none of them is a fact. Negated values and markers name nothing."""
    from actions.understanding.normalize import Clauses
    from actions.understanding.phrases import read_phrases

    lex = get_lexicon()
    norm = normalize(text)
    out: dict[str, Any] = {}
    for m in read_phrases(norm, Clauses(norm), lex, None).matches:
        if m.negated or m.post_negated or m.double_negated:
            continue
        for t in m.targets:
            kind = facts()[t.category].type if t.category in FACT_NAMES else None
            if kind not in ("bool", "enum", "int") or (isinstance(t.value, str) and t.value.startswith("_")):
                continue
            if t.value in (False, "none", 0):
                continue
            out.setdefault(t.category, t.value)
    return out


@functools.lru_cache(maxsize=1)
def _wish_words_rx() -> re.Pattern:
    irrealis = get_lexicon().raw["markers"]["irrealis"]
    words = [w for w in irrealis if w not in ("如果", "要是", "假如", "万一") and not w.startswith("re:")] + [
        "办",
        "找",
    ]
    return re.compile(alternation(words))


_LEADING_NO_RX = re.compile(
    r"^(?:家里|俺家|我家|他家|她家|我们|俺们|咱家|咱们)?(?:不想|不用|不要|不需要|没有|没人|没|不是(?![不没])|不会|用不着|不去|不愿意|不参加)"
)  # 不是不领 / 不是没有: a double negation is no plain "no"
_NOW_CLAUSE_RX = re.compile(r"[，,。](?:现在|如今|目前|眼下)(?:也|就|还|都)*")


_LEADING_YES_RX = re.compile(r"^(?:是(?!不是)|对|有(?!没有)|嗯|行|要(?!是)|领|能(?!不能)|参加|交)")


def _short_yes_no_lead(text: str) -> bool:
    """没有没有，住我家呢，流浪啥呀: a short yes or no first, then its reason (a rhetorical question)."""
    parts = _clauses(normalize(text))
    head = parts[0].strip("，,。；;！!？? ") if parts else ""
    return 0 < len(head) <= 4 and bool(_LEADING_NO_RX.match(head) or _LEADING_YES_RX.match(head))


def _leading_no(text: str) -> bool:
    """不想去，我伺候这么多年了 / 家里没人有空 / …，现在也不想去了: a plain "no" and its reason."""
    said = normalize(text)
    if _LEADING_NO_RX.match(said):
        return True
    nows = list(_NOW_CLAUSE_RX.finditer(said))
    return bool(nows) and bool(_LEADING_NO_RX.match(said[nows[-1].end() :]))


# 这些都不沾边 / 上面的都没有: every choice shown is denied at once
_NONE_OF_THESE_RX = re.compile(
    r"(?:这些|那些|上面的?|以上|这几[样个种项条]|那几[样个种项条]|哪[样个项]|一[样项]|啥)(?:都|全|也)(?:不|没)"
)
_PLAIN_NO_RX = re.compile(r"^(?:也|都|就|那|倒|还)?(?:不是|没有|没)(?:那种|那样|这样|这种|那回事|这回事|的)?$")


def _corrected_fact(text: str, requested: str) -> str | None:
    """The yes/no fact a correction names by its words (计划生育的点错了), when it is not the one asked."""
    said = normalize(text)
    for name, rx in get_lexicon().unknown_topics.items():
        if name != requested and facts()[name].type == "bool" and rx.search(said):
            return str(name)
    return None


def _plain_no_clause(text: str) -> bool:
    """奶奶有家，不是那种: a clause that is a plain no, beside its reason (no clause says yes)."""
    parts = [c.strip("，,。；;！!？? ") for c in _clauses(text)]
    return len(parts) > 1 and any(_PLAIN_NO_RX.match(p) for p in parts)


def _none_choice(asked: Question) -> dict[str, Any] | None:
    """The values of a question's one "none" button (没有残疾证 / 都没有 / 以上都不是), if it has one."""
    if asked.yes_no:
        return None
    nones = []
    for _title, payload in asked.buttons:
        if not payload.startswith("/inform"):
            continue
        values = json.loads(payload[len("/inform") :])
        if values and all(v in (False, "none", 0) for v in values.values()):
            nones.append(values)
    return nones[0] if len(nones) == 1 else None


def _negated_near(text: str, fragment: str) -> bool:
    i = text.find(fragment)
    return i > 0 and any(ch in text[max(0, i - 2) : i] for ch in "不没无非")


def _take_choices(r: Reading, pairs: Iterable[tuple[Any, Any]], sure: bool = True) -> None:
    """A button's values (its payload, or its label typed or nearly typed), read as the payload is:
    the rare-situations group's own choices (都没有, 军人) are flags, not facts; a fact already read
    from the words is kept; a choice that is not sure (a near match) is to be confirmed."""
    pairs = list(pairs)
    if not sure:
        # a near match to a button of two facts (交够15年) is confirmed by what it tells, not by its "no"
        pairs.sort(key=lambda p: p[1] is False or p[1] == "none")
    for name, value in pairs:
        if name == "special_circumstances":
            r.special_none = r.special_none or value == "none"
            r.veteran_chosen = r.veteran_chosen or value == "veteran"
            continue
        v = coerce(str(name), value)
        if v is None or str(name) in r.facts:
            continue
        r.facts[str(name)] = v
        if not sure:
            r.unsure.add(str(name))


def _hedged(text: str, asked: Question) -> bool:
    """想申请抚恤，交上去还没批: a wish, a plan or an application still pending is no answer,
    even when it echoes the question's words (unless the question itself asks about a wish)."""
    lex = get_lexicon()
    said = normalize(text)
    pending = lex.raw.get("pending")
    if pending and re.search(pending, said):
        return True
    asked_text = normalize(asked.text + (asked.retry or ""))
    for word in lex.raw.get("hedge_words") or ():
        at = said.find(word)
        if at >= 0 and word not in asked_text and said[max(0, at - 1) : at] not in ("不", "没"):
            return True  # 不打算参加 is a plain no
    return False


def _rules_read(text: str, raw: str) -> bool:
    """The lexicon knows these words and the rules already judged them (以前是低保, 听说是五保,
    正在办低保, 是低保还是低保边缘我不清楚): the statistical model must not overrule that."""
    said = normalize(raw)
    return any(m.text in said or said in m.text for m in find_phrases(normalize(text), get_lexicon()))


def read_payload(text: str, entities: list[dict[str, Any]]) -> Reading:
    """A button's payload (/inform{...}, /affirm, /deny): chosen, so sure."""
    r = Reading(button=True)
    intent = text[1:].split("{", 1)[0]
    r.yes = True if intent == "affirm" else False if intent == "deny" else None
    r.dont_know = intent in ("dont_know", "skip")
    values: dict[str, Any] = {}
    if "{" in text:
        try:
            raw = json.loads(text[text.index("{") :])
            values = raw if isinstance(raw, dict) else {}
        except ValueError:
            values = {}
    pairs: list[tuple[Any, Any]] = list(values.items()) or [(e.get("entity"), e.get("value")) for e in entities]
    _take_choices(r, pairs)
    return r


# ...and before the words that start asking (俺今年七十八了想问问高龄补贴…): what came before is told
# a clause that asks, wherever it stands (its end marks need not end the message)
_CLAUSE_QUESTION_RX = re.compile(r"(?:吗|[？?])$|[能可要会是有给管算](?![不没])[^，,。不没]{1,12}不$")
_CLAUSE_SPLIT_RX = re.compile(
    r"[，,。；;！!？?\s]+|(?<=[^，,。；;！!？?\s])(?=(?:我|俺)?(?:想问问|想问一下|想问下|想问|请问|想咨询|想了解|问一下|打听一下))"
)


# 没够 / 交够了 speak of the fifteen years; 退休 / 单位 of the employee pension
_ENOUGH_ONLY_RX = re.compile(r"够|满")
_EMPLOYEE_WORDS_RX = re.compile(r"退休|单位|职工|上班|工作|都没|都不")


def _clauses(text: str) -> list[str]:
    """Clauses with their end mark kept (a ？ belongs to the clause it ends)."""
    out, start = [], 0
    for m in _CLAUSE_SPLIT_RX.finditer(text):
        out.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    # a space that splits (能找法律援助不 要钱不) belongs to no clause: 不$ must see the clause's end
    return [c.strip() for c in out if c.strip("，,。；;！!？? ")]


_PENSIONS = {"employee_pension_retired", "resident_pension_15y"}
_NO_PENSION_RX = re.compile(r"(?:没|没有)(?:交过|交|买过|买|参加过?|上过)?(?:任何|啥)?养老保险")
_EMPLOYEE_KIND_RX = re.compile(r"职工|单位|厂|退休|企业|机关|公司|上班")
_UNKNOWN_LEAD_WORDS_RX = re.compile(r"^(?:我|俺|咱|他|她|这个|那个|具体)?(?:也|都|还|真)?")


def _not_known_dropped(text: str) -> str:
    """The text without clauses that end in "I don't know" (具体多大我也说不上来): the question word
    in them is what is not known, not a question asked."""
    if "?" in text or "？" in text:
        return text
    unknown = get_lexicon().unknown_rx
    clauses = _clauses(text)
    kept = []
    for c in clauses:
        bare = re.sub(r"[啊呀吧呢哦嘛了的哈]+$", "", c.strip("，,。；;！! "))
        if not any(m.end() == len(bare) for m in unknown.finditer(bare)):
            kept.append(c)
    return text if len(kept) == len(clauses) else "，".join(kept)


def _embedded_unknown(text: str) -> bool:
    """不清楚有没有办过 / 不知道交了多少年: every clause opens with "I don't know" and has no ？."""
    unknown = get_lexicon().unknown_rx
    parts = [c for c in _clauses(text) if c.strip("，,。；;！! ")]
    if not parts or "?" in text or "？" in text:
        return False
    deferral = get_lexicon().raw.get("deferral_clause")
    return all(
        unknown.match(_UNKNOWN_LEAD_WORDS_RX.sub("", c.strip("，,。；;！! "), count=1))
        or (deferral and re.search(deferral, c))
        for c in parts
    )


def read_text(
    text: str,
    intent: str | None,
    entities: list[dict[str, Any]],
    requested: str | None,
    asked: Question | None,
    today: dt.date,
) -> Reading:
    r = Reading()
    # The words decide, not the statistical intent: DIET often calls a question "inform".
    # A short 不是/没有 is an answer whatever its shape; in a longer message (要是没有赡养人，咋办)
    # DIET's affirm/deny does not outweigh the question the words ask.
    # While a question waits, DIET's "ask_…" intent alone does not make an answer a question.
    asks = is_question(text if asked is None else _not_known_dropped(text), intent if asked is None else None) or any(
        _CLAUSE_QUESTION_RX.search(c) for c in _clauses(text)[:-1]
    )  # 抑郁症算那个严重精神障碍不 他七十四: a clause that asks, with more told after it
    r.question = asks and not (intent in ("affirm", "deny") and (len(normalize(text)) <= 6 or _short_yes_no_lead(text)))
    if r.question and asked is not None and _embedded_unknown(text):
        r.question = False  # 不清楚有没有办过, 不知道交了多少年: "I don't know whether…", an answer
    if intent == "ask_definition" and (asked is None or _DEFINITION_CUE_RX.search(text)):
        r.question = True
        if len(_clauses(text)) < 2:
            return r  # 什么是低保边缘: asking what a word means is not saying it applies
        # 啥叫计划生育特殊家庭俺也不懂，反正俺们不流浪也没打官司: the other clauses still tell
    if asked is not None:
        # A button's own label, typed or read out, means what the button means.
        m = match_answer(text, asked.answer_space())
        if m is not None and m.how == EXACT:
            _take_choices(r, m.values.items())
            return r

    hearsay = get_lexicon().raw.get("hearsay_clause")
    lex_unknown = get_lexicon().unknown_rx
    clauses = _clauses(text)
    # Facts come only from statements: clauses that ask, clauses of hearsay and clauses that say
    # "I don't know" (是复员还是退伍我不知道) state nothing; the last still say what is not known.
    unsure = [c for c in clauses if lex_unknown.search(c) and (len(clauses) > 1 or "还是" in c or _embedded_unknown(c))]
    asking = (
        [c for i, c in enumerate(clauses) if c not in unsure and (_QUESTION_RX.search(c) or i and c.startswith("还是"))]
        if r.question
        else []
    )
    if not r.question and asked is not None and len(clauses) > 1:
        # 没低保，低收入户算不算: a short answer first, then a question about another value --
        # the answer is heard, the question is asked (and what it names is no fact)
        asking = [c for c in clauses[1:] if c not in unsure and _COUNTS_RX.search(c)]
        r.question = bool(asking)
    if asking:
        # 有高血压糖尿病的老人，社区能免费体检吗: a kind of elder named beside a question is part of it;
        # so is a condition (要是…, …的话), and what follows it up to the question (要是老两口都八十多了，
        # 一个能自理一个不能，能不能一块申请). While a question waits, a first clause ending in 的 is its
        # answer (潞城区的，能在线上办吗), not a condition.
        condition = kind_on = False
        for i, c in enumerate(clauses):
            bare = c.strip("，,。；;！!？? ")
            if c in asking:
                condition = kind_on = _kind_clause(bare)  # 有几个留守老人，子女都在外打工，…: the kind goes on
                continue
            if c in unsure:
                continue
            strong = bool(_CONDITION_LEAD_RX.search(bare))
            answer_de = asked is not None and i == 0 and bare.endswith("的") and not bare.endswith("的话")
            answer_de = answer_de and (len(bare) <= 6 or bool(_SELF_SUBJECT_RX.match(bare)))
            # 我奶奶是特困的，能不能去敬老院: a clause ending in 的 about the elder named is a statement
            about_elder = not strong and subject_end(bare, get_lexicon()) > 0
            cond = strong or (bool(_CONDITION_CLAUSE_RX.search(bare)) and not answer_de and not about_elder)
            # 高龄补贴是满八十就给，还是要满九十: the first half of a choice asked
            cond = cond or (i + 1 < len(clauses) and clauses[i + 1].startswith("还是") and clauses[i + 1] in asking)
            kind = _kind_clause(bare) and not answer_de
            if kind_on and about_elder:
                condition = kind_on = False  # 空巢老人有啥补贴吗？俺爹俺娘就是俩人住: their own subject
            if _GENERIC_ELDER_RX.search(c) or cond or condition or kind:
                asking.append(c)
            kind_on = kind_on or (kind and not condition)
            condition = condition or strong or kind  # what follows a kind of elder goes on about that kind
    counts = asking and any(_COUNTS_RX.search(c) for c in asking)
    told = [c for c in clauses if c not in asking and c not in unsure and not (hearsay and re.search(hearsay, c))]
    stated_text = "，".join(told) if (asking or len(told) != len(clauses)) else text
    if asking and told:
        # 姥爷84姥姥81…，主要想给我姥爷问问有没有优待: the pointer to the elder counts though it is in the question
        pointer = focus_phrase(normalize("，".join(asking)), get_lexicon())
        if pointer is not None and focus_relation(normalize(stated_text), get_lexicon()) is None:
            stated_text += "，" + pointer[0]
    ext = (
        extract(stated_text, requested=requested, today=today)
        if told
        else extract("", requested=requested, today=today)
    )
    if unsure:
        said = extract("，".join(unsure), requested=requested, today=today)
        ext.unknown |= said.unknown
        if requested and requested not in ext.facts and requested in said.facts:
            ext.unknown.add(requested)  # 是复员还是退伍俺不知道: the choice itself is not known
        if requested in ext.facts and (requested in said.unknown or requested in said.facts):
            # 他当过兵，是复员还是退伍俺不知道: the kind is a guess, to be confirmed
            ext.uncertain.add(requested)
            ext.unknown.discard(requested)
    if asked is not None and len(asked.facts) == 2 and requested in asked.facts:
        # A question about two facts (the pension): short answers may be about either.
        other = next(f for f in asked.facts if f != requested)
        for k, v in extract(stated_text, requested=other, today=today).facts.items():
            ext.facts.setdefault(k, v)
        if (
            requested in ext.facts
            and _ENOUGH_ONLY_RX.search(stated_text)
            and not _EMPLOYEE_WORDS_RX.search(stated_text)
            and requested not in (plain := extract(stated_text, requested=None, today=today).facts)
            and other in plain
        ):
            # 交了十二年，没够: the words name the other fact; the short "no" is about it, not this one
            ext.facts.pop(requested)
        if set(asked.facts) == _PENSIONS and "employee_pension_retired" not in ext.facts:
            # 谁也没交过养老保险: no pension insurance of either kind
            if _NO_PENSION_RX.search(stated_text) and not _EMPLOYEE_KIND_RX.search(stated_text):
                ext.facts["employee_pension_retired"] = False
    if ext.correction and requested:
        # 说错了，是七十九: a correction is about an earlier answer, not the pending question; when it
        # names facts of its own (不对不对，俺妈不是一个人住…), its 不对 / 不是 answer nothing waiting.
        free = extract(stated_text, requested=None, today=today)
        corrected = _corrected_fact(stated_text, requested)
        if not ext.facts or free.facts or corrected:
            ext = free
        if corrected and _plain_no_clause(stated_text):
            # 前面那个计划生育的点错了，不是: the fact the correction names, taken back to "no" (the
            # clause naming it is what was chosen by mistake, not a statement)
            ext.facts[corrected] = False
            ext.uncertain.discard(corrected)
            r.correction_named = True
    r.relation, r.correction = ext.relation, ext.correction
    r.approximate = dict(ext.approximate)
    if asking:
        whole = extract(text, requested=None, today=today)
        r.relation = r.relation or whole.relation
        r.conditions = question_conditions(text, today)
        asked_words = "，".join(asking)
        named = r.relation not in (None, "elder") and (r.relation != "self" or _SELF_SUBJECT_RX.search(asked_words))
        kind_asked = _KIND_OF_ELDER_RX.search(asked_words) or any(
            _kind_clause(c.strip("，,。；;！!？? ")) for c in asking
        )
        if named and not counts and not kind_asked:
            # 俺娘吃低保能领啥: said of the elder inside the question, it still is a fact.
            # 俺能领抚恤不: what the question asks for (after 能/可以…) is no fact; what leads up to it is
            ask_verb = re.compile(get_lexicon().raw.get("ask_verb") or "(?!)")
            parts = [ask_verb.split(c, maxsplit=1) for c in asking]
            asked_part = extract("，".join(p[0] for p in parts if p[0]), requested=None, today=today)
            # 俺娘吃低保能领啥 / 我奶奶九十一了一个人住，能不能…: what a head naming the elder says of her,
            # up to the verb that asks, is her fact, not a condition (五保户能领多少钱 names a kind); so is
            # the answer to the question waiting
            lex = get_lexicon()
            own = extract(
                "，".join(p[0] for p in parts if len(p) > 1 and subject_end(p[0].lstrip("，,。 "), lex) > 0),
                requested=None,
                today=today,
            )
            for k, v in asked_part.facts.items():
                if k not in ext.facts and (k not in r.conditions or own.facts.get(k) == v or k == requested):
                    ext.facts[k] = v
                    if r.conditions.get(k) == v:
                        r.conditions.pop(k)
    r.facts.update(ext.facts)
    if asking and not told:
        r.unsure |= set(ext.uncertain) & set(r.facts)
        return r
    r.unsure |= set(ext.uncertain) & set(r.facts)
    if len(ext.elders) >= 2 and requested != "age":
        _choose_elder(r, ext, stated_text, requested, today)
    r.special_none = ext.special_none
    r.dont_know = bool(ext.unknown) or intent in ("dont_know", "skip") and not ext.facts
    r.unknown = {f for f in ext.unknown if f in FACT_NAMES}
    # The question's own answer space: its buttons' labels typed, near matches, echoed words.
    # 想参加，在哪儿报名？: a first clause that answers is heard even when the next ones ask.
    first = clauses[0] if clauses and clauses[0] in told else None
    answer_text = text if not r.question else (first if first and len(clauses) > 1 else None)
    past_rx = get_lexicon().past_rx
    if answer_text and len(clauses) > 1:
        # 原来一个人住，上个月接到我家来了: how it was is no answer; the clauses about now are
        now = "".join(c for c in _clauses(answer_text) if not past_rx.search(c[:4]))
        answer_text = now or None
    if (
        asked is not None
        and answer_text
        and not r.dont_know
        and not any(f in r.facts for f in asked.facts)
        and not (r.correction and (r.facts or r.correction_named))
    ):
        m = match_answer(answer_text, asked.answer_space())
        if m is None and first and first != answer_text and not past_rx.search(first[:4]):
            m = match_answer(first, asked.answer_space())
        none_choice = _none_choice(asked)
        if m is not None:
            _take_choices(r, m.values.items(), sure=m.how == EXACT)  # 都没有 typed: the multi-select's "none"
        elif (
            none_choice
            and not _hedged(text, asked)
            and (_leading_no(answer_text) or _NONE_OF_THESE_RX.search(answer_text) or _plain_no_clause(answer_text))
        ):
            # 没有那个证 / 这些都不沾边: a plain no to a question of choices is its "none" button
            _take_choices(
                r, none_choice.items(), sure=_leading_no(answer_text) or bool(_NONE_OF_THESE_RX.search(answer_text))
            )
        elif asked.yes_no and not _hedged(text, asked):
            yes = None
            past = get_lexicon().past_rx
            for part in dict.fromkeys(x for x in (answer_text, first) if x and not past.search(x[:6])):
                # 告过，法院也判了…: a long answer echoes the question in its first clause
                yes = echo_answer(part, asked.text)
                if yes is None and asked.retry:
                    yes = echo_answer(part, asked.retry)
                if yes is not None:
                    break
            if yes is None and (_leading_no(answer_text) or _plain_no_clause(answer_text)):
                yes = False  # 不想去，我伺候这么多年了 / 有家有院的，不是: a plain "no" and its reason
            if yes is not None:
                r.facts[asked.facts[0]] = yes
    # DIET entities are a second opinion for facts the rules did not find: confirmed, never silent.
    # Only for the fact just asked: elsewhere its guesses were wrong more often than right.
    for e in entities:
        name = str(e.get("entity") or "")
        if name not in FACT_NAMES or name in r.facts or asked is None or name not in asked.facts:
            continue
        raw = text[e.get("start", 0) : e.get("end", 0)] if "start" in e else str(e.get("value"))
        if not raw or _negated_near(text, raw) or _rules_read(text, raw):
            continue
        if name == "age" and requested != "age" and not _AGE_WORDS_RX.search(text):
            continue  # 住5楼, 3口人: a number is an age only with its unit or when the age is asked
        v = coerce(name, e.get("value") if name != "age" else raw)
        if v is not None:
            r.facts[name] = v
            r.unsure.add(name)
    if asked is not None and not r.facts and not r.dont_know and _embedded_unknown(text):
        r.dont_know = True  # 回头商量商量再说: put off, so not known now
    ended = get_lexicon().raw.get("past_event") or {}
    for name in ended.get("categories") or ():
        # 去年参加过一次: a thing done once and maybe over, for a fact about now (takes or wants the
        # training): confirmed, not recorded (labellers read it both ways)
        if r.facts.get(name) is True and re.search(ended["rx"], text) and not re.search(ended["now"], text):
            r.unsure.add(name)
    if counts:
        r.unsure |= set(r.facts)  # 独生子有点残疾，可没办证，这算不算: what they ask about is confirmed, not recorded
    return r


def _choose_elder(r: Reading, ext: Any, stated: str, requested: str | None, today: dt.date) -> None:
    """俺公公八十四俺婆婆八十一，公公还能下地，婆婆瘫在炕上: two elders and no word of which one is
    asked about. Each is read as if the family had said so (我说的是婆婆); what differs between them
    waits for the family's choice, what they share (都是低保户) is kept."""
    choices = []
    for words, age in ext.elders[:3]:
        facts = dict(extract(f"{stated}，我说的是{words}", requested=requested, today=today).facts)
        facts["age"] = age
        choices.append((words, age, facts))
    shared = {k: v for k, v in r.facts.items() if all(c[2].get(k) == v for c in choices)}
    r.facts = shared
    r.unsure &= set(shared)
    r.elder_choices = choices


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _listed(values: frozenset, value: Any) -> bool:
    """A lexicon value list (confirm_unasked, confirm_aside) names this value, or all ("*")."""
    return bool(values) and ("*" in values or _hashable(value) in values)


def needs_confirming(
    name: str, value: Any, old: Any, reading: Reading, requested: str | None, asked: Question | None
) -> bool:
    """True when `value` must be confirmed before it replaces `old` (or fills an empty fact)."""
    if reading.button:
        return False
    if name in reading.unsure:
        return True
    if name == "age":
        if old is not None and value != old:
            return requested != "age"  # a known age changes only when asked for, or after a yes
        return old is None and isinstance(value, int) and value < 60
    asked_facts = asked.facts if asked is not None else ((requested,) if requested else ())
    category = get_lexicon().categories.get(name)
    if category is not None and old is None and name not in asked_facts:
        if _listed(category.confirm_unasked, value):
            return True  # inferred from a story (没人管), not said in answer to its question
        if asked_facts and _listed(category.confirm_aside, value):
            return True  # told in passing while another question waits (儿子在外头打工, asked about supporters)
    if old is not None and value != old and not reading.correction and name not in asked_facts:
        return True  # a changed fact nobody asked about: 之前说的是X, 现在听到Y
    return False


def special_defaults(reading: Reading, profile: Mapping[str, Any]) -> dict[str, Any]:
    """都没有 for the rare situations: "no" to each one not yet known (never over a known one)."""
    if not reading.special_none:
        return {}
    no = {"special_family_planning": False, "maintenance_dispute": False, "homeless": False, "veteran_category": "none"}
    return {
        f: v
        for f, v in no.items()
        if f in SPECIAL_FACTS and f not in profile and f not in reading.facts and f not in reading.unknown
    }


def special_question() -> Question:
    return questions()["special_circumstances"]
