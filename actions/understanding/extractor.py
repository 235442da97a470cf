"""extract(): every contract fact a user message states, plus how it was said."""

from __future__ import annotations

import datetime
import functools
import itertools
import logging
import re
from dataclasses import dataclass, field

from .adl import independence_doubted, now_lead_rx, read_day, read_self_care, self_care_of
from .age import find_age
from .answers import BY_SOUND, SPECIAL, short_answer
from .lexicon import get_lexicon
from .normalize import Clauses, normalize
from .numerals import parse_chinese_number
from .phrases import CONDITION_RX, read_phrases
from .relation import (
    OLDER,
    RELATIVE,
    SPOUSE,
    clause_owners,
    dead_relations,
    find_relation,
    focus_relation,
    older_named,
    other_person_clauses,
    personal_categories,
    speaker_aside,
    subject_end,
)

log = logging.getLogger(__name__)

# The rare situations asked together as "special_circumstances" (contract section 5).
SPECIAL_FACTS = ("special_family_planning", "veteran_category", "maintenance_dispute", "homeless")
_REQUESTED_ALIASES = {"veteran": "veteran_category", "special": SPECIAL}

# 残疾证二级 / 肢体一级 / 二级残疾: a grade 1-4 where a disability is spoken of.
_GRADE_RX = re.compile(
    r"(?<![一二三四五六七八九十\d])([一二三四1-4])级(?!别|医院|公路|教师|职称|工|技|台风|风|地震|护理)"
)
_GRADE_ALT_RX = re.compile(
    r"(?:残疾证?|残疾等级|等级|级别)(?:是|为|评的是|评了|上写的|写的是|办的是|评的)?([一二三四1-4])(?![\d十百级])"
)
# 我妈不是一级，是二级: a grade set against another is a grade though 残疾 is not said (confirmed)
_BARE_GRADE_CONTRAST_RX = re.compile(r"不是[一二三四1-4]级[，,。 ]*(?:而)?是[一二三四1-4]级")
_GRADE_CONTEXT_RX = re.compile(r"残|疾|肢体|视力|听力|言语|语言|智力|精神|多重|盲|聋|哑|证")
# ...but not a veteran's disability grade or a care-need level.
_GRADE_OTHER_RX = re.compile(r"军|部队|伤残证|伤残等级|等甲|等乙|(?:护理|失能|照护)(?:等级|级别)|失能[一二三四1-4]级")
_VETERAN_RX = re.compile(r"军人|部队|伤残证|老兵")
_GRADE = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
# 他比俺大两岁 / 老汉比俺大三岁: the elder compared with the speaker, whose age follows or came before
_COMPARED_AGE_RX = re.compile(
    r"(?:她|他|老汉|老伴|老头|老婆子|老人|(?:我|俺)(?:妈|娘|爸|爹|婆婆|公公|姥姥|姥爷|奶奶|爷爷))比(?:俺|我|咱)"
    r"(?P<dir>大|小)(?P<diff>\d{1,2}|[一二两三四五六七八九十]{1,3})(?:岁|(?=[，,。 ]|$))"
)
_SPEAKER_NUMBER_RX = re.compile(r"(?:俺|我|咱)(?:今年|也|都|已经|自己)?[^，,。]{0,2}$")
# Years paid into the residents' pension: 交了十年 / 缴了20多年.
_PAID_YEARS_RX = re.compile(
    r"(?:补)?(?:交|缴|买|补)(?:费|款)?(?:了|够|满|足|过|的是|的|到)?(?:了|有)?(\d{1,2}|[一二三四五六七八九十两]{1,3})(?:多|来)?年"
)
# 交了没几年, 差三年才够: short of the years, however many were paid
_FEW_YEARS_RX = re.compile(
    r"(?:交|缴)了?(?:没|不到)几年|没(?:交|缴)几年|交了几年|差(?:\d{1,2}|[一二两三四五六七八九十]{1,2})年"
)
_RANGE_RX = re.compile(r"一二|二三|两三|三四|四五|五六|六七|七八|八九")
_EMPLOYEE_CTX_RX = re.compile(r"职工|单位|企业|厂|公司|机关|事业")


@dataclass
class Extraction:
    """What one message says about the elder."""

    # contract fact name -> contract value (shared/contract.md section 2)
    facts: dict[str, object] = field(default_factory=dict)
    # facts the user says they don't know (the asked one, or one named near 不知道)
    unknown: set[str] = field(default_factory=set)
    # fact -> the words said when the value in `facts` is a best guess ({"age": "快八十了"})
    approximate: dict[str, str] = field(default_factory=dict)
    # facts read only through a sound-alike word (地保 → 低保): to be confirmed, not recorded
    uncertain: set[str] = field(default_factory=set)
    # the message corrects an earlier answer (说错了, 应该是, 不对 + a new value)
    correction: bool = False
    # who the elder is to the speaker: self, mother, father, mother_in_law, father_in_law,
    # grandmother, grandfather, spouse, parents, elder (another older person); None if unclear
    relation: str | None = None
    # none of the rare situations apply (都没有), when requested == "special_circumstances"
    special_none: bool = False
    # 俺婆婆82岁，俺公公86岁 with no pointer to one: each elder named with an age, (words said, age)
    elders: list[tuple[str, int]] = field(default_factory=list)


def _canon_requested(requested) -> str | None:
    if not isinstance(requested, str) or not requested:
        return None
    return _REQUESTED_ALIASES.get(requested, requested)


_RELATIVE_CLAUSE_RX = re.compile(r"^(?:他|她|老人|老人家)的?(?:哥哥?|姐姐?|弟弟?|妹妹?|老伴儿?|爱人|儿子|闺女|女儿)")
_SPEAKER_CLAUSE_RX = re.compile(r"^(?:可|但是?|而且)?(?:我|俺|咱)(?:自己|本人)?(?:也|都|还|今年|现在)")


def _speakers_own(norm: str, clauses: Clauses, lex, at: int) -> bool:
    """An age in a clause of the speaker's own (俺也七十多了) after the elder was named as someone
    else (俺老头子, 我妈): the speaker's age; so is one in a clause about the elder's relative."""
    cs, _ = clauses.of(at)
    if _RELATIVE_CLAUSE_RX.match(norm[cs:at]):
        return True  # 他哥也八十了, 老人的老伴今年八十五: that relative's age
    if clauses.index(at) in other_person_clauses(norm, clauses, lex):
        return True  # 我今年五十八了，我妈八十三 / 俺公公八十七，俺婆婆也七十多了
    if cs == 0 or not _SPEAKER_CLAUSE_RX.match(norm[cs:at]):
        return False
    before = find_relation(norm[:cs], lex, True)
    return before not in (None, "self", "elder") and before not in dead_relations(norm, lex)


def _elders_named(norm: str, clauses: Clauses, lex, today) -> list[tuple[str, int]]:
    """Each of the speaker's elders named at the head of a clause with an age of 60 or more, in order."""
    out: dict[str, tuple[str, int]] = {}
    for s, e in clauses.spans():
        named = older_named(norm[s:e], lex)
        if named is None or named[0] in out:
            continue
        reading = find_age(norm[s:e], today, None, normalized=True).reading
        if reading is not None and reading.age >= 60 and not reading.approx_phrase:
            out[named[0]] = (named[1], reading.age)
    return list(out.values())


def _another_elders_age(norm: str, clauses: Clauses, lex, today) -> bool:
    """俺婆婆82岁，俺公公86岁: a clause about another of the speaker's elders tells their age too
    (unless the family said which one it asks about: 我说的是俺娘)."""
    if focus_relation(norm, lex) is not None:
        return False
    owners = clause_owners(norm, clauses, lex)
    for i, (s, e) in enumerate(clauses.spans()):
        if owners.get(i) != RELATIVE or find_relation(norm[s:e], lex, True) not in OLDER:
            continue
        other = find_age(norm[s:e], today, None, normalized=True).reading
        if other is not None and other.age >= 60:
            return True
    return False


_SERVICE_MEMBER = ("disabled_veteran", "demobilized_veteran", "retired_veteran")
_NOT_THE_VETERAN_RX = re.compile(
    r"(?:军人)?(?:事务|的(?:遗孀|妻子|老伴|爱人|母亲|父亲|老母亲|家属|子女|儿子|闺女|女儿|媳妇|儿媳|遗属))"
)
_HEDGE_RX = re.compile(r"(?:好像|可能|大概|估计|应该|也许|兴许)(?:是)?$")


def _disability_grade(norm: str, clauses: Clauses, lex, requested: str | None) -> int | None:
    asked = requested in ("disability_grade", "disability_type")
    if not asked and not _GRADE_CONTEXT_RX.search(norm) and not _BARE_GRADE_CONTRAST_RX.search(norm):
        return None
    if _VETERAN_RX.search(norm) and "残疾证" not in norm:
        return None  # 伤残军人，三级: the grade of a veteran's 伤残证, not of a 残疾证
    grade = None
    others = other_person_clauses(norm, clauses, lex) | speaker_aside(norm, clauses, lex, requested)
    for rx in (_GRADE_RX, _GRADE_ALT_RX):
        for m in rx.finditer(norm):
            if clauses.index(m.start()) in others:
                continue  # 就一个儿子，干活摔成了二级残疾: the son's grade
            cs, ce = clauses.of(m.start())
            cs, ce = max(cs, m.start() - 20), min(ce, m.end() + 20)  # bounded: linear on long input
            clause = norm[cs:ce]
            if _GRADE_OTHER_RX.search(clause) and "残疾证" not in clause:
                continue
            pre = norm[cs : m.start()]
            if re.search(r"(?:不是|并非|不)$", pre):
                continue  # 不是二级，是一级
            if CONDITION_RX.search(pre) or "比如" in pre:
                continue  # 如果我妈是三级残疾…: a condition, not the elder's grade
            if pre.endswith("还是") or re.match(r"(?:的)?还是", norm[m.end() : ce]):
                continue  # 二级还是三级: neither is said
            if lex.past_rx.search(pre[-8:]) or lex.unknown_rx.search(clause):
                continue  # 以前有个四级的; 记不清是不是三级
            if _HEDGE_RX.search(pre[-4:]) and lex.unknown_rx.search(norm):
                continue  # 大概二级吧，我也不清楚: a guess the speaker doubts
            if not asked and lex.question_after_rx.search(norm[m.end() : ce]) and not lex.subject_before_rx.search(pre):
                continue  # 一级残疾能领护理补贴吗: asks about grade 1, says nothing of the elder
            grade = _GRADE[m.group(1)]
    return grade


def _apply_stopped(norm: str, clauses: Clauses, lex, reading, facts: dict) -> None:
    """早几年有过低保，现在给停了: a clause that says a state ended turns the previous clause's
    mention into its negation (the category's `negated` value), whatever was said of the past."""
    if lex.stopped_clause_rx is None:
        return
    spans = clauses.spans()
    stoppable = set(lex.raw.get("stopped_categories") or ())
    stopped = {i: stoppable for i in _stop_clauses(norm, spans, lex)}
    for i, (s, e) in enumerate(spans):
        # 以前在外面流浪过，现在被接回来了: a new life after a past state, for the states it ends
        changed = {name for name, crx in lex.stopped_by_change.items() if i > 0 and crx.match(norm[s:e])}
        if changed and i not in stopped:
            past = {
                m.clause for m in reading.matches if m.clause < i and lex.past_rx.search(norm[slice(*spans[m.clause])])
            }
            if past:
                stopped[i] = changed & stoppable
    for i, names in sorted(stopped.items()):
        # 以前是五保，后来俺兄弟回来了，给取消了: the nearest state said before the clause that ends it
        before = [
            (m, t)
            for m in reading.matches
            if m.clause < i and not m.negated
            for t in m.targets
            if lex.categories[t.category].name in names and _ended(lex.categories[t.category], t.value) is not None
        ]
        if before:
            m, t = before[-1]
            cat = lex.categories[t.category]
            if any(x.clause > i and cat.name in (y.category for y in x.targets) for x in reading.matches):
                continue  # 去年给取消了，后来又报了个低保边缘，批了: what came after the end is the news
            if cat.name not in facts or not any(
                x.clause > m.clause and x.clause != i and cat.name in (y.category for y in x.targets)
                for x in reading.matches
            ):
                facts[cat.name] = _ended(cat, t.value)


def _stop_clauses(norm: str, spans, lex) -> list[int]:
    """Clauses after the first that say a state ended: 现在给停了 (it starts so) or 去年复查给取消了 (it ends so)."""
    rx, end_rx = lex.stopped_clause_rx, lex.stopped_clause_end_rx
    return [
        i
        for i, (s, e) in enumerate(spans)
        if i > 0 and rx is not None and (rx.match(norm[s:e]) or (end_rx is not None and end_rx.search(norm[s:e])))
    ]


def _ended(cat, value):
    """What is left when a state ends: its negation, or the category's one "none" value (a 五保
    that was cancelled leaves no status, though 不是五保 alone does not say there is none)."""
    if value in cat.negated:
        return cat.negated[value]
    left = set(cat.negated.values())
    return left.pop() if len(left) == 1 else None


_REST_NONE_RX = re.compile(r"(?:别的|其他|其它|其余|另外的)(?:的)?(?:都|也|就)?(?:没有|没|不是|不沾)")


def _short_answer_now(norm: str, clauses: Clauses, lex, requested: str) -> dict:
    """A short answer in the first clause, or else in a clause about now (原来跟儿子住，现在就俺一个)."""
    found = short_answer(norm, clauses, lex, requested)
    if found:
        return found
    for s, e in clauses.spans()[1:]:
        m = now_lead_rx().match(norm[s:e])
        if m:
            rest = norm[s + m.end() : e].lstrip("就是也都还")
            found = short_answer(rest, Clauses(rest), lex, requested)
            if found:
                return found
    return {}


_SINCE_RX = re.compile(r"(?:从|打)?((?:19|20)\d\d)年(?:就|起)?(?:开始)?(?:就)?(?:交|缴|参保|买)")


def read_adl_mentions(norm: str) -> list[str]:
    """Daily activities told (吃饭, 穿衣裳…) and lying in bed all day (在床上躺着)."""
    rx = _adl_rx()
    return rx.activities.findall(norm) + rx.bedridden.findall(norm)


def _adl_rx():
    from .adl import _rx

    return _rx()


def _paying_since(norm: str, today, requested, gate) -> bool | None:
    """从2008年开始交的: paying since a year, so at least that many years paid (≥ 15?)."""
    if requested not in ("resident_pension_15y", "employee_pension_retired") and not (gate and gate.search(norm)):
        return None
    m = _SINCE_RX.search(norm)
    if (
        not m
        or re.search(r"断|停|不交|没交", norm[m.end() : m.end() + 8])
        and not re.search(r"没断|不断", norm[m.end() : m.end() + 8])
    ):
        return None
    years = today.year - int(m.group(1))
    return years >= 15 if 0 <= years <= 80 else None


def _paid_years(norm: str, clauses: Clauses, requested: str | None, gate) -> bool | None:
    """养老保险交了二十年 -> True, 交了十年 -> False (only where the pension is spoken of)."""
    if requested != "resident_pension_15y" and not (gate and gate.search(norm)):
        return None
    value = None
    others = other_person_clauses(norm, clauses, get_lexicon())
    for m in _PAID_YEARS_RX.finditer(norm):
        cs, ce = clauses.of(m.start())
        if _EMPLOYEE_CTX_RX.search(norm[cs:ce]):
            continue  # 职工养老保险: another fact (employee_pension_retired)
        if clauses.index(m.start()) in others:
            continue  # 我爸交了二十年，我妈…: another person's years
        said = m.group(1)
        if _RANGE_RX.fullmatch(said):
            said = said[0]  # 七八年, 三四年: a range of years, not 78 or 34
        years = parse_chinese_number(said) or parse_chinese_number(said[:2])  # 十七八 -> 十七
        if years is None:
            continue
        value = years >= 15
        before = norm[max(cs, m.start() - 2) : m.start()]
        if re.search(r"[没不未]$", before) or norm[m.start() + 1 : m.start() + 2] == "不":
            value = False if years >= 15 else value  # 没交够十五年 / 交不够十五年
    if value is None and _FEW_YEARS_RX.search(norm):
        value = False
    return value


def _extract(text, requested, today) -> Extraction:
    lex = get_lexicon()
    requested = _canon_requested(requested)
    today = today if isinstance(today, datetime.date) else datetime.date.today()
    ex = Extraction()
    norm = normalize(text)
    if not norm:
        return ex
    clauses = Clauses(norm)

    reading = read_phrases(norm, clauses, lex, requested)
    facts: dict[str, object] = {}
    for name, cat in lex.categories.items():
        pos = reading.positive.get(name)
        if cat.type == "list":
            if pos:
                facts[name] = sorted(set(pos))
            elif requested == name and reading.list_negated.get(name):
                facts[name] = []  # 没有高血压也没有糖尿病
            continue
        if pos:
            facts[name] = pos[-1]  # the later statement wins: 不是独居，跟儿子住
            if cat.type == "enum" and len(set(pos)) > 1:
                ex.uncertain.add(name)  # 一个人住，孩子在外打工: two readings disagree, so confirm
        elif reading.negative.get(name):
            facts[name] = reading.negative[name][-1]
            if cat.negated_unsure:
                ex.uncertain.add(name)

    registered = lex.raw.get("district_registered")
    if registered and "district" in facts:
        # 户口在沁县，现在住我家在市里: where the elder is registered may not be where they live
        spans = clauses.spans()
        lived: set[object] = set()
        kept: set[object] = set()
        for m in reading.matches:
            for t in m.targets:
                if t.category == "district" and not m.negated:
                    (kept if re.search(registered, norm[spans[m.clause][0] : m.start]) else lived).add(t.value)
        if facts["district"] in kept:
            if len(lived) == 1:
                facts["district"] = next(iter(lived))  # 现在住在长子，可户口在沁源: where they live
                ex.uncertain.discard("district")
            else:
                ex.uncertain.add("district")
    after_other = _after_another(norm, clauses, lex)
    for name in personal_categories(lex) & set(facts):
        said = [m for m in reading.matches if not m.negated and any(t.category == name for t in m.targets)]
        if said and all(m.clause in after_other for m in said):
            ex.uncertain.add(name)  # 老伴是血压高，头晕得下不了炕: hers or the elder's? confirmed
    unsure = lex.raw.get("confirm_phrases") or ()
    firm = {(t.category, t.value) for m in reading.matches if m.text not in unsure and not m.negated for t in m.targets}
    for m in reading.matches:
        if m.text in unsure and not m.negated:
            # 当过兵: 复员 or 退伍 -- a word that names the fact only loosely is confirmed (身体还行能自理:
            # unless other words say it plainly)
            ex.uncertain.update(
                t.category for t in m.targets if facts.get(t.category) == t.value and (t.category, t.value) not in firm
            )

    _apply_stopped(norm, clauses, lex, reading, facts)
    if requested in (lex.raw.get("stopped_categories") or ()) and requested not in facts:
        # asked 领抚恤补助吗: 以前领过，前几年停了 -- what was had and then stopped is no longer had
        rx = lex.stopped_clause_rx
        spans = clauses.spans()
        if rx is not None and len(spans) > 1 and lex.past_rx.search(norm[slice(*spans[0])][:6]):
            ends = _stop_clauses(norm, spans, lex)
            later = ends and any(
                x.clause > ends[0] and requested in (y.category for y in x.targets) for x in reading.matches
            )
            if ends and not later:
                cat = lex.categories[requested]
                ended = False if cat.type == "bool" else ("none" if "none" in cat.negated.values() else None)
                if ended is not None:
                    facts[requested] = ended
    if facts.get("veteran_category") in _SERVICE_MEMBER:
        # 复员军人的遗孀, 退役军人事务局: the elder is not the veteran (only a death makes the family one)
        said = [m for m in reading.matches if any(t.category == "veteran_category" for t in m.targets)]
        if said and all(_NOT_THE_VETERAN_RX.match(norm, m.end) for m in said):
            facts.pop("veteran_category")
    living = set(reading.positive.get("living_situation") or ())
    if "left_behind" in living and living & {"empty_nest", "alone"}:
        # 孩子们在外打工，就俺老两口 / 俺在外打工，她一个人在家: who lives in the house (独居 / 空巢) is
        # what is asked; as the children working away is true too, it is confirmed (item 16 treats them alike)
        facts["living_situation"] = "alone" if "alone" in living else "empty_nest"
        ex.uncertain.add("living_situation")

    grade = _disability_grade(norm, clauses, lex, requested)
    pending_rx = lex.raw.get("pending")
    if pending_rx and re.search(pending_rx, norm):
        grade = None  # 正在办残疾证，应该是三级: not certified yet
        if facts.get("disability_grade", 0) != 0:
            facts.pop("disability_grade", None)
        facts.pop("disability_type", None)
    if grade is not None:
        facts["disability_grade"] = grade
        if requested not in ("disability_grade", "disability_type") and not _GRADE_CONTEXT_RX.search(norm):
            ex.uncertain.add("disability_grade")
    types = set(reading.positive.get("disability_type") or [])
    if "multiple" in types or len(types) > 1:
        facts["disability_type"] = "multiple"  # 多重残疾，肢体加言语
        ex.uncertain.discard("disability_type")  # two types named is what 多重 means, not a doubt
    if facts.get("disability_grade") == 0:
        facts.pop("disability_type", None)  # a type only goes with a 残疾证

    if "resident_pension_15y" not in facts:
        since = _paying_since(norm, today, requested, lex.categories["resident_pension_15y"].gate)
        if since is not None:
            facts["resident_pension_15y"] = since
    resident = lex.categories["resident_pension_15y"]
    # 在钢铁厂交了三十多年: years paid beside a job are the job pension's
    if "resident_pension_15y" not in facts and not resident.closed_in(norm):
        paid = _paid_years(norm, clauses, requested, resident.gate)
        if paid is not None:
            facts["resident_pension_15y"] = paid

    age = find_age(norm, today, requested, normalized=True)
    blanked = norm
    for _ in range(3):
        if age.reading is None or not _speakers_own(norm, clauses, lex, age.reading.start):
            break
        # 俺老头子瘫了…俺也七十多了: the speaker's age, not the elder's; another age may still be said
        cs, ce = clauses.of(age.reading.start)
        blanked = blanked[:cs] + "　" * (ce - cs) + blanked[ce:]
        age = find_age(blanked, today, requested, normalized=True)
    if age.reading is not None:
        facts["age"] = age.reading.age
        if requested != "age" and _another_elders_age(norm, clauses, lex, today):
            # two elders, each with an age: which one the family asks about is confirmed, not guessed
            ex.uncertain.add("age")
            ex.elders = _elders_named(norm, clauses, lex, today)
        if age.reading.approx_phrase:
            ex.approximate["age"] = age.reading.approx_phrase
    compared = _COMPARED_AGE_RX.search(norm)
    mine, own, diff = False, None, None
    if compared:
        # 她比俺大两岁，俺今年七十三: the speaker's age and the difference give the elder's (75), to
        # confirm; the speaker's own number is never the elder's
        diff = parse_chinese_number(compared.group("diff"))
        after, before = norm[compared.end() :], norm[: compared.start()]
        own = find_age(after, today, "age", normalized=True).reading
        text_of_own = after
        if own is None:
            own = find_age(before, today, "age", normalized=True).reading
            text_of_own = before
        # only a number the speaker marks as theirs (俺今年七十三); a bare 六十八 answers the question
        mine = own is not None and bool(_SPEAKER_NUMBER_RX.search(text_of_own[max(0, own.start - 4) : own.start]))
    if compared and mine:
        facts.pop("age", None)
        ex.approximate.pop("age", None)
        if diff is not None and own is not None and not own.approx_phrase:
            facts["age"] = own.age + (diff if compared.group("dir") == "大" else -diff)
            ex.uncertain.add("age")

    stated = bool(facts)  # facts said in words, before short answers (是/不对) are read
    said_unknown = bool(lex.unknown_rx.search(norm))
    if requested and requested not in facts and not said_unknown:
        for key, value in _short_answer_now(norm, clauses, lex, requested).items():
            if key == "special_none":
                ex.special_none = bool(value)
            elif key == BY_SOUND:
                ex.uncertain.add(requested)
            else:
                facts[key] = value
    elif requested and requested in facts and not said_unknown and requested in lex.categories:
        # 没有，俺爹又不是当兵的，哪来的抚恤 / 一个人，儿子在太原安了家: the plain answer first is
        # the answer; what follows is its reason. A yes/no against its reason is confirmed.
        lead = short_answer(norm, clauses, lex, requested).get(requested)
        if lead is not None and lead != facts[requested] and len(clauses.spans()) > 1:
            cat = lex.categories[requested]
            if cat.type == "bool":
                facts[requested] = lead
                ex.uncertain.add(requested)
            elif lead not in ("none", 0, []):
                facts[requested] = lead
    # Self-care from daily activities, after a plain answer (不能，全靠闺女伺候) has had its say.
    mentions = len(read_adl_mentions(norm)) if "self_care" not in facts and requested != "self_care" else 0
    if "self_care" not in facts and (requested == "self_care" or mentions >= 1):
        care = read_self_care(norm, clauses)
        if care is not None:
            facts["self_care"] = care
            spans = clauses.spans()
            if after_other and read_self_care(_blank(norm, [spans[i] for i in after_other]), clauses) != care:
                ex.uncertain.add("self_care")  # the day told right after another person's clause
            if mentions == 1 or (care == "independent" and independence_doubted(norm, clauses)):
                # one activity told in passing (穿衣裳得人帮), or the rest alone beside 做饭做不了: confirmed
                ex.uncertain.add("self_care")
    elif facts.get("self_care") in ("independent", "dependent", "partial") and (
        day := self_care_of(counts := read_day(norm, clauses))
    ):
        if facts["self_care"] == "independent" and day in ("partial", "dependent"):
            # 基本能自理，就是洗澡需要家里人协助 / 他说能自理，可扣子都扣不上: managing, but not everything
            facts["self_care"] = "partial"
        elif facts["self_care"] == "dependent" and day == "partial" and counts[3]:
            # 不能了，吃饭还能自己吃，就是上茅房得她牵着: some of the day alone, not all help: confirmed
            facts["self_care"] = "partial"
            ex.uncertain.add("self_care")
        elif facts["self_care"] == "partial" and day == "dependent" and not counts[1]:
            # 吃饭得人喂，穿衣得人帮，上厕所得人扶: each phrase says "some help", the day says help with
            # most of it and nothing alone: as the assessment counts, dependent
            facts["self_care"] = "dependent"
    if "self_care" in facts and requested not in (None, "self_care"):
        # 学的是喂饭和翻身 (about a course), 吃饭得喂 (told of the carer): how far an elder manages is
        # judged on its own question; heard in passing it is confirmed, not assumed.
        ex.uncertain.add("self_care")
    if requested == SPECIAL and any(f in facts for f in SPECIAL_FACTS):
        # 我爸是退伍军人，别的都没有: the one named, and "none" for the rest
        ex.special_none = bool(_REST_NONE_RX.search(norm))

    # "I don't know"
    if said_unknown:
        if requested:
            answered = requested in facts or (requested == SPECIAL and any(f in facts for f in SPECIAL_FACTS))
            if not answered:
                ex.unknown.add(requested)
        for s, e in clauses.spans():
            clause = norm[s:e]
            if not lex.unknown_rx.search(clause):
                continue
            for topic, rx in lex.unknown_topics.items():
                if topic not in facts and rx.search(clause):
                    ex.unknown.add(topic)

    ex.correction = (
        bool(lex.correction_rx.search(norm))
        or (stated and norm.startswith("不对"))
        or (age.negated_seen and age.reading is not None)
    )
    ex.relation = find_relation(norm, lex, bool(facts))
    if facts.get("living_situation") == "empty_nest" and ex.relation in OLDER:
        # 我妈八十七，我俩住一块: a child's 我俩 is the child and the elder, not an old couple alone
        pair = lex.raw.get("other_person", {}).get("speaker_and_elder")
        said = [m for m in reading.matches if any(t == ("living_situation", "empty_nest") for t in _pairs(m.targets))]
        if pair and said and all(re.match(pair, m.text) for m in said):
            facts["living_situation"] = "with_family"
    ex.facts = facts
    return ex


def _pairs(targets) -> list[tuple[str, object]]:
    return [(t.category, t.value) for t in targets]


_HAN_RX = re.compile(r"[\u4e00-\u9fff]")


@functools.lru_cache(maxsize=1)
def _sound_alike_terms():
    """(syllables of each key word -> the word, lengths longest first, words never rewritten)."""
    lex = get_lexicon()
    terms = [str(t) for t in lex.raw.get("sound_alike") or ()]
    by_sound = {tuple(_char_sound(ch) for ch in t): t for t in sorted(terms, key=len, reverse=True)}
    lengths = sorted({len(t) for t in terms}, reverse=True)
    firsts = {k[0] for k in by_sound}
    return by_sound, lengths, firsts, frozenset(lex.raw.get("sound_alike_not") or ())


@functools.lru_cache(maxsize=8192)
def _char_sound(ch: str) -> str:
    from pypinyin import lazy_pinyin

    from .answer_space import loose_syllable

    return loose_syllable(lazy_pinyin(ch)[0]) if _HAN_RX.fullmatch(ch) else ch


def fix_sound_alikes(norm: str) -> str:
    """地保 → 低保: windows that sound exactly like a key word (toneless pinyin) but are
    written otherwise are rewritten to it. Longest key words first; a known word stays."""
    return _sound_alike_windows(norm)[0]


def _sound_alike_windows(norm: str) -> tuple[str, list[tuple[int, int]]]:
    """The rewritten text and the windows rewritten."""
    windows: list[tuple[int, int]] = []
    by_sound, lengths, firsts, never = _sound_alike_terms()
    if not by_sound:
        return norm, windows
    sounds = [_char_sound(ch) for ch in norm]
    out, i, n_chars = [], 0, len(norm)
    while i < n_chars:
        if sounds[i] in firsts:
            for n in lengths:
                if i + n > n_chars:
                    continue
                term = by_sound.get(tuple(sounds[i : i + n]))
                w = norm[i : i + n]
                # A misheard word keeps some of its own characters (底保, 五宝, 残急证, 湘垣): a window
                # with none of them (母亲现年 -> 亲现 -> 沁县) is only a chance sound.
                if term and term != w and w not in never and any(a == b for a, b in zip(term, w, strict=True)):
                    out.append(term)
                    windows.append((i, i + n))
                    i += n
                    break
            else:
                out.append(norm[i])
                i += 1
            continue
        out.append(norm[i])
        i += 1
    return "".join(out), windows


def _fill_ellipsis(norm: str, lex) -> str:
    """俺老伴有残疾证，俺自己没有 -> …俺自己没有残疾证: the thing the clause before named is filled in."""
    spec = lex.raw.get("ellipsis") or {}
    if not spec or not any(w in norm for w in spec.get("objects") or ()):
        return norm
    bare = re.compile(spec["clause"])
    objects = re.compile("|".join(re.escape(w) for w in sorted(spec["objects"], key=len, reverse=True)))
    spans = Clauses(norm).spans()
    out, last = [], 0
    for (ps, pe), (s, e) in itertools.pairwise(spans):
        named = objects.findall(norm[ps:pe])
        if named and bare.match(norm[s:e]):
            out.append(norm[last:e] + named[-1])
            last = e
    return "".join(out) + norm[last:] if out else norm


_SUBJECT_HEAD_RX = re.compile(r"(?:俺|我|咱|她|他|老人|老汉|老太)")
_BOTH_HEAD_RX = re.compile(r"(?:俩人|两人|两个人|他俩|她俩|二老|老两口|都)")


def _after_another(norm: str, clauses: Clauses, lex) -> set[int]:
    """Clauses with no subject of their own right after one about another person (老伴是血压高，头晕得
    下不了炕): whose state they tell cannot be known from the words, so what they alone say is confirmed."""
    owners = clause_owners(norm, clauses, lex)
    spans = clauses.spans()
    out = set()
    for i, (s, e) in enumerate(spans):
        clause = norm[s:e]
        if i in owners or owners.get(i - 1) not in (RELATIVE, SPOUSE):
            continue
        before = norm[slice(*spans[i - 1])]
        if dead_relations(before, lex) or _BOTH_HEAD_RX.match(clause):
            continue  # 老伴去世了，住在经开区: the one who died tells nothing more; 俩人都…: both
        if subject_end(clause, lex) == 0 and not _SUBJECT_HEAD_RX.match(clause):
            out.add(i)
    return out


def _blank(norm: str, spans) -> str:
    """The text with these spans blanked out by commas (same length, so other spans still hold)."""
    chars = list(norm)
    for a, b in spans:
        chars[a:b] = "，" * (b - a)
    return "".join(chars)


def extract(text: str, requested: str | None = None, today: datetime.date | None = None) -> Extraction:
    """Facts of shared/contract.md section 2 stated in one user message.

    `requested`: the fact the bot just asked about (or "special_circumstances"), so that
    short answers (是, 没有, 83, 能) are understood. `today`: for ages from birth years.
    Never raises: on any internal error it logs and returns an empty Extraction.
    """
    try:
        norm = normalize(text)
        misspoken = get_lexicon().raw.get("misspoken")
        m_wrong = re.search(misspoken, norm) if misspoken else None
        if m_wrong:
            # 残疾证是三级，我前面说成二级了: the clause of the slip is dropped; the rest is the correction
            end = next((i for i in range(m_wrong.end(), len(norm)) if norm[i] in "，,。；;！!？?"), len(norm))
            start = max(norm.rfind(c, 0, m_wrong.start()) for c in "，,。；;！!？?") + 1
            text = norm = norm[:start] + norm[end:]
        filled = _fill_ellipsis(norm, get_lexicon())
        if filled != norm:
            text = norm = filled
        ex = _extract(text, requested, today)
        ex.correction = ex.correction or m_wrong is not None
        # 今年八十八，不对，是八十六: a correction inside the message; what follows it wins.
        lex = get_lexicon()
        last = None
        for m in lex.correction_rx.finditer(norm):
            last = m
        if last is None:
            # 我七十，不是，六十九: a bare 不是 between two readings takes the first back too
            m2 = re.search(r"[，,。](?:哦|噢|啊|呃|嗯)?(?:不对[，,。]?|不是(?:[，,。]|$))", norm)
            last = m2
        # 刚才说能自理不对，…: a correction that opens the message and quotes the old answer counts too
        if last is not None and (last.start() > 0 or last.end() > 4) and last.end() < len(norm):
            tail = _extract(norm[last.end() :], requested, today)
            if tail.relation not in (None, ex.relation):
                # 我七十，不是，六十九，老伴有高血压，我没有: read alone, the tail is about 老伴; in the
                # message it is the speaker's, so it only corrects what the whole message said
                tail.facts = {k: v for k, v in tail.facts.items() if k in ex.facts}
            if tail.facts:
                ex.facts.update(tail.facts)
                ex.correction = True
            elif requested in ex.facts:
                # 是住在敬老院，不对，上个月家里给接回去了: taken back, and the new value not said
                ex.facts.pop(requested)
            else:
                # 今年八十，不对，过了年八十一了: taken back, and the new value not heard: confirm the old one
                head = norm[: last.start()]
                cut = max(head.rfind(c) for c in "，,。；;！!？?") + 1
                for name, value in _extract(head[cut:], None, today).facts.items():
                    if ex.facts.get(name) == value:
                        ex.uncertain.add(name)
        fixed, windows = _sound_alike_windows(norm)
        if fixed != norm:
            alt = _extract(fixed, requested, today)
            kept = {}
            if any(name in ex.facts for name in alt.facts):
                # 沁源，离城里远着呢: a fact the words give apart from the misheard window (离城 ≈ 黎城)
                # stays as written; 低保便缘 (the window covers 低保) is the sound-alike's
                kept = _extract(_blank(norm, windows), requested, today).facts
            for name, value in alt.facts.items():
                if ex.facts.get(name) != value and not (name in kept and kept[name] == ex.facts.get(name)):
                    ex.facts[name] = value
                    ex.uncertain.add(name)
        return ex
    except Exception:  # the dialogue must go on whatever the user typed
        log.exception("understanding.extract failed")  # no message text: it may hold personal data
        return Extraction()
